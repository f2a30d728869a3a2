//! Hostile rules never panic: arbitrary JSON built from the rule vocabulary (operators,
//! expansions, field names, Extended JSON keys) is loaded as roles, validated, used for role
//! selection, and the bound filters are evaluated on arbitrary documents.

use bson::{Bson, Document, RawDocumentBuf};
use flexrules::app::App;
use flexrules::document::{DocRef, FieldSet};
use flexrules::rules::{Bindings, RoleChoice, User};
use proptest::prelude::*;
use serde_json::{Map, Value as Json};

const KEYS: &[&str] = &[
    "a",
    "b",
    "a.b",
    "owner_id",
    "",
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$all",
    "$exists",
    "$not",
    "$and",
    "$or",
    "$nor",
    "%or",
    "%in",
    "$regex",
    "%function",
    "%stringToOid",
    "%oidToString",
    "%stringToUuid",
    "%uuidToString",
    "%%user.id",
    "%%user.custom_data.list",
    "%%true",
    "%%root",
    "%%bogus",
    "$oid",
    "$date",
    "name",
    "arguments",
    "read",
    "write",
    "document_filters",
    "apply_when",
    "fields",
];

const STRINGS: &[&str] = &[
    "u1",
    "%%user.id",
    "%%user.custom_data.list",
    "%%user.custom_data.missing",
    "%%values.x",
    "%%environment.tag",
    "%%prevRoot",
    "%%user.nope",
    "6424433fd4d9f52ee93ad590",
    "",
    "01234567-9abc-4def-9012-3456789abcde",
];

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        proptest::sample::select(STRINGS).prop_map(Json::from),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((proptest::sample::select(KEYS), inner), 0..4).prop_map(
                |entries| {
                    let mut map = Map::new();
                    for (k, v) in entries {
                        map.insert(k.to_owned(), v);
                    }
                    Json::Object(map)
                }
            ),
        ]
    })
}

fn document() -> impl Strategy<Value = Json> {
    prop::collection::vec(
        (proptest::sample::select(&["a", "b", "owner_id", "_id"][..]), json()),
        0..4,
    )
    .prop_map(|entries| Json::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

const VALUE_STRINGS: &[&str] =
    &["u1", "u2", "%%user.id", "%%user.custom_data.list", "%%user.custom_data.missing", ""];

/// Values a well-formed filter compares with.
fn value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-3i64..3).prop_map(Json::from),
        prop_oneof![Just(0.5), Just(-1.0), Just(2.0)].prop_map(Json::from),
        proptest::sample::select(VALUE_STRINGS).prop_map(Json::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
            inner.prop_map(|v| serde_json::json!({"x": v})),
        ]
    })
}

/// A condition on one field.
fn condition() -> impl Strategy<Value = Json> {
    const OPS: [&str; 6] = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"];
    const LISTS: [&str; 3] = ["$in", "$nin", "$all"];
    prop_oneof![
        value(),
        (proptest::sample::select(&OPS[..]), value())
            .prop_map(|(op, v)| serde_json::json!({ op: v })),
        (proptest::sample::select(&LISTS[..]), prop::collection::vec(value(), 0..3))
            .prop_map(|(op, v)| serde_json::json!({ op: v })),
        proptest::sample::select(&LISTS[..])
            .prop_map(|op| serde_json::json!({ op: "%%user.custom_data.list" })),
        any::<bool>().prop_map(|b| serde_json::json!({"$exists": b})),
        (proptest::sample::select(&OPS[..]), value())
            .prop_map(|(op, v)| serde_json::json!({"$not": { op: v }})),
    ]
}

/// A well-formed, Sync-compatible filter over fields `a`, `b`, `owner_id`.
fn filter() -> impl Strategy<Value = Json> {
    const FIELDS: [&str; 5] = ["a", "b", "owner_id", "%%user.custom_data.list", "%%user.id"];
    let leaf = prop_oneof![
        any::<bool>().prop_map(Json::Bool),
        prop::collection::vec((proptest::sample::select(&FIELDS[..]), condition()), 0..3).prop_map(
            |entries| Json::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        ),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        (proptest::sample::select(&["$and", "$or", "$nor"][..]), prop::collection::vec(inner, 1..3))
            .prop_map(|(op, list)| serde_json::json!({ op: list }))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_expressions_never_panic(
        apply_when in json(),
        read in json(),
        write in json(),
        docs in prop::collection::vec(document(), 1..4),
    ) {
        let roles = serde_json::json!({"roles": [{
            "name": "r", "apply_when": apply_when,
            "document_filters": {"read": read, "write": write},
            "read": true, "write": true,
        }]});
        let app = App::builder()
            .json("data_sources/mongodb-atlas/default_rule.json", roles)
            .file("sync/config.json", r#"{"queryable_fields_names": ["a", "b", "owner_id"]}"#)
            .build();
        let Ok(app) = app else { return Ok(()) };
        for p in app.problems() {
            prop_assert!(!p.to_string().is_empty());
        }
        let user = User::from_json_str(r#"{"id": "u1", "custom_data": {"list": ["u1", 2]}}"#).unwrap();
        if let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(user)) {
            for d in &docs {
                let Ok(Bson::Document(doc)) = Bson::try_from(d.clone()) else { continue };
                let doc: Document = doc;
                let raw = RawDocumentBuf::try_from(&doc).unwrap();
                for filter in [role.read_filter(), role.write_filter()] {
                    let a = filter.matches(&DocRef::decoded(&doc)).unwrap();
                    let b = filter.matches(&DocRef::raw(&raw)).unwrap();
                    prop_assert_eq!(a, b, "decoded and raw disagree on {}", d);
                }
            }
        }
    }

    #[test]
    fn well_formed_filters_agree_across_document_representations(
        read in filter(),
        write in filter(),
        docs in prop::collection::vec(
            prop::collection::vec((proptest::sample::select(&["a", "b", "owner_id"][..]), value()), 0..4),
            1..6,
        ),
    ) {
        let roles = serde_json::json!({"roles": [{
            "name": "r", "document_filters": {"read": read, "write": write},
        }]});
        let app = App::builder()
            .json("data_sources/mongodb-atlas/default_rule.json", roles)
            .file("sync/config.json", r#"{"queryable_fields_names": ["a", "b", "owner_id"]}"#)
            .build()
            .unwrap();
        // Well-formed: no problem makes the role unusable (a filter reading
        // `%%user.custom_data` is usable, with a warning).
        prop_assert!(!app.problems().iter().any(|p| p.is_error()), "{:?}", app.problems());
        let user = User::from_json_str(r#"{"id": "u1", "custom_data": {"list": ["u1", 2]}}"#).unwrap();
        let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(user)) else {
            return Err(TestCaseError::fail("the role applies"));
        };
        for entries in docs {
            let json = Json::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
            let Ok(Bson::Document(doc)) = Bson::try_from(json.clone()) else { continue };
            let raw = RawDocumentBuf::try_from(&doc).unwrap();
            for filter in [role.read_filter(), role.write_filter()] {
                let decoded = filter.matches(&DocRef::decoded(&doc)).unwrap();
                let raw_result = filter.matches(&DocRef::raw(&raw)).unwrap();
                let fields = FieldSet::new(filter.fields().iter().map(|f| &**f));
                let mut slots = vec![None; fields.len()];
                fields.scan(&DocRef::raw(&raw), &mut slots).unwrap();
                let slotted = filter.matches_slots(&slots).unwrap();
                prop_assert_eq!(decoded, raw_result, "raw: {}", json);
                prop_assert_eq!(decoded, slotted, "slots: {}", json);
            }
        }
    }

    #[test]
    fn malformed_documents_are_errors_not_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let app = App::builder()
            .file(
                "data_sources/mongodb-atlas/default_rule.json",
                r#"{"roles": [{"name": "r", "document_filters": {
                    "read": {"a": {"$ne": 1}, "owner_id": {"$in": ["u1", null]}},
                    "write": {"$nor": [{"a": {"$gt": 1}}, {"b": {"$all": [1, 2]}}]}}}]}"#,
            )
            .file("sync/config.json", r#"{"queryable_fields_names": ["a", "b", "owner_id"]}"#)
            .build()
            .unwrap();
        let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(User::new("u1"))) else {
            return Err(TestCaseError::fail("the role applies"));
        };
        // A header that claims the right length makes the walker look at the elements.
        let mut doc = bytes.clone();
        let len = u32::try_from(doc.len() + 4).unwrap_or(0).to_le_bytes();
        doc.splice(0..0, len);
        for candidate in [&bytes, &doc] {
            if let Ok(d) = DocRef::from_bytes(candidate) {
                let _ = role.read_filter().matches(&d);
                let _ = role.write_filter().matches(&d);
            }
        }
    }

    #[test]
    fn arbitrary_role_files_never_panic(file in json(), legacy in json()) {
        let _ = App::builder()
            .json("data_sources/mongodb-atlas/default_rule.json", file.clone())
            .json("data_sources/mongodb-atlas/db/Item/rules.json", file)
            .build()
            .map(|app| app.problems());
        let _ = App::builder()
            .json("sync/config.json", serde_json::json!({"permissions": legacy}))
            .build()
            .map(|app| app.problems());
    }
}
