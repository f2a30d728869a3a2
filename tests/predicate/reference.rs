//! Property: compiled evaluation agrees with a deliberately simple interpreter of a restricted
//! query fragment, on generated documents.
//!
//! The fragment covers scalars of four types, lists of nullable integers and strings, null,
//! AND/OR/NOT, the six comparisons, `IN` lists, the quantifiers, `@count`, and the string
//! operators with and without `[c]`. The interpreter below states realm-core's rules for it
//! directly (a null or absent value equals only null and is ordered only against null; a list
//! without a quantifier means ANY; ALL and NONE hold for an empty list; numbers compare by value
//! across integer and double), with ASCII-only strings so that case folding is ASCII folding.
//! Patterns are never empty, which keeps null text (it matches no non-empty pattern) simple.

use std::cmp::Ordering;

use bson::{Bson, Document};
use flexrules::schema::Table;
use flexrules::{Limits, compile, parse};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Int(i64),
    Double(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Double(d) => d,
        }
    }

    fn text(self) -> String {
        match self {
            Num::Int(i) => i.to_string(),
            Num::Double(d) => format!("{d:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn text(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }

    /// The comparison of two present values.
    fn holds(self, o: Ordering) -> bool {
        match self {
            Cmp::Eq => o == Ordering::Equal,
            Cmp::Ne => o != Ordering::Equal,
            Cmp::Lt => o == Ordering::Less,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
        }
    }

    /// The comparison when at least one side is null: null equals only null, and is ordered
    /// only against null (`null <= null` and `null >= null` hold, as in realm-core).
    fn with_null(self, both_null: bool) -> bool {
        match self {
            Cmp::Eq | Cmp::Le | Cmp::Ge => both_null,
            Cmp::Ne => !both_null,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StrOp {
    Eq,
    Ne,
    Begins,
    Ends,
    Contains,
    Like,
}

impl StrOp {
    fn text(self) -> &'static str {
        match self {
            StrOp::Eq => "==",
            StrOp::Ne => "!=",
            StrOp::Begins => "BEGINSWITH",
            StrOp::Ends => "ENDSWITH",
            StrOp::Contains => "CONTAINS",
            StrOp::Like => "LIKE",
        }
    }

    fn holds(self, text: Option<&str>, pattern: &str, ci: bool) -> bool {
        let Some(text) = text else {
            // Null text: unequal to every (non-null, non-empty) pattern and matched by none.
            return self == StrOp::Ne;
        };
        let fold = |s: &str| if ci { s.to_ascii_lowercase() } else { s.to_owned() };
        let (t, p) = (fold(text), fold(pattern));
        match self {
            StrOp::Eq => t == p,
            StrOp::Ne => t != p,
            StrOp::Begins => t.starts_with(&p),
            StrOp::Ends => t.ends_with(&p),
            StrOp::Contains => t.contains(&p),
            StrOp::Like => like(t.as_bytes(), p.as_bytes()),
        }
    }
}

/// Glob matching by plain recursion (inputs are tiny): `*` any run, `?` one character, with
/// realm-core's end-of-text rule: once the text is used up, only an empty pattern or a single
/// `*` matches what is left (so `'' LIKE '**'` is false).
fn like(t: &[u8], p: &[u8]) -> bool {
    if t.is_empty() {
        return p.is_empty() || p == b"*";
    }
    match p.split_first() {
        None => false,
        Some((b'*', rest)) => like(t, rest) || like(&t[1..], p),
        Some((b'?', rest)) => !t.is_empty() && like(&t[1..], rest),
        Some((c, rest)) => t.first() == Some(c) && like(&t[1..], rest),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Quant {
    None,
    Any,
    All,
    NoneOf,
}

impl Quant {
    fn text(self) -> &'static str {
        match self {
            Quant::None => "",
            Quant::Any => "ANY ",
            Quant::All => "ALL ",
            Quant::NoneOf => "NONE ",
        }
    }

    fn over<T>(self, items: &[T], f: impl Fn(&T) -> bool) -> bool {
        match self {
            Quant::None | Quant::Any => items.iter().any(f),
            Quant::All => items.iter().all(f),
            Quant::NoneOf => !items.iter().any(f),
        }
    }
}

/// The query fragment.
#[derive(Debug, Clone)]
enum Q {
    True,
    False,
    Not(Box<Q>),
    And(Vec<Q>),
    Or(Vec<Q>),
    /// `age` or `score` against a number or null.
    Number {
        field: &'static str,
        op: Cmp,
        value: Option<Num>,
    },
    /// `age IN {…}`.
    In {
        values: Vec<Option<i64>>,
    },
    /// `flag == b` / `flag != b`.
    Flag {
        eq: bool,
        value: Option<bool>,
    },
    /// `name op[c] 'pattern'`.
    Name {
        op: StrOp,
        ci: bool,
        pattern: String,
    },
    /// `Q nums op n`.
    Nums {
        q: Quant,
        op: Cmp,
        value: Option<i64>,
    },
    /// `Q tags op[c] 'pattern'`.
    Tags {
        q: Quant,
        op: StrOp,
        ci: bool,
        pattern: String,
    },
    /// `nums.@count op n` / `tags.@count op n`.
    Count {
        field: &'static str,
        op: Cmp,
        value: i64,
    },
}

/// A generated object of the `Thing` schema (absent fields are `None`).
#[derive(Debug, Clone)]
struct Obj {
    age: Option<i64>,
    score: Option<f64>,
    name: Option<String>,
    flag: Option<bool>,
    nums: Vec<Option<i64>>,
    tags: Vec<Option<String>>,
    /// Whether null scalars are written as explicit nulls (true) or left out.
    explicit_nulls: bool,
}

impl Obj {
    fn document(&self) -> Document {
        let mut d = Document::new();
        d.insert("_id", 1_i64);
        let mut put = |k: &str, v: Option<Bson>| match v {
            Some(v) => {
                d.insert(k, v);
            }
            None if self.explicit_nulls => {
                d.insert(k, Bson::Null);
            }
            None => {}
        };
        put("age", self.age.map(Bson::Int64));
        put("score", self.score.map(Bson::Double));
        put("name", self.name.clone().map(Bson::String));
        put("flag", self.flag.map(Bson::Boolean));
        let nums = self.nums.iter().map(|n| n.map_or(Bson::Null, Bson::Int64)).collect();
        put("nums", (!self.nums.is_empty() || self.explicit_nulls).then_some(Bson::Array(nums)));
        let tags = self.tags.iter().map(|t| t.clone().map_or(Bson::Null, Bson::String)).collect();
        put("tags", (!self.tags.is_empty() || self.explicit_nulls).then_some(Bson::Array(tags)));
        d
    }
}

fn compare_nums(a: Option<Num>, op: Cmp, b: Option<Num>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.as_f64().partial_cmp(&b.as_f64()).is_some_and(|o| op.holds(o)),
        (a, b) => op.with_null(a.is_none() && b.is_none()),
    }
}

fn eval(q: &Q, o: &Obj) -> bool {
    match q {
        Q::True => true,
        Q::False => false,
        Q::Not(q) => !eval(q, o),
        Q::And(qs) => qs.iter().all(|q| eval(q, o)),
        Q::Or(qs) => qs.iter().any(|q| eval(q, o)),
        Q::Number { field, op, value } => {
            let left = if *field == "age" { o.age.map(Num::Int) } else { o.score.map(Num::Double) };
            compare_nums(left, *op, *value)
        }
        Q::In { values } => {
            values.iter().any(|v| compare_nums(o.age.map(Num::Int), Cmp::Eq, v.map(Num::Int)))
        }
        Q::Flag { eq, value } => (o.flag == *value) == *eq,
        Q::Name { op, ci, pattern } => op.holds(o.name.as_deref(), pattern, *ci),
        Q::Nums { q, op, value } => {
            q.over(&o.nums, |n| compare_nums(n.map(Num::Int), *op, value.map(Num::Int)))
        }
        Q::Tags { q, op, ci, pattern } => q.over(&o.tags, |t| op.holds(t.as_deref(), pattern, *ci)),
        Q::Count { field, op, value } => {
            let n = if *field == "nums" { o.nums.len() } else { o.tags.len() };
            op.holds((n as i64).cmp(value))
        }
    }
}

fn render(q: &Q) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "null".to_owned());
    let ci = |c: bool| if c { "[c]" } else { "" };
    match q {
        Q::True => "TRUEPREDICATE".to_owned(),
        Q::False => "FALSEPREDICATE".to_owned(),
        Q::Not(q) => format!("NOT ({})", render(q)),
        Q::And(qs) => format!("({})", qs.iter().map(render).collect::<Vec<_>>().join(" AND ")),
        Q::Or(qs) => format!("({})", qs.iter().map(render).collect::<Vec<_>>().join(" OR ")),
        Q::Number { field, op, value } => {
            format!("{field} {} {}", op.text(), opt(value.map(Num::text)))
        }
        Q::In { values } => {
            let items: Vec<String> = values.iter().map(|v| opt(v.map(|i| i.to_string()))).collect();
            format!("age IN {{{}}}", items.join(", "))
        }
        Q::Flag { eq, value } => {
            format!("flag {} {}", if *eq { "==" } else { "!=" }, opt(value.map(|b| b.to_string())))
        }
        Q::Name { op, ci: c, pattern } => format!("name {}{} '{pattern}'", op.text(), ci(*c)),
        Q::Nums { q, op, value } => {
            format!("{}nums {} {}", q.text(), op.text(), opt(value.map(|i| i.to_string())))
        }
        Q::Tags { q, op, ci: c, pattern } => {
            format!("{}tags {}{} '{pattern}'", q.text(), op.text(), ci(*c))
        }
        Q::Count { field, op, value } => format!("{field}.@count {} {value}", op.text()),
    }
}

fn cmp() -> impl Strategy<Value = Cmp> {
    prop_oneof![
        Just(Cmp::Eq),
        Just(Cmp::Ne),
        Just(Cmp::Lt),
        Just(Cmp::Le),
        Just(Cmp::Gt),
        Just(Cmp::Ge)
    ]
}

fn str_op() -> impl Strategy<Value = StrOp> {
    prop_oneof![
        Just(StrOp::Eq),
        Just(StrOp::Ne),
        Just(StrOp::Begins),
        Just(StrOp::Ends),
        Just(StrOp::Contains),
        Just(StrOp::Like)
    ]
}

fn quant() -> impl Strategy<Value = Quant> {
    prop_oneof![Just(Quant::None), Just(Quant::Any), Just(Quant::All), Just(Quant::NoneOf)]
}

fn num() -> impl Strategy<Value = Num> {
    prop_oneof![
        (-3i64..4).prop_map(Num::Int),
        prop_oneof![Just(-1.5), Just(0.0), Just(0.5), Just(2.0), Just(1e300)].prop_map(Num::Double),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[aAbB]{{0,{max}}}")).unwrap()
}

fn pattern() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[aAbB*?]{1,4}").unwrap()
}

fn leaf() -> impl Strategy<Value = Q> {
    prop_oneof![
        Just(Q::True),
        Just(Q::False),
        (prop_oneof![Just("age"), Just("score")], cmp(), proptest::option::weighted(0.85, num()))
            .prop_map(|(field, op, value)| Q::Number { field, op, value }),
        prop::collection::vec(proptest::option::weighted(0.8, -3i64..4), 0..4)
            .prop_map(|values| Q::In { values }),
        (any::<bool>(), proptest::option::of(any::<bool>()))
            .prop_map(|(eq, value)| Q::Flag { eq, value }),
        (str_op(), any::<bool>(), pattern()).prop_map(|(op, ci, pattern)| Q::Name {
            op,
            ci,
            pattern
        }),
        (quant(), cmp(), proptest::option::weighted(0.85, -3i64..4))
            .prop_map(|(q, op, value)| Q::Nums { q, op, value }),
        (quant(), str_op(), any::<bool>(), pattern()).prop_map(|(q, op, ci, pattern)| Q::Tags {
            q,
            op,
            ci,
            pattern
        }),
        (prop_oneof![Just("nums"), Just("tags")], cmp(), 0i64..4)
            .prop_map(|(field, op, value)| Q::Count { field, op, value }),
    ]
}

fn query() -> impl Strategy<Value = Q> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|q| Q::Not(Box::new(q))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Q::And),
            prop::collection::vec(inner, 2..4).prop_map(Q::Or),
        ]
    })
}

fn object() -> impl Strategy<Value = Obj> {
    (
        proptest::option::of(-3i64..4),
        proptest::option::of(prop_oneof![Just(-1.5), Just(0.0), Just(0.5), Just(2.0), Just(3.0)]),
        proptest::option::of(text(3)),
        proptest::option::of(any::<bool>()),
        prop::collection::vec(proptest::option::weighted(0.8, -3i64..4), 0..4),
        prop::collection::vec(proptest::option::weighted(0.8, text(3)), 0..4),
        any::<bool>(),
    )
        .prop_map(|(age, score, name, flag, nums, tags, explicit_nulls)| Obj {
            age,
            score,
            name,
            flag,
            nums,
            tags,
            explicit_nulls,
        })
}

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        Table::from_json_str(&std::fs::read_to_string("fixtures/eval/thing.schema.json").unwrap())
            .unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn compiled_evaluation_equals_the_reference_interpreter(
        q in query(),
        objects in prop::collection::vec(object(), 1..6),
    ) {
        let text = render(&q);
        let ast = parse(&text).map_err(|e| TestCaseError::fail(format!("`{text}`: {e}")))?;
        let compiled = compile(&ast, table(), &[], &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("`{text}`: {e}")))?;
        for o in &objects {
            let d = o.document();
            prop_assert_eq!(compiled.predicate().matches(&d), eval(&q, o), "`{}` on {}", text, d);
        }
    }
}
