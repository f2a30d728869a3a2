//! Bounds the compiler enforces whatever the parser let through, and its small helpers.

use super::constants::base64_decode;
use super::*;
use crate::rql::ast::{Constant, PathElementKind, Value};

fn table() -> Table {
    Table::from_json(&serde_json::json!({"title": "T", "properties": {"a": {"bsonType": "long"}}}))
        .unwrap()
}

fn nots(n: usize) -> ast::Query {
    let loc = crate::span::Loc::default();
    let mut p = ast::Predicate { kind: PredicateKind::True, loc };
    for _ in 0..n {
        p = ast::Predicate { kind: PredicateKind::Not(Box::new(p)), loc };
    }
    ast::Query { predicate: p, post: Vec::new(), loc }
}

#[test]
fn nesting_is_bounded_by_the_depth_limit_whatever_the_parser_allowed() {
    let limits = Limits::default();
    let depth = limits.max_depth as usize;
    assert!(compile(&nots(depth), &table(), &[], &limits).is_ok());
    let e = compile(&nots(depth + 1), &table(), &[], &limits).unwrap_err();
    assert_eq!(e.kind(), &K::TooDeep { limit: limits.max_depth });
    assert!(compile(&nots(5_000), &table(), &[], &limits).is_err());
}

#[test]
fn deep_arithmetic_is_refused_without_deep_recursion() {
    let loc = crate::span::Loc::default();
    let leaf = |v: Value| ast::Expr { kind: ExprKind::Value(v), loc };
    let mut e = leaf(Value::Constant(Constant::Int(1)));
    for _ in 0..5_000 {
        e = ast::Expr {
            kind: ExprKind::Arithmetic {
                op: ArithOp::Add,
                left: Box::new(e),
                right: Box::new(leaf(Value::Constant(Constant::Int(1)))),
            },
            loc,
        };
    }
    let path = ast::Path {
        elements: vec![ast::PathElement { kind: PathElementKind::Name("a".into()), loc }],
        loc,
    };
    let left = leaf(Value::Path(ast::PathValue { quantifier: None, path, post: None }));
    let cmp = ast::Comparison {
        left,
        op: CompareOp::Cmp(CmpOp::Eq),
        case_insensitive: false,
        right: e,
        loc,
    };
    let q = ast::Query {
        predicate: ast::Predicate { kind: PredicateKind::Comparison(Box::new(cmp)), loc },
        post: Vec::new(),
        loc,
    };
    let e = compile(&q, &table(), &[], &Limits::default()).unwrap_err();
    assert!(matches!(e.kind(), K::TooDeep { .. }), "{e:?}");
}

#[test]
fn term_count_is_bounded() {
    let limits = Limits { max_terms: 10, ..Limits::default() };
    let q = crate::rql::parse(&["a == 1"; 11].join(" OR ")).unwrap();
    assert!(matches!(
        compile(&q, &table(), &[], &limits).unwrap_err().kind(),
        K::TooManyTerms { .. }
    ));
    let q = crate::rql::parse(&["a == 1"; 10].join(" OR ")).unwrap();
    assert!(compile(&q, &table(), &[], &limits).is_ok());
}

#[test]
fn features_needing_several_tables_are_refused_with_their_own_error() {
    let limits = Limits::default();
    for q in [
        "@links.Person.a > 1",
        "a == obj('T', 1)",
        "a == O5",
        "a GEOWITHIN geoCircle([0.1, 0.1], 0.1)",
    ] {
        let ast = crate::rql::parse(q).unwrap();
        let e = compile(&ast, &table(), &[], &limits).unwrap_err();
        assert!(matches!(e.kind(), K::MultiTable { .. } | K::Geospatial), "{q}: {e:?}");
    }
}

#[test]
fn base64_decodes_standard_alphabet() {
    assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
    assert_eq!(base64_decode("").unwrap(), b"");
    assert!(base64_decode("@@").is_none());
    // Padding is optional in a `B64"…"` literal; a lone sixth symbol is never valid.
    assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
    assert!(base64_decode("aGVsb").is_none());
    assert!(base64_decode("aG=Vs").is_none());
}
