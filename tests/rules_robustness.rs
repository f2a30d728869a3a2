//! Hostile rules never panic: arbitrary JSON built from the rule vocabulary (operators,
//! expansions, field names, Extended JSON keys) is loaded as roles, validated, used for role
//! selection, and the bound filters are evaluated on arbitrary documents.

use bson::{Bson, Document, RawDocumentBuf};
use flexrules::app::App;
use flexrules::document::DocRef;
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
