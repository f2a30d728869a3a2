//! Property: every syntax tree the parser can produce prints as text that parses back to the same
//! tree. Trees are generated at random within the shapes the grammar allows (bounded depth and
//! width), printed with `Display`, and parsed again.

use flexrules::rql::ast::{
    Aggregate, AggregateOp, ArithOp, BinaryLiteral, CmpOp, CompareOp, Comparison, Constant,
    ConstantExpr, Expr, ExprKind, GeoCoordinate, GeoPoint, GeoShape, IndexStep, ListValue, Path,
    PathElement, PathElementKind, PathValue, PostClause, PostOp, Predicate, PredicateKind,
    Quantifier, Query, SizeSpelling, SortKey, Subquery, TimestampLiteral, Value,
};
use flexrules::span::Loc;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "p[a-z0-9_]{0,5}",
        "[A-Z][a-z]{0,4}-[0-9]",
        "\\$[a-z][a-z0-9]{0,3}",
        Just("sort".to_owned()),
        Just("in".to_owned()),
        Just("text".to_owned()),
        Just("FIRST".to_owned()),
        Just("Not".to_owned()),
        Just("True".to_owned()),
        Just("float fees".to_owned()),
        Just("tab\there".to_owned()),
        Just("løbenummer".to_owned()),
        Just("你好".to_owned()),
    ]
}

/// Raw string literal text: plain characters and valid escape sequences, never both bare quotes.
fn raw_string() -> impl Strategy<Value = String> {
    let unit = prop_oneof![
        "[a-zA-Z0-9 _.*?]{1,3}",
        Just("'".to_owned()),
        Just("\\\"".to_owned()),
        Just("\\n".to_owned()),
        Just("\\\\".to_owned()),
        Just("\\u00e9".to_owned()),
        Just("é🦄".to_owned()),
    ];
    prop::collection::vec(unit, 0..4).prop_map(|units| units.concat())
}

fn element(kind: PathElementKind) -> PathElement {
    PathElement { kind, loc: Loc::default() }
}

fn index_step() -> impl Strategy<Value = IndexStep> {
    prop_oneof![
        (0u64..=i64::MAX as u64).prop_map(IndexStep::Position),
        Just(IndexStep::First),
        Just(IndexStep::Last),
        Just(IndexStep::All),
        "[a-z ]{0,4}".prop_map(IndexStep::Key),
        (0u32..1024).prop_map(IndexStep::Argument),
    ]
}

fn backlinks() -> impl Strategy<Value = PathElementKind> {
    (name(), name()).prop_map(|(class, property)| PathElementKind::Backlinks { class, property })
}

fn path() -> impl Strategy<Value = Path> {
    let first = prop_oneof![
        4 => name().prop_map(PathElementKind::Name),
        1 => backlinks(),
        1 => Just(PathElementKind::Keys),
        1 => Just(PathElementKind::Values),
    ];
    let step = prop_oneof![
        4 => name().prop_map(PathElementKind::Name),
        2 => index_step().prop_map(PathElementKind::Index),
        1 => backlinks(),
        1 => Just(PathElementKind::Keys),
    ];
    let named = (first, prop::collection::vec(step, 0..3), any::<bool>()).prop_map(
        |(first, rest, all_backlinks)| {
            let mut elements: Vec<PathElement> =
                std::iter::once(first).chain(rest).map(element).collect();
            // `@links` alone only ever ends a path.
            if all_backlinks {
                elements.push(element(PathElementKind::AllBacklinks));
            }
            Path { elements, loc: Loc::default() }
        },
    );
    prop_oneof![
        9 => named,
        1 => (0u32..1024).prop_map(|i| Path {
            elements: vec![element(PathElementKind::KeyPathArgument(i))],
            loc: Loc::default(),
        }),
    ]
}

/// A path as `SORT` and `DISTINCT` take it: names and `['key']` steps.
fn sort_path() -> impl Strategy<Value = Path> {
    let step = prop_oneof![
        name().prop_map(PathElementKind::Name),
        "[a-z]{1,3}".prop_map(|k| PathElementKind::Index(IndexStep::Key(k))),
    ];
    (name(), prop::collection::vec(step, 0..3)).prop_map(|(first, rest)| Path {
        elements: std::iter::once(PathElementKind::Name(first)).chain(rest).map(element).collect(),
        loc: Loc::default(),
    })
}

fn quantifier() -> impl Strategy<Value = Option<Quantifier>> {
    prop::option::of(prop_oneof![
        Just(Quantifier::Any),
        Just(Quantifier::All),
        Just(Quantifier::None)
    ])
}

fn float_text() -> impl Strategy<Value = String> {
    let body = prop_oneof![
        (0u32..1000, 0u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        (0u32..1000).prop_map(|a| format!("{a}.")),
        (0u32..1000).prop_map(|a| format!(".{a}")),
        (0u32..100, -20i32..20).prop_map(|(a, e)| format!("{a}e{e}")),
        (0u32..100).prop_map(|a| format!("{a}f")),
        (0u32..100, 0u32..10).prop_map(|(a, b)| format!("{a}.{b}E+3f")),
    ];
    (prop_oneof![Just(""), Just("-"), Just("+")], body).prop_map(|(s, b)| format!("{s}{b}"))
}

fn timestamp() -> impl Strategy<Value = TimestampLiteral> {
    prop_oneof![
        (0i64..4_000_000_000, 0i64..1_000_000_000, any::<bool>()).prop_map(|(s, n, neg)| {
            if neg {
                TimestampLiteral::Epoch { seconds: -s, nanos: -n }
            } else {
                TimestampLiteral::Epoch { seconds: s, nanos: n }
            }
        }),
        (
            1900i64..2100,
            1i64..13,
            1i64..32,
            0i64..24,
            0i64..60,
            0i64..60,
            prop::option::of(0i64..1_000_000_000)
        )
            .prop_map(|(year, month, day, hour, minute, second, nanos)| {
                TimestampLiteral::Date { year, month, day, hour, minute, second, nanos }
            }),
    ]
}

fn primary_key() -> impl Strategy<Value = Constant> {
    prop_oneof![
        any::<i64>().prop_map(Constant::Int),
        raw_string().prop_map(Constant::String),
        any::<[u8; 16]>().prop_map(Constant::Uuid),
        any::<[u8; 12]>().prop_map(Constant::ObjectId),
        (0u32..1024).prop_map(|index| Constant::Argument { index, quantifier: None }),
    ]
}

fn constant() -> impl Strategy<Value = Constant> {
    prop_oneof![
        primary_key(),
        float_text().prop_map(Constant::Float),
        any::<bool>().prop_map(|negative| Constant::Infinity { negative }),
        Just(Constant::NaN),
        "[A-Za-z0-9+/=]{0,8}".prop_map(Constant::Base64),
        raw_string().prop_map(|s| Constant::Binary(BinaryLiteral::Text(s))),
        "[A-Za-z0-9+/=]{0,8}".prop_map(|s| Constant::Binary(BinaryLiteral::Base64(s))),
        timestamp().prop_map(Constant::Timestamp),
        any::<bool>().prop_map(Constant::Bool),
        Just(Constant::Null),
        ((0u32..1024), quantifier())
            .prop_map(|(index, quantifier)| Constant::Argument { index, quantifier }),
        (raw_string(), primary_key())
            .prop_map(|(class, key)| Constant::Object { class, key: Box::new(key) }),
        (0u64..=i64::MAX as u64).prop_map(Constant::ObjectKey),
        (0u64..=i64::MAX as u64, 0u64..=i64::MAX as u64)
            .prop_map(|(table, object)| Constant::TypedLink { table, object }),
    ]
}

fn list() -> impl Strategy<Value = ListValue> {
    (quantifier(), prop::collection::vec(constant(), 0..4)).prop_map(|(quantifier, values)| {
        ListValue {
            quantifier,
            elements: values
                .into_iter()
                .map(|value| ConstantExpr { value, loc: Loc::default() })
                .collect(),
        }
    })
}

fn coordinate() -> impl Strategy<Value = GeoCoordinate> {
    prop_oneof![
        float_text().prop_map(GeoCoordinate::Number),
        (0u32..500).prop_map(|n| GeoCoordinate::Number(n.to_string())),
        (0u32..1024).prop_map(GeoCoordinate::Argument),
    ]
}

fn point() -> impl Strategy<Value = GeoPoint> {
    (coordinate(), coordinate(), prop::option::of(float_text()))
        .prop_map(|(longitude, latitude, altitude)| GeoPoint { longitude, latitude, altitude })
}

fn geo() -> impl Strategy<Value = GeoShape> {
    prop_oneof![
        (point(), point())
            .prop_map(|(bottom_left, top_right)| GeoShape::Box { bottom_left, top_right }),
        (point(), coordinate()).prop_map(|(center, radius)| GeoShape::Circle { center, radius }),
        prop::collection::vec(prop::collection::vec(point(), 1..4), 1..3)
            .prop_map(|rings| GeoShape::Polygon { rings }),
    ]
}

fn post_op() -> impl Strategy<Value = Option<PostOp>> {
    prop::option::of(prop_oneof![
        Just(PostOp::Size(SizeSpelling::Count)),
        Just(PostOp::Size(SizeSpelling::Size)),
        Just(PostOp::Size(SizeSpelling::IndexUpper)),
        Just(PostOp::Size(SizeSpelling::IndexLower)),
        Just(PostOp::Type),
    ])
}

fn expr(kind: ExprKind) -> Expr {
    Expr { kind, loc: Loc::default() }
}

fn pred(kind: PredicateKind) -> Predicate {
    Predicate { kind, loc: Loc::default() }
}

/// A value that is not a subquery (subqueries are added by the recursive strategy).
fn leaf_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => constant().prop_map(Value::Constant),
        3 => (quantifier(), path(), post_op())
            .prop_map(|(quantifier, path, post)| Value::Path(PathValue { quantifier, path, post })),
        1 => list().prop_map(Value::List),
        1 => (
            path(),
            prop_oneof![
                Just(AggregateOp::Min),
                Just(AggregateOp::Max),
                Just(AggregateOp::Sum),
                Just(AggregateOp::Avg)
            ],
            prop::option::of(name()),
        )
            .prop_map(|(path, op, property)| Value::Aggregate(Aggregate { path, op, property })),
    ]
}

fn arithmetic(value: BoxedStrategy<Value>) -> impl Strategy<Value = Expr> {
    let leaf = value.prop_map(|v| expr(ExprKind::Value(v)));
    leaf.prop_recursive(3, 8, 2, |inner| {
        (
            prop_oneof![
                Just(ArithOp::Add),
                Just(ArithOp::Subtract),
                Just(ArithOp::Multiply),
                Just(ArithOp::Divide)
            ],
            inner.clone(),
            inner,
        )
            .prop_map(|(op, left, right)| {
                expr(ExprKind::Arithmetic { op, left: Box::new(left), right: Box::new(right) })
            })
    })
}

fn comparison(value: BoxedStrategy<Value>) -> impl Strategy<Value = Comparison> {
    let bare = value.clone().prop_map(|v| expr(ExprKind::Value(v)));
    let equality = (
        arithmetic(value.clone()),
        prop_oneof![
            Just(CompareOp::Cmp(CmpOp::Eq)),
            Just(CompareOp::Cmp(CmpOp::Ne)),
            Just(CompareOp::In)
        ],
        any::<bool>(),
        arithmetic(value.clone()),
    )
        .prop_map(|(left, op, case_insensitive, right)| (left, op, case_insensitive, right));
    let relational = (
        arithmetic(value.clone()),
        prop_oneof![
            Just(CompareOp::Cmp(CmpOp::Lt)),
            Just(CompareOp::Cmp(CmpOp::Le)),
            Just(CompareOp::Cmp(CmpOp::Gt)),
            Just(CompareOp::Cmp(CmpOp::Ge))
        ],
        arithmetic(value),
    )
        .prop_map(|(left, op, right)| (left, op, false, right));
    let string = (
        bare.clone(),
        prop_oneof![
            Just((CompareOp::Cmp(CmpOp::BeginsWith), true)),
            Just((CompareOp::Cmp(CmpOp::EndsWith), true)),
            Just((CompareOp::Cmp(CmpOp::Contains), true)),
            Just((CompareOp::Cmp(CmpOp::Like), true)),
            Just((CompareOp::Text, false)),
        ],
        any::<bool>(),
        bare.clone(),
    )
        .prop_map(|(left, (op, case_allowed), case, right)| {
            (left, op, case && case_allowed, right)
        });
    let between = (bare, list()).prop_map(|(left, list)| {
        (left, CompareOp::Between, false, expr(ExprKind::Value(Value::List(list))))
    });
    let geo_within = (
        (quantifier(), path(), post_op())
            .prop_map(|(quantifier, path, post)| Value::Path(PathValue { quantifier, path, post })),
        prop_oneof![
            geo().prop_map(Value::Geo),
            (0u32..1024)
                .prop_map(|index| Value::Constant(Constant::Argument { index, quantifier: None })),
        ],
    )
        .prop_map(|(left, right)| {
            (expr(ExprKind::Value(left)), CompareOp::GeoWithin, false, expr(ExprKind::Value(right)))
        });
    prop_oneof![4 => equality, 2 => relational, 2 => string, 1 => between, 1 => geo_within]
        .prop_map(|(left, op, case_insensitive, right)| Comparison {
            left,
            op,
            case_insensitive,
            right,
            loc: Loc::default(),
        })
}

fn predicate() -> impl Strategy<Value = Predicate> {
    let leaf = prop_oneof![
        1 => Just(pred(PredicateKind::True)),
        1 => Just(pred(PredicateKind::False)),
        6 => comparison(leaf_value().boxed())
            .prop_map(|c| pred(PredicateKind::Comparison(Box::new(c)))),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let subquery_value = (
            path(),
            "\\$[a-z]{1,3}",
            inner.clone(),
            prop_oneof![Just(SizeSpelling::Count), Just(SizeSpelling::Size)],
        )
            .prop_map(|(collection, variable, predicate, size)| {
                Value::Subquery(Box::new(Subquery { collection, variable, predicate, size }))
            });
        let value = prop_oneof![4 => leaf_value(), 1 => subquery_value].boxed();
        prop_oneof![
            2 => prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|ps| pred(PredicateKind::Or(ps))),
            2 => prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|ps| pred(PredicateKind::And(ps))),
            1 => inner.prop_map(|p| pred(PredicateKind::Not(Box::new(p)))),
            2 => comparison(value).prop_map(|c| pred(PredicateKind::Comparison(Box::new(c)))),
        ]
    })
}

fn post_clause() -> impl Strategy<Value = PostClause> {
    prop_oneof![
        prop::collection::vec(
            (sort_path(), any::<bool>()).prop_map(|(path, ascending)| SortKey { path, ascending }),
            1..3
        )
        .prop_map(PostClause::Sort),
        prop::collection::vec(sort_path(), 1..3).prop_map(PostClause::Distinct),
        (0u64..=i64::MAX as u64).prop_map(PostClause::Limit),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    (predicate(), prop::collection::vec(post_clause(), 0..3)).prop_map(|(predicate, post)| Query {
        predicate,
        post,
        loc: Loc::default(),
    })
}

/// Runs the property on a thread with a large stack: the nested strategy combinators that build
/// these trees need far more stack in unoptimised builds than the parser itself.
#[test]
fn printed_trees_parse_back_to_themselves() {
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(|| {
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(512));
        runner.run(&query(), |query| {
            let printed = query.to_string();
            match flexrules::parse(&printed) {
                Ok(parsed) => prop_assert_eq!(parsed, query, "printed as {}", printed),
                Err(e) => {
                    prop_assert!(false, "printed form does not parse:\n{}", e.render(&printed))
                }
            }
            Ok(())
        })
    });
    let outcome = worker.expect("spawn").join().expect("property thread");
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Fragments that random token soup is made of: keywords, operators, literals and names, some of
/// them the tokenization traps of the specification.
const FRAGMENTS: &[&str] = &[
    "a",
    "b.c",
    "in",
    "IN",
    "sort",
    "text",
    "NOT",
    "!",
    "AND",
    "&&",
    "or",
    "||",
    "==",
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    "=<",
    ">",
    ">=",
    "=>",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ".",
    "[c]",
    "1",
    "-1",
    "010",
    "0x1F",
    "1.5",
    ".5",
    "5f",
    "1e5",
    "-inf",
    "nan",
    "null",
    "true",
    "'x'",
    "\"y\\\"\"",
    "B64\"AA==\"",
    "T1:2",
    "T-1:-2",
    "2020-1-2@3:4:5",
    "O5",
    "L1:2",
    "$0",
    "$K1",
    "$x",
    "ANY",
    "ALL",
    "NONE",
    "BEGINSWITH",
    "CONTAINS",
    "LIKE",
    "BETWEEN",
    "GEOWITHIN",
    "geoBox([1, 2], [3, 4])",
    "SUBQUERY",
    "@count",
    "@size",
    "@max",
    "@links",
    "@keys",
    "@type",
    "[FIRST]",
    "[SIZE]",
    "[*]",
    "obj('C', 1)",
    "bin('z')",
    "oid(000000000000000000000000)",
    "TRUEPREDICATE",
    "FALSEPREDICATE",
    "SORT(a ASC)",
    "DISTINCT(a)",
    "LIMIT(1)",
    "a\\ b",
    "é",
];

/// Runs `property` over random token soup on a thread with a large stack.
#[test]
fn accepted_token_soup_round_trips_and_nothing_panics() {
    let worker = std::thread::Builder::new().stack_size(64 << 20).spawn(|| {
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(4096));
        let soup = prop::collection::vec(
            (prop::sample::select(FRAGMENTS), prop_oneof![Just(""), Just(" ")]),
            1..8,
        )
        .prop_map(|parts| parts.into_iter().map(|(t, s)| format!("{t}{s}")).collect::<String>());
        // Anchor most samples on a valid comparison so that some of them parse.
        let text = prop_oneof![
            soup.clone(),
            soup.clone().prop_map(|s| format!("a == 1 {s}")),
            soup.prop_map(|s| format!("{s} == 1")),
        ];
        let accepted = std::sync::atomic::AtomicUsize::new(0);
        let outcome = runner.run(&text, |text| {
            if let Ok(parsed) = flexrules::parse(&text) {
                accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let printed = parsed.to_string();
                match flexrules::parse(&printed) {
                    Ok(again) => {
                        prop_assert_eq!(again, parsed, "{:?} printed as {:?}", text, printed)
                    }
                    Err(e) => prop_assert!(false, "{:?} printed as\n{}", text, e.render(&printed)),
                }
            }
            Ok(())
        });
        (outcome, accepted.into_inner())
    });
    let (outcome, accepted) = worker.expect("spawn").join().expect("property thread");
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    // The property says nothing unless a fair share of the samples is valid RQL.
    assert!(accepted > 20, "only {accepted} samples parsed");
}
