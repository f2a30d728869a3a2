//! Fan-out across sessions at 1, 1,000, 10,000 and 100,000 registered sessions, registration
//! cost, memory per registered subscription, and the impact of a rules change over 1,000,000
//! stored objects.
//!
//! Workload: session `i` belongs to user `u<i>` of the Car app (owner-only read filter) and
//! subscribes to `ownerId == "u<i>"`; one session in ten also to `miles < 100`, one in ten to
//! `TRUEPREDICATE`, one in ten to `miles BETWEEN {100, 200}`. Each changed object is an update
//! of a car of a random owner (one in nine owns no session), fanned out on its own.
//!
//! Output (`#` lines are comments):
//! - `fanout <sessions> <subscriptions> <ns_per_changed_object> <ratio_to_one_session>`;
//! - `scan <sessions> <ns_per_changed_object> <ratio_to_indexed>`: checking every session one
//!   by one (`Session::in_view`), the cost the index avoids;
//! - `register <sessions> <us_per_registration> <us_per_replacement>`: registering 1,000 new
//!   sessions into the full registry (`Registry::insert`, the session already built), then
//!   replacing 1,000 registered ones (which also frees the replaced session); and
//!   `build <us_per_session>`: building a session (parse, compile, role choice), which happens
//!   before and outside the registry;
//! - `memory <sessions> <bytes_per_subscription_in_sessions> <bytes_per_subscription_in_index>`,
//!   live heap bytes counted by the global allocator below;
//! - `impact <objects> <seconds> <entered> <left>`: `fanout::impact` of a rules change over
//!   that many stored objects (`FLEXRULES_IMPACT_OBJECTS`, default 1,000,000).
//!
//! Times are medians over short passes (100 changes, 50 registrations, one scan), so that the
//! passes a loaded, shared machine's scheduler interrupts do not count; the impact run is timed
//! in CPU time of its thread.
//!
//! Run with `cargo run --release -p flexrules-bench --example fanout`.

#![allow(clippy::cast_precision_loss, reason = "a measuring program over generated data")]

#[path = "support/mod.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use bson::{Bson, doc};
use flexrules::app::App;
use flexrules::fanout::{Registry, Side, impact};
use flexrules::judge::{Key, Session, State, Subscription};
use flexrules::rules::{Bindings, User};
use support::Rng;

/// Counts live heap bytes, to state the memory a registered subscription costs.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

#[allow(unsafe_code, reason = "a global allocator is an unsafe trait; this one forwards to System")]
// SAFETY: every call forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as given.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as given.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as given.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// CPU time this thread has run (`/proc/thread-self/schedstat`; wall time when that file cannot
/// be read), for the long impact run.
fn cpu_now() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(|| START.get_or_init(Instant::now).elapsed(), Duration::from_nanos)
}

/// Median time per item over short passes of `chunk` items each (cycling through `items` for
/// about two seconds): a pass the scheduler interrupted is an outlier the median ignores, which
/// matters on a loaded machine.
/// With `once`, the items are gone through once (each can be used only once).
fn per_item<T>(items: &[T], chunk: usize, once: bool, mut f: impl FnMut(&T) -> usize) -> Duration {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.is_empty()
        || (!once
            && (times.len() < 15
                || (start.elapsed() < Duration::from_secs(2) && times.len() < 2_000)))
    {
        for c in items.chunks(chunk) {
            let t = Instant::now();
            black_box(c.iter().map(&mut f).sum::<usize>());
            times.push(t.elapsed() / c.len() as u32);
        }
    }
    times.sort_unstable();
    times[times.len() / 2]
}

fn main() {
    let app = support::car_app();
    println!("# machine: shared, 2 cores, other builds running; single-threaded");
    println!("# columns: fanout sessions subscriptions ns_per_changed_object ratio_to_one_session");
    let mut one = None;
    for n in [1usize, 1_000, 10_000, 100_000] {
        let before_sessions = live();
        let t = cpu_now();
        let built: Vec<(Session, usize)> =
            (0..n).map(|i| support::fanout_session(&app, i)).collect();
        let build_us = cpu_now().saturating_sub(t).as_secs_f64() * 1e6 / n as f64;
        let subscriptions: usize = built.iter().map(|(_, k)| k).sum();
        let in_sessions = live() - before_sessions;
        let registry = Registry::new();
        let before_index = live();
        let mut sessions = Vec::with_capacity(n);
        for (i, (s, _)) in built.into_iter().enumerate() {
            sessions.push(s.clone());
            registry.insert(&format!("s{i}"), s);
        }
        // The registry holds its own copy of each session; count only what indexing adds.
        let in_index = live() - before_index - in_sessions;

        let mut rng = Rng::new(0xfa40);
        let changes: Vec<_> = (0..2_000).map(|_| support::changed_car(&mut rng, n)).collect();
        let snap = registry.snapshot();
        let indexed = per_item(&changes, 100, false, |(pre, post)| {
            let f = snap.fanout("Car", Some(pre), Some(post));
            f.enters.len() + f.stays.len() + f.leaves.len()
        });
        let ns = indexed.as_nanos() as f64;
        let base = *one.get_or_insert(ns);
        println!("fanout {n} {subscriptions} {ns:.0} {:.2}", ns / base);

        let sample = &changes[..changes.len().min(200_000 / n).max(1)];
        let scan = per_item(sample, 1, false, |(pre, post)| {
            sessions.iter().filter(|s| s.in_view("Car", pre) || s.in_view("Car", post)).count()
        });
        let scan_ns = scan.as_nanos() as f64;
        println!("scan {n} {scan_ns:.0} {:.2}", scan_ns / ns);
        drop(snap);

        // New sessions into the full registry, then replacements of registered ones (which
        // also drop the replaced session).
        let k = 1_000;
        let fresh: Vec<Session> =
            (0..2 * k).map(|i| support::fanout_session(&app, n + i).0).collect();
        let (new, replacing) = fresh.split_at(k);
        let mut new: Vec<Option<Session>> = new.iter().cloned().map(Some).collect();
        let mut replacing: Vec<Option<Session>> = replacing.iter().cloned().map(Some).collect();
        let ids: Vec<usize> = (0..k).collect();
        let register_us = per_item(&ids, 50, true, |&j| {
            new[j].take().map(|s| registry.insert(&format!("s{}", n + j), s)).map_or(0, |()| 1)
        })
        .as_secs_f64()
            * 1e6;
        let replace_us = per_item(&ids, 50, true, |&j| {
            let id = format!("s{}", j * 7 % n);
            replacing[j].take().map(|s| registry.insert(&id, s)).map_or(0, |()| 1)
        })
        .as_secs_f64()
            * 1e6;
        println!("register {n} {register_us:.2} {replace_us:.2}");
        if n >= 1_000 {
            println!("build {build_us:.1}");
        }
        println!(
            "memory {n} {:.0} {:.0}",
            in_sessions as f64 / subscriptions as f64,
            in_index as f64 / subscriptions as f64
        );
    }
    impact_over_objects();
}

fn impact_over_objects() {
    let n: usize = std::env::var("FLEXRULES_IMPACT_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/fanout");
    let before = App::load(&Path::new(dir).join("app")).unwrap();
    let after = App::load(&Path::new(dir).join("app-after")).unwrap();
    let user = Bindings::new(User::from_json_str(r#"{"id": "u1"}"#).unwrap());
    let subs = Subscription::list_from_json(&serde_json::json!([
        {"table": "Car", "query": "miles < 100"},
        {"table": "Car", "query": "make == \"Ford\""},
        {"table": "Car", "query": "ownerId == \"u1\""}
    ]))
    .unwrap();
    let mut state = State::new();
    let mut rng = Rng::new(0x1a9c);
    for i in 0..n {
        let owner = rng.below(1_000);
        let object = doc! {"_id": i as i64, "ownerId": format!("u{owner}"),
        "make": "Ford", "miles": rng.below(1_000) as i64,
        "shared": rng.below(100) == 0};
        state.put("Car", Key::from_bson(&Bson::Int64(i as i64)).unwrap(), object);
    }
    let t = cpu_now();
    let result = impact(
        Side { app: &before, user: &user },
        Side { app: &after, user: &user },
        &subs,
        &state,
    );
    let secs = cpu_now().saturating_sub(t).as_secs_f64();
    let car = &result.tables["Car"];
    println!(
        "# impact of the fixtures/fanout rules change for user u1 (subscriptions as in the CLI fixture)"
    );
    println!("impact {n} {secs:.2} {} {}", car.enter.len(), car.leave.len());
}
