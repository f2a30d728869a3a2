//! The `bind:<message>` rows of `fixtures/rql/examples.tsv` (realm-core's own bind-time errors,
//! mostly from its test_parser.cpp) compiled against small schemas shaped like realm-core's test
//! tables (`fixtures/eval/bind/*.schema.json`; the one whose title the message names, otherwise
//! `person`). Each must fail with realm-core's exact message. Rows that need several tables or
//! geospatial data are listed with the reason in `fixtures/eval/bind/skip.tsv`; arguments the
//! tests bound are in `fixtures/eval/bind/args.tsv`.

use std::collections::HashMap;
use std::fs;

use bson::Bson;
use flexrules::schema::Table;
use flexrules::{Limits, compile, parse};

fn tsv(path: &str) -> Vec<Vec<String>> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn realm_core_bind_errors_have_realm_core_messages() {
    let schemas: HashMap<String, Table> = ["person", "table", "foo"]
        .iter()
        .map(|n| {
            let t = Table::from_json_str(
                &fs::read_to_string(format!("fixtures/eval/bind/{n}.schema.json")).unwrap(),
            )
            .unwrap();
            ((*n).to_owned(), t)
        })
        .collect();
    let skips: HashMap<String, String> = tsv("fixtures/eval/bind/skip.tsv")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let args: HashMap<String, Vec<Bson>> = tsv("fixtures/eval/bind/args.tsv")
        .into_iter()
        .map(|r| {
            let json: serde_json::Value = serde_json::from_str(&r[1]).unwrap();
            let list = json
                .as_array()
                .unwrap()
                .iter()
                .map(|v| Bson::try_from(v.clone()).unwrap())
                .collect();
            (r[0].clone(), list)
        })
        .collect();
    let limits = Limits::default();
    let mut failures = Vec::new();
    let (mut checked, mut skipped) = (0, 0);
    for row in tsv("fixtures/rql/examples.tsv") {
        let Some(want) = row.get(1).and_then(|o| o.strip_prefix("bind:")) else { continue };
        let q = &row[0];
        if skips.contains_key(q) {
            skipped += 1;
            continue;
        }
        checked += 1;
        let title = ["table", "foo"]
            .into_iter()
            .find(|t| want.contains(&format!("'{t}.")))
            .unwrap_or("person");
        let table = &schemas[title];
        let ast = match parse(q) {
            Ok(ast) => ast,
            Err(e) => {
                failures.push(format!("{q}: does not parse: {e}"));
                continue;
            }
        };
        let a = args.get(q).cloned().unwrap_or_default();
        match compile(&ast, table, &a, &limits) {
            Ok(_) => failures.push(format!("{q}\n   expected: {want}\n   accepted")),
            Err(e) if e.realm_message() == want => {}
            Err(e) => failures
                .push(format!("{q}\n   expected: {want}\n   got:      {}", e.realm_message())),
        }
    }
    assert_eq!(skipped, skips.len(), "skip.tsv lists rows that are not in examples.tsv");
    assert!(checked >= 25, "only {checked} rows checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
