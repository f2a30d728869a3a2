//! Every query realm-core answered in `fixtures/oracle/product.expected.jsonl` against the parser.
//!
//! Queries realm-core accepted must parse and survive a print/parse round trip; queries it
//! refused with a syntax error or an invalid character must fail to parse. Queries it refused for
//! other reasons (types, unknown properties) are syntactically valid and must parse. Queries that
//! crashed realm-core must parse without crashing here.

use std::fs;

use serde_json::Value;

#[test]
fn oracle_queries_parse_as_realm_core_parsed_them() {
    let text = fs::read_to_string("fixtures/oracle/product.expected.jsonl").expect("oracle file");
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("oracle line is JSON");
        let query = row["q"].as_str().expect("q is a string");
        let error = row["error"].as_str().unwrap_or_default();
        let syntax_error = error.contains("syntax error") || error.contains("invalid character");
        let must_parse = !syntax_error;
        checked += 1;
        // realm-core's own re-serialisation of an accepted query is RQL too.
        if let Some(described) = row["described"].as_str()
            && let Err(e) = flexrules::parse(described)
        {
            failures.push(format!(
                "realm-core's description of {query:?} does not parse:\n{}",
                e.render(described)
            ));
        }
        match flexrules::parse(query) {
            Ok(parsed) if must_parse => {
                let printed = parsed.to_string();
                match flexrules::parse(&printed) {
                    Ok(again) if again == parsed => {}
                    Ok(_) => failures.push(format!("round trip changed {query:?} -> {printed:?}")),
                    Err(e) => failures.push(format!(
                        "printed form of {query:?} does not parse: {printed:?}: {}",
                        e.render(&printed)
                    )),
                }
            }
            Ok(_) => failures.push(format!("accepted {query:?}, realm-core said: {error}")),
            Err(e) if must_parse => {
                failures.push(format!("rejected {query:?}:\n{}", e.render(query)))
            }
            Err(_) => {}
        }
    }
    assert!(checked >= 1500, "only {checked} oracle rows");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
