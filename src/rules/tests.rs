//! Table-driven tests of MongoDB matching semantics (fixtures/rules/mongo_match.json): every
//! filter is lowered, bound and evaluated on each document in three ways that must agree.

use bson::{Bson, Document, RawDocumentBuf};
use serde_json::Value as Json;

use super::bind::{Bindings, Environment, User, bind};
use super::lower::lower_expr;
use crate::document::{DocRef, FieldSet};
use crate::json::Pointer;
use crate::limits::Limits;

fn doc(json: &Json) -> Document {
    match Bson::try_from(json.clone()).unwrap() {
        Bson::Document(d) => d,
        other => panic!("not a document: {other:?}"),
    }
}

#[test]
fn mongo_matching_semantics_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rules/mongo_match.json");
    let table: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let user = User::from_json(&table["user"]).unwrap();
    let env = Environment {
        tag: table["environment"]["tag"].as_str().unwrap().to_owned(),
        values: doc(&table["environment"]["values"]),
    };
    let bindings = Bindings::with(user, doc(&table["values"]), env);
    let mut checked = 0;
    for group in table["groups"].as_array().unwrap() {
        let filter_json = &group["filter"];
        let plain = group["plain"].as_bool().unwrap_or(false);
        let expr = if plain {
            super::lower::lower_plain(filter_json, &Limits::default())
        } else {
            lower_expr(filter_json, &Pointer::root(), &Limits::default())
        }
        .unwrap_or_else(|e| panic!("{filter_json}: {e}"));
        let filter = bind(&expr, &bindings, true, &Limits::default()).unwrap();
        let fields = FieldSet::new(filter.fields().iter().map(|f| &**f));
        for (key, expected) in [("match", true), ("no_match", false)] {
            for d in group[key].as_array().unwrap() {
                let decoded = doc(d);
                let raw = RawDocumentBuf::try_from(&decoded).unwrap();
                let label = format!("filter {filter_json} on {d}");
                assert_eq!(
                    filter.matches(&DocRef::decoded(&decoded)).unwrap(),
                    expected,
                    "{label}"
                );
                assert_eq!(filter.matches(&DocRef::raw(&raw)).unwrap(), expected, "raw: {label}");
                let mut slots = vec![None; fields.len()];
                fields.scan(&DocRef::raw(&raw), &mut slots).unwrap();
                assert_eq!(filter.matches_slots(&slots).unwrap(), expected, "slots: {label}");
                checked += 1;
            }
        }
    }
    assert!(checked > 250, "only {checked} documents checked");
}

#[test]
fn filters_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<super::Filter>();
    assert_send_sync::<super::SessionRole>();
}

#[test]
fn rebased_filters_share_one_slot_array() {
    let user = User::new("u1");
    let bindings = Bindings::new(user);
    let a = lower_expr(
        &serde_json::json!({"owner": "%%user.id"}),
        &Pointer::root(),
        &Limits::default(),
    )
    .unwrap();
    let b = lower_expr(
        &serde_json::json!({"miles": {"$lt": 100}, "owner": {"$exists": true}}),
        &Pointer::root(),
        &Limits::default(),
    )
    .unwrap();
    let mut fa = bind(&a, &bindings, true, &Limits::default()).unwrap();
    let mut fb = bind(&b, &bindings, true, &Limits::default()).unwrap();
    let mut set = FieldSet::default();
    let sa: Vec<usize> = fa.fields().iter().map(|f| set.insert(f)).collect();
    let sb: Vec<usize> = fb.fields().iter().map(|f| set.insert(f)).collect();
    assert!(fa.rebase(&sa) && fb.rebase(&sb));
    assert!(!fa.rebase(&[0, 1, 2]), "wrong length is refused");
    let d = doc(&serde_json::json!({"miles": 5, "owner": "u1"}));
    let mut slots = vec![None; set.len()];
    set.scan(&DocRef::decoded(&d), &mut slots).unwrap();
    assert!(fa.matches_slots(&slots).unwrap());
    assert!(fb.matches_slots(&slots).unwrap());
    assert!(!fb.matches_slots(&[]).unwrap(), "missing slots read as missing fields");
}

#[test]
fn apply_when_cannot_read_documents() {
    let expr = lower_expr(&serde_json::json!({"email": "x"}), &Pointer::root(), &Limits::default())
        .unwrap();
    let err = bind(&expr, &Bindings::new(User::new("u")), false, &Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "field `email` cannot be read when a sync session starts");
}
