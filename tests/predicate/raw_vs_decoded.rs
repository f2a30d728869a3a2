//! Property: a compiled predicate gives the same answer over a raw document as over the same
//! document decoded, for every query of `fixtures/eval/thing.cases.ndjson` that compiles, on
//! randomly generated `Thing` objects (values of every type, including wrong ones, nulls and
//! absent fields).

use std::fs;

use bson::{Bson, Document, RawDocumentBuf};
use flexrules::schema::Table;
use flexrules::{CompiledQuery, Limits, compile, parse};
use proptest::prelude::*;

fn queries() -> &'static [CompiledQuery] {
    static QUERIES: std::sync::OnceLock<Vec<CompiledQuery>> = std::sync::OnceLock::new();
    QUERIES.get_or_init(compile_all)
}

fn compile_all() -> Vec<CompiledQuery> {
    let table =
        Table::from_json_str(&fs::read_to_string("fixtures/eval/thing.schema.json").unwrap())
            .unwrap();
    fs::read_to_string("fixtures/eval/thing.cases.ndjson")
        .unwrap()
        .lines()
        .filter_map(|l| {
            let case: serde_json::Value = serde_json::from_str(l).ok()?;
            let args: Vec<Bson> = case["args"]
                .as_array()?
                .iter()
                .map(|v| Bson::try_from(v.clone()).unwrap())
                .collect();
            let ast = parse(case["query"].as_str()?).ok()?;
            compile(&ast, &table, &args, &Limits::default()).ok()
        })
        .collect()
}

fn scalar() -> impl Strategy<Value = Bson> {
    prop_oneof![
        Just(Bson::Null),
        any::<bool>().prop_map(Bson::Boolean),
        (-50i64..50).prop_map(Bson::Int64),
        (-50i32..50).prop_map(Bson::Int32),
        prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -100.0f64..100.0].prop_map(Bson::Double),
        "[a-zA-Zé ]{0,6}".prop_map(Bson::String),
        (-2_000_000_000_000i64..2_000_000_000_000)
            .prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
    ]
}

fn value() -> impl Strategy<Value = Bson> {
    scalar().prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Bson::Array),
            prop::collection::vec(("[a-z]{1,2}", inner), 0..3)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect::<Document>())),
        ]
    })
}

const FIELDS: [&str; 12] = [
    "name", "age", "score", "price", "tags", "nums", "dict", "misc", "miscs", "engine", "parts",
    "flag",
];

fn document() -> impl Strategy<Value = Document> {
    prop::collection::vec((0..FIELDS.len(), value()), 0..8).prop_map(|fields| {
        let mut d = Document::new();
        d.insert("_id", 1i64);
        for (i, v) in fields {
            d.insert(FIELDS[i], v);
        }
        d
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn raw_and_decoded_documents_agree(doc in document()) {
        let raw = RawDocumentBuf::try_from(&doc).unwrap();
        for q in queries() {
            prop_assert_eq!(q.predicate().matches(&doc), q.predicate().matches_raw(&raw));
        }
    }
}
