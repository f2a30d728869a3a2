//! realm-core's answers in `fixtures/oracle/` run through the library: parse, compile against
//! the `Product` schema (built from the spec the way `fixtures/oracle/diff.py` builds it), and
//! evaluate over its objects. Every query realm-core accepted must give the same primary keys
//! (in order when it sorted; as a count for LIMIT/DISTINCT without SORT, whose order depends on
//! storage); every query it refused must be refused. Queries that crashed realm-core are only
//! required not to crash here.

use crate::common::oracle::{args_of, objects_of, schema_of};

use std::fs;

use bson::{Bson, Document};
use flexrules::schema::Table;
use flexrules::{Limits, compile, parse};
use serde_json::Value;

fn key(v: &Bson) -> String {
    match v {
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        Bson::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn library_agrees_with_realm_core_on_every_oracle_query() {
    let spec: Value =
        serde_json::from_str(&fs::read_to_string("fixtures/oracle/product.spec.json").unwrap())
            .unwrap();
    let expected = fs::read_to_string("fixtures/oracle/product.expected.jsonl").unwrap();
    let limits = Limits::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for t in spec["tables"].as_array().unwrap() {
        let table = Table::from_json(&schema_of(t)).unwrap();
        let objects: Vec<Document> = objects_of(t);
        let raw: Vec<bson::RawDocumentBuf> =
            objects.iter().map(|d| bson::RawDocumentBuf::try_from(d).unwrap()).collect();
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line).unwrap();
            if row["table"] != t["table"] {
                continue;
            }
            let q = row["q"].as_str().unwrap();
            let args: Vec<Bson> = args_of(&row);
            let compiled = parse(q).map_err(|e| e.to_string()).and_then(|ast| {
                compile(&ast, &table, &args, &limits).map_err(|e| e.realm_message())
            });
            if row["crash"].as_bool().unwrap_or(false) {
                if let Ok(c) = &compiled {
                    let _ = c.run(objects.as_slice());
                }
                continue;
            }
            checked += 1;
            let ok = row["ok"].as_bool().unwrap();
            match (ok, compiled) {
                (false, Err(_)) => {}
                (false, Ok(_)) => failures.push(format!(
                    "{q:?} args={args:?}\n   realm-core: error {}\n   flexrules:  accepted",
                    row["error"]
                )),
                (true, Err(e)) => failures.push(format!(
                    "{q:?} args={args:?}\n   realm-core: accepted\n   flexrules:  error {e}"
                )),
                (true, Ok(c)) => {
                    let want: Vec<String> = row["matches"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_owned())
                        .collect();
                    for (label, got) in
                        [("decoded", c.run(objects.as_slice())), ("raw", c.run(raw.as_slice()))]
                    {
                        let mut got: Vec<String> =
                            got.iter().map(|i| key(objects[*i].get("_id").unwrap())).collect();
                        let mut want = want.clone();
                        let up = q.to_uppercase();
                        let same = if (up.contains("LIMIT") || up.contains("DISTINCT"))
                            && !up.contains("SORT")
                        {
                            got.len() == want.len()
                        } else {
                            if !row["ordered"].as_bool().unwrap_or(false) {
                                got.sort();
                                want.sort();
                            }
                            got == want
                        };
                        if !same {
                            failures.push(format!(
                                "{q:?} args={args:?} ({label} documents)\n   realm-core: {want:?}\n   flexrules:  {got:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(checked >= 1499, "only {checked} oracle rows checked");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
