//! Data-driven evaluation cases: `fixtures/eval/<name>.cases.ndjson`, each line a query with its
//! arguments and either the primary keys it must match (in order when `ordered`) or realm-core's
//! exact error message, run over `<name>.objects.ndjson` with the schema `<name>.schema.json`,
//! through both raw and decoded documents. Expected answers come from the specification
//! (`shared/spec/rql.md`); a `note` says which rule a case pins. Cases whose `topic` names a
//! realm-core quirk are also run by a test of that name.

use std::fs;

use bson::{Bson, Document, RawDocumentBuf};
use flexrules::schema::Table;
use flexrules::{Limits, compile, parse};
use serde_json::Value;

fn fixture_sets() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir("fixtures/eval")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".cases.ndjson").map(str::to_owned))
        .collect();
    names.sort();
    names
}

fn key(v: Option<&Bson>) -> i64 {
    match v {
        Some(Bson::Int32(i)) => i64::from(*i),
        Some(Bson::Int64(i)) => *i,
        other => panic!("fixture primary keys are integers, found {other:?}"),
    }
}

/// Runs the cases of every fixture set whose topic passes `filter`; returns (checked, failures).
fn run(filter: &dyn Fn(&str) -> bool) -> (usize, Vec<String>) {
    let limits = Limits::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for set in fixture_sets() {
        let table = Table::from_json_str(
            &fs::read_to_string(format!("fixtures/eval/{set}.schema.json")).unwrap(),
        )
        .unwrap();
        let objects: Vec<Document> =
            fs::read_to_string(format!("fixtures/eval/{set}.objects.ndjson"))
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| match Bson::try_from(serde_json::from_str::<Value>(l).unwrap()).unwrap() {
                    Bson::Document(d) => d,
                    other => panic!("not an object: {other}"),
                })
                .collect();
        let raw: Vec<RawDocumentBuf> =
            objects.iter().map(|d| RawDocumentBuf::try_from(d).unwrap()).collect();
        let cases = fs::read_to_string(format!("fixtures/eval/{set}.cases.ndjson")).unwrap();
        for (n, line) in cases.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).unwrap();
            if !filter(case["topic"].as_str().unwrap_or_default()) {
                continue;
            }
            checked += 1;
            let q = case["query"].as_str().unwrap();
            let args: Vec<Bson> = case["args"]
                .as_array()
                .map(|a| a.iter().map(|v| Bson::try_from(v.clone()).unwrap()).collect())
                .unwrap_or_default();
            let at = format!("{set}.cases.ndjson:{}: {q}", n + 1);
            let compiled = parse(q).map_err(|e| e.to_string()).and_then(|ast| {
                compile(&ast, &table, &args, &limits).map_err(|e| e.realm_message())
            });
            match (case.get("error").and_then(Value::as_str), compiled) {
                (Some(want), Err(got)) if want == got => {}
                (Some(want), Err(got)) => failures
                    .push(format!("{at}\n   expected error: {want}\n   got error:      {got}")),
                (Some(want), Ok(_)) => {
                    failures.push(format!("{at}\n   expected error: {want}\n   got: accepted"))
                }
                (None, Err(got)) => {
                    failures.push(format!("{at}\n   expected matches\n   got error: {got}"))
                }
                (None, Ok(c)) => {
                    let mut want: Vec<i64> = case["matches"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_i64().unwrap())
                        .collect();
                    let ordered = case["ordered"].as_bool().unwrap_or(false);
                    if !ordered {
                        want.sort_unstable();
                    }
                    for (label, got) in
                        [("decoded", c.run(objects.as_slice())), ("raw", c.run(raw.as_slice()))]
                    {
                        let mut got: Vec<i64> =
                            got.iter().map(|i| key(objects[*i].get("_id"))).collect();
                        if !ordered {
                            got.sort_unstable();
                        }
                        if got != want {
                            failures.push(format!(
                                "{at} ({label})\n   expected: {want:?}\n   got:      {got:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    (checked, failures)
}

fn assert_topic(topic: &str) {
    let (checked, failures) = run(&|t| t == topic);
    assert!(checked > 0, "no case has topic {topic}");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_fixture_case() {
    let (checked, failures) = run(&|_| true);
    assert!(checked >= 100, "only {checked} cases");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn quirk_like_double_trailing_star() {
    assert_topic("quirk_like_double_trailing_star");
}

#[test]
fn quirk_ordered_list_not_equal() {
    assert_topic("quirk_ordered_list_not_equal");
}

#[test]
fn quirk_case_flag_ignored_on_direct_in_list() {
    assert_topic("quirk_case_flag_ignored_on_direct_in_list");
}

#[test]
fn quirk_string_to_int_prefix() {
    assert_topic("quirk_string_to_int_prefix");
}

#[test]
fn quirk_int_constant_against_double_column() {
    assert_topic("quirk_int_constant_against_double_column");
}

#[test]
fn quirk_between_through_list_of_objects() {
    assert_topic("quirk_between_through_list_of_objects");
}

#[test]
fn quirk_empty_dictionary_key_has_no_value() {
    assert_topic("quirk_empty_dictionary_key_has_no_value");
}
