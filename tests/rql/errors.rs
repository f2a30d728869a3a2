//! Parse errors as people see them: kind, byte span and the rendered `line:col: message` with the
//! offending line and carets (`fixtures/rql/errors.json`). Kinds are compared by their stable
//! names (`ParseErrorKind::name`), which name every kind.

use std::fs;

use serde_json::Value;

#[test]
fn errors_have_the_expected_kind_span_and_rendering() {
    let text = fs::read_to_string("fixtures/rql/errors.json").expect("fixture file");
    let fixture: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10);
    let mut failures = Vec::new();
    for case in cases {
        let query = case["query"].as_str().expect("query");
        let Err(error) = flexrules::parse(query) else {
            failures.push(format!("{query:?} parsed"));
            continue;
        };
        let rendered = error.render(query);
        if error.kind().name() != case["kind"] {
            failures.push(format!("{query:?}: kind {:?}", error.kind()));
        }
        let span = [error.span().start, error.span().end];
        if serde_json::json!(span) != case["span"] {
            failures.push(format!("{query:?}: span {span:?}"));
        }
        if let Some(expected) = case["render"].as_str()
            && rendered != expected
        {
            failures.push(format!("{query:?}: rendered\n{rendered}\nexpected\n{expected}"));
        }
        for fragment in case["message_contains"].as_array().expect("fragments") {
            let fragment = fragment.as_str().expect("fragment");
            if !error.to_string().contains(fragment) {
                failures.push(format!("{query:?}: message {error} lacks {fragment:?}"));
            }
        }
        // Display is a single line; the rendering adds position, line and carets.
        if error.to_string().contains('\n') {
            failures.push(format!("{query:?}: message spans lines"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
