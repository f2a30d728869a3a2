//! Every query of realm-core's corpus (`fixtures/oracle/`) that is valid for Flexible Sync (as the
//! judge's subset validator decides when a session starts, with every column queryable) is
//! translated to a MongoDB filter, and the filter, evaluated with the rules engine's MongoDB
//! semantics, must select the same objects as the query evaluated with realm-core's.
//!
//! Exceptions are data: `fixtures/translate/refusals.tsv` lists the kinds of refusal a valid query
//! may meet, each with the reason no exact filter exists; `fixtures/translate/mismatches.tsv`
//! lists corpus rows whose filter is known to select differently, with the reason. A refusal of
//! another kind, an unlisted mismatch, or a listed row that no longer mismatches fails the test.

use crate::common::oracle::{args_of, objects_of, schema_of};

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use bson::{Bson, Document};
use flexrules::app::App;
use flexrules::document::DocRef;
use flexrules::judge::{Session, Subscription};
use flexrules::rules::{Bindings, Filter, User};
use flexrules::schema::Table;
use flexrules::translate::TranslateErrorKind;
use flexrules::{Limits, compile, parse, translate};
use serde_json::{Value, json};

/// An app holding the table, every column queryable, so that the judge's Flexible Sync subset
/// validator (run when a session starts) decides which corpus queries a server would accept.
fn app_of(t: &Value, schema: &Value) -> App {
    let mut fields: Vec<Value> = vec![t["pk"]["name"].clone()];
    fields.extend(t["columns"].as_array().unwrap().iter().map(|c| c["name"].clone()));
    let table = t["table"].as_str().unwrap();
    App::builder()
        .file(&format!("data_sources/mongodb-atlas/db/{table}/schema.json"), schema.to_string())
        .file("sync/config.json", json!({"queryable_fields_names": fields}).to_string())
        .build()
        .unwrap()
}

fn valid_for_flexible_sync(app: &App, table: &str, q: &str, args: &[Bson]) -> bool {
    let sub = Subscription {
        name: None,
        table: table.to_owned(),
        query: q.to_owned(),
        args: args.to_vec(),
    };
    Session::new(app, &Bindings::new(User::new("u")), &[sub]).is_ok()
}

fn kind_name(k: &TranslateErrorKind) -> String {
    let debug = format!("{k:?}");
    let name = debug.split(['(', ' ', '{']).next().unwrap().to_owned();
    match k {
        TranslateErrorKind::Construct { construct, .. } => format!("{name}: {construct}"),
        _ => name,
    }
}

fn tsv(path: &str) -> BTreeMap<String, String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, why) = l.split_once('\t').unwrap_or_else(|| panic!("{path}: no tab in {l:?}"));
            assert!(!why.trim().is_empty(), "{path}: {k} has no reason");
            (k.to_owned(), why.to_owned())
        })
        .collect()
}

#[test]
fn translated_filters_select_what_realm_core_selects() {
    let spec: Value =
        serde_json::from_str(&fs::read_to_string("fixtures/oracle/product.spec.json").unwrap())
            .unwrap();
    let expected = fs::read_to_string("fixtures/oracle/product.expected.jsonl").unwrap();
    let refusals = tsv("fixtures/translate/refusals.tsv");
    let mismatches = tsv("fixtures/translate/mismatches.tsv");
    let limits = Limits::default();
    let mut failures = Vec::new();
    let mut seen_mismatch = BTreeSet::new();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    let (mut valid, mut translated) = (0, 0);
    for t in spec["tables"].as_array().unwrap() {
        let schema = schema_of(t);
        let table = Table::from_json(&schema).unwrap();
        let app = app_of(t, &schema);
        let table_name = t["table"].as_str().unwrap();
        let objects: Vec<Document> = objects_of(t);
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line).unwrap();
            if row["table"] != t["table"] || !row["ok"].as_bool().unwrap_or(false) {
                continue;
            }
            let i = row["i"].to_string();
            let q = row["q"].as_str().unwrap();
            let args: Vec<Bson> = args_of(&row);
            if !valid_for_flexible_sync(&app, table_name, q, &args) {
                continue;
            }
            let ast = parse(q).unwrap();
            valid += 1;
            let filter = match translate(&ast, &table, &args, &limits) {
                Ok(f) => f,
                Err(e) => {
                    let kind = kind_name(e.kind());
                    if !refusals.contains_key(&kind) {
                        failures.push(format!("#{i} {q:?}: refused without a listed reason: {e}"));
                    }
                    *refused.entry(kind).or_default() += 1;
                    continue;
                }
            };
            translated += 1;
            let rql = compile(&ast, &table, &args, &limits).unwrap();
            let want = rql.run(objects.as_slice());
            let mongo = match Filter::from_document(&filter, &limits) {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("#{i} {q:?}: filter {filter} does not lower: {e}"));
                    continue;
                }
            };
            let got: Vec<usize> = objects
                .iter()
                .enumerate()
                .filter(|(_, d)| mongo.matches(&DocRef::decoded(d)).unwrap())
                .map(|(n, _)| n)
                .collect();
            if got != want {
                if mismatches.contains_key(&i) {
                    seen_mismatch.insert(i.clone());
                } else {
                    failures.push(format!(
                        "#{i} {q:?} args={args:?}\n   filter: {filter}\n   rql:    {want:?}\n   mongo:  {got:?}"
                    ));
                }
            }
        }
    }
    for i in mismatches.keys() {
        if !seen_mismatch.contains(i) {
            failures.push(format!(
                "#{i} is listed as a mismatch but the filter agrees (or the row is not translated)"
            ));
        }
    }
    for kind in refusals.keys() {
        if !refused.contains_key(kind) {
            failures.push(format!("refusal kind {kind:?} is listed but never happens"));
        }
    }
    eprintln!(
        "{valid} queries valid for Flexible Sync, {translated} translated, refused: {refused:?}"
    );
    assert!(valid >= 300, "only {valid} corpus queries are valid for Flexible Sync");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
