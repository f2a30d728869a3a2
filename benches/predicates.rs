//! The contender comparison: every benchmark predicate over the hot set (2,000 Car documents) and
//! the cold set (`FLEXRULES_COLD` documents, default 1,000,000), for the hand-written closures
//! over `RawDocument` and over a decoded struct, a naive interpreter over `serde_json::Value`,
//! flexrules over raw BSON and over decoded documents, cel 0.15 and datalogic-rs.
//!
//! Each representation is built only while its group runs, and every contender's hit count is
//! checked against the raw-document closure's before it is timed.

mod support;

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use support::Batch;

fn group<'a>(c: &'a mut Criterion, name: &str, n: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(n as u64));
    if n > 100_000 {
        g.sample_size(10);
    }
    g
}

fn set(c: &mut Criterion, label: &str, n: usize) {
    let engine = datalogic_rs::Engine::new();
    let cases = support::cases(&engine);
    let batch = Batch::generate(n, 0x5eed);
    let raws = batch.raws();
    let expected: Vec<usize> =
        cases.iter().map(|k| raws.iter().filter(|d| (k.closure_raw)(d)).count()).collect();

    let mut g = group(c, &format!("{label}/raw"), n);
    for (k, &hits) in cases.iter().zip(&expected) {
        assert_eq!(raws.iter().filter(|d| k.ours.raw(d)).count(), hits, "{}", k.name);
        g.bench_function(format!("{}/closure_rawdoc", k.name), |b| {
            b.iter(|| raws.iter().filter(|d| (k.closure_raw)(black_box(d))).count())
        });
        g.bench_function(format!("{}/flexrules_raw", k.name), |b| {
            b.iter(|| raws.iter().filter(|d| k.ours.raw(black_box(d))).count())
        });
        if let Some(p) = &k.cel {
            assert_eq!(support::cel_hits(p, &raws), hits, "{}: cel", k.name);
            g.bench_function(format!("{}/cel", k.name), |b| b.iter(|| support::cel_hits(p, &raws)));
        }
    }
    g.finish();

    {
        let cars = support::cars(&raws);
        let mut g = group(c, &format!("{label}/struct"), n);
        for (k, &hits) in cases.iter().zip(&expected) {
            assert_eq!(cars.iter().filter(|d| (k.closure_struct)(d)).count(), hits, "{}", k.name);
            g.bench_function(format!("{}/closure_struct", k.name), |b| {
                b.iter(|| cars.iter().filter(|d| (k.closure_struct)(black_box(d))).count())
            });
        }
        g.finish();
    }

    let docs = support::documents(&raws);
    let mut g = group(c, &format!("{label}/decoded"), n);
    for (k, &hits) in cases.iter().zip(&expected) {
        assert_eq!(docs.iter().filter(|d| k.ours.decoded(d)).count(), hits, "{}", k.name);
        g.bench_function(format!("{}/flexrules_decoded", k.name), |b| {
            b.iter(|| docs.iter().filter(|d| k.ours.decoded(black_box(d))).count())
        });
    }
    g.finish();

    let values = support::json_values(&docs);
    drop(docs);
    let mut g = group(c, &format!("{label}/json"), n);
    for (k, &hits) in cases.iter().zip(&expected) {
        assert_eq!(values.iter().filter(|v| k.naive.eval(v)).count(), hits, "{}", k.name);
        g.bench_function(format!("{}/naive_json", k.name), |b| {
            b.iter(|| values.iter().filter(|v| k.naive.eval(black_box(v))).count())
        });
    }
    g.finish();

    let parsed = support::parsed(&values);
    drop(values);
    let mut g = group(c, &format!("{label}/datalogic"), n);
    for (k, &hits) in cases.iter().zip(&expected) {
        let Some(l) = &k.datalogic else { continue };
        assert_eq!(support::datalogic_hits(&engine, l, &parsed), hits, "{}: datalogic", k.name);
        g.bench_function(format!("{}/datalogic", k.name), |b| {
            b.iter(|| support::datalogic_hits(&engine, l, &parsed))
        });
    }
    g.finish();
}

fn hot(c: &mut Criterion) {
    set(c, "hot", support::HOT);
}

fn cold(c: &mut Criterion) {
    set(c, "cold", support::cold_size(1_000_000));
}

criterion_group!(benches, hot, cold);
criterion_main!(benches);
