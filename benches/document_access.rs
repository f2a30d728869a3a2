//! Reading fields out of raw BSON: `bson::RawDocument::get` against this crate's walker and
//! one-pass scanner, for an early field (#8, `miles`) and the last one (#21, `tail`), over
//! documents shaped like those of performance.md §0.

use std::hint::black_box;

use bson::{Bson, RawDocument, doc, oid::ObjectId};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flexrules::document::{DocRef, FieldSet};
use flexrules::value::ValueRef;

/// Deterministic documents: `_id, name, ownerId, make, model, color, year, miles, f0..f11, tail`.
fn documents(n: usize) -> Vec<Vec<u8>> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..n)
        .map(|i| {
            let r = next();
            let miles = if r % 10 == 0 { Bson::Null } else { Bson::Int32((r % 200) as i32) };
            let mut d = doc! {
                "_id": ObjectId::from_bytes([(i % 251) as u8; 12]),
                "name": format!("car {i}"),
                "ownerId": format!("user_{}", r % 1000),
                "make": "Make", "model": "Model", "color": "red", "year": 2000 + (r % 25) as i32,
                "miles": miles,
            };
            for k in 0..12 {
                d.insert(format!("f{k}"), format!("filler value {k} {}", r % 97));
            }
            d.insert("tail", (r % 3) as i64);
            d.to_vec().unwrap()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = documents(2000);
    let mut group = c.benchmark_group("document_access");
    group.throughput(Throughput::Elements(docs.len() as u64));

    for field in ["miles", "tail"] {
        group.bench_function(format!("rawdocument_get/{field}"), |b| {
            b.iter(|| {
                let mut hits = 0u32;
                for bytes in &docs {
                    let raw = RawDocument::from_bytes(bytes).unwrap();
                    if raw.get(black_box(field)).unwrap().is_some() {
                        hits += 1;
                    }
                }
                hits
            })
        });
        group.bench_function(format!("docref_get/{field}"), |b| {
            b.iter(|| {
                let mut hits = 0u32;
                for bytes in &docs {
                    let doc = DocRef::from_bytes(bytes).unwrap();
                    if doc.get(black_box(field)).unwrap().is_some() {
                        hits += 1;
                    }
                }
                hits
            })
        });
        let set = FieldSet::new([field]);
        group.bench_function(format!("fieldset_scan/{field}"), |b| {
            let mut slots: [Option<ValueRef<'_>>; 1] = [None];
            b.iter(|| {
                let mut hits = 0u32;
                for bytes in &docs {
                    let doc = DocRef::from_bytes(bytes).unwrap();
                    set.scan(&doc, &mut slots).unwrap();
                    hits += u32::from(slots[0].is_some());
                }
                hits
            })
        });
    }
    let set = FieldSet::new(["ownerId", "miles", "tail"]);
    group.bench_function("fieldset_scan/ownerId+miles+tail", |b| {
        let mut slots: [Option<ValueRef<'_>>; 3] = [None; 3];
        b.iter(|| {
            let mut hits = 0u32;
            for bytes in &docs {
                let doc = DocRef::from_bytes(bytes).unwrap();
                set.scan(&doc, &mut slots).unwrap();
                hits += u32::from(slots[2].is_some());
            }
            hits
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
