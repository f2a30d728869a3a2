//! One document against 1, 100 and 10,000 subscriptions of one table, through a `PredicateSet`
//! (one scan, equality index on `ownerId`) and, for comparison, one predicate at a time.
//!
//! Then one changed object against 1, 1,000, 10,000 and 100,000 registered sessions
//! (`fanout::Registry`, the workload of the `fanout` example), next to a hand-written floor (a
//! `HashMap` from owner to sessions built for this workload, no exact check) and, up to 1,000
//! sessions, checking every session one by one.

mod support;

use std::collections::HashMap;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use flexrules::PredicateSet;
use flexrules::document::DocRef;
use flexrules::fanout::Registry;

fn bench(c: &mut Criterion) {
    let batch = support::Batch::generate(support::HOT, 0xfa17);
    let raws = batch.raws();
    let mut g = c.benchmark_group("fanout");
    g.throughput(Throughput::Elements(raws.len() as u64));
    for k in [1usize, 100, 10_000] {
        let preds: Vec<_> = (0..k)
            .map(|i| support::query(&format!("ownerId == \"user_{i}\" AND miles < 150"), &[]))
            .collect();
        let one_by_one = raws.iter().filter(|d| preds.iter().any(|p| p.matches_raw(d))).count();
        let set = PredicateSet::new(preds.clone());
        let hits = raws.iter().filter(|d| set.first_match(&DocRef::raw(d)).is_some()).count();
        assert_eq!(hits, one_by_one);
        g.bench_function(format!("{k}/set"), |b| {
            b.iter(|| raws.iter().filter(|d| set.first_match(&DocRef::raw(d)).is_some()).count())
        });
        if k <= 100 {
            // A set without an indexable conjunct: every predicate is checked, after one scan.
            let linear: Vec<_> =
                (0..k).map(|i| support::query(&format!("miles > {}", 1000 + i), &[])).collect();
            let linear = PredicateSet::new(linear);
            g.bench_function(format!("{k}/set_unindexed"), |b| {
                b.iter(|| raws.iter().filter(|d| linear.matches_any(&DocRef::raw(d))).count())
            });
            g.bench_function(format!("{k}/one_by_one"), |b| {
                b.iter(|| raws.iter().filter(|d| preds.iter().any(|p| p.matches_raw(d))).count())
            });
        }
    }
    g.finish();
}

fn sessions(c: &mut Criterion) {
    let app = support::car_app();
    let mut g = c.benchmark_group("fanout_sessions");
    let mut rng = support::Rng::new(0xfa40);
    for n in [1usize, 1_000, 10_000, 100_000] {
        let registry = Registry::new();
        let mut all = Vec::new();
        let mut by_owner: HashMap<String, Vec<usize>> = HashMap::new();
        for i in 0..n {
            let (s, _) = support::fanout_session(&app, i);
            if n <= 1_000 {
                all.push(s.clone());
            }
            registry.insert(&format!("s{i}"), s);
            by_owner.entry(format!("u{i}")).or_default().push(i);
        }
        let changes: Vec<_> = (0..256).map(|_| support::changed_car(&mut rng, n)).collect();
        g.throughput(Throughput::Elements(changes.len() as u64));
        g.bench_function(BenchmarkId::new("registry", n), |b| {
            let snap = registry.snapshot();
            b.iter(|| {
                changes
                    .iter()
                    .map(|(pre, post)| snap.fanout("Car", Some(pre), Some(post)).stays.len())
                    .sum::<usize>()
            })
        });
        g.bench_function(BenchmarkId::new("floor_hashmap", n), |b| {
            b.iter(|| {
                changes
                    .iter()
                    .map(|(pre, _)| {
                        let owner = pre.get_str("ownerId").unwrap_or("");
                        by_owner.get(owner).map_or(0, Vec::len)
                    })
                    .sum::<usize>()
            })
        });
        if n <= 1_000 {
            g.bench_function(BenchmarkId::new("one_by_one", n), |b| {
                b.iter(|| {
                    changes
                        .iter()
                        .map(|(pre, post)| {
                            all.iter()
                                .filter(|s| s.in_view("Car", pre) && s.in_view("Car", post))
                                .count()
                        })
                        .sum::<usize>()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench, sessions);
criterion_main!(benches);
