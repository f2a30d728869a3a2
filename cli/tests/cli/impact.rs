//! `flexrules impact`: golden output for a rules change and a user change over
//! `fixtures/fanout/` in both formats, the JSON's shape, and errors naming file and line.

use std::process::Output;

use serde_json::Value as Json;

const INPUTS: [&str; 6] = [
    "impact",
    "--subscriptions",
    "fixtures/fanout/subscriptions.json",
    "--state",
    "fixtures/fanout/state.ndjson",
    "--app",
];

fn run(extra: &[&str]) -> Output {
    crate::common::flexrules().args(INPUTS).args(extra).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const RULES_CHANGE: [&str; 5] = [
    "fixtures/fanout/app",
    "--app-after",
    "fixtures/fanout/app-after",
    "--user",
    "fixtures/fanout/u1.json",
];

const USER_CHANGE: [&str; 5] = [
    "fixtures/fanout/app",
    "--user",
    "fixtures/fanout/u1.json",
    "--user-after",
    "fixtures/fanout/u1-team.json",
];

#[test]
fn a_rules_change_shows_entering_objects_and_refused_subscriptions() {
    let o = run(&[&RULES_CHANGE[..], &["--format", "json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out, crate::common::read_to_string("fixtures/fanout/expected-rules-change.json"));
    let json: Json = serde_json::from_str(&out).unwrap();
    // The owner role now also reads shared cars: u2's shared car 3 (20 miles) enters through
    // `miles < 100`; car 4 (shared, 900 miles) matches no subscription once `make` is no longer
    // queryable and the `fords` subscription is refused.
    assert_eq!(json["tables"]["Car"]["enter"], serde_json::json!([3]));
    assert_eq!(json["tables"]["Car"]["leave"], serde_json::json!([]));
    let invalid = json["subscriptions_invalid"].as_array().unwrap();
    assert_eq!(invalid.len(), 1);
    assert_eq!(
        (invalid[0]["index"].as_u64(), invalid[0]["error_code"].as_u64()),
        (Some(1), Some(226))
    );
    assert_eq!(json["role_before"], json["role_after"]);
    let o = run(&RULES_CHANGE);
    assert_eq!(
        text(&o.stdout),
        crate::common::read_to_string("fixtures/fanout/expected-rules-change.txt")
    );
}

#[test]
fn a_user_change_shows_the_new_role_and_what_it_reads() {
    let o = run(&[&USER_CHANGE[..], &["--format", "json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out, crate::common::read_to_string("fixtures/fanout/expected-user-change.json"));
    let json: Json = serde_json::from_str(&out).unwrap();
    // The team role reads the cars owned by "shared"; only car 5 matches a subscription.
    assert_eq!(json["tables"]["Car"]["enter"], serde_json::json!([5]));
    assert_eq!(json["role_before"]["Car"]["name"], "owner");
    assert_eq!(json["role_after"]["Car"]["name"], "team");
    let o = run(&USER_CHANGE);
    assert_eq!(
        text(&o.stdout),
        crate::common::read_to_string("fixtures/fanout/expected-user-change.txt")
    );
}

#[test]
fn undoing_the_rules_change_makes_the_object_leave() {
    let o = run(&[
        "fixtures/fanout/app-after",
        "--app-after",
        "fixtures/fanout/app",
        "--user",
        "fixtures/fanout/u1.json",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let json: Json = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(json["tables"]["Car"]["leave"], serde_json::json!([3]));
    assert_eq!(json["subscriptions_invalid"], serde_json::json!([]));
    assert_eq!(json["subscriptions_invalid_before"][0]["name"], "fords");
}

#[test]
fn bad_inputs_name_the_file_and_line_or_pointer() {
    let o = crate::common::flexrules()
        .args(["impact", "--app", "fixtures/fanout/app", "--subscriptions"])
        .args([
            "fixtures/fanout/subscriptions.json",
            "--state",
            "fixtures/fanout/state-no-id.ndjson",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(
        text(&o.stderr).contains("fixtures/fanout/state-no-id.ndjson:2: "),
        "{}",
        text(&o.stderr)
    );
    let o = crate::common::flexrules()
        .args(["impact", "--app", "fixtures/fanout/app", "--subscriptions"])
        .args(["fixtures/fanout/bad-subscriptions.json", "--state", "fixtures/fanout/state.ndjson"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("fixtures/fanout/bad-subscriptions.json#/0"),
        "{}",
        text(&o.stderr)
    );
    let o = crate::common::flexrules()
        .args(["impact", "--app", "fixtures/fanout/app", "--subscriptions"])
        .args(["fixtures/fanout/subscriptions.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
