//! Role filters over raw BSON: binding cost per session, and evaluation of bound filters against a
//! hand-written closure over `bson::RawDocument` that answers the same question.
//!
//! Filters: the seed's `{"ownerId": "%%user.id"}`, performance.md's
//! `{"$or": [{"miles": {"$lt": 100}}, {"miles": null}]}`, and a three-conjunct role filter.

use std::hint::black_box;

use bson::{Bson, RawDocument, doc, oid::ObjectId};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flexrules::app::App;
use flexrules::document::DocRef;
use flexrules::rules::{Bindings, Filter, RoleChoice, User};

fn documents(n: usize) -> Vec<Vec<u8>> {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let r = seed;
            let miles =
                if r.is_multiple_of(10) { Bson::Null } else { Bson::Int64((r % 200) as i64) };
            let mut d = doc! {
                "_id": ObjectId::from_bytes([(i % 251) as u8; 12]),
                "ownerId": format!("user_{}", r % 100),
                "make": "Make", "model": "Model", "year": 2000 + (r % 25) as i32,
                "miles": miles,
            };
            for k in 0..8 {
                d.insert(format!("f{k}"), format!("filler value {k}"));
            }
            d.to_vec().unwrap()
        })
        .collect()
}

/// A hand-written answer to the same question a filter asks.
type Baseline = Box<dyn Fn(&RawDocument) -> bool>;

fn role_filter(filter: serde_json::Value) -> Filter {
    let roles = serde_json::json!({"roles": [{"name": "r",
        "document_filters": {"read": filter, "write": true}}]});
    let app = App::builder()
        .json("data_sources/mongodb-atlas/default_rule.json", roles)
        .file("sync/config.json", r#"{"queryable_fields_names": ["ownerId", "miles", "make"]}"#)
        .build()
        .unwrap();
    match app.choose_role("Car", &Bindings::new(User::new("user_7"))) {
        RoleChoice::Role(role) => role.read_filter().clone(),
        other => panic!("{other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let docs = documents(2_000);
    let raws: Vec<&RawDocument> =
        docs.iter().map(|d| RawDocument::from_bytes(d).unwrap()).collect();
    let cases: Vec<(&str, Filter, Baseline)> = vec![
        (
            "owner",
            role_filter(serde_json::json!({"ownerId": "%%user.id"})),
            Box::new(|d: &RawDocument| matches!(d.get_str("ownerId"), Ok("user_7"))),
        ),
        (
            "miles_or_null",
            role_filter(serde_json::json!({"$or": [{"miles": {"$lt": 100}}, {"miles": null}]})),
            Box::new(|d: &RawDocument| match d.get("miles") {
                Ok(Some(bson::RawBsonRef::Int64(m))) => m < 100,
                Ok(Some(bson::RawBsonRef::Null)) | Ok(None) => true,
                _ => false,
            }),
        ),
        (
            "three_conjuncts",
            role_filter(serde_json::json!({"ownerId": {"$ne": "user_3"}, "make": "Make",
                                           "miles": {"$gte": 10}})),
            Box::new(|d: &RawDocument| {
                !matches!(d.get_str("ownerId"), Ok("user_3"))
                    && matches!(d.get_str("make"), Ok("Make"))
                    && matches!(d.get("miles"), Ok(Some(bson::RawBsonRef::Int64(m))) if m >= 10)
            }),
        ),
    ];
    let mut group = c.benchmark_group("role_filter");
    group.throughput(Throughput::Elements(raws.len() as u64));
    for (name, filter, closure) in &cases {
        let ours = raws.iter().filter(|d| filter.matches(&DocRef::raw(d)).unwrap()).count();
        let baseline = raws.iter().filter(|d| closure(d)).count();
        assert_eq!(ours, baseline, "{name}: the filter and the closure disagree");
        group.bench_function(format!("{name}/flexrules"), |b| {
            b.iter(|| raws.iter().filter(|d| filter.matches(&DocRef::raw(d)).unwrap()).count())
        });
        group.bench_function(format!("{name}/closure_rawdoc"), |b| {
            b.iter(|| raws.iter().filter(|d| closure(d)).count())
        });
    }
    group.finish();

    c.bench_function("role_selection_and_binding", |b| {
        let roles = serde_json::json!({"roles": [
            {"name": "admin", "apply_when": {"%%user.custom_data.isAdmin": true},
             "document_filters": {"read": true, "write": true}, "read": true, "write": true},
            {"name": "owner", "apply_when": {},
             "document_filters": {"read": {"ownerId": "%%user.id"},
                                  "write": {"ownerId": "%%user.id"}},
             "read": true, "write": true}]});
        let app = App::builder()
            .json("data_sources/mongodb-atlas/default_rule.json", roles)
            .file("sync/config.json", r#"{"queryable_fields_names": ["ownerId"]}"#)
            .build()
            .unwrap();
        let bindings = Bindings::new(User::new("user_7"));
        b.iter(|| black_box(app.choose_role(black_box("Car"), &bindings)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
