//! Hostile input at every library entry point: parsing, compiling and
//! evaluating queries, translating them, loading schemas, users and rules, choosing roles,
//! judging changesets (the `query`, `validate`, `check`, `explain` and `translate` commands have
//! theirs in the CLI's tests).
//!
//! Each case feeds input built to hurt (enormous nesting, very wide chains, multi-megabyte
//! literals, huge lists, pathological LIKE patterns, extreme numbers, control characters, invalid
//! UTF-8, truncated JSON) and asserts a typed error or the correct answer. Sizes are chosen so
//! that a quadratic or exponential regression would make the test hang visibly, while the linear
//! implementation stays fast; there are no timed assertions. Boundary pairs for each configurable
//! limit sit at the end: at the limit the input works, one past it the error is typed.
//!
//! The parser's own limits (nesting of brackets and `NOT`, query length, terms, list length,
//! argument indices) have their boundary pairs in `tests/rql/limits.rs`; here the same inputs are
//! pushed through every later stage as well. LIKE patterns built to make a backtracking matcher
//! explode are checked where the matcher's step count can be seen, in the value layer's
//! `like_steps_are_bounded_by_text_times_pattern`.

use std::path::{Path, PathBuf};

use bson::{Bson, Document, RawDocumentBuf, doc};
use flexrules::app::{App, AppErrorKind};
use flexrules::document::{DocRef, Malformed};
use flexrules::judge::{Changeset, ErrorContext, Session, Style, Subscription};
use flexrules::rql::{ParseErrorKind, parse_with};
use flexrules::rules::{Bindings, RoleChoice, User};
use flexrules::schema::Table;
use flexrules::{CompileErrorKind, CompiledQuery, Limits, compile, parse};

const SCHEMA: &str = "fixtures/eval/thing.schema.json";

/// The default limits with one change.
fn limits(change: impl FnOnce(&mut Limits)) -> Limits {
    let mut l = Limits::default();
    change(&mut l);
    l
}

fn table() -> Table {
    Table::from_json_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap()
}

fn compiled(query: &str, args: &[Bson]) -> CompiledQuery {
    let ast = parse(query).unwrap_or_else(|e| panic!("`{}…` does not parse: {e}", prefix(query)));
    compile(&ast, &table(), args, &Limits::default())
        .unwrap_or_else(|e| panic!("`{}…` does not compile: {e}", prefix(query)))
}

fn prefix(text: &str) -> &str {
    text.get(..text.len().min(60)).unwrap_or(text)
}

fn thing(fields: Document) -> Document {
    let mut d = doc! {"_id": 1_i64};
    d.extend(fields);
    d
}

/// Both document representations give the same answer, which is returned.
fn matches(q: &CompiledQuery, d: &Document) -> bool {
    let raw = RawDocumentBuf::try_from(d).unwrap();
    let decoded = q.predicate().matches(d);
    assert_eq!(decoded, q.predicate().matches_raw(&raw), "raw and decoded disagree");
    decoded
}

fn parse_error(text: &str) -> ParseErrorKind {
    match parse(text) {
        Ok(_) => panic!("`{}…` parsed", prefix(text)),
        Err(e) => e.kind().clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Queries: parse, compile, evaluate, print

#[test]
fn deep_nesting_is_refused_by_every_query_shape() {
    let n = 100_000;
    let shapes = [
        format!("{}age == 1{}", "(".repeat(n), ")".repeat(n)),
        format!("{}age == 1", "NOT ".repeat(n)),
        format!("{}age == 1", "!".repeat(n)),
        format!("age IN {}", "{".repeat(n)),
        format!("{}age{} == 1", "(".repeat(n), ")".repeat(n)),
        format!("age{} == 1", " + age".repeat(n)),
        format!("age == 1{}", " * (age".repeat(n)),
        "SUBQUERY(parts, $x, ".repeat(n / 4),
    ];
    for text in &shapes {
        assert!(
            matches!(parse_error(text), ParseErrorKind::TooDeep { .. }),
            "`{}…`: {:?}",
            prefix(text),
            parse_error(text)
        );
    }
    // Long key paths are flat lists in the tree; the binder refuses them.
    let n = 20_000;
    for text in [format!("tags{} == 1", "[0]".repeat(n)), format!("engine{} == 1", ".hp".repeat(n))]
    {
        let ast = parse(&text).unwrap();
        let e = compile(&ast, &table(), &[], &Limits::default()).unwrap_err();
        assert!(matches!(e.kind(), CompileErrorKind::TooDeep { .. }), "{}: {e:?}", prefix(&text));
    }
}

#[test]
fn an_or_chain_of_20000_terms_parses_compiles_evaluates_and_prints() {
    let terms: Vec<String> = (0..20_000).map(|i| format!("age == {i}")).collect();
    let text = terms.join(" OR ");
    let ast = parse(&text).unwrap();
    let q = compile(&ast, &table(), &[], &Limits::default()).unwrap();
    assert!(matches(&q, &thing(doc! {"age": 19_999_i64})));
    assert!(!matches(&q, &thing(doc! {"age": 20_000_i64})));
    assert_eq!(parse(&ast.to_string()).unwrap(), ast);
}

#[test]
fn multi_megabyte_literals_are_refused_by_default_and_work_when_allowed() {
    let big = "x".repeat(3 << 20);
    let text = format!("name == '{big}'");
    assert!(matches!(parse_error(&text), ParseErrorKind::TooLong { .. }));
    let roomy = limits(|l| l.max_query_bytes = 8 << 20);
    let ast = parse_with(&text, &roomy).unwrap();
    let q = compile(&ast, &table(), &[], &roomy).unwrap();
    assert!(matches(&q, &thing(doc! {"name": big.clone()})));
    assert!(!matches(&q, &thing(doc! {"name": format!("{big}y")})));
    // The same size arriving as an argument needs no raised limit.
    let q = compiled("name CONTAINS[c] $0", &[Bson::String(format!("{big}Q"))]);
    assert!(matches(&q, &thing(doc! {"name": format!("a{big}q")})));
    assert!(!matches(&q, &thing(doc! {"name": big})));
}

#[test]
fn in_lists_of_50000_elements_work_as_literals_and_arguments() {
    let n = 50_000_i64;
    let list: Vec<String> = (0..n).map(|i| (i * 2).to_string()).collect();
    let text = format!("age IN {{{}}}", list.join(", "));
    let q = compiled(&text, &[]);
    assert!(matches(&q, &thing(doc! {"age": (n - 1) * 2})));
    assert!(!matches(&q, &thing(doc! {"age": 3_i64})));
    let arg = Bson::Array((0..n).map(|i| Bson::Int64(i * 2)).collect());
    let q = compiled("age IN $0", std::slice::from_ref(&arg));
    assert!(matches(&q, &thing(doc! {"age": 4_i64})));
    assert!(!matches(&q, &thing(doc! {"age": -2_i64})));
    // A list field against a long list: each element is looked up in the whole list.
    let q = compiled("ANY nums IN $0", &[arg]);
    let nums: Vec<i64> = (0..100).map(|i| i * 2 + 1).collect();
    assert!(!matches(&q, &thing(doc! {"nums": nums.clone()})));
    let mut hit = nums;
    hit.push(98_000);
    assert!(matches(&q, &thing(doc! {"nums": hit})));
}

#[test]
fn huge_and_negative_numbers_saturate_or_are_refused() {
    // Integer literals follow C `strtoll`: out of range saturates.
    let q = compiled("age == 99999999999999999999999999", &[]);
    assert!(matches(&q, &thing(doc! {"age": i64::MAX})));
    let q = compiled("age == -99999999999999999999999999", &[]);
    assert!(matches(&q, &thing(doc! {"age": i64::MIN})));
    let q = compiled("score > 1e999999", &[]);
    assert!(!matches(&q, &thing(doc! {"score": f64::MAX})));
    let q = compiled("age == -9223372036854775808 - 1", &[]);
    assert!(!matches(&q, &thing(doc! {"age": 0_i64})));
    let q = compiled("age * 9223372036854775807 > 0", &[]);
    assert!(!matches(&q, &thing(doc! {"age": 0_i64})));
    let _ = matches(&q, &thing(doc! {"age": i64::MAX}));
    let q = compiled("tags[9223372036854775807] == 'a'", &[]);
    assert!(!matches(&q, &thing(doc! {"tags": ["a"]})));
    let q = compiled("tags[99999999999999999999999] == 'a'", &[]);
    assert!(!matches(&q, &thing(doc! {"tags": ["a"]})));
    let q = compiled("TRUEPREDICATE LIMIT(99999999999999999999999)", &[]);
    assert_eq!(q.run(&[thing(doc! {})][..]), vec![0]);
    // Argument indices: beyond the limit, negative, and absurdly long.
    for text in ["age == $1024", "age == $99999999999999999999999", "$K99999999999 == 1"] {
        assert!(
            matches!(parse_error(text), ParseErrorKind::ArgumentIndexTooLarge { .. }),
            "{text}"
        );
    }
    // `$-1` is a name (identifiers may hold `$` and `-`), so the binder refuses it.
    let ast = parse("age == $-1").unwrap();
    assert!(compile(&ast, &table(), &[], &Limits::default()).is_err());
    assert!(parse("LIMIT(-1)").is_err());
    assert!(parse("TRUEPREDICATE LIMIT(-1)").is_err());
    // An index that parses but has no argument is a bind error.
    let ast = parse("age == $1000").unwrap();
    let e = compile(&ast, &table(), &[Bson::Null], &Limits::default()).unwrap_err();
    assert!(matches!(e.kind(), CompileErrorKind::ArgumentIndex { .. }), "{e:?}");
}

#[test]
fn nul_and_control_characters_are_errors_outside_strings_and_data_inside() {
    for text in ["age == 1\0", "\0", "age\u{1} == 1", "age == \u{7f}1", "age ==\u{b}1 \u{1b}[0m"] {
        let e = parse(text).unwrap_err();
        assert!(e.span().end() <= text.len(), "{text:?}: {e:?}");
        assert!(!e.to_string().is_empty());
    }
    let q = compiled("name == 'a\0b\u{1}'", &[]);
    assert!(matches(&q, &thing(doc! {"name": "a\0b\u{1}"})));
    assert!(!matches(&q, &thing(doc! {"name": "a"})));
    let q = compiled("name BEGINSWITH $0", &[Bson::String("\0".into())]);
    assert!(matches(&q, &thing(doc! {"name": "\0x"})));
}

#[test]
fn every_byte_and_every_short_token_soup_gives_an_answer() {
    // Single characters and pairs: each parses or is refused with a span inside the text.
    let alphabet: Vec<char> = (0u8..128).map(char::from).chain(['é', '\u{feff}', '🦄']).collect();
    for a in &alphabet {
        for b in &alphabet {
            let text: String = [*a, *b].iter().collect();
            if let Err(e) = parse(&text) {
                assert!(e.span().end() <= text.len(), "{text:?}: {e:?}");
            }
        }
    }
}

#[test]
fn hand_built_trees_beyond_the_depth_limit_are_refused_by_compile() {
    // A tree built in code skips the parser's pre-scan; the compiler checks depth itself.
    use flexrules::rql::ast::{Predicate, PredicateKind};
    let mut ast = parse("age == 1").unwrap();
    for _ in 0..10_000 {
        let placeholder = Predicate { kind: PredicateKind::True, loc: ast.predicate.loc };
        let inner = std::mem::replace(&mut ast.predicate, placeholder);
        ast.predicate.kind = PredicateKind::Not(Box::new(inner));
    }
    let e = compile(&ast, &table(), &[], &Limits::default()).unwrap_err();
    assert!(matches!(e.kind(), CompileErrorKind::TooDeep { .. }), "{e:?}");
    // Taking the tree apart must not recurse once per level either.
    drop(ast);
}

// ---------------------------------------------------------------------------------------------
// Documents

/// The bytes of a document nesting `depth` arrays (or documents) inside field `field`, built
/// without recursion so the test itself stays within its stack.
fn deep_document(field: &str, depth: usize, leaf: i32, arrays: bool) -> Vec<u8> {
    // Each level is: type byte, key "0\0", then the nested document, then a terminating NUL.
    let tag = if arrays { 0x04 } else { 0x03 };
    let mut out = Vec::new();
    // Innermost: {"0": leaf}
    let mut inner = vec![0x10, b'0', 0];
    inner.extend_from_slice(&leaf.to_le_bytes());
    let mut len = inner.len() + 5;
    let mut sizes = vec![len];
    for _ in 0..depth {
        len += 3 + 5; // element header ("\x04" "0\0") plus the enclosing document's length + NUL
        sizes.push(len);
    }
    // Outer document: {field: <nested>}
    let top_len = 4 + 1 + field.len() + 1 + len + 1;
    out.extend_from_slice(&(top_len as u32).to_le_bytes());
    out.push(tag);
    out.extend_from_slice(field.as_bytes());
    out.push(0);
    for level in (1..=depth).rev() {
        out.extend_from_slice(&(sizes[level] as u32).to_le_bytes());
        out.push(tag);
        out.extend_from_slice(b"0\0");
    }
    out.extend_from_slice(&(sizes[0] as u32).to_le_bytes());
    out.extend_from_slice(&inner);
    out.push(0);
    out.extend(std::iter::repeat_n(0, depth));
    out.push(0);
    assert_eq!(out.len(), top_len);
    out
}

#[test]
fn deeply_nested_documents_are_read_without_recursing_per_level() {
    let bytes = deep_document("misc", 100_000, 7, true);
    let raw = bson::RawDocument::from_bytes(&bytes).unwrap();
    let queries = [
        ("misc == 7", false),
        ("misc.@size == 1", true),
        ("misc[*] == 7", false),
        ("misc.@type == 'array'", true),
        ("ANY miscs == 7", false),
        ("misc[0][0][0][0] == 7", false),
    ];
    for (text, expected) in queries {
        let q = compiled(text, &[]);
        assert_eq!(q.predicate().matches_raw(raw), expected, "{text}");
    }
    let bytes = deep_document("engine", 100_000, 7, false);
    let raw = bson::RawDocument::from_bytes(&bytes).unwrap();
    let q = compiled("engine.hp == 7 OR engine.specs.@count > 0", &[]);
    assert!(!q.predicate().matches_raw(raw));
}

#[test]
fn rule_filters_compare_deep_documents_within_the_depth_limit() {
    let app = App::builder()
        .file(
            "data_sources/mongodb-atlas/default_rule.json",
            r#"{"roles": [{"name": "r", "document_filters": {
                "read": {"a": {"$in": [[[1]], {"0": {"0": 1}}]}},
                "write": {"a": {"$ne": [[1]]}, "b": {"$exists": true}}}}]}"#,
        )
        .file("sync/config.json", r#"{"queryable_fields_names": ["a", "b"]}"#)
        .build()
        .unwrap();
    let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(User::new("u1"))) else {
        panic!("the role applies");
    };
    for arrays in [true, false] {
        let bytes = deep_document("a", 100_000, 1, arrays);
        let d = DocRef::from_bytes(&bytes).unwrap();
        // Either answer is acceptable for a document past the depth limit, but it must be an
        // answer or a typed error, not an overflow.
        let _ = role.read_filter().matches(&d);
        let _ = role.write_filter().matches(&d);
    }
}

#[test]
fn malformed_bson_never_panics_the_evaluator() {
    let q = compiled("name == 'a' OR ANY tags == 'b' OR misc[*] == 1 OR parts.qty > 1", &[]);
    let good = RawDocumentBuf::try_from(&thing(doc! {
        "name": "a", "tags": ["b"], "misc": [1], "parts": [{"qty": 2_i64}]
    }))
    .unwrap();
    let bytes = good.as_bytes();
    // Every truncation and every single-byte corruption (with the length kept consistent).
    for cut in 0..bytes.len() {
        let mut b = bytes[..cut].to_vec();
        if b.len() >= 4 {
            let len = (b.len() as u32).to_le_bytes();
            b[..4].copy_from_slice(&len);
        }
        if let Ok(raw) = bson::RawDocument::from_bytes(&b) {
            let _ = q.predicate().matches_raw(raw);
        }
    }
    for at in 4..bytes.len() {
        for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let mut b = bytes.to_vec();
            b[at] = value;
            if let Ok(raw) = bson::RawDocument::from_bytes(&b) {
                let _ = q.predicate().matches_raw(raw);
            }
        }
    }
}

/// The one policy for malformed documents (`Malformed::MatchesNothing`): once an evaluator reads
/// a bad element the document matches nothing, negations included, in the RQL predicate, in a
/// predicate set and in a role filter; what is read before the bad element is answered as usual.
#[test]
fn a_malformed_document_matches_nothing_in_both_evaluators() {
    let good = RawDocumentBuf::try_from(&thing(doc! {"name": "a", "tags": ["b"]})).unwrap();
    let mut bytes = good.as_bytes().to_vec();
    // The length of the string "b", element "0" of `tags`, now points past the document.
    let element = b"\x020\x00\x02\x00\x00\x00b\x00";
    let at = bytes.windows(element.len()).position(|w| w == element).unwrap();
    bytes[at + 3] = 0x7f;
    let raw = bson::RawDocument::from_bytes(&bytes).unwrap();

    // Reads `tags`: before this policy, `NONE tags == 'x'` read the bad list as empty and held.
    for query in ["NONE tags == 'x'", "NOT (ANY tags == 'x')", "name == 'a' AND tags.@count == 0"] {
        let q = compiled(query, &[]);
        assert!(!q.predicate().matches_raw(raw), "{query}");
        let set = flexrules::PredicateSet::new(vec![q.predicate().clone()]);
        assert_eq!(set.first_match(&DocRef::raw(raw)), None, "{query} in a set");
    }
    // Reads only `name`, which comes first: the bad element is never reached.
    assert!(compiled("name == 'a'", &[]).predicate().matches_raw(raw));

    let app = App::builder()
        .file(
            "data_sources/mongodb-atlas/default_rule.json",
            r#"{"roles": [{"name": "r", "document_filters": {
                "read": {"tags": {"$ne": "x"}}, "write": {"name": "a"}}}]}"#,
        )
        .file("sync/config.json", r#"{"queryable_fields_names": ["name", "tags"]}"#)
        .build()
        .unwrap();
    let RoleChoice::Role(role) = app.choose_role("Thing", &Bindings::new(User::new("u1"))) else {
        panic!("the role applies");
    };
    let read = role.read_filter().matches(&DocRef::raw(raw));
    assert!(read.is_err(), "the filter reports what it met: {read:?}");
    assert!(!Malformed::MatchesNothing.decide(read));
    assert_eq!(role.write_filter().matches(&DocRef::raw(raw)), Ok(true));
}

// ---------------------------------------------------------------------------------------------
// Schemas, users and rules

/// `depth` nested JSON arrays or objects around `leaf`.
fn nested_json(depth: usize, open: &str, close: &str, leaf: &str) -> String {
    format!("{}{leaf}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn deeply_nested_json_is_refused_by_every_json_reader() {
    let deep_object = nested_json(100_000, r#"{"a": "#, "}", "1");
    let deep_array = nested_json(100_000, "[", "]", "1");
    for text in [&deep_object, &deep_array] {
        assert!(Table::from_json_str(text).is_err());
        assert!(User::from_json_str(text).is_err());
        let user = format!(r#"{{"id": "u1", "custom_data": {text}}}"#);
        assert!(User::from_json_str(&user).is_err());
        let rules = format!(r#"{{"roles": [{{"name": "r", "apply_when": {text}}}]}}"#);
        let e = App::builder()
            .file("data_sources/mongodb-atlas/default_rule.json", &*rules)
            .build()
            .unwrap_err();
        assert!(matches!(e.kind(), AppErrorKind::Json { .. }), "{e}");
        let e = App::builder().file("sync/config.json", text.clone()).build().unwrap_err();
        assert!(matches!(e.kind(), AppErrorKind::Json { .. } | AppErrorKind::ExpectedObject));
    }
}

/// An app whose one role reads with `filter` (and writes nothing).
fn app_with_filter(filter: &str, l: &Limits) -> App {
    App::builder()
        .file(
            "data_sources/mongodb-atlas/default_rule.json",
            format!(
                r#"{{"roles": [{{"name": "r", "document_filters": {{"read": {filter}, "write": false}}}}]}}"#
            ),
        )
        .file("sync/config.json", r#"{"queryable_fields_names": ["a"]}"#)
        .limits(l.clone())
        .build()
        .unwrap()
}

fn too_deep(app: &App) -> bool {
    app.problems().iter().any(|p| p.to_string().contains("too deeply"))
}

#[test]
fn rule_expressions_at_the_depth_limit_work_and_one_deeper_is_a_typed_error() {
    // `{"a": [[…[1]…]]}`: the field condition is one level, each array one more.
    let nested = |arrays: usize| format!(r#"{{"a": {}}}"#, nested_json(arrays, "[", "]", "1"));
    for l in [Limits::default(), limits(|l| l.max_rule_depth = 5)] {
        let max = l.max_rule_depth as usize;
        let at = app_with_filter(&nested(max - 1), &l);
        assert!(at.problems().is_empty(), "{:?}", at.problems());
        let RoleChoice::Role(role) = at.choose_role("Item", &Bindings::new(User::new("u1"))) else {
            panic!("the role applies");
        };
        let doc = bson::Document::try_from(
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&nested(max - 1))
                .unwrap(),
        )
        .unwrap();
        assert!(role.read_filter().matches(&DocRef::decoded(&doc)).unwrap());
        let over = app_with_filter(&nested(max), &l);
        assert!(too_deep(&over), "{:?}", over.problems());
    }
    // Logical operators count one level each, although they nest two levels of JSON.
    let and = |depth: usize| {
        let mut f = r#"{"a": 1}"#.to_owned();
        for _ in 0..depth {
            f = format!(r#"{{"$and": [{f}]}}"#);
        }
        f
    };
    let l = limits(|l| l.max_rule_depth = 5);
    assert!(app_with_filter(&and(4), &l).problems().is_empty());
    assert!(too_deep(&app_with_filter(&and(5), &l)));
}

/// The deepest nesting of arrays that a rule filter still compares with `limit` as the document
/// depth limit, checking that one level more does not match (or is a typed error).
fn deepest_compared(limit: u32) -> usize {
    let l = limits(|l| l.max_document_depth = limit);
    let mut deepest = None;
    for arrays in 1..(limit as usize + 4) {
        let value = nested_json(arrays, "[", "]", "1");
        let app = app_with_filter(&format!(r#"{{"a": {{"$eq": {value}}}}}"#), &l);
        assert!(app.problems().is_empty(), "{:?}", app.problems());
        let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(User::new("u1")))
        else {
            panic!("the role applies");
        };
        // The field holds the value inside one more array, which MongoDB's equality looks into.
        let doc_json = format!(r#"{{"a": [{value}]}}"#);
        let doc = Document::try_from(
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&doc_json).unwrap(),
        )
        .unwrap();
        let raw = RawDocumentBuf::try_from(&doc).unwrap();
        let answer = role.read_filter().matches(&DocRef::raw(&raw));
        assert_eq!(answer, role.read_filter().matches(&DocRef::decoded(&doc)));
        match (answer, deepest) {
            (Ok(true), None) => {}
            (Ok(true), Some(d)) => panic!("{arrays} levels compare after {d} did not"),
            (_, None) => deepest = Some(arrays - 1),
            (_, Some(_)) => {}
        }
    }
    deepest.unwrap()
}

#[test]
fn document_depth_limit_is_a_boundary_pair() {
    let at = deepest_compared(4);
    assert!(at >= 1, "nothing compares with a limit of 4");
    assert_eq!(deepest_compared(5), at + 1, "the limit decides how deep values compare");
    // Extended JSON output has the same limit, as a typed error.
    let deep = |n: usize| {
        let mut v = Bson::Int32(1);
        for _ in 0..n {
            v = Bson::Array(vec![v]);
        }
        v
    };
    let out = (0..10).find(|&n| flexrules::value::ejson::to_json(&deep(n), 4).is_err()).unwrap();
    assert!(out >= 4);
    assert!(flexrules::value::ejson::to_json(&deep(out - 1), 4).is_ok());
    assert!(flexrules::value::ejson::to_json(&deep(out), 5).is_ok());
}

#[test]
fn malformed_and_truncated_rule_files_name_the_file_and_position() {
    let good = r#"{"roles": [{"name": "r", "document_filters": {"read": true, "write": true}}]}"#;
    for cut in 0..good.len() {
        let text = &good[..cut];
        let e = App::builder()
            .file("data_sources/mongodb-atlas/default_rule.json", text)
            .build()
            .unwrap_err();
        assert_eq!(e.file(), "data_sources/mongodb-atlas/default_rule.json");
        assert!(!e.to_string().is_empty());
    }
    for text in ["\0", "{\"roles\": [\u{1}]}", "\u{feff}{}", "{\"roles\": []}\0"] {
        let _ = App::builder()
            .file("data_sources/mongodb-atlas/default_rule.json", text)
            .build()
            .map(|app| app.problems());
    }
}

#[test]
fn rules_with_huge_lists_and_strings_work() {
    let list: Vec<String> = (0..50_000).map(|i| format!("\"u{i}\"")).collect();
    let big = "x".repeat(3 << 20);
    let rules = format!(
        r#"{{"roles": [{{"name": "r", "document_filters": {{
            "read": {{"owner_id": {{"$in": [{}]}}}},
            "write": {{"owner_id": "{big}"}}}}}}]}}"#,
        list.join(", ")
    );
    let app = App::builder()
        .file("data_sources/mongodb-atlas/default_rule.json", rules)
        .file("sync/config.json", r#"{"queryable_fields_names": ["owner_id"]}"#)
        .build()
        .unwrap();
    assert!(app.problems().is_empty());
    let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(User::new("u1"))) else {
        panic!("the role applies");
    };
    let read = role.read_filter();
    assert!(read.matches(&DocRef::decoded(&doc! {"owner_id": "u49999"})).unwrap());
    assert!(!read.matches(&DocRef::decoded(&doc! {"owner_id": "u50000"})).unwrap());
    let write = role.write_filter();
    assert!(write.matches(&DocRef::decoded(&doc! {"owner_id": big})).unwrap());
    assert!(!write.matches(&DocRef::decoded(&doc! {"owner_id": "x"})).unwrap());
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn an_app_directory_with_invalid_utf8_names_the_file() {
    let dir = scratch("invalid-utf8-app");
    write(&dir.join("sync/config.json"), br#"{"queryable_fields_names": ["a"]}"#);
    write(
        &dir.join("data_sources/mongodb-atlas/default_rule.json"),
        b"{\"roles\": [{\"name\": \"r\xff\xfe\"}]}",
    );
    let e = App::load(&dir).unwrap_err();
    assert!(e.to_string().contains("default_rule.json"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Judging and translating

fn car_app() -> App {
    App::load(Path::new("fixtures/apps/car")).unwrap()
}

fn car_session(query: &str) -> Result<Session, flexrules::judge::SubscriptionError> {
    let subs =
        [Subscription { name: None, table: "Car".into(), query: query.into(), args: vec![] }];
    Session::new(&car_app(), &Bindings::new(User::new("u1")), &subs)
}

#[test]
fn hostile_subscriptions_are_refused_with_a_subscription_error() {
    let deep = format!("{}miles < 1{}", "(".repeat(100_000), ")".repeat(100_000));
    let nots = format!("{}miles < 1", "NOT ".repeat(100_000));
    let long = format!("ownerId == '{}'", "x".repeat(3 << 20));
    for query in [deep.as_str(), &nots, &long, "miles < $99999999999", "\0", "miles <"] {
        let e = car_session(query).unwrap_err();
        assert!(!e.server_message(Style::Y2024).is_empty());
    }
    // Flexible Sync refuses subscriptions over 256 kB, so the chain is written tightly.
    let chain = vec!["miles==5"; 20_000].join("||");
    let mut session = car_session(&chain).unwrap();
    let upload = Changeset::from_json(&serde_json::json!({"client_version": 1, "writes": [
        {"op": "insert", "table": "Car", "object": {"_id": 1, "ownerId": "u1", "make": "a", "miles": 5}},
        {"op": "insert", "table": "Car", "object": {"_id": 2, "ownerId": "u1", "make": "a", "miles": 6}}]}))
    .unwrap();
    let outcome = session.judge(&upload);
    assert_eq!(outcome.accepted, 1);
    assert_eq!(outcome.rejected.len(), 1);
}

#[test]
fn a_changeset_of_20000_writes_is_judged_write_by_write() {
    let mut session = car_session("miles < 100").unwrap();
    let n = 20_000_i64;
    // Even keys are the user's own cars, odd keys another user's: denied by the write filter.
    let writes: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let owner = if i % 2 == 0 { "u1" } else { "u2" };
            serde_json::json!({"op": "insert", "table": "Car",
                "object": {"_id": i, "ownerId": owner, "make": "a", "miles": 5}})
        })
        .collect();
    let upload =
        Changeset::from_json(&serde_json::json!({"client_version": 7, "writes": writes})).unwrap();
    let outcome = session.judge(&upload);
    assert_eq!(outcome.accepted, 10_000);
    assert_eq!(outcome.rejected.len(), 10_000);
    let error = outcome.error.unwrap();
    let body = error.body(Style::Y2023, &ErrorContext::default());
    assert!(body.contains("19999"), "{}", prefix(&body));
    assert_eq!(session.state().len("Car"), 10_000);
}

#[test]
fn malformed_changesets_and_writes_are_input_errors() {
    let cases = [
        serde_json::json!(null),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!({"client_version": "1", "writes": []}),
        serde_json::json!({"client_version": 1e300, "writes": []}),
        serde_json::json!({"client_version": 1, "writes": {}}),
        serde_json::json!({"client_version": 1, "writes": [null]}),
        serde_json::json!({"client_version": 1, "writes": [{"op": "upsert", "table": "Car"}]}),
        serde_json::json!({"client_version": 1, "writes": [{"op": "insert", "table": "Car"}]}),
        serde_json::json!({"client_version": 1, "writes": [{"op": "insert", "table": 5, "object": {}}]}),
        serde_json::json!({"client_version": 1, "writes": [{"op": "update", "table": "Car", "pk": 1, "set": 5}]}),
        serde_json::json!({"client_version": 1, "writes": [{"op": "update", "table": "Car", "pk": [1], "set": {}}]}),
        serde_json::json!({"client_version": 1, "writes": [{"op": "update", "table": "Car", "pk": {"$oid": "zz"}}]}),
        serde_json::json!({"client_version": 1, "writes": [{"op": "delete", "table": "Car", "pk": {"$numberDecimal": "1"}}]}),
    ];
    for json in &cases {
        if let Ok(changeset) = Changeset::from_json(json) {
            // Whatever is accepted is judged without panicking.
            let mut session = car_session("miles < 100").unwrap();
            let outcome = session.judge(&changeset);
            assert_eq!(
                outcome.accepted + outcome.rejected.len() + outcome.reverted_with,
                changeset.writes.len(),
                "{json}"
            );
        }
    }
    // Objects and keys of every shape, including wrong types and extreme values.
    let odd_values = [
        serde_json::json!(null),
        serde_json::json!(i64::MIN),
        serde_json::json!(u64::MAX),
        serde_json::json!(-0.0),
        serde_json::json!("\u{0}\u{1}"),
        serde_json::json!({"$numberDouble": "NaN"}),
        serde_json::json!([[[[[[[[1]]]]]]]]),
        serde_json::json!({"$binary": {"base64": "", "subType": "04"}}),
        serde_json::json!({"$uuid": "00000000-0000-0000-0000-000000000000"}),
    ];
    let mut session = car_session("miles < 100 OR ownerId == 'u1'").unwrap();
    for (i, v) in odd_values.iter().enumerate() {
        let writes = serde_json::json!([
            {"op": "insert", "table": "Car", "object": {"_id": v, "ownerId": "u1", "make": v, "miles": v}},
            {"op": "update", "table": "Car", "pk": v, "set": {"miles": v, "make": v}, "unset": ["ownerId"]},
            {"op": "insert", "table": "Car", "object": {"_id": i, "ownerId": v, "make": "a", "miles": v}},
            {"op": "delete", "table": "Car", "pk": v},
            {"op": "insert", "table": "Nope", "object": {"_id": i}},
        ]);
        let json = serde_json::json!({"client_version": i, "writes": writes});
        if let Ok(changeset) = Changeset::from_json(&json) {
            for e in session.explain(&changeset) {
                assert!(!e.to_text(Style::Y2023).is_empty());
            }
            let outcome = session.judge(&changeset);
            if let Some(error) = outcome.error {
                let _ = error.wire(Style::Y2024, &ErrorContext::default());
                let _ = error.client_log(Style::Y2023, &ErrorContext::default());
            }
        }
    }
}

#[test]
fn translate_survives_hostile_queries() {
    let t = table();
    let ok = |text: &str| {
        let ast = parse(text).unwrap();
        let _ = flexrules::translate(&ast, &t, &[], &Limits::default());
    };
    ok(&vec!["age == 5"; 20_000].join(" OR "));
    ok(&format!("age IN {{{}}}", vec!["1"; 50_000].join(", ")));
    ok(&format!("{}age == 1", "NOT ".repeat(128)));
    ok(&format!("name LIKE '{}'", "*?".repeat(5_000)));
    ok("age == 99999999999999999999 AND score > 1e999 AND tags[99999999999999999999] == 'a'");
    ok("name == 'a\0b' OR name CONTAINS[c] '\\u0000'");
    // A hand-built tree deeper than the parser allows.
    use flexrules::rql::ast::{Predicate, PredicateKind};
    let mut ast = parse("age == 1").unwrap();
    for _ in 0..10_000 {
        let placeholder = Predicate { kind: PredicateKind::True, loc: ast.predicate.loc };
        let inner = std::mem::replace(&mut ast.predicate, placeholder);
        ast.predicate.kind = PredicateKind::Not(Box::new(inner));
    }
    assert!(flexrules::translate(&ast, &t, &[], &Limits::default()).is_err());
}

// ---------------------------------------------------------------------------------------------
// Limits as boundary pairs (the parser's own pairs are in `tests/rql/limits.rs`)

/// Queries exactly at the parser's limits: the compiler must accept whatever the parser does.
fn at_parser_limits(l: &Limits) -> Vec<String> {
    let max = l.max_depth as usize;
    let mut and_chain = "age == 1".to_owned();
    for _ in 0..max {
        and_chain = format!("(age == 1 AND {and_chain})");
    }
    let subquery = format!("SUBQUERY(parts, $x, {}$x.qty == 1).@count > 0", "NOT ".repeat(max - 2));
    vec![
        format!("{}age == 1", "NOT ".repeat(max)),
        format!("{}age == 1{}", "(".repeat(max), ")".repeat(max)),
        format!("{}age{} == 1", "(".repeat(max), ")".repeat(max)),
        format!("age{} == 1", " + age".repeat(max)),
        and_chain,
        subquery,
    ]
}

/// Queries exactly at the parser's width limits (checked with small limits: the defaults take
/// long to reach in an unoptimised build).
fn at_width_limits(l: &Limits) -> Vec<String> {
    vec![
        vec!["age=1"; l.max_terms].join("||"),
        format!("age IN {{{}}}", vec!["1"; l.max_list_len].join(", ")),
    ]
}

#[test]
fn whatever_parses_at_the_limits_also_compiles_and_evaluates() {
    let small = limits(|l| {
        l.max_depth = 7;
        l.max_terms = 10;
        l.max_list_len = 3;
    });
    let default = at_parser_limits(&Limits::default()).into_iter().map(|q| (q, Limits::default()));
    let small_cases = at_parser_limits(&small).into_iter().chain(at_width_limits(&small));
    for (text, l) in default.chain(small_cases.map(|q| (q, small.clone()))) {
        let ast = parse_with(&text, &l).unwrap_or_else(|e| panic!("`{}…`: {e}", prefix(&text)));
        let q = compile(&ast, &table(), &[], &l)
            .unwrap_or_else(|e| panic!("`{}…`: {e:?}", prefix(&text)));
        let _ = matches(&q, &thing(doc! {"age": 1_i64, "parts": [{"qty": 1_i64}]}));
    }
}

#[test]
fn compile_depth_limit_is_a_boundary_pair() {
    // A tree the parser would refuse, built by parsing with a roomier limit.
    let small = limits(|l| l.max_depth = 6);
    let roomy = Limits::default();
    let nots = |n: usize| parse_with(&format!("{}age == 1", "NOT ".repeat(n)), &roomy).unwrap();
    assert!(compile(&nots(6), &table(), &[], &small).is_ok());
    let e = compile(&nots(7), &table(), &[], &small).unwrap_err();
    assert_eq!(e.kind(), &CompileErrorKind::TooDeep { limit: 6 });
    let sum = |n: usize| parse_with(&format!("age{} == 1", " + age".repeat(n)), &roomy).unwrap();
    assert!(compile(&sum(6), &table(), &[], &small).is_ok());
    let e = compile(&sum(7), &table(), &[], &small).unwrap_err();
    assert_eq!(e.kind(), &CompileErrorKind::TooDeep { limit: 6 });
}

#[test]
fn list_argument_length_limit_is_a_boundary_pair() {
    let small = limits(|l| l.max_list_len = 100);
    let ast = parse("age IN $0").unwrap();
    let list = |n: i64| Bson::Array((0..n).map(Bson::Int64).collect());
    assert!(compile(&ast, &table(), &[list(100)], &small).is_ok());
    let e = compile(&ast, &table(), &[list(101)], &small).unwrap_err();
    assert!(matches!(e.kind(), CompileErrorKind::TooManyTerms { limit: 100 }), "{e:?}");
}

#[test]
fn compile_term_limit_is_a_boundary_pair() {
    let small = limits(|l| l.max_terms = 10);
    let chain = |n: usize| vec!["age == 1"; n].join(" OR ");
    // The parser counts with the default limits so only the compiler's count is tested.
    let ast = parse(&chain(10)).unwrap();
    assert!(compile(&ast, &table(), &[], &small).is_ok());
    let ast = parse(&chain(11)).unwrap();
    let e = compile(&ast, &table(), &[], &small).unwrap_err();
    assert!(matches!(e.kind(), CompileErrorKind::TooManyTerms { limit: 10 }), "{e:?}");
}
