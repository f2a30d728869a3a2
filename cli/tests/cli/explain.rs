//! The seed scenario's three writes explained (`fixtures/explain/`): the text of
//! `flexrules explain` and the JSON lines of `flexrules check --explain --format json` must equal
//! the stored snapshots. The first write is accepted (both sides of the subscription's `OR` shown,
//! the second skipped); the second leaves the view (`miles < 100 → false (miles = 90000)`); the
//! third fails the write filter bound to the user's id (`ownerId = "someOtherId"`).

fn run(args: &[&str]) -> String {
    let out = crate::common::flexrules()
        .args(args)
        .args([
            "--app",
            "fixtures/apps/car",
            "--user",
            "fixtures/demo/user.json",
            "--subscriptions",
            "fixtures/demo/subscriptions.json",
            "--changesets",
            "fixtures/demo/changesets.ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn seed_writes_explained_as_text() {
    let want = crate::common::read_to_string("fixtures/explain/seed.txt");
    assert_eq!(run(&["explain"]), want);
    assert_eq!(run(&["check", "--explain"]), want, "`check --explain` prints the same");
}

#[test]
fn seed_writes_explained_as_json() {
    let want = crate::common::read_to_string("fixtures/explain/seed.ndjson");
    let got = run(&["check", "--explain", "--format", "json"]);
    let parse = |s: &str| -> Vec<serde_json::Value> {
        s.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    assert_eq!(parse(&got), parse(&want));
    assert_eq!(parse(&got).len(), 3);
}
