//! `flexrules test`: the test files of `fixtures/tests/` (one or more for every app in
//! `fixtures/apps/`) all pass; the failing example of `fixtures/testing/` prints, word for word,
//! the stored text and JUnit XML; malformed files are refused with the file, the line and the
//! JSON pointer; coverage of the issue's example matches its stored report.

use std::collections::BTreeSet;

use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = crate::common::flexrules().arg("test").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The `*.test.json` files of `dir`, by their path from the repository root, in order.
fn names(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(crate::common::root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".test.json"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    files.sort();
    files
}

/// The test files of `dir`, read as plain JSON.
fn test_files(dir: &str) -> Vec<(String, Value)> {
    names(dir)
        .into_iter()
        .map(|f| {
            let json = serde_json::from_str(&crate::common::read_to_string(&f)).unwrap();
            (f, json)
        })
        .collect()
}

#[test]
fn every_app_has_a_test_file_and_every_test_passes() {
    let files = test_files("fixtures/tests");
    let named: BTreeSet<String> = files
        .iter()
        .map(|(_, j)| j["app"].as_str().unwrap().trim_start_matches("../apps/").to_owned())
        .collect();
    let apps: BTreeSet<String> = std::fs::read_dir(crate::common::root().join("fixtures/apps"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    // The three exports without a schema are named by one file each (schemaless-apps and the
    // tests below), since a session needs a schema to subscribe.
    let schemaless = ["legacy-type-specific", "non-sync-roles", "user-specific-role"];
    for app in &apps {
        assert!(
            named.contains(app) || schemaless.contains(&app.as_str()),
            "no test file in fixtures/tests names fixtures/apps/{app}"
        );
    }
    let tests: usize = files.iter().map(|(_, j)| j["tests"].as_array().unwrap().len()).sum();
    let (code, out, err) = run(&["fixtures/tests"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.lines().last().unwrap(), format!("{tests} passed, 0 failed"));
    assert_eq!(out.lines().filter(|l| l.starts_with("ok     fixtures/tests/")).count(), tests);
}

#[test]
fn schemaless_apps_refuse_subscriptions_and_writes_without_one() {
    for app in ["non-sync-roles", "user-specific-role"] {
        let dir = std::env::temp_dir().join(format!("flexrules-test-{app}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.test.json");
        let app_dir = crate::common::root().join("fixtures/apps").join(app);
        let text = serde_json::json!({"app": app_dir, "tests": [
            {"name": "no schema, no subscription", "user": {"id": "u1"},
             "subscriptions": [{"table": "Employees", "query": "TRUEPREDICATE"}],
             "expect_subscription_error": "Invalid query: no such table \"Employees\""},
            {"name": "no subscription, no write", "user": {"id": "u1"},
             "changeset": {"writes": [{"op": "delete", "table": "Item", "pk": 1}]},
             "expect": [{"table": "Item", "pk": 1, "verdict": "rejected",
                         "client_reason": "cannot write to table \"Item\" before opening a subscription on it"}]}]});
        std::fs::write(&file, text.to_string()).unwrap();
        let (code, out, err) = run(&[file.to_str().unwrap()]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(code, 0, "{app}: {out}{err}");
        assert!(out.ends_with("2 passed, 0 failed\n"), "{app}: {out}");
    }
}

#[test]
fn the_failing_example_prints_the_stored_text_and_exits_3() {
    let (code, out, err) = run(&["fixtures/testing/failing.test.json"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(out, crate::common::read_to_string("fixtures/testing/failing.txt"));
    assert_eq!(err, "");
}

#[test]
fn the_failing_example_as_junit_xml() {
    let (code, out, _) = run(&["--format", "junit", "fixtures/testing/failing.test.json"]);
    assert_eq!(code, 3);
    assert_eq!(out, crate::common::read_to_string("fixtures/testing/failing.junit.xml"));
}

#[test]
fn the_failing_example_as_json() {
    let (code, out, _) = run(&["--format", "json", "fixtures/testing/failing.test.json"]);
    assert_eq!(code, 3);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((json["passed"].as_u64(), json["failed"].as_u64()), (Some(1), Some(4)));
    let tests = json["tests"].as_array().unwrap();
    let text = crate::common::read_to_string("fixtures/testing/failing.txt");
    for t in tests {
        let headline = format!(
            "{} {}: {}",
            if t["passed"] == true { "ok    " } else { "FAILED" },
            t["file"].as_str().unwrap(),
            t["name"].as_str().unwrap()
        );
        assert!(text.lines().any(|l| l == headline), "{headline}");
        for f in t["failures"].as_array().unwrap() {
            let first = f["message"].as_str().unwrap().lines().next().unwrap();
            assert!(text.contains(first), "{first}");
        }
    }
    // A failure about a written object carries the explanation `explain` gives.
    let verdict = &tests[1]["failures"][0];
    assert_eq!(verdict["changeset"], 1);
    assert_eq!(verdict["explanation"]["verdict"], "reverted");
    assert_eq!(
        verdict["explanation"]["log_reason"],
        "write to 2 in table \"Car\" was denied by write filter in role \"owner-read-write\""
    );
}

#[test]
fn malformed_files_are_refused_with_file_line_and_pointer() {
    let (code, out, err) = run(&["fixtures/testing/malformed"]);
    assert_eq!(code, 1);
    assert_eq!(out, "", "no test runs when a file cannot be used");
    assert_eq!(err, crate::common::read_to_string("fixtures/testing/malformed/expected.txt"));
    let files = names("fixtures/testing/malformed");
    assert_eq!(err.lines().count(), files.len(), "every unusable file is reported");
    for file in &files {
        assert!(err.contains(&format!("flexrules: {file}:")), "{file} names its line");
    }
}

#[test]
fn a_directory_without_test_files_is_an_input_error() {
    let (code, out, err) = run(&["fixtures/apps/car"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "flexrules: fixtures/apps/car: no `*.test.json` file in this directory\n");
    let (code, _, err) = run(&["fixtures/tests/no-such.test.json"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("flexrules: fixtures/tests/no-such.test.json: cannot read: "), "{err}");
}

#[test]
fn coverage_of_the_issue_example_matches_the_stored_report() {
    let (code, out, _) = run(&["--coverage", "fixtures/tests/car.test.json"]);
    assert_eq!(code, 0);
    assert_eq!(out, crate::common::read_to_string("fixtures/testing/car-coverage.txt"));
    let gaps = out.find("never exercised").unwrap();
    assert!(gaps < out.find("\napp ").unwrap(), "what was never exercised comes first");
    let (code, out, _) = run(&["--coverage", "--format", "json", "fixtures/tests/car.test.json"]);
    assert_eq!(code, 0);
    let got: Value = serde_json::from_str(&out).unwrap();
    let want: Value =
        serde_json::from_str(&crate::common::read_to_string("fixtures/testing/car-coverage.json"))
            .unwrap();
    assert_eq!(got, want);
}

#[test]
fn coverage_names_every_role_of_every_table() {
    let (code, out, _) = run(&["--coverage", "--format", "json", "fixtures/tests"]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    // Every clause is named by a pointer to a node of its rule file.
    for gap in json["coverage"]["never_exercised"].as_array().unwrap() {
        let (Some(app), Some(at)) = (gap["app"].as_str(), gap["at"].as_str()) else { continue };
        let (file, pointer) = at.split_once('#').unwrap();
        let rules: Value =
            serde_json::from_str(&crate::common::read_to_string(&format!("{app}/{file}"))).unwrap();
        assert!(rules.pointer(pointer).is_some(), "{app}/{at}");
    }
    for app in json["coverage"]["apps"].as_array().unwrap() {
        let dir = app["app"].as_str().unwrap();
        let loaded = flexrules::app::App::load(&crate::common::root().join(dir)).unwrap();
        for table in app["tables"].as_array().unwrap() {
            let roles: Vec<&str> = table["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["role"].as_str().unwrap())
                .collect();
            let name = table["table"].as_str().unwrap();
            let own = loaded.collection(name).map_or(0, |c| c.roles().roles().len());
            let defaults = loaded.default_roles().roles().len();
            assert!(roles.len() >= own.max(usize::from(defaults > 0)), "{dir} {name}: {roles:?}");
            for role in table["roles"].as_array().unwrap() {
                let (file, _) = role["at"].as_str().unwrap().split_once('#').unwrap();
                let rules: Value =
                    serde_json::from_str(&crate::common::read_to_string(&format!("{dir}/{file}")))
                        .unwrap();
                for filter in role["filters"].as_object().unwrap().values() {
                    for clause in filter["clauses"].as_array().unwrap() {
                        let pointer = clause["pointer"].as_str().unwrap();
                        assert!(rules.pointer(pointer).is_some(), "{dir}/{file}#{pointer}");
                    }
                }
            }
            if table["sessions"].as_u64().unwrap() > 0 {
                let evaluated: u64 = table["roles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["apply_when"]["evaluated"].as_u64().unwrap())
                    .sum();
                assert!(
                    evaluated > 0,
                    "{dir} {name}: a subscribed table's first role is evaluated"
                );
            }
        }
    }
}
