//! Property: a `PredicateSet` gives the answers of checking its predicates one by one, on
//! generated documents (values of the right type, of wrong types, nulls and absent fields) and
//! generated sets drawn from `fixtures/set/queries.txt` (indexable equality and `IN` conjuncts
//! over strings, ints, doubles, bools and `mixed`, next to conditions the index cannot use).

use std::fs;

use bson::{Bson, Document, RawDocumentBuf};
use flexrules::document::DocRef;
use flexrules::schema::Table;
use flexrules::{Limits, Predicate, PredicateSet, compile, parse};
use proptest::prelude::*;

fn predicates() -> &'static [Predicate] {
    static ALL: std::sync::OnceLock<Vec<Predicate>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let table =
            Table::from_json_str(&fs::read_to_string("fixtures/set/car.schema.json").unwrap())
                .unwrap();
        fs::read_to_string("fixtures/set/queries.txt")
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let q = parse(l).unwrap_or_else(|e| panic!("{l}: {e}"));
                let c = compile(&q, &table, &[], &Limits::default())
                    .unwrap_or_else(|e| panic!("{l}: {e}"));
                c.predicate().clone()
            })
            .collect()
    })
}

fn owner() -> impl Strategy<Value = Bson> {
    prop_oneof![
        4 => prop::sample::select(vec!["u1", "u2", "u3", "u4"]).prop_map(|s| Bson::String(s.into())),
        1 => Just(Bson::Null),
        1 => (0i32..3).prop_map(Bson::Int32),
        1 => Just(Bson::Boolean(true)),
    ]
}

fn number() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (0i32..10).prop_map(Bson::Int32),
        (0i64..10).prop_map(Bson::Int64),
        prop::sample::select(vec![
            0.0,
            1.0,
            2.0,
            5.0,
            5.5,
            6.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            9_007_199_254_740_992.0,
            1e300,
        ])
        .prop_map(Bson::Double),
        Just(Bson::Int64(9_007_199_254_740_993)),
        Just(Bson::Null),
        Just(Bson::String("5".into())),
        Just(Bson::Boolean(true)),
    ]
}

fn mixed() -> impl Strategy<Value = Bson> {
    prop_oneof![
        number(),
        owner(),
        Just(Bson::Boolean(false)),
        Just(Bson::Array(vec![Bson::Int32(5)])),
        Just(Bson::Document(bson::doc! {"a": 1})),
    ]
}

fn color() -> impl Strategy<Value = Bson> {
    prop_oneof![
        prop::sample::select(vec!["red", "Red", "blue", "rose", "u1"])
            .prop_map(|s| Bson::String(s.into())),
        Just(Bson::Null),
        Just(Bson::Int32(1)),
    ]
}

fn document() -> impl Strategy<Value = Document> {
    let field = |s: BoxedStrategy<Bson>| prop::option::weighted(0.8, s);
    (
        field(owner().boxed()),
        field(number().boxed()),
        field(color().boxed()),
        field(prop_oneof![any::<bool>().prop_map(Bson::Boolean), Just(Bson::Int32(1))].boxed()),
        field(number().boxed()),
        field(number().boxed()),
        field(mixed().boxed()),
        field(prop::collection::vec(owner(), 0..3).prop_map(Bson::Array).boxed()),
        prop::collection::vec(0usize..8, 0..8),
    )
        .prop_map(|(o, m, c, f, p, w, e, t, order)| {
            let mut pairs: Vec<(&str, Option<Bson>)> = vec![
                ("ownerId", o),
                ("miles", m),
                ("color", c),
                ("flag", f),
                ("price", p),
                ("weight", w),
                ("extra", e),
                ("tags", t),
            ];
            // Vary field order, so that scans meet the fields in different places.
            for (i, j) in order.iter().enumerate() {
                pairs.swap(i % 8, *j);
            }
            let mut d = Document::new();
            d.insert("_id", bson::oid::ObjectId::new());
            for (k, v) in pairs {
                if let Some(v) = v {
                    d.insert(k, v);
                }
            }
            d
        })
}

fn set_strategy() -> impl Strategy<Value = Vec<usize>> {
    let n = predicates().len();
    prop::collection::vec(0..n, 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn set_agrees_with_one_by_one(picks in set_strategy(), docs in prop::collection::vec(document(), 1..6)) {
        let all = predicates();
        let chosen: Vec<Predicate> = picks.iter().map(|&i| all[i].clone()).collect();
        let set = PredicateSet::new(chosen.clone());
        prop_assert_eq!(set.len(), chosen.len());
        for doc in &docs {
            let raw = RawDocumentBuf::try_from(doc).unwrap();
            let one_by_one = chosen.iter().position(|p| p.matches_raw(&raw));
            let decoded = chosen.iter().position(|p| p.matches(doc));
            prop_assert_eq!(one_by_one, decoded);
            let raw_ref = DocRef::raw(&raw);
            let dec_ref = DocRef::decoded(doc);
            prop_assert_eq!(set.first_match(&raw_ref), one_by_one, "raw {:?}", doc);
            prop_assert_eq!(set.first_match(&dec_ref), one_by_one, "decoded {:?}", doc);
            prop_assert_eq!(set.matches_any(&raw_ref), one_by_one.is_some());
            prop_assert_eq!(set.matches_any(&dec_ref), one_by_one.is_some());
        }
    }
}

/// Every fixture query is used, and the fixture exercises both indexed and linear predicates:
/// each predicate alone in a set answers as it does by itself.
#[test]
fn each_fixture_predicate_alone() {
    let all = predicates();
    assert!(all.len() >= 30);
    let docs = [
        bson::doc! {"ownerId": "u1", "miles": 2_i64, "color": "red", "extra": 5.0},
        bson::doc! {"ownerId": "u2", "extra": "u2", "price": 5_i32, "flag": false},
        bson::doc! {"miles": 9_007_199_254_740_992.0, "ownerId": "u3", "tags": ["u1"]},
        bson::doc! {},
    ];
    for p in all {
        let set = PredicateSet::new(vec![p.clone()]);
        for d in &docs {
            let expected = p.matches(d).then_some(0);
            assert_eq!(set.first_match(&DocRef::decoded(d)), expected, "{p:?} on {d:?}");
        }
    }
}
