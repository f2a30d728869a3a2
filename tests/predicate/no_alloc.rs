//! Evaluating a compiled predicate does not allocate: a counting global allocator watches the
//! seed subscription and a few string operators over raw and decoded documents, one by one and
//! as one `PredicateSet`.

#![expect(unsafe_code, reason = "a global allocator can only be written with unsafe code")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bson::{Bson, RawDocumentBuf, doc};
use flexrules::schema::Table;
use flexrules::{Limits, compile, parse};

struct Counting;

thread_local! {
    /// Allocations made by this thread only: the test harness's other threads may allocate
    /// while the test runs.
    static MINE: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    let _ = MINE.try_with(|c| c.set(c.get() + 1));
}

fn allocations() -> usize {
    MINE.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn evaluation_does_not_allocate() {
    let table = Table::from_json(&serde_json::json!({
        "title": "Car", "bsonType": "object", "required": ["_id", "ownerId", "make"],
        "properties": {
            "_id": {"bsonType": "objectId"}, "ownerId": {"bsonType": "string"},
            "make": {"bsonType": "string"}, "model": {"bsonType": "string"},
            "miles": {"bsonType": "long"},
            "tags": {"bsonType": "array", "items": {"bsonType": "string"}}
        }
    }))
    .unwrap();
    let limits = Limits::default();
    let queries: [(&str, Vec<Bson>); 5] = [
        ("miles < 100 OR miles == $0", vec![Bson::Null]),
        ("ownerId == \"u1\"", vec![]),
        ("make BEGINSWITH[c] 'hon'", vec![]),
        ("model LIKE '*iv?c*'", vec![]),
        ("ANY tags CONTAINS[c] 'RED' AND tags.@count > 1", vec![]),
    ];
    let compiled: Vec<_> = queries
        .iter()
        .map(|(q, args)| compile(&parse(q).unwrap(), &table, args, &limits).unwrap())
        .collect();
    let docs = [
        doc! {"_id": bson::oid::ObjectId::new(), "ownerId": "u1", "make": "Honda", "model": "Civic", "miles": 90_000_i64, "tags": ["red", "fast"]},
        doc! {"_id": bson::oid::ObjectId::new(), "ownerId": "u2", "make": "Toyota", "miles": 50_i64},
        doc! {"_id": bson::oid::ObjectId::new(), "ownerId": "u3", "make": "HONDA", "model": null, "miles": null},
    ];
    let raw: Vec<RawDocumentBuf> =
        docs.iter().map(|d| RawDocumentBuf::try_from(d).unwrap()).collect();
    let mut hits = 0usize;
    let before = allocations();
    for _ in 0..100 {
        for c in &compiled {
            let p = c.predicate();
            for (d, r) in docs.iter().zip(&raw) {
                hits += usize::from(p.matches(d));
                hits += usize::from(p.matches_raw(r));
            }
        }
    }
    let after = allocations();
    assert_eq!(after - before, 0, "evaluation allocated {} times", after - before);
    // 100 rounds × (seed: 2 docs, owner: 1, make: 2, model: 1, tags: 1) × raw and decoded.
    assert_eq!(hits, 100 * 7 * 2);

    // The same predicates as one set, indexed on `ownerId`.
    let set =
        flexrules::PredicateSet::new(compiled.iter().map(|c| c.predicate().clone()).collect());
    let mut firsts = Vec::new();
    for (d, r) in docs.iter().zip(&raw) {
        firsts.push(set.first_match(&flexrules::document::DocRef::decoded(d)));
        firsts.push(set.first_match(&flexrules::document::DocRef::raw(r)));
    }
    let mut found = 0usize;
    let before = allocations();
    for _ in 0..100 {
        for (d, r) in docs.iter().zip(&raw) {
            found += usize::from(set.matches_any(&flexrules::document::DocRef::decoded(d)));
            found += usize::from(set.first_match(&flexrules::document::DocRef::raw(r)).is_some());
        }
    }
    let after = allocations();
    assert_eq!(after - before, 0, "checking a set allocated {} times", after - before);
    assert_eq!(found, 100 * 3 * 2);
    // Doc 1: the seed subscription fails (90,000 miles), `ownerId == "u1"` is second.
    assert_eq!(firsts, [Some(1), Some(1), Some(0), Some(0), Some(0), Some(0)]);
}
