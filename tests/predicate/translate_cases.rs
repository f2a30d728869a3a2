//! One case per translation rule (`fixtures/translate/cases.ndjson`): the exact filter a query
//! becomes, or the error it is refused with. For every translated case the filter, evaluated with
//! MongoDB semantics over `item.objects.ndjson`, and the query, evaluated with realm-core's, must
//! both select the objects the case lists.

use std::fs;

use bson::{Bson, Document};
use flexrules::document::DocRef;
use flexrules::rules::Filter;
use flexrules::schema::Table;
use flexrules::translate::TranslateErrorKind;
use flexrules::value::ejson;
use flexrules::{Limits, compile, parse, translate};
use serde_json::Value;

#[test]
fn each_rule_gives_its_filter_or_its_refusal() {
    let limits = Limits::default();
    let table =
        Table::from_json_str(&fs::read_to_string("fixtures/translate/item.schema.json").unwrap())
            .unwrap();
    let objects: Vec<Document> = fs::read_to_string("fixtures/translate/item.objects.ndjson")
        .unwrap()
        .lines()
        .map(|l| match ejson::from_json(serde_json::from_str(l).unwrap()).unwrap() {
            Bson::Document(d) => d,
            other => panic!("not a document: {other}"),
        })
        .collect();
    let cases = fs::read_to_string("fixtures/translate/cases.ndjson").unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        count += 1;
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["name"].as_str().unwrap();
        let q = case["query"].as_str().unwrap();
        let args: Vec<Bson> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| ejson::from_json(a.clone()).unwrap())
            .collect();
        let ast = parse(q).unwrap();
        match (translate(&ast, &table, &args, &limits), case.get("filter")) {
            (Ok(filter), Some(want)) => {
                let got = ejson::to_json(&Bson::Document(filter.clone()), 100).unwrap();
                if &got != want {
                    failures.push(format!("{name}: {q}\n   want {want}\n   got  {got}"));
                    continue;
                }
                let want: Vec<usize> = case["matches"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as usize)
                    .collect();
                let rql = compile(&ast, &table, &args, &limits).unwrap().run(objects.as_slice());
                let mongo = Filter::from_document(&filter, &limits).unwrap();
                let got: Vec<usize> = (0..objects.len())
                    .filter(|i| mongo.matches(&DocRef::decoded(&objects[*i])).unwrap())
                    .collect();
                if rql != want || got != want {
                    failures.push(format!(
                        "{name}: {q}\n   listed {want:?}\n   rql    {rql:?}\n   filter {got:?}"
                    ));
                }
            }
            (Err(e), None) => {
                let message = match e.kind() {
                    TranslateErrorKind::Compile(c) => c.realm_message(),
                    _ => e.to_string(),
                };
                let want = case["error"].as_str().unwrap();
                if message != want {
                    failures.push(format!(
                        "{name}: {q}\n   want error {want}\n   got        {message}"
                    ));
                }
                let span = e.span();
                assert!(
                    span.end as usize <= q.len() && span.start <= span.end,
                    "{name}: span {span:?}"
                );
            }
            (Ok(filter), None) => {
                failures.push(format!("{name}: {q} translated to {filter}, expected an error"))
            }
            (Err(e), Some(_)) => failures.push(format!("{name}: {q} refused: {e}")),
        }
    }
    assert!(count >= 50, "only {count} cases");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
