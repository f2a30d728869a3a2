//! realm-core's own parser conformance lists (`valid_queries` / `invalid_queries` in
//! `test/test_parser.cpp`), stored as fixtures. Valid queries must parse and round-trip through
//! the canonical printer; invalid ones must fail to parse.

use std::fs;

/// Queries of a fixture file: every line except `#` comments, kept verbatim (some queries have
/// leading or trailing blanks on purpose).
fn queries(path: &str) -> std::io::Result<Vec<String>> {
    Ok(fs::read_to_string(path)?
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

#[test]
fn realm_core_valid_queries_parse_and_round_trip() {
    let queries = queries("fixtures/rql/realm_core_valid.txt").expect("fixture file");
    assert_eq!(queries.len(), 154);
    let mut failures = Vec::new();
    for query in &queries {
        match flexrules::parse(query) {
            Ok(parsed) => {
                let printed = parsed.to_string();
                match flexrules::parse(&printed) {
                    Ok(again) if again == parsed => {}
                    other => failures.push(format!("{query:?} printed as {printed:?}: {other:?}")),
                }
            }
            Err(e) => failures.push(format!("{query:?}:\n{}", e.render(query))),
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn realm_core_invalid_queries_fail_to_parse() {
    let queries = queries("fixtures/rql/realm_core_invalid.txt").expect("fixture file");
    assert_eq!(queries.len(), 97);
    let accepted: Vec<String> = queries
        .iter()
        .filter_map(|q| flexrules::parse(q).ok().map(|parsed| format!("{q:?} as {parsed}")))
        .collect();
    assert!(
        accepted.is_empty(),
        "accepted {} invalid queries:\n{}",
        accepted.len(),
        accepted.join("\n")
    );
}
