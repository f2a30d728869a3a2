//! Separate costs before evaluation: parsing and compiling a subscription, and loading a rule set
//! and choosing a role for a user.

mod support;

use std::hint::black_box;

use bson::Bson;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flexrules::{Limits, compile, parse};

fn bench(c: &mut Criterion) {
    let table = support::car_table();
    let limits = Limits::default();
    let queries: [(&str, Vec<Bson>); 4] = [
        ("miles < 100 OR miles == $0", vec![Bson::Null]),
        ("ownerId == \"user_42\"", vec![]),
        ("make CONTAINS[c] \"ond\" AND model LIKE \"*iv?c*\"", vec![]),
        (
            "ownerId == $0 AND (miles < 100 OR miles == null) AND year BETWEEN {2000, 2020} SORT(year DESC) LIMIT(10)",
            vec![Bson::String("user_1".into())],
        ),
    ];
    let mut g = c.benchmark_group("parse_compile");
    g.throughput(Throughput::Elements(1));
    for (text, args) in &queries {
        g.bench_function(format!("parse/{text}"), |b| b.iter(|| parse(black_box(text)).unwrap()));
        let q = parse(text).unwrap();
        g.bench_function(format!("compile/{text}"), |b| {
            b.iter(|| compile(black_box(&q), &table, args, &limits).unwrap())
        });
        g.bench_function(format!("both/{text}"), |b| {
            b.iter(|| compile(&parse(black_box(text)).unwrap(), &table, args, &limits).unwrap())
        });
    }
    g.bench_function("rule_set/load_and_choose_role", |b| b.iter(support::role_filter));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
