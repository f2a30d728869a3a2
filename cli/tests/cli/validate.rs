//! `flexrules validate` over every fixture app: exact problem lines (FILE#POINTER: message) and
//! exit codes, from fixtures/validate/expected.json. Broken apps under fixtures/invalid-apps/
//! must fail with an error naming the file and pointer (or line and column), never a panic.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

fn fixtures() -> PathBuf {
    crate::common::root().join("fixtures")
}

/// A fixture file of expectations keyed by app name.
fn expectations(path: &str) -> serde_json::Map<String, Json> {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join(path)).unwrap()).unwrap()
}

fn run(dir: &Path) -> (u8, String, String) {
    let output = crate::common::flexrules().arg("validate").arg("--app").arg(dir).output().unwrap();
    let code = output.status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(u8::MAX);
    (
        code,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_fixture_app_validates_as_expected() {
    let expected = expectations("validate/expected.json");
    let mut apps: Vec<String> = std::fs::read_dir(fixtures().join("apps"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    apps.sort();
    for app in &apps {
        let want = expected.get(app).unwrap_or_else(|| panic!("no expectation for `{app}`"));
        let (code, out, err) = run(&fixtures().join("apps").join(app));
        let lines: Vec<&str> = out.lines().collect();
        let want_lines: Vec<&str> =
            want["stdout"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
        assert_eq!(lines, want_lines, "{app}: stdout");
        assert_eq!(u64::from(code), want["exit"].as_u64().unwrap(), "{app}: exit code");
        assert!(err.is_empty(), "{app}: stderr {err}");
    }
    assert_eq!(apps.len(), expected.len(), "expectations for apps that do not exist");
}

#[test]
fn broken_apps_fail_naming_file_and_pointer() {
    let expected = expectations("invalid-apps/expected.json");
    assert!(!expected.is_empty());
    for (app, want) in &expected {
        let dir = fixtures().join("invalid-apps").join(app);
        let (code, out, err) = run(&dir);
        assert_eq!(code, 1, "{app}");
        assert!(out.is_empty(), "{app}: {out}");
        let want = want.as_str().unwrap();
        let shown = format!("{}/{want}\n", dir.display());
        assert_eq!(err, shown, "{app}");
    }
}

fn run_json(dir: &Path) -> (u8, Json, String) {
    let output = crate::common::flexrules()
        .args(["validate", "--format", "json", "--app"])
        .arg(dir)
        .output()
        .unwrap();
    let code = output.status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(u8::MAX);
    let document = serde_json::from_slice(&output.stdout).unwrap();
    (code, document, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn json_has_one_located_diagnostic_per_text_line_with_the_same_exit_code() {
    let expected = expectations("validate/expected.json");
    for (app, want) in &expected {
        let (code, document, err) = run_json(&fixtures().join("apps").join(app));
        assert!(err.is_empty(), "{app}: {err}");
        assert_eq!(u64::from(code), want["exit"].as_u64().unwrap(), "{app}: exit code");
        let lines = want["stdout"].as_array().unwrap();
        let diagnostics = document["diagnostics"].as_array().unwrap();
        assert_eq!(diagnostics.len(), lines.len(), "{app}");
        for (d, line) in diagnostics.iter().zip(lines) {
            let line = line.as_str().unwrap();
            let at =
                format!("{}#{}: ", d["file"].as_str().unwrap(), d["pointer"].as_str().unwrap());
            assert!(line.starts_with(&at), "{app}: {line} vs {d}");
            let warning = line[at.len()..].starts_with("warning: ");
            assert_eq!(d["severity"], if warning { "warning" } else { "error" }, "{app}: {line}");
            assert!(line.ends_with(d["message"].as_str().unwrap()), "{app}: {line} vs {d}");
            let code = flexrules::diagnostic::Code::from_code(d["code"].as_str().unwrap()).unwrap();
            assert_eq!(d["name"], code.name());
            // Every node a problem names is found in its file.
            assert!(d["line"].as_u64().is_some() && d["column"].as_u64().is_some(), "{app}: {d}");
        }
        let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count();
        assert_eq!(document["errors"], errors);
        assert_eq!(document["warnings"], diagnostics.len() - errors);
    }
}

#[test]
fn json_reports_a_broken_app_as_its_one_diagnostic_on_stdout() {
    let expected = expectations("invalid-apps/expected.json");
    for (app, want) in &expected {
        let (code, document, err) = run_json(&fixtures().join("invalid-apps").join(app));
        assert_eq!(code, 1, "{app}");
        assert!(err.is_empty(), "{app}: {err}");
        let d = &document["diagnostics"][0];
        assert_eq!(document["diagnostics"].as_array().unwrap().len(), 1, "{app}");
        assert_eq!(d["severity"], "error", "{app}");
        let file = d["file"].as_str().unwrap();
        assert!(want.as_str().unwrap().starts_with(file), "{app}: {d}");
        assert!(want.as_str().unwrap().ends_with(d["message"].as_str().unwrap()), "{app}: {d}");
        assert!(d["line"].as_u64().is_some() || d["pointer"].is_null(), "{app}: {d}");
    }
}
