//! Evaluations per second of every contender on every benchmark predicate, over a hot set (2,000
//! Car documents, cache-resident) and a cold set (1,000,000 by default; `FLEXRULES_COLD=<n>`
//! shrinks it), plus the separate costs: parse + compile, loading a rule set, and one document
//! against 1, 100 and 10,000 subscriptions.
//!
//! Output: `#` lines are comments; every other line is
//! `<name> <evaluations_per_second> <ratio_to_rawdoc_closure> <hits>`, where the ratio is this
//! contender's time per evaluation over the hand-written `RawDocument` closure's on the same
//! predicate and set (lower is faster). Timings are the best of several passes.
//!
//! Run with `cargo run --release -p flexrules-bench --example throughput`.

#![allow(clippy::cast_precision_loss, reason = "a measuring program over generated data")]

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use bson::{Bson, RawDocument};
use flexrules::PredicateSet;
use flexrules::document::DocRef;
use support::{Batch, Case};

/// Best time of `passes` runs of `f`, which returns its hit count (the same every time).
fn best(passes: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut hits = 0;
    let start = Instant::now();
    for _ in 0..passes {
        let t = Instant::now();
        hits = black_box(f());
        best = best.min(t.elapsed());
        // Slow contenders (regular expressions compiled per call) get fewer passes.
        if start.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    (best, hits)
}

struct Row {
    name: String,
    per_eval: f64,
    hits: usize,
}

struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn add(&mut self, name: String, time: Duration, evals: usize, hits: usize) {
        self.rows.push(Row { name, per_eval: time.as_secs_f64() / evals as f64, hits });
    }

    fn print(&self, baseline_of: impl Fn(&str) -> Option<String>) {
        for r in &self.rows {
            let base = baseline_of(&r.name)
                .and_then(|b| self.rows.iter().find(|x| x.name == b))
                .map_or(f64::NAN, |b| r.per_eval / b.per_eval);
            println!("{} {:.0} {:.2} {}", r.name, 1.0 / r.per_eval, base, r.hits);
        }
    }
}

/// Runs every contender over one set, building each representation only while it is needed.
fn run_set(label: &str, n: usize, passes: usize, reps: usize, table: &mut Table) {
    let engine = datalogic_rs::Engine::new();
    let cases = support::cases(&engine);
    let batch = Batch::generate(n, 0x5eed);
    let raws = batch.raws();
    println!("# {label}: {n} documents, {} bytes of BSON each on average", batch.avg_size());
    let evals = n * reps;
    let mut expected = Vec::new();
    let name = |c: &Case, who: &str| format!("{label}/{}/{who}", c.name);
    let repeat = |f: &dyn Fn() -> usize| (0..reps).map(|_| f()).sum::<usize>() / reps;

    // Raw BSON: the closure (the floor on this input), the compiled predicate, cel.
    for c in &cases {
        let (t, hits) =
            best(passes, || repeat(&|| raws.iter().filter(|d| (c.closure_raw)(d)).count()));
        table.add(name(c, "closure_rawdoc"), t, evals, hits);
        expected.push(hits);
        let (t, h) = best(passes, || repeat(&|| raws.iter().filter(|d| c.ours.raw(d)).count()));
        assert_eq!(h, hits, "{}: flexrules over raw BSON disagrees with the closure", c.name);
        table.add(name(c, "flexrules_raw"), t, evals, h);
        if let Some(p) = &c.cel {
            let (t, h) = best(passes, || repeat(&|| support::cel_hits(p, &raws)));
            assert_eq!(h, hits, "{}: cel disagrees with the closure", c.name);
            table.add(name(c, "cel"), t, evals, h);
        }
    }
    {
        let cars = support::cars(&raws);
        for (c, &hits) in cases.iter().zip(&expected) {
            let (t, h) =
                best(passes, || repeat(&|| cars.iter().filter(|d| (c.closure_struct)(d)).count()));
            assert_eq!(h, hits, "{}: the struct closure disagrees", c.name);
            table.add(name(c, "closure_struct"), t, evals, h);
        }
    }
    let docs = support::documents(&raws);
    for (c, &hits) in cases.iter().zip(&expected) {
        let (t, h) = best(passes, || repeat(&|| docs.iter().filter(|d| c.ours.decoded(d)).count()));
        assert_eq!(h, hits, "{}: flexrules over decoded documents disagrees", c.name);
        table.add(name(c, "flexrules_decoded"), t, evals, h);
    }
    let values = support::json_values(&docs);
    drop(docs);
    for (c, &hits) in cases.iter().zip(&expected) {
        let (t, h) = best(passes, || repeat(&|| values.iter().filter(|v| c.naive.eval(v)).count()));
        assert_eq!(h, hits, "{}: the naive JSON interpreter disagrees", c.name);
        table.add(name(c, "naive_json"), t, evals, h);
    }
    let parsed = support::parsed(&values);
    drop(values);
    for (c, &hits) in cases.iter().zip(&expected) {
        if let Some(l) = &c.datalogic {
            let (t, h) = best(passes, || repeat(&|| support::datalogic_hits(&engine, l, &parsed)));
            assert_eq!(h, hits, "{}: datalogic-rs disagrees", c.name);
            table.add(name(c, "datalogic"), t, evals, h);
        }
    }
}

fn parse_compile_costs() {
    let table = support::car_table();
    let limits = flexrules::Limits::default();
    let text = "miles < 100 OR miles == $0";
    let n = 20_000;
    let (t, _) = best(5, || {
        for _ in 0..n {
            let q = flexrules::parse(black_box(text)).unwrap();
            black_box(flexrules::compile(&q, &table, &[Bson::Null], &limits).unwrap());
        }
        0
    });
    println!("# parse+compile `{text}`: {:.2} µs", t.as_secs_f64() * 1e6 / n as f64);
    let (t, _) = best(5, || {
        for _ in 0..n {
            black_box(flexrules::parse(black_box(text)).unwrap());
        }
        0
    });
    println!("#   of which parse: {:.2} µs", t.as_secs_f64() * 1e6 / n as f64);
    let n = 2_000;
    let (t, _) = best(5, || {
        for _ in 0..n {
            black_box(support::role_filter());
        }
        0
    });
    println!(
        "# rule set load (one role, three-conjunct filter) + role choice: {:.2} µs",
        t.as_secs_f64() * 1e6 / n as f64
    );
}

/// One document against `k` subscriptions `ownerId == "user_<i>" AND miles < 150`.
fn fanout(raws: &[&RawDocument], k: usize) -> (Duration, usize) {
    let preds: Vec<_> = (0..k)
        .map(|i| support::query(&format!("ownerId == \"user_{i}\" AND miles < 150"), &[]))
        .collect();
    let set = PredicateSet::new(preds);
    best(7, || raws.iter().filter(|d| set.first_match(&DocRef::raw(d)).is_some()).count())
}

fn fanout_costs() {
    let batch = Batch::generate(support::HOT, 0xfa17);
    let raws = batch.raws();
    let n = raws.len();
    let mut one = 0.0;
    for k in [1usize, 100, 10_000] {
        let (t, hits) = fanout(&raws, k);
        let per = t.as_secs_f64() * 1e9 / n as f64;
        if k == 1 {
            one = per;
        }
        println!(
            "# fan-out: one document against {k} subscriptions (PredicateSet): {per:.0} ns ({:.2}× one), {hits} of {n} documents matched",
            per / one
        );
    }
    // Without the set: each subscription checked on its own.
    let k = 100;
    let preds: Vec<_> = (0..k)
        .map(|i| support::query(&format!("ownerId == \"user_{i}\" AND miles < 150"), &[]))
        .collect();
    let (t, hits) =
        best(3, || raws.iter().filter(|d| preds.iter().any(|p| p.matches_raw(d))).count());
    println!(
        "# fan-out: one document against {k} subscriptions one by one: {:.0} ns, {hits} matched",
        t.as_secs_f64() * 1e9 / n as f64
    );
}

fn main() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# cpu: {cpu}; {cores} cores; single-threaded");
    println!("# columns: name evaluations_per_second ratio_to_rawdoc_closure hits");
    let mut table = Table { rows: Vec::new() };
    run_set("hot", support::HOT, 5, 100, &mut table);
    let cold = support::cold_size(1_000_000);
    run_set("cold", cold, 3, 1, &mut table);
    table.print(|name| {
        let (prefix, _) = name.rsplit_once('/')?;
        Some(format!("{prefix}/closure_rawdoc"))
    });
    parse_compile_costs();
    fanout_costs();
}
