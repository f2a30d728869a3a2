//! The Rust baseline of the boundary benchmark (bindings/boundary.sh): the seed's write (the
//! first write of fixtures/demo/changesets.ndjson) preflighted against the Car app for the demo
//! user and subscriptions, once through an open [`flexrules::api::Session`] (`handle`) and once
//! through [`flexrules::api::call_str`] with the whole request as JSON text each time (`call`).
//!
//! Prints `boundary rust handle <calls_per_second>` and `boundary rust call <calls_per_second>`.
//! Every language's program measures the same way: a warm-up of a quarter of a round, then
//! three rounds of `BOUNDARY_SECONDS / 3` seconds each (default 3 s in all), reporting the best
//! round, since on a shared machine the best round is the one least disturbed by other work.
//!
//! `cargo run --release -p flexrules-c --example boundary`

use std::error::Error;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

fn read_json(path: &str) -> Result<Json, Box<dyn Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(serde_json::from_str(&text)?)
}

/// The first write of the first changeset of fixtures/demo/changesets.ndjson.
fn seed_write() -> Result<Json, Box<dyn Error>> {
    let path = "fixtures/demo/changesets.ndjson";
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let first = text.lines().find(|l| !l.trim().is_empty()).ok_or("no changeset")?;
    let changeset: Json = serde_json::from_str(first)?;
    changeset.pointer("/writes/0").cloned().ok_or_else(|| "the changeset has no write".into())
}

/// Calls per second of `f`, measured as the module's documentation says.
fn rate(mut f: impl FnMut()) -> f64 {
    let total = std::env::var("BOUNDARY_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(3.0);
    let round = Duration::from_secs_f64(total / 3.0);
    let run = |f: &mut dyn FnMut(), length: Duration| {
        let start = Instant::now();
        let mut calls = 0u64;
        while start.elapsed() < length {
            for _ in 0..16 {
                f();
            }
            calls += 16;
        }
        calls as f64 / start.elapsed().as_secs_f64()
    };
    run(&mut f, round / 4);
    (0..3).map(|_| run(&mut f, round)).fold(0.0, f64::max)
}

fn main() -> Result<(), Box<dyn Error>> {
    // The same relative paths as the other languages' programs, whatever the caller's folder.
    std::env::set_current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))?;
    let open = json!({
        "app": "fixtures/apps/car",
        "user": read_json("fixtures/demo/user.json")?,
        "subscriptions": read_json("fixtures/demo/subscriptions.json")?,
    });
    let write = seed_write()?;

    let session = flexrules::api::Session::open(&open)?;
    let verdict = session.preflight(&write)?;
    if verdict != json!({"accepted": true}) {
        return Err(format!("the seed's write should be accepted, got {verdict}").into());
    }
    let handle = rate(|| {
        black_box(session.preflight(black_box(&write)).ok());
    });
    println!("boundary rust handle {handle:.0}");

    let mut request = open;
    if let Some(fields) = request.as_object_mut() {
        fields.insert("write".to_owned(), write);
    }
    let text = request.to_string();
    let call = rate(|| {
        black_box(flexrules::api::call_str("preflight", black_box(&text)));
    });
    println!("boundary rust call {call:.0}");
    Ok(())
}
