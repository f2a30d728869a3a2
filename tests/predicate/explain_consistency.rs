//! An explanation's root outcome is the evaluator's answer, for every query of the realm-core
//! corpus that compiles and every object of its table; skipped nodes appear only after a sibling
//! that decided its parent.

use crate::common::oracle::{args_of, objects_of, schema_of};

use bson::{Bson, Document};
use flexrules::document::DocRef;
use flexrules::schema::Table;
use flexrules::{Explanation, Limits, NodeResult, compile, parse};
use serde_json::Value;

/// Checks the short-circuit shape: in AND/OR, children after the deciding one are skipped.
fn well_formed(e: &Explanation) -> bool {
    if e.outcome == NodeResult::Skipped {
        return e.children.iter().all(|c| c.outcome == NodeResult::Skipped && well_formed(c));
    }
    let stop = match e.text.as_str() {
        "AND" => NodeResult::False,
        "OR" => NodeResult::True,
        _ => return e.children.iter().all(well_formed),
    };
    let mut decided = false;
    for c in &e.children {
        if decided && c.outcome != NodeResult::Skipped {
            return false;
        }
        if !decided && c.outcome == NodeResult::Skipped {
            return false;
        }
        if c.outcome == stop {
            decided = true;
        }
        if !well_formed(c) {
            return false;
        }
    }
    true
}

#[test]
fn explanations_agree_with_evaluation() {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/oracle/product.spec.json").unwrap(),
    )
    .unwrap();
    let expected = std::fs::read_to_string("fixtures/oracle/product.expected.jsonl").unwrap();
    let limits = Limits::default();
    let t = &spec["tables"][0];
    let table = Table::from_json(&schema_of(t)).unwrap();
    let objects: Vec<Document> = objects_of(t);
    let mut checked = 0;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).unwrap();
        if !row["ok"].as_bool().unwrap_or(false) || row["crash"].as_bool().unwrap_or(false) {
            continue;
        }
        let args: Vec<Bson> = args_of(&row);
        let q = row["q"].as_str().unwrap();
        let compiled = compile(&parse(q).unwrap(), &table, &args, &limits).unwrap();
        let p = compiled.predicate();
        for d in &objects {
            let e = p.explain(&DocRef::decoded(d));
            let want = if p.matches(d) { NodeResult::True } else { NodeResult::False };
            assert_eq!(e.outcome, want, "{q} on {d}\n{}", e.to_text());
            assert!(well_formed(&e), "{q} on {d}\n{}", e.to_text());
            checked += 1;
        }
    }
    assert!(checked > 10_000, "only {checked} checks");
}
