//! Loads arbitrary text as role rules (current format, per-collection, and legacy sync
//! permissions), validates them, chooses a role for a user and evaluates its filters.
//!
//! Input: rules JSON, optionally followed by a NUL byte and user JSON.
#![no_main]

use flexrules::app::App;
use flexrules::document::DocRef;
use flexrules::rules::{Bindings, RoleChoice, User};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (rules, user) = match data.iter().position(|&b| b == 0) {
        Some(at) => (data.get(..at).unwrap_or_default(), data.get(at + 1..).unwrap_or_default()),
        None => (data, &b"{\"id\": \"u1\", \"custom_data\": {\"team\": \"red\"}}"[..]),
    };
    let Ok(rules) = std::str::from_utf8(rules) else { return };
    let user = std::str::from_utf8(user)
        .ok()
        .and_then(|text| User::from_json_str(text).ok())
        .unwrap_or_else(|| User::new("u1"));
    let config = r#"{"queryable_fields_names": ["a", "b", "owner_id"]}"#;
    let builds = [
        App::builder()
            .file("data_sources/mongodb-atlas/default_rule.json", rules)
            .file("sync/config.json", config)
            .build(),
        App::builder()
            .file("data_sources/mongodb-atlas/db/Item/rules.json", rules)
            .file("sync/config.json", config)
            .build(),
        App::builder().file("sync/config.json", rules).build(),
    ];
    let docs = [
        bson::doc! {},
        bson::doc! {"a": 1, "b": "x", "owner_id": "u1"},
        bson::doc! {"a": [1, {"b": null}], "owner_id": ["u1", "u2"]},
    ];
    for app in builds.into_iter().flatten() {
        for problem in app.problems() {
            assert!(!problem.to_string().is_empty());
        }
        let bindings = Bindings::new(user.clone());
        if let RoleChoice::Role(role) = app.choose_role("Item", &bindings) {
            for doc in &docs {
                let Ok(raw) = bson::RawDocumentBuf::try_from(doc) else { continue };
                for filter in [role.read_filter(), role.write_filter()] {
                    let decoded = filter.matches(&DocRef::decoded(doc));
                    let raw = filter.matches(&DocRef::raw(&raw));
                    assert_eq!(decoded.ok(), raw.ok());
                }
            }
        }
    }
});
