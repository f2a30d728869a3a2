//! Judging one uploaded changeset of 1,000 writes in a session with 10 subscriptions on `Car`
//! (the `fixtures/apps/car` app: owners may write their own cars).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use flexrules::app::App;
use flexrules::judge::{Changeset, Session, Subscription};
use flexrules::rules::{Bindings, User};

fn bench(c: &mut Criterion) {
    let app =
        App::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/apps/car"))
            .unwrap();
    let mut queries: Vec<String> = (1..=8).map(|i| format!("miles < {}", i * 10)).collect();
    queries.push("ownerId == \"u1\"".into());
    queries.push("miles == 150 AND ownerId == \"u1\"".into());
    let subs: Vec<Subscription> = queries
        .into_iter()
        .map(|q| Subscription { name: None, table: "Car".into(), query: q, args: vec![] })
        .collect();
    let session = Session::new(&app, &Bindings::new(User::new("u1")), &subs).unwrap();
    let writes: Vec<serde_json::Value> = (0..1_000)
        .map(|i| {
            serde_json::json!({"op": "insert", "table": "Car", "object": {
                "_id": i, "ownerId": if i % 5 == 0 { "u2" } else { "u1" },
                "make": "Honda", "model": "Civic", "miles": (i * 7) % 200}})
        })
        .collect();
    let upload =
        Changeset::from_json(&serde_json::json!({"client_version": 3, "writes": writes})).unwrap();
    let outcome = session.clone().judge(&upload);
    assert!(!outcome.rejected.is_empty());
    let mut g = c.benchmark_group("judge");
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("changeset_1000_writes/10_subscriptions", |b| {
        b.iter_batched(|| session.clone(), |mut s| s.judge(&upload), BatchSize::SmallInput)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
