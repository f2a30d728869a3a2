//! Resource limits of the parser as boundary pairs: the largest accepted input parses, one step
//! more is refused with a typed error, and hostile sizes are refused quickly instead of
//! exhausting the stack.

use flexrules::Limits;
use flexrules::rql::{ParseErrorKind, parse, parse_with};

fn limits() -> Limits {
    Limits::default()
}

fn is_too_deep(text: &str) -> bool {
    matches!(parse(text).map_err(|e| e.kind().clone()), Err(ParseErrorKind::TooDeep { .. }))
}

fn nested_parens(depth: usize) -> String {
    format!("{}a == 1{}", "(".repeat(depth), ")".repeat(depth))
}

#[test]
fn parentheses_at_the_depth_limit_parse_and_one_more_is_too_deep() {
    let max = limits().max_depth as usize;
    assert!(parse(&nested_parens(max)).is_ok());
    assert!(is_too_deep(&nested_parens(max + 1)));
}

#[test]
fn nots_at_the_depth_limit_parse_and_one_more_is_too_deep() {
    let max = limits().max_depth as usize;
    assert!(parse(&format!("{}a == 1", "NOT ".repeat(max))).is_ok());
    assert!(is_too_deep(&format!("{}a == 1", "NOT ".repeat(max + 1))));
    assert!(parse(&format!("{}a == 1", "!".repeat(max))).is_ok());
    assert!(is_too_deep(&format!("{}a == 1", "!".repeat(max + 1))));
}

#[test]
fn nested_expression_parentheses_count_too() {
    let max = limits().max_depth as usize;
    let expr = |d: usize| format!("{}a{} == 1", "(".repeat(d), ")".repeat(d));
    assert!(parse(&expr(max)).is_ok());
    assert!(is_too_deep(&expr(max + 1)));
}

#[test]
fn nested_subqueries_count_too() {
    let max = limits().max_depth as usize;
    let subqueries = |d: usize| {
        let mut q = "a == 1".to_owned();
        for _ in 0..d {
            q = format!("SUBQUERY(items, $x, {q}).@count > 0");
        }
        q
    };
    // Each subquery takes two levels.
    assert!(parse(&subqueries(max / 2)).is_ok());
    assert!(is_too_deep(&subqueries(max / 2 + 1)));
}

#[test]
fn long_arithmetic_chains_are_bounded_by_depth() {
    let max = limits().max_depth as usize;
    // `n` operators build a tree `n` levels deep.
    let chain = |n: usize| format!("a{} == 1", " + a".repeat(n));
    assert!(parse(&chain(max)).is_ok());
    assert!(is_too_deep(&chain(max + 1)));
}

#[test]
fn hostile_nesting_is_refused_without_overflowing_the_stack() {
    let n = 100_000;
    assert!(is_too_deep(&"(".repeat(n)));
    assert!(is_too_deep(&format!("{}a == 1", "NOT ".repeat(n))));
    assert!(is_too_deep(&format!("{}a == 1", "!".repeat(n))));
    assert!(is_too_deep(&format!("a IN {}", "{".repeat(n))));
    assert!(is_too_deep(&"[".repeat(n)));
    assert!(is_too_deep(&nested_parens(n)));
}

#[test]
fn brackets_inside_strings_do_not_count() {
    let text = format!("a == '{}' AND b == \"{}\\\"\"", "(".repeat(1000), "{".repeat(1000));
    assert!(parse(&text).is_ok());
}

#[test]
fn query_length_at_the_limit_parses_and_one_byte_more_is_too_long() {
    let mut small = limits();
    small.max_query_bytes = 64;
    let at = format!("a == '{}'", "x".repeat(64 - 7));
    assert_eq!(at.len(), 64);
    assert!(parse_with(&at, &small).is_ok());
    let over = format!("a == '{}'", "x".repeat(64 - 6));
    let error = parse_with(&over, &small).expect_err("over the limit");
    assert_eq!(error.kind(), &ParseErrorKind::TooLong { length: 65, limit: 64 });
}

#[test]
fn a_long_flat_or_chain_parses_as_one_wide_node() {
    let terms = 20_000;
    let text = vec!["a == 1"; terms].join(" OR ");
    let query = parse(&text).expect("flat chain parses");
    match &query.predicate.kind {
        flexrules::rql::ast::PredicateKind::Or(operands) => assert_eq!(operands.len(), terms),
        other => panic!("expected one OR node, got {other:?}"),
    }
    assert_eq!(parse(&query.to_string()).expect("printed chain parses"), query);
}

#[test]
fn comparisons_beyond_the_term_limit_are_refused() {
    let mut small = limits();
    small.max_terms = 10;
    let chain = |n: usize| vec!["a == 1"; n].join(" AND ");
    assert!(parse_with(&chain(10), &small).is_ok());
    let error = parse_with(&chain(11), &small).expect_err("over the limit");
    assert_eq!(error.kind(), &ParseErrorKind::TooManyTerms { limit: 10 });
}

#[test]
fn lists_beyond_the_length_limit_are_refused() {
    let mut small = limits();
    small.max_list_len = 3;
    assert!(parse_with("a IN {1, 2, 3}", &small).is_ok());
    let error = parse_with("a IN {1, 2, 3, 4}", &small).expect_err("over the limit");
    assert_eq!(error.kind(), &ParseErrorKind::ListTooLong { limit: 3 });
}

#[test]
fn argument_indices_beyond_the_limit_are_refused() {
    let max = limits().max_arguments;
    assert!(parse(&format!("a == ${}", max - 1)).is_ok());
    let error = parse(&format!("a == ${max}")).expect_err("over the limit");
    assert!(matches!(error.kind(), ParseErrorKind::ArgumentIndexTooLarge { .. }));
    let error = parse("$K99999999999999999999 == 1").expect_err("over the limit");
    assert!(matches!(error.kind(), ParseErrorKind::ArgumentIndexTooLarge { .. }));
}

#[test]
fn structured_nesting_at_the_depth_limit_parses() {
    let max = limits().max_depth as usize;
    let mut and_chain = "a == 1".to_owned();
    for _ in 0..max {
        and_chain = format!("(a == 1 AND {and_chain})");
    }
    assert!(parse(&and_chain).is_ok());
    let mut nots = "a == 1".to_owned();
    for _ in 0..max / 2 {
        nots = format!("NOT ({nots})");
    }
    assert!(parse(&nots).is_ok());
    let mut arithmetic = "a".to_owned();
    for _ in 0..max / 2 {
        arithmetic = format!("(a + {arithmetic})");
    }
    assert!(parse(&format!("{arithmetic} == 1")).is_ok());
}

#[test]
fn groups_around_subqueries_parse_in_linear_time() {
    // Reading a group first as a condition and then as an operand would parse each level twice,
    // and this input would take 2^40 steps.
    let mut q = "$x.a == 1".to_owned();
    for _ in 0..40 {
        q = format!("(SUBQUERY(items, $x, {q}).@count) > 0");
    }
    let start = std::time::Instant::now();
    assert!(parse(&q).is_ok());
    assert!(start.elapsed() < std::time::Duration::from_secs(10), "took {:?}", start.elapsed());
}
