//! Every example of docs/api.md, answered by `api::call`: the page cannot drift from the API.
//!
//! An example is a ```` ```json ```` block holding the operation's name as a JSON string, the
//! request object, a line starting with `→`, and the whole response the call must answer.

use serde_json::{Deserializer, Value as Json};

use flexrules::api::call;

/// One example of the page: where it starts (for messages), the call and the answer it shows.
struct Example {
    line: usize,
    operation: String,
    request: Json,
    response: Json,
}

/// The page's ```` ```json ```` blocks, each with the line its text starts on.
fn json_blocks(page: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (n, line) in page.lines().enumerate() {
        match open.take() {
            None if line.trim_end() == "```json" => open = Some((n + 2, String::new())),
            None => {}
            Some(block) if line.trim_end() == "```" => blocks.push(block),
            Some((start, mut text)) => {
                text.push_str(line);
                text.push('\n');
                open = Some((start, text));
            }
        }
    }
    assert!(open.is_none(), "docs/api.md: a ```json block is not closed");
    blocks
}

fn example(line: usize, text: &str) -> Example {
    let (call_text, response_text) = text
        .split_once('→')
        .unwrap_or_else(|| panic!("docs/api.md:{line}: a json block without `→ response`"));
    let values: Vec<Json> = Deserializer::from_str(call_text)
        .into_iter::<Json>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("docs/api.md:{line}: the call is not JSON: {e}"));
    let [Json::String(operation), request] = values.as_slice() else {
        panic!("docs/api.md:{line}: expected the operation's name and the request object");
    };
    let response = serde_json::from_str(response_text)
        .unwrap_or_else(|e| panic!("docs/api.md:{line}: the response is not JSON: {e}"));
    Example { line, operation: operation.clone(), request: request.clone(), response }
}

#[test]
fn every_example_of_the_page_is_what_the_api_answers() {
    let page = std::fs::read_to_string("docs/api.md").unwrap();
    let examples: Vec<Example> =
        json_blocks(&page).iter().map(|(line, text)| example(*line, text)).collect();
    let wrong: Vec<String> = examples
        .iter()
        .filter_map(|e| {
            let answer = call(&e.operation, &e.request);
            (answer != e.response)
                .then(|| format!("docs/api.md:{}: `{}` answers\n{answer}", e.line, e.operation))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every operation the API lists has an example, and so does an error.
    let version = call("version", &serde_json::json!({}));
    for op in version["result"]["operations"].as_array().unwrap() {
        assert!(
            examples.iter().any(|e| e.operation == *op && e.response["ok"] == true),
            "docs/api.md has no example of {op}"
        );
    }
    assert!(examples.iter().any(|e| e.response["ok"] == false), "docs/api.md shows no error");
}
