//! One document against 1, 100 and 10,000 subscriptions of one table, through a `PredicateSet`
//! (one scan, equality index on `ownerId`) and, for comparison, one predicate at a time.

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flexrules::PredicateSet;
use flexrules::document::DocRef;

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

criterion_group!(benches, bench);
criterion_main!(benches);
