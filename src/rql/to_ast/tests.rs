//! Rule-level tests of the tree walk: each row of `fixtures/rql/rules.tsv` parses its text with
//! one grammar rule, converts the pair with that rule's function and compares the canonical
//! printing of the result (or the error kind) with the row. A grammar edit that changes what a
//! rule's children are shows up here, at the rule, rather than as a whole-query failure.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

use pest::Parser;

use super::{Builder, post_op, timestamp};
use crate::Limits;
use crate::rql::grammar::{RqlParser, Rule};

/// Converts `text` with the function of `rule`; `Err` holds the error kind's name.
fn convert(rule: &str, text: &str) -> Result<String, String> {
    let limits = Limits::default();
    let mut b = Builder::new(text, &limits);
    let grammar_rule = match rule {
        "constant" => Rule::constant,
        "list" => Rule::list,
        "path" => Rule::path,
        "property" => Rule::property,
        "aggregate" => Rule::aggregate,
        "subquery" => Rule::subquery,
        "value" => Rule::value,
        "index" => Rule::index,
        "post_op" => Rule::post_op,
        "timestamp" => Rule::timestamp,
        "geo_shape" => Rule::geo_shape,
        "sort_clause" => Rule::sort_clause,
        "distinct_clause" => Rule::distinct_clause,
        "limit_clause" => Rule::limit_clause,
        "query" => Rule::query,
        other => panic!("rules.tsv names an unknown rule {other}"),
    };
    let mut pairs = RqlParser::parse(grammar_rule, text).map_err(|_| "no-parse".to_owned())?;
    let pair = pairs.next().expect("a pair");
    assert_eq!(pair.as_span().end(), text.len(), "{rule} did not read all of {text:?}");
    let name = |e: crate::rql::ParseError| e.kind().name().to_owned();
    Ok(match rule {
        "constant" => b.constant(pair).map_err(name)?.to_string(),
        "list" => b.list(pair).map_err(name)?.to_string(),
        "path" => b.path(pair).map_err(name)?.to_string(),
        "property" => b.property(pair).map_err(name)?.to_string(),
        "aggregate" => b.aggregate(pair).map_err(name)?.to_string(),
        "subquery" => b.subquery(pair).map_err(name)?.to_string(),
        "value" => b.value(pair).map_err(name)?.to_string(),
        "index" => b.index(pair).map_err(name)?.to_string(),
        "post_op" => post_op(pair).map_err(name)?.to_string(),
        "timestamp" => timestamp(pair).map_err(name)?.to_string(),
        "geo_shape" => b.geo_shape(pair).map_err(name)?.to_string(),
        "sort_clause" => b.sort_clause(pair).map_err(name)?.to_string(),
        "distinct_clause" => b.distinct_clause(pair).map_err(name)?.to_string(),
        "limit_clause" => b.limit_clause(pair).map_err(name)?.to_string(),
        _ => b.query(pair).map_err(name)?.to_string(),
    })
}

#[test]
fn every_rule_row_converts_to_its_canonical_form() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rql/rules.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rules = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [rule, input, expected] = cols.as_slice() else {
            panic!("rules.tsv:{}: three tab-separated columns expected", n + 1)
        };
        rules.insert(*rule);
        let got = match convert(rule, input) {
            Ok(text) => text,
            Err(kind) => format!("error:{kind}"),
        };
        if got != *expected {
            failures.push(format!("rules.tsv:{}: {rule} {input:?}: got {got:?}", n + 1));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(rules.len() >= 14, "only {} rules have rows", rules.len());
}
