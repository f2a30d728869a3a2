//! Apps built from strings and JSON values (no file system), legacy fallback, limits as boundary
//! pairs, and users read from JSON.

use flexrules::Limits;
use flexrules::app::{App, AppErrorKind};
use flexrules::rules::{Bindings, LowerErrorKind, ProblemKind, RoleChoice, User, UserErrorKind};
use serde_json::json;

const DEFAULT_RULE: &str = "data_sources/mongodb-atlas/default_rule.json";
const ITEM_RULES: &str = "data_sources/mongodb-atlas/todo/Item/rules.json";

fn role(name: &str, apply_when: serde_json::Value) -> serde_json::Value {
    json!({"name": name, "apply_when": apply_when,
           "document_filters": {"read": true, "write": {"owner_id": "%%user.id"}},
           "read": true, "write": true})
}

fn chosen(app: &App, table: &str, user: &str) -> Option<String> {
    match app.choose_role(table, &Bindings::new(User::new(user))) {
        RoleChoice::Role(r) => Some(r.name().to_owned()),
        RoleChoice::NoRole => None,
        RoleChoice::Incompatible { role, .. } => Some(format!("incompatible {role}")),
    }
}

#[test]
fn collection_roles_replace_default_roles_without_fallback() {
    let app = App::builder()
        .json(DEFAULT_RULE, json!({"roles": [role("default", json!({}))]}))
        .json(ITEM_RULES, json!({"roles": [role("only-u1", json!({"%%user.id": "u1"}))]}))
        .file("sync/config.json", r#"{"queryable_fields_names": ["owner_id"]}"#)
        .build()
        .unwrap();
    assert_eq!(chosen(&app, "Item", "u1").as_deref(), Some("only-u1"));
    assert_eq!(chosen(&app, "Item", "u2"), None, "the current format never falls back");
    assert_eq!(chosen(&app, "Other", "u2").as_deref(), Some("default"));
    assert!(!app.falls_back_to_default_roles());
    assert!(app.problems().is_empty(), "{:?}", app.problems());
}

#[test]
fn legacy_roles_fall_back_to_default_roles() {
    let config = json!({
        "permissions": {
            "rules": {"Item": [{"name": "only-u1", "applyWhen": {"%%user.id": "u1"},
                                "read": true, "write": {"owner_id": "%%user.id"}}]},
            "defaultRoles": [{"name": "default", "applyWhen": {}, "read": {}, "write": false}]
        },
        "queryable_fields_names": ["owner_id"]
    });
    let app = App::builder().json("sync/config.json", config).build().unwrap();
    assert!(app.falls_back_to_default_roles());
    assert_eq!(chosen(&app, "Item", "u1").as_deref(), Some("only-u1"));
    assert_eq!(chosen(&app, "Item", "u2").as_deref(), Some("default"));
}

#[test]
fn incompatible_first_match_denies_and_later_roles_are_not_tried() {
    let mut broken = role("broken", json!({}));
    broken["document_filters"]["read"] = json!({"not_queryable": 1});
    let app = App::builder()
        .json(DEFAULT_RULE, json!({"roles": [broken, role("fine", json!({}))]}))
        .file("sync/config.json", r#"{"queryable_fields_names": ["owner_id"]}"#)
        .build()
        .unwrap();
    match app.choose_role("Item", &Bindings::new(User::new("u1"))) {
        RoleChoice::Incompatible { role, problems } => {
            assert_eq!(role, "broken");
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].pointer(), "/roles/0/document_filters/read/not_queryable");
            assert_eq!(problems[0].file(), DEFAULT_RULE);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn queryable_fields_include_id_collection_scoped_and_indexed() {
    let app = App::builder()
        .file(
            "sync/config.json",
            r#"{"queryable_fields_names": ["a"],
                "collection_queryable_fields_names": {"Item": ["b"]},
                "indexed_queryable_fields_names": ["store"]}"#,
        )
        .build()
        .unwrap();
    let sync = app.sync();
    assert!(sync.is_queryable("Item", "_id"));
    assert!(sync.is_queryable("Item", "a") && sync.is_queryable("Other", "a"));
    assert!(sync.is_queryable("Item", "b") && !sync.is_queryable("Other", "b"));
    assert_eq!(sync.indexed_queryable_field(), Some("store"));
    assert!(sync.is_queryable("Other", "store"));
    assert_eq!(sync.queryable_fields_of("Item"), ["_id", "a", "b", "store"]);
    assert_eq!(sync.queryable_fields_of("Other"), ["_id", "a", "store"]);
}

#[test]
fn malformed_text_names_file_line_and_column() {
    let err = App::builder().file(ITEM_RULES, "{\n  \"roles\": [\n}").build().unwrap_err();
    assert_eq!(err.file(), ITEM_RULES);
    assert!(matches!(err.kind(), AppErrorKind::Json { line: 3, column: 1, .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("{ITEM_RULES}:3:1: malformed JSON: ")), "{err}");
}

#[test]
fn wrong_value_types_name_file_and_pointer() {
    let cases = [
        (DEFAULT_RULE, json!({"roles": [{"name": 7}]}), "/roles/0/name"),
        (
            DEFAULT_RULE,
            json!({"roles": [{"name": "a", "document_filters": []}]}),
            "/roles/0/document_filters",
        ),
        (
            DEFAULT_RULE,
            json!({"roles": [{"name": "a", "additional_fields": true}]}),
            "/roles/0/additional_fields",
        ),
        (ITEM_RULES, json!({"collection": 1, "roles": []}), "/collection"),
        (
            "sync/config.json",
            json!({"collection_queryable_fields_names": {"Item": "x"}}),
            "/collection_queryable_fields_names/Item",
        ),
        ("sync/config.json", json!({"permissions": {"rules": []}}), "/permissions/rules"),
        ("data_sources/mongodb-atlas/todo/Item/schema.json", json!({"bsonType": "object"}), ""),
    ];
    for (file, value, pointer) in cases {
        let err = App::builder().json(file, value.clone()).build().unwrap_err();
        assert_eq!((err.file(), err.pointer()), (file, pointer), "{value}: {err}");
    }
}

#[test]
fn rule_depth_limit_is_a_boundary_pair() {
    let mut limits = Limits::default();
    limits.max_rule_depth = 10;
    let nested = |levels: usize| {
        let mut expr = json!({"owner_id": 1});
        for _ in 0..levels {
            expr = json!({"$or": [expr]});
        }
        let mut r = role("deep", json!({}));
        r["document_filters"]["read"] = expr;
        App::builder()
            .limits(limits.clone())
            .json(DEFAULT_RULE, json!({"roles": [r]}))
            .file("sync/config.json", r#"{"queryable_fields_names": ["owner_id"]}"#)
            .build()
            .unwrap()
            .problems()
    };
    assert!(nested(9).is_empty(), "{:?}", nested(9));
    let problems = nested(10);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].kind(), &ProblemKind::Invalid(LowerErrorKind::TooDeep));
}

#[test]
fn field_rule_depth_limit_is_enforced() {
    let mut limits = Limits::default();
    limits.max_rule_depth = 3;
    let mut fields = json!({});
    for _ in 0..5 {
        fields = json!({"f": {"fields": fields}});
    }
    let err = App::builder()
        .limits(limits)
        .json(DEFAULT_RULE, json!({"roles": [{"name": "a", "fields": fields}]}))
        .build()
        .unwrap_err();
    assert_eq!(err.file(), DEFAULT_RULE);
    assert!(err.pointer().starts_with("/roles/0/fields/f/fields/f"), "{}", err.pointer());
}

#[test]
fn users_need_an_id_and_well_typed_members() {
    let user = User::from_json_str(
        r#"{"id": "u1", "custom_data": {"o": {"$oid": "6424433fd4d9f52ee93ad590"}}}"#,
    )
    .unwrap();
    assert_eq!(user.id(), "u1");
    assert_eq!(user.document().get_str("type").unwrap(), "normal");
    for (text, kind, pointer) in [
        (r#"{"type": "normal"}"#, UserErrorKind::MissingId, ""),
        (r#"{"id": 1}"#, UserErrorKind::ExpectedString, "/id"),
        (r#"{"id": "u", "custom_data": []}"#, UserErrorKind::ExpectedObject, "/custom_data"),
        (r#"{"id": "u", "identities": {}}"#, UserErrorKind::ExpectedArray, "/identities"),
        ("[1]", UserErrorKind::ExpectedObject, ""),
    ] {
        let err = User::from_json_str(text).unwrap_err();
        assert_eq!((err.kind(), err.pointer()), (&kind, pointer), "{text}");
    }
    let err = User::from_json_str(r#"{"id": "u", "data": {"x": {"$oid": "nothex"}}}"#).unwrap_err();
    assert!(matches!(err.kind(), UserErrorKind::ExtendedJson(_)), "{err:?}");
    assert_eq!(err.pointer(), "/data");
    assert!(matches!(
        User::from_json_str("{").unwrap_err().kind(),
        UserErrorKind::Json { line: 1, .. }
    ));
}

#[test]
fn loading_a_missing_directory_is_an_error() {
    let err = App::load(std::path::Path::new("/nonexistent/flexrules-app")).unwrap_err();
    assert!(matches!(err.kind(), AppErrorKind::Io(_)));
    assert_eq!(err.file(), "/nonexistent/flexrules-app");
}

#[test]
fn one_collection_name_in_two_databases_is_refused() {
    let other = "data_sources/mongodb-atlas/zoo/Item/rules.json";
    let err = App::builder()
        .json(ITEM_RULES, json!({"roles": []}))
        .json(other, json!({"roles": []}))
        .build()
        .unwrap_err();
    assert_eq!(err.file(), other);
    assert_eq!(err.kind(), &AppErrorKind::DuplicateCollection("Item".into()));
}

#[test]
fn nested_value_comparison_depth_is_a_boundary_pair() {
    let outcome = |depth: u32| {
        let mut limits = Limits::default();
        limits.max_document_depth = depth;
        let mut r = role("nested", json!({}));
        r["document_filters"]["read"] = json!({"owner_id": [[[1]]]});
        let app = App::builder()
            .limits(limits)
            .json(DEFAULT_RULE, json!({"roles": [r]}))
            .file("sync/config.json", r#"{"queryable_fields_names": ["owner_id"]}"#)
            .build()
            .unwrap();
        let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(User::new("u1")))
        else {
            panic!("role applies")
        };
        let doc = bson::doc! {"owner_id": [[[1]]]};
        role.read_filter().matches(&flexrules::document::DocRef::decoded(&doc)).unwrap()
    };
    assert!(outcome(3), "three levels of arrays compare within depth 3");
    assert!(!outcome(2), "but not within depth 2");
}

#[test]
fn recovery_mode_setting_is_read_from_the_sync_config() {
    let app = |config: serde_json::Value| {
        App::builder().json("sync/config.json", config).build().unwrap()
    };
    assert!(app(json!({"is_recovery_mode_disabled": true})).sync().recovery_mode_disabled());
    assert!(!app(json!({"is_recovery_mode_disabled": false})).sync().recovery_mode_disabled());
    assert!(!app(json!({})).sync().recovery_mode_disabled());
}

/// The codes of an app's problems, in order.
fn codes(app: &App) -> Vec<&'static str> {
    app.problems().iter().map(|p| p.kind().code().code()).collect()
}

#[test]
fn warnings_stay_quiet_for_roles_that_apply_to_some_users_only() {
    let admin = json!({"name": "admin", "apply_when": {"%%user.custom_data.isAdmin": true},
                       "document_filters": {"read": true, "write": true},
                       "read": true, "write": true});
    let app = App::builder()
        .json(DEFAULT_RULE, json!({"roles": [admin, role("member", json!({}))]}))
        .file("sync/config.json", r#"{"queryable_fields_names": ["owner_id"]}"#)
        .build()
        .unwrap();
    // The admin role writes everything, but only for admins; the catch-all comes last.
    assert_eq!(codes(&app), Vec::<&str>::new());
}

#[test]
fn a_catch_all_role_shadows_every_later_role_and_may_write_everything() {
    let everyone = json!({"name": "everyone", "apply_when": {"$or": [{}, {"%%user.id": "u1"}]},
                          "document_filters": {"read": true, "write": {}},
                          "read": true, "write": true});
    let app = App::builder()
        .json(ITEM_RULES, json!({"roles": [everyone, role("a", json!({})), role("b", json!({}))]}))
        .file("sync/config.json", r#"{"queryable_fields_names": ["owner_id"]}"#)
        .build()
        .unwrap();
    assert_eq!(codes(&app), ["FR121", "FR120", "FR120"]);
    let problems = app.problems();
    assert_eq!(problems.iter().map(|p| p.role()).collect::<Vec<_>>(), ["everyone", "a", "b"]);
    assert!(problems.iter().all(|p| !p.is_error()));
    assert_eq!(
        problems[1].to_string(),
        "data_sources/mongodb-atlas/todo/Item/rules.json#/roles/1: warning: role `a`: role can never apply: the earlier role `everyone` applies to every user"
    );
}
