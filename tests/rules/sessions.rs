//! Permission templates end to end: load each app of fixtures/apps/, choose the session role for
//! a user (fixtures/users/), and evaluate the role's bound filters on documents, in both document
//! representations. Cases live in fixtures/rules/sessions.json.

use std::path::{Path, PathBuf};

use bson::{Bson, Document, RawDocumentBuf};
use flexrules::app::App;
use flexrules::document::DocRef;
use flexrules::rules::{Bindings, RoleChoice, User};
use serde_json::Value as Json;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn document(json: &Json) -> Result<Document, String> {
    match Bson::try_from(json.clone()).map_err(|e| e.to_string())? {
        Bson::Document(d) => Ok(d),
        other => Err(format!("not a document: {other:?}")),
    }
}

#[test]
fn permission_templates_choose_roles_and_filter_documents() {
    let text = std::fs::read_to_string(fixtures().join("rules/sessions.json")).unwrap();
    let cases: Vec<Json> = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for case in &cases {
        let app_name = case["app"].as_str().unwrap();
        let user_file = case["user"].as_str().unwrap();
        let table = case["table"].as_str().unwrap();
        let label = format!("{app_name} / {user_file} / {table}");
        let app = App::load(&fixtures().join("apps").join(app_name))
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let user_text = std::fs::read_to_string(fixtures().join("users").join(user_file)).unwrap();
        let user = User::from_json_str(&user_text).unwrap();
        let choice = app.choose_role(table, &Bindings::new(user));
        let role = match (&case["role"], choice) {
            (Json::String(name), RoleChoice::Role(role)) => {
                assert_eq!(role.name(), name, "{label}");
                role
            }
            (expected, RoleChoice::Incompatible { role, problems }) => {
                assert_eq!(expected["incompatible"].as_str(), Some(role.as_str()), "{label}");
                assert!(!problems.is_empty(), "{label}");
                checked += 1;
                continue;
            }
            (expected, RoleChoice::NoRole) => {
                assert_eq!(expected["none"], Json::Bool(true), "{label}: got no role");
                checked += 1;
                continue;
            }
            (expected, other) => panic!("{label}: expected {expected}, got {other:?}"),
        };
        for entry in case["docs"].as_array().into_iter().flatten() {
            let doc = document(&entry["doc"]).unwrap();
            let raw = RawDocumentBuf::try_from(&doc).unwrap();
            for (which, filter) in [
                ("read", role.read_filter()),
                ("write", role.write_filter()),
                ("insert", role.insert_filter()),
                ("delete", role.delete_filter()),
            ] {
                let Some(expected) = entry[which].as_bool() else { continue };
                let decoded = filter.matches(&DocRef::decoded(&doc)).unwrap();
                let raw_result = filter.matches(&DocRef::raw(&raw)).unwrap();
                assert_eq!(decoded, expected, "{label}: {which} of {}", entry["doc"]);
                assert_eq!(raw_result, expected, "{label}: {which} of raw {}", entry["doc"]);
                checked += 1;
            }
        }
        for entry in case["fields"].as_array().into_iter().flatten() {
            let path: Vec<&str> =
                entry["path"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
            assert_eq!(
                role.may_read_field(&path),
                entry["read"].as_bool().unwrap(),
                "{label}: read {path:?}"
            );
            assert_eq!(
                role.may_write_field(&path),
                entry["write"].as_bool().unwrap(),
                "{label}: write {path:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} checks ran");
}
