//! `flexrules check` as a program (cli.md): golden output for the files under
//! `fixtures/judge/cli/` in both formats and styles, the JSON lines' shape, and exit codes.

use std::process::Output;

use flexrules::judge::Key;
use serde_json::Value as Json;

const BASE: [&str; 9] = [
    "check",
    "--app",
    "fixtures/apps/car",
    "--user",
    "fixtures/users/u1.json",
    "--subscriptions",
    "fixtures/judge/cli/subscriptions.json",
    "--state",
    "fixtures/judge/cli/state.ndjson",
];

fn run(extra: &[&str]) -> Output {
    crate::common::flexrules().args(BASE).args(extra).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const CHANGESETS: [&str; 2] = ["--changesets", "fixtures/judge/cli/changesets.ndjson"];

#[test]
fn json_format_prints_one_line_per_changeset() {
    let o = run(&[&CHANGESETS[..], &["--format", "json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out, crate::common::read_to_string("fixtures/judge/cli/expected-2023.ndjson"));
    let lines: Vec<Json> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["error"], Json::Null);
    for line in lines.iter().filter(|l| !l["error"].is_null()) {
        let error = &line["error"];
        assert_eq!(error["error_code"], 231);
        let wire = error["wire"].as_str().unwrap();
        let (head, body) = wire.split_once('\n').unwrap();
        assert_eq!(head, format!("json_error 231 {} 1", body.len()));
        let body: Json = serde_json::from_str(body).unwrap();
        assert_eq!(body, error["body"]);
        let rejected = line["rejected"].as_array().unwrap();
        let updates = body["rejectedUpdates"].as_array().unwrap();
        assert_eq!(rejected.len(), updates.len());
        for (r, u) in rejected.iter().zip(updates) {
            let key = Key::decode(u["pk"].as_str().unwrap()).unwrap();
            let pk = flexrules::value::ejson::to_json(&key.to_bson(), 4).unwrap();
            assert_eq!(pk, r["pk"]);
            assert_eq!(u["reason"], r["reason"]);
        }
    }
}

#[test]
fn text_format_in_the_2024_style() {
    let o = run(&[&CHANGESETS[..], &["--server-style", "2024"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        crate::common::read_to_string("fixtures/judge/cli/expected-2024.txt")
    );
}

#[test]
fn a_malformed_line_names_file_and_line() {
    let o = run(&["--changesets", "fixtures/judge/cli/malformed.ndjson"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(
        text(&o.stderr).contains("fixtures/judge/cli/malformed.ndjson:2: malformed JSON"),
        "{}",
        text(&o.stderr)
    );
}

/// `check` with a subscription the server refuses, and `extra` arguments.
fn refused_subscription(extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = BASE.to_vec();
    args[6] = "fixtures/judge/cli/bad-subscription.json";
    crate::common::flexrules().args(&args).args(CHANGESETS).args(extra).output().unwrap()
}

#[test]
fn a_refused_subscription_gives_the_servers_message() {
    let o = refused_subscription(&["--server-style", "2024"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "flexrules: fixtures/judge/cli/bad-subscription.json#/0: Invalid query: unsupported query for table \"Car\": key \"make\" is not a queryable field\n"
    );
}

#[test]
fn bad_usage_exits_2() {
    let o = run(&[&CHANGESETS[..], &["--server-style", "2025"]].concat());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn with_format_json_a_refused_subscription_is_one_json_diagnostic_on_stderr() {
    let o = refused_subscription(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let d: serde_json::Value = serde_json::from_str(&text(&o.stderr)).unwrap();
    assert_eq!(d["code"], "FR205");
    assert_eq!(d["name"], "subscription-non-queryable-field");
    assert_eq!(d["file"], "fixtures/judge/cli/bad-subscription.json");
    assert_eq!(d["pointer"], "/0/query");
    // The column of `make` inside the query string.
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(1), Some(26)));
}
