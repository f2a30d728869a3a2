//! `flexrules validate` over every fixture app: exact problem lines (FILE#POINTER: message) and
//! exit codes, from fixtures/validate/expected.json. Broken apps under fixtures/invalid-apps/
//! must fail with an error naming the file and pointer (or line and column), never a panic.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

fn fixtures() -> PathBuf {
    crate::common::root().join("fixtures")
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
    let text = std::fs::read_to_string(fixtures().join("validate/expected.json")).unwrap();
    let expected: serde_json::Map<String, Json> = serde_json::from_str(&text).unwrap();
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
    let text = std::fs::read_to_string(fixtures().join("invalid-apps/expected.json")).unwrap();
    let expected: serde_json::Map<String, Json> = serde_json::from_str(&text).unwrap();
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
