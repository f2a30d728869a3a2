//! Hostile input at every command: `query` (single and batch), `validate`, `check`, `explain`,
//! `translate` and `test` take enormous nesting, very wide chains, invalid UTF-8, truncated and deeply
//! nested JSON in every input file, and answer with exit 1 and a message naming the file (and the
//! line), never a crash. The library's entry points have their own hostile tests at the root.

use std::path::{Path, PathBuf};
use std::process::Output;

const SCHEMA: &str = "fixtures/eval/thing.schema.json";
const OBJECTS: &str = "fixtures/eval/thing.objects.ndjson";

fn prefix(text: &str) -> &str {
    text.get(..text.len().min(60)).unwrap_or(text)
}

fn nested_json(depth: usize, open: &str, close: &str, leaf: &str) -> String {
    format!("{}{leaf}{}", open.repeat(depth), close.repeat(depth))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn run(args: &[&str]) -> Output {
    crate::common::flexrules().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A run that ended with a code (not a signal) and no panic message.
fn assert_no_crash(o: &Output) {
    assert!(o.status.code().is_some(), "killed by a signal: {}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("panicked"), "{}", text(&o.stderr));
}

#[test]
fn cli_query_refuses_hostile_single_queries_with_exit_1() {
    // One command-line argument is limited to 128 KiB by the kernel, so the single-query form is
    // pushed as far as that allows; the batch test below takes the full sizes.
    let deep = format!("{}age == 1{}", "(".repeat(60_000), ")".repeat(60_000));
    let nul = "age == 1\u{1}";
    let index = "age == $99999999999999999999";
    for query in [deep.as_str(), nul, index, "age == $-1", ""] {
        let o = run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, query]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(1), "{}: {}", prefix(query), text(&o.stderr));
        assert!(!o.stderr.is_empty());
    }
    let chain = vec!["age=5"; 18_000].join("||");
    let o = run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, &chain]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "3\n");
    for arg in ["{\"$numberLong\": \"99999999999999999999\"}", "[[[[[[", "\u{1}", "{\"$oid\": 1}"] {
        let o =
            run(&["query", "--schema", SCHEMA, "--objects", OBJECTS, "--arg", arg, "age == $0"]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(1), "{arg}: {}", text(&o.stderr));
    }
}

#[test]
fn cli_batch_answers_every_line_whatever_it_holds() {
    let dir = scratch("batch");
    let deep_json = nested_json(100_000, "[", "]", "1");
    let deep_query = format!("{}age == 1{}", "(".repeat(100_000), ")".repeat(100_000));
    let lines: Vec<Vec<u8>> = vec![
        br#"{"query": "age == 5"}"#.to_vec(),
        br#"{"query": "age == 5""#.to_vec(),
        b"".to_vec(),
        b"{\"query\": \"name == '\xff\xfe'\"}".to_vec(),
        b"\xc3".to_vec(),
        br#"{"query": "age == $0", "args": ["#.to_vec(),
        format!(r#"{{"query": "age == $0", "args": [{deep_json}]}}"#).into_bytes(),
        serde_json::json!({ "query": deep_query }).to_string().into_bytes(),
        br#"{"query": "age == 1\u0000"}"#.to_vec(),
        br#"{"query": 5}"#.to_vec(),
        br#"[1, 2]"#.to_vec(),
        br#"{"query": "age == $0", "args": {"$oid": "zz"}}"#.to_vec(),
        br#"{"query": "age == $0", "args": [{"$oid": "zz"}]}"#.to_vec(),
        br#"{"query": "age == $5", "args": [1]}"#.to_vec(),
        b"\r".to_vec(),
        br#"{"query": "TRUEPREDICATE LIMIT(1)"}"#.to_vec(),
        serde_json::json!({ "query": vec!["age == 5"; 20_000].join(" OR ") })
            .to_string()
            .into_bytes(),
        serde_json::json!({ "query": "age IN $0", "args": [(0..50_000).collect::<Vec<i64>>()] })
            .to_string()
            .into_bytes(),
    ];
    let mut file = lines.join(&b'\n');
    file.push(b'\n');
    let batch = dir.join("batch.ndjson");
    write(&batch, &file);
    let o = run(&[
        "query",
        "--schema",
        SCHEMA,
        "--objects",
        OBJECTS,
        "--batch",
        batch.to_str().unwrap(),
    ]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let answers: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), lines.len(), "{out}");
    assert_eq!(answers[0], serde_json::json!({"matches": [3]}));
    assert_eq!(answers[15], serde_json::json!({"matches": [1]}));
    assert_eq!(answers[16], serde_json::json!({"matches": [3]}));
    assert_eq!(answers[17], serde_json::json!({"matches": [1, 3, 5]}));
    for (i, a) in answers.iter().enumerate().take(15).skip(1) {
        assert!(a.get("error").is_some_and(serde_json::Value::is_string), "line {}: {a}", i + 1);
    }
    // Line errors name the file and line.
    let second = answers[1]["error"].as_str().unwrap();
    assert!(second.contains("batch.ndjson:2"), "{second}");
    let fourth = answers[3]["error"].as_str().unwrap();
    assert!(fourth.contains("batch.ndjson:4"), "{fourth}");
}

#[test]
fn cli_unusable_object_and_schema_files_exit_1_naming_the_file() {
    let dir = scratch("objects");
    let good = crate::common::read(OBJECTS);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("utf8.ndjson", [&good[..], b"{\"_id\": 99, \"name\": \"\xff\"}\n"].concat()),
        ("truncated.ndjson", [&good[..], b"{\"_id\": 99, \"name\": \"x"].concat()),
        ("deep.ndjson", nested_json(100_000, r#"{"a": "#, "}", "1").into_bytes()),
        ("nul.ndjson", b"\0\n".to_vec()),
        ("array.ndjson", b"[]\n".to_vec()),
        ("badejson.ndjson", b"{\"_id\": {\"$numberLong\": \"x\"}}\n".to_vec()),
    ];
    for (name, bytes) in cases {
        let path = dir.join(name);
        write(&path, &bytes);
        let o = run(&["query", "--schema", SCHEMA, "--objects", path.to_str().unwrap(), "age > 1"]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(name), "{name}: {}", text(&o.stderr));
    }
    for (name, bytes) in [
        ("schema-utf8.json", b"{\"title\": \"\xff\"}".to_vec()),
        ("schema-deep.json", nested_json(100_000, "[", "]", "").into_bytes()),
        ("schema-empty.json", Vec::new()),
    ] {
        let path = dir.join(name);
        write(&path, &bytes);
        let o =
            run(&["query", "--schema", path.to_str().unwrap(), "--objects", OBJECTS, "age > 1"]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(name), "{name}: {}", text(&o.stderr));
    }
}

#[test]
fn cli_validate_survives_hostile_apps() {
    let dir = scratch("validate");
    write(&dir.join("sync/config.json"), nested_json(100_000, "[", "]", "").as_bytes());
    let o = run(&["validate", "--app", dir.to_str().unwrap()]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("config.json"), "{}", text(&o.stderr));
    let o = run(&["validate", "--app", dir.join("missing").to_str().unwrap()]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["validate", "--format", "json", "--app", dir.to_str().unwrap()]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(document["diagnostics"][0]["code"], "FR002", "{document}");
}

#[test]
fn cli_validate_json_locates_every_problem_of_a_huge_rules_file() {
    // 20,000 roles with two problems each, on one line: every problem is located, in one pass
    // over the file (one scan per problem would be 40,000 scans of a 1.4 MB line).
    let dir = scratch("validate-many");
    let roles: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                "{{\"name\": \"r{i}\", \"apply_when\": {{\"%%user.id\": \"u{i}\"}}, \"seach\": 1}}"
            )
        })
        .collect();
    let rules = format!("{{\"roles\": [{}]}}", roles.join(", "));
    write(&dir.join("data_sources/mongodb-atlas/default_rule.json"), rules.as_bytes());
    let o = run(&["validate", "--format", "json", "--app", dir.to_str().unwrap()]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diagnostics = document["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 40_000);
    assert!(diagnostics.iter().all(|d| d["line"] == 1 && d["column"].as_u64() > Some(1)));
    let last = &diagnostics[39_999];
    assert_eq!(last["pointer"], "/roles/19999/seach");
    let column = usize::try_from(last["column"].as_u64().unwrap()).unwrap();
    assert_eq!(rules.get(column - 1..column + 6), Some("\"seach\""));
}

#[test]
fn cli_check_refuses_unusable_inputs_with_exit_1_naming_file_and_line() {
    let dir = scratch("check");
    let subs = dir.join("subs.json");
    write(&subs, br#"[{"table": "Car", "query": "miles < 100"}]"#);
    let good = br#"{"client_version": 1, "writes": [{"op": "insert", "table": "Car", "object": {"_id": 1, "ownerId": "u1", "make": "a", "miles": 5}}]}"#;
    let run_check = |changesets: &Path, subs: &Path, user: &str, extra: &[&str]| {
        let mut args = vec![
            "check",
            "--app",
            "fixtures/apps/car",
            "--user",
            user,
            "--subscriptions",
            subs.to_str().unwrap(),
            "--changesets",
            changesets.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let user = "fixtures/users/u1.json";
    // A clean file judges every line.
    let ok = dir.join("ok.ndjson");
    write(&ok, &[&good[..], b"\n", &good[..], b"\n"].concat());
    let o = run_check(&ok, &subs, user, &["--explain"]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), 2);
    let deep = nested_json(100_000, "[", "]", "");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.ndjson", [&good[..], b"\n", &good[..good.len() - 3]].concat(), ":2"),
        ("utf8.ndjson", [&good[..], b"\n\xff\xfe\n"].concat(), "utf8.ndjson"),
        ("deep.ndjson", [&good[..], b"\n", deep.as_bytes()].concat(), ":2"),
        ("nul.ndjson", b"\0\n".to_vec(), ":1"),
        ("shape.ndjson", br#"{"client_version": 1, "writes": [{"op": "nope"}]}"#.to_vec(), ":1"),
    ];
    for (name, bytes, names) in cases {
        let path = dir.join(name);
        write(&path, &bytes);
        for explain in [&[][..], &["--explain"]] {
            let o = run_check(&path, &subs, user, explain);
            assert_no_crash(&o);
            assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o.stderr));
            let message = text(&o.stderr);
            assert!(message.contains(name) && message.contains(names), "{name}: {message}");
            assert!(o.stdout.is_empty(), "{name}: verdicts printed before the error");
        }
    }
    // Unusable subscriptions and users.
    for (name, bytes) in [
        ("subs-deep.json", deep.clone().into_bytes()),
        (
            "subs-query.json",
            format!(r#"[{{"table": "Car", "query": "{}"}}]"#, "(".repeat(100_000)).into_bytes(),
        ),
        ("subs-utf8.json", b"[{\"table\": \"Car\", \"query\": \"\xff\"}]".to_vec()),
        ("subs-table.json", br#"[{"table": "Nope", "query": "a == 1"}]"#.to_vec()),
    ] {
        let path = dir.join(name);
        write(&path, &bytes);
        let o = run_check(&ok, &path, user, &[]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(name), "{name}: {}", text(&o.stderr));
    }
    for (name, bytes) in [("user-deep.json", deep.into_bytes()), ("user-empty.json", Vec::new())] {
        let path = dir.join(name);
        write(&path, &bytes);
        let o = run_check(&ok, &subs, path.to_str().unwrap(), &[]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(name), "{name}: {}", text(&o.stderr));
    }
}

#[test]
fn cli_translate_refuses_hostile_queries_with_exit_1() {
    let deep = format!("{}age == 1{}", "(".repeat(60_000), ")".repeat(60_000));
    for query in [deep.as_str(), "age == 1\u{1}", "age == $99999999999999999999", ""] {
        let o = run(&["translate", "--schema", SCHEMA, query]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(1), "{}: {}", prefix(query), text(&o.stderr));
    }
    let o = run(&["translate", "--schema", SCHEMA, &vec!["age=5"; 18_000].join("||")]);
    assert_no_crash(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn cli_bad_usage_exits_2() {
    for args in
        [&["query"][..], &["query", "--schema"], &["nonsense"], &["check", "--format", "xml"]]
    {
        let o = run(args);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
    }
}

#[test]
fn cli_test_refuses_unusable_test_files_and_survives_hostile_tests() {
    let dir = scratch("test");
    let app = crate::common::root().join("fixtures/apps/car");
    let app = app.to_str().unwrap();
    let deep = nested_json(100_000, "[", "]", "");
    let test = |subs: &str, expect: &str| {
        format!(
            r#"{{"app": "{app}", "tests": [{{"name": "t", "user": {{"id": "u1"}},
                "subscriptions": {subs}, "changeset": {{"writes": [{{"op": "insert",
                "table": "Car", "object": {{"_id": 1, "ownerId": "u1", "miles": 5}}}}]}},
                "expect": {expect}}}]}}"#
        )
    };
    let good = test(
        r#"[{"table": "Car", "query": "miles < 100"}]"#,
        r#"[{"table": "Car", "pk": 1, "verdict": "accepted"}]"#,
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.test.json", good.as_bytes()[..good.len() - 5].to_vec(), ".test.json:"),
        ("utf8.test.json", b"{\"app\": \"\xff\"}".to_vec(), "utf8.test.json"),
        ("deep.test.json", deep.clone().into_bytes(), "deep.test.json:1"),
        ("nul.test.json", b"\0".to_vec(), "nul.test.json:1"),
        (
            "deep-user.test.json",
            test("[]", "[]")
                .replace(
                    r#"{"id": "u1"}"#,
                    &format!(r#"{{"id": "u1", "custom_data": {{"a": {deep}}}}}"#),
                )
                .into_bytes(),
            "deep-user.test.json",
        ),
    ];
    for (name, bytes, names) in cases {
        let path = dir.join(name);
        write(&path, &bytes);
        for format in ["text", "junit"] {
            let o = run(&["test", "--coverage", "--format", format, path.to_str().unwrap()]);
            assert_no_crash(&o);
            assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o.stderr));
            assert!(text(&o.stderr).contains(names), "{name}: {}", text(&o.stderr));
            assert!(o.stdout.is_empty(), "{name}: results printed before the error");
        }
    }
    // Queries at and beyond the limits are results of a test, not crashes: a wide subscription
    // is accepted and explained node by node for coverage, a nested one is refused.
    let wide = vec!["miles == 1"; 2_000].join(" OR ");
    let nested = format!("{}miles < 100{}", "(".repeat(100_000), ")".repeat(100_000));
    for (name, query, code) in
        [("wide.test.json", wide.as_str(), 3), ("nested.test.json", nested.as_str(), 3)]
    {
        let path = dir.join(name);
        write(
            &path,
            test(&format!(r#"[{{"table": "Car", "query": "{query}"}}]"#), "[]").as_bytes(),
        );
        let o = run(&["test", "--coverage", path.to_str().unwrap()]);
        assert_no_crash(&o);
        assert_eq!(o.status.code(), Some(code), "{name}: {}", prefix(&text(&o.stdout)));
        assert!(text(&o.stdout).ends_with("0 passed, 1 failed\n"), "{name}");
    }
}
