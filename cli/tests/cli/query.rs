//! `flexrules query` as a program: output format, batch lines, exit codes and error messages
//! naming the file at fault, as the README's command-line section promises.

use std::process::Output;

const SCHEMA: &str = "fixtures/eval/thing.schema.json";
const OBJECTS: &str = "fixtures/eval/thing.objects.ndjson";

fn run(args: &[&str]) -> Output {
    crate::common::flexrules().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn single_query_prints_one_key_per_line_in_result_order() {
    let o = run(&[
        "query",
        "--schema",
        SCHEMA,
        "--objects",
        OBJECTS,
        "TRUEPREDICATE SORT(age DESC) LIMIT(3)",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "1\n5\n3\n");
}

#[test]
fn single_query_takes_extended_json_arguments() {
    let o = run(&[
        "query",
        "--schema",
        SCHEMA,
        "--objects",
        OBJECTS,
        "--arg",
        r#"{"$numberLong": "12"}"#,
        "--arg",
        "null",
        "age == $0 OR price == $1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "4\n5\n6\n");
}

#[test]
fn a_query_that_does_not_bind_exits_1_with_realm_cores_message() {
    let o = run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, "missing == 1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("'Thing' has no property 'missing'"), "{}", stderr(&o));
}

#[test]
fn a_query_that_does_not_parse_exits_1() {
    let o = run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, "age >"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).is_empty());
}

fn batch(path: &str) -> Output {
    run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, "--batch", path])
}

#[test]
fn batch_prints_one_line_per_input_line() {
    let o = batch("fixtures/cli/batch.ndjson");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0], serde_json::json!({"matches": [1, 5]}));
    assert!(
        lines[1]["error"].as_str().unwrap().starts_with("fixtures/cli/batch.ndjson:2: "),
        "{}",
        lines[1]
    );
    assert!(lines[2]["error"].is_string());
    assert_eq!(lines[3], serde_json::json!({"matches": [3]}));
    assert_eq!(lines[4], serde_json::json!({"error": "'Thing' has no property 'missing'"}));
    assert!(
        lines[5]["error"].as_str().unwrap().starts_with("fixtures/cli/batch.ndjson:6: "),
        "{}",
        lines[5]
    );
}

#[test]
fn a_malformed_objects_file_names_file_and_line() {
    let o = run(&[
        "query",
        "--schema",
        SCHEMA,
        "--objects",
        "fixtures/cli/bad_objects.ndjson",
        "TRUEPREDICATE",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("fixtures/cli/bad_objects.ndjson:2:"), "{}", stderr(&o));
}

#[test]
fn a_bad_schema_names_file_and_json_pointer() {
    let o = run(&[
        "query",
        "--schema",
        "fixtures/cli/bad_schema.json",
        "--objects",
        OBJECTS,
        "TRUEPREDICATE",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("fixtures/cli/bad_schema.json#/properties/x/bsonType"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unreadable_file_is_named() {
    let o = run(&[
        "query",
        "--schema",
        "fixtures/cli/nope.json",
        "--objects",
        OBJECTS,
        "TRUEPREDICATE",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("fixtures/cli/nope.json"), "{}", stderr(&o));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(run(&["query", "--schema", SCHEMA]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_query_error_shows_the_query_with_a_caret_under_the_bad_token() {
    let o = run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, "age > 3 AND\n  nme == 'x'"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "flexrules: 2:3: 'Thing' has no property 'nme'; did you mean 'name'?\n  nme == 'x'\n  ^^^\n"
    );
    let o = run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, "age >"]);
    assert_eq!(
        stderr(&o),
        "flexrules: 1:6: syntax error: expected a value, found end of input\nage >\n     ^\n"
    );
}

#[test]
fn a_name_far_from_every_property_gets_no_suggestion() {
    let o = run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, "zzzz == 1"]);
    assert_eq!(stderr(&o), "flexrules: 1:1: 'Thing' has no property 'zzzz'\nzzzz == 1\n^^^^\n");
}

#[test]
fn batch_errors_keep_realm_cores_message_alone() {
    // The single-query form would add "; did you mean 'name'?" and a caret.
    let o = batch("fixtures/cli/batch-typo.ndjson");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "{\"error\":\"'Thing' has no property 'nme'\"}\n");
}
