//! Stable diagnostic codes, from data: every `fixtures/diagnostics/<CODE>/case.json` names a
//! command (run in its folder with `--format json`) and the diagnostic it must produce; every
//! code of `flexrules::diagnostic::Code` has such a case (or is listed below with the reason it
//! has none) and a
//! section in docs/diagnostics.md.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use flexrules::Limits;
use flexrules::app::App;
use flexrules::diagnostic::{Code, Diagnostic};

/// Codes without a case, each with the reason (docs/diagnostics.md says the same).
const WITHOUT_CASE: &[(Code, &str)] = &[
    (Code::OutputNotWritten, "a case cannot close the command's output"),
    (Code::ApplyWhenNeverMatches, "reserved for `flexrules test --coverage`"),
];

fn cases() -> PathBuf {
    crate::common::root().join("fixtures/diagnostics")
}

/// The diagnostics a case's command produces: `validate` prints one document on stdout, the
/// other commands one JSON line per failure on stderr. A case with `limits` loads its app
/// through the library with those limits instead (for limits the command line cannot lower).
fn produce(dir: &Path, case: &Json) -> Vec<Json> {
    if let Some(limits) = case.get("limits") {
        let mut l = Limits::default();
        if let Some(depth) = limits.get("max_rule_depth").and_then(Json::as_u64) {
            l.max_rule_depth = u32::try_from(depth).unwrap();
        }
        return match App::load_with(&dir.join("app"), l) {
            Ok(app) => app
                .problems()
                .iter()
                .map(|p| flexrules::api::output::diagnostic(&Diagnostic::from_problem(p)))
                .collect(),
            Err(e) => vec![flexrules::api::output::diagnostic(&Diagnostic::from_app_error(&e))],
        };
    }
    let args: Vec<&str> =
        case["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let output = crate::common::flexrules()
        .current_dir(dir)
        .args(&args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    if args.first() == Some(&"validate") {
        assert!(stderr.is_empty(), "{}: stderr {stderr}", dir.display());
        let document: Json = serde_json::from_str(&stdout).unwrap();
        let diagnostics = document["diagnostics"].as_array().unwrap().clone();
        let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count();
        assert_eq!(document["errors"], errors, "{}", dir.display());
        assert_eq!(output.status.code(), Some(i32::from(errors > 0)), "{}", dir.display());
        diagnostics
    } else {
        assert_eq!(output.status.code(), Some(1), "{}: {stderr}", dir.display());
        assert!(stdout.is_empty(), "{}: {stdout}", dir.display());
        stderr.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

#[test]
fn every_case_produces_its_code_where_it_says() {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(cases()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if !name.starts_with("FR") {
            continue;
        }
        let code = Code::from_code(&name).unwrap_or_else(|| panic!("{name}: no such code"));
        let case: Json =
            serde_json::from_str(&std::fs::read_to_string(entry.path().join("case.json")).unwrap())
                .unwrap();
        let expect = case["expect"].as_object().unwrap();
        assert_eq!(expect["code"], name, "{name}: the folder names its code");
        let produced = produce(&entry.path(), &case);
        let found = produced.iter().find(|d| expect.iter().all(|(k, v)| &d[k] == v));
        let found =
            found.unwrap_or_else(|| panic!("{name}: expected {expect:?}, got {produced:#?}"));
        assert_eq!(found["name"], code.name(), "{name}");
        assert_eq!(found["severity"], code.severity().as_str(), "{name}");
        assert!(!found["message"].as_str().unwrap().is_empty(), "{name}");
        seen.push(code);
    }
    for code in Code::ALL {
        let without = WITHOUT_CASE.iter().any(|(r, _)| r == code);
        assert!(
            seen.contains(code) != without,
            "{code}: needs a case in fixtures/diagnostics/ (or is listed without one and has one)"
        );
    }
}

#[test]
fn every_code_is_documented_once_and_nothing_else_is() {
    let docs = crate::common::read_to_string("docs/diagnostics.md");
    let headings: Vec<&str> = docs.lines().filter_map(|l| l.strip_prefix("### ")).collect();
    let expected: Vec<String> =
        Code::ALL.iter().map(|c| format!("{} {}", c.code(), c.name())).collect();
    assert_eq!(headings, expected, "docs/diagnostics.md: one `### FRnnn name` per code, in order");
    for (code, why) in WITHOUT_CASE {
        let section = docs.split(&format!("### {code}")).nth(1).unwrap();
        let section = section.split("\n### ").next().unwrap();
        assert!(section.contains("No case"), "{code}: the docs say why it has no case ({why})");
    }
}

#[test]
fn codes_are_unique_and_kebab_case() {
    for (i, a) in Code::ALL.iter().enumerate() {
        assert!(a.code().starts_with("FR") && a.code().len() == 5, "{a}");
        assert!(a.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{a}");
        assert_eq!(Code::from_code(a.code()), Some(*a));
        for b in Code::ALL.iter().skip(i + 1) {
            assert!(a.code() < b.code(), "{a} before {b}: numeric order, no duplicates");
            assert_ne!(a.name(), b.name());
        }
    }
}
