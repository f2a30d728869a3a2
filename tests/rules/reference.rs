//! Property: a bound rule filter matches exactly the documents a deliberately simple MongoDB
//! matcher says it should, on generated filters and documents.
//!
//! The fragment: fields `a` and `b` holding absent, null, numbers (integers and doubles), strings,
//! booleans, or flat arrays of those; filters of implicit equality, `$eq`, `$ne`, `$gt`, `$gte`,
//! `$lt`, `$lte`, `$in`, `$nin`, `$exists`, `$and`, `$or` and `$nor`. The matcher states
//! MongoDB's rules for it directly: an array field matches when the field itself or any element
//! does; null in a condition matches null and absent fields; ordering compares only within a
//! type bracket (numbers by value, strings bytewise, `false < true`), and `$gte`/`$lte` with null
//! match what equality with null matches; `$ne` and `$nin` are the negations of `$eq` and `$in`.

use std::cmp::Ordering;

use bson::{Bson, Document};
use flexrules::app::App;
use flexrules::document::DocRef;
use flexrules::rules::{Bindings, RoleChoice, User};
use proptest::prelude::*;
use serde_json::{Value as Json, json};

/// A scalar value of the fragment.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    Int(i64),
    Double(f64),
    Str(&'static str),
    Bool(bool),
}

impl V {
    fn json(&self) -> Json {
        match self {
            V::Null => Json::Null,
            V::Int(i) => json!(i),
            V::Double(d) => json!({"$numberDouble": d.to_string()}),
            V::Str(s) => json!(s),
            V::Bool(b) => json!(b),
        }
    }

    fn bson(&self) -> Bson {
        match self {
            V::Null => Bson::Null,
            V::Int(i) => Bson::Int64(*i),
            V::Double(d) => Bson::Double(*d),
            V::Str(s) => Bson::String((*s).to_owned()),
            V::Bool(b) => Bson::Boolean(*b),
        }
    }

    /// The order of two values of one type bracket; `None` across brackets or with null.
    fn order(&self, other: &V) -> Option<Ordering> {
        let num = |v: &V| match v {
            V::Int(i) => Some(*i as f64),
            V::Double(d) => Some(*d),
            _ => None,
        };
        match (self, other) {
            (V::Str(a), V::Str(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (V::Bool(a), V::Bool(b)) => Some(a.cmp(b)),
            _ => num(self)?.partial_cmp(&num(other)?),
        }
    }
}

/// A field's content in a document.
#[derive(Debug, Clone)]
enum Field {
    Absent,
    Scalar(V),
    Array(Vec<V>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Gt => "$gt",
            Op::Gte => "$gte",
            Op::Lt => "$lt",
            Op::Lte => "$lte",
        }
    }

    fn holds(self, o: Ordering) -> bool {
        match self {
            Op::Gt => o == Ordering::Greater,
            Op::Gte => o != Ordering::Less,
            Op::Lt => o == Ordering::Less,
            Op::Lte => o != Ordering::Greater,
        }
    }
}

#[derive(Debug, Clone)]
enum Cond {
    Implicit(V),
    Eq(V),
    Ne(V),
    Cmp(Op, V),
    In(Vec<V>),
    Nin(Vec<V>),
    Exists(bool),
}

#[derive(Debug, Clone)]
enum F {
    Field(&'static str, Cond),
    And(Vec<F>),
    Or(Vec<F>),
    Nor(Vec<F>),
}

fn list(vs: &[V]) -> Json {
    Json::Array(vs.iter().map(V::json).collect())
}

fn to_json(f: &F) -> Json {
    match f {
        F::Field(name, c) => {
            let c = match c {
                Cond::Implicit(v) => v.json(),
                Cond::Eq(v) => json!({"$eq": v.json()}),
                Cond::Ne(v) => json!({"$ne": v.json()}),
                Cond::Cmp(op, v) => json!({ op.name(): v.json() }),
                Cond::In(vs) => json!({"$in": list(vs)}),
                Cond::Nin(vs) => json!({"$nin": list(vs)}),
                Cond::Exists(b) => json!({"$exists": b}),
            };
            json!({ *name: c })
        }
        F::And(fs) => json!({"$and": fs.iter().map(to_json).collect::<Vec<_>>()}),
        F::Or(fs) => json!({"$or": fs.iter().map(to_json).collect::<Vec<_>>()}),
        F::Nor(fs) => json!({"$nor": fs.iter().map(to_json).collect::<Vec<_>>()}),
    }
}

/// The field, or any element of it when it is an array, satisfies `test`.
fn any_value(field: &Field, test: impl Fn(&V) -> bool) -> bool {
    match field {
        Field::Absent => false,
        Field::Scalar(v) => test(v),
        Field::Array(items) => items.iter().any(test),
    }
}

fn equals(field: &Field, v: &V) -> bool {
    if *v == V::Null {
        return matches!(field, Field::Absent | Field::Scalar(V::Null))
            || any_value(field, |x| *x == V::Null);
    }
    any_value(field, |x| x.order(v) == Some(Ordering::Equal))
}

fn holds(c: &Cond, field: &Field) -> bool {
    match c {
        Cond::Implicit(v) | Cond::Eq(v) => equals(field, v),
        Cond::Ne(v) => !equals(field, v),
        Cond::Cmp(op, V::Null) => matches!(op, Op::Gte | Op::Lte) && equals(field, &V::Null),
        Cond::Cmp(op, v) => any_value(field, |x| x.order(v).is_some_and(|o| op.holds(o))),
        Cond::In(vs) => vs.iter().any(|v| equals(field, v)),
        Cond::Nin(vs) => !vs.iter().any(|v| equals(field, v)),
        Cond::Exists(b) => !matches!(field, Field::Absent) == *b,
    }
}

fn eval(f: &F, a: &Field, b: &Field) -> bool {
    match f {
        F::Field(name, c) => holds(c, if *name == "a" { a } else { b }),
        F::And(fs) => fs.iter().all(|f| eval(f, a, b)),
        F::Or(fs) => fs.iter().any(|f| eval(f, a, b)),
        F::Nor(fs) => !fs.iter().any(|f| eval(f, a, b)),
    }
}

fn value() -> impl Strategy<Value = V> {
    prop_oneof![
        Just(V::Null),
        (-2i64..3).prop_map(V::Int),
        prop_oneof![Just(0.5), Just(1.0), Just(-2.0)].prop_map(V::Double),
        prop_oneof![Just("x"), Just("y"), Just(""), Just("X")].prop_map(V::Str),
        any::<bool>().prop_map(V::Bool),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        Just(Field::Absent),
        value().prop_map(Field::Scalar),
        prop::collection::vec(value(), 0..4).prop_map(Field::Array),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Gt), Just(Op::Gte), Just(Op::Lt), Just(Op::Lte)]
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        value().prop_map(Cond::Implicit),
        value().prop_map(Cond::Eq),
        value().prop_map(Cond::Ne),
        (op(), value()).prop_map(|(o, v)| Cond::Cmp(o, v)),
        prop::collection::vec(value(), 0..4).prop_map(Cond::In),
        prop::collection::vec(value(), 0..4).prop_map(Cond::Nin),
        any::<bool>().prop_map(Cond::Exists),
    ]
}

fn filter() -> impl Strategy<Value = F> {
    let leaf = (prop_oneof![Just("a"), Just("b")], cond()).prop_map(|(n, c)| F::Field(n, c));
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(F::And),
            prop::collection::vec(inner.clone(), 1..4).prop_map(F::Or),
            prop::collection::vec(inner, 1..4).prop_map(F::Nor),
        ]
    })
}

fn document(a: &Field, b: &Field) -> Document {
    let mut d = Document::new();
    for (name, f) in [("a", a), ("b", b)] {
        match f {
            Field::Absent => {}
            Field::Scalar(v) => {
                d.insert(name, v.bson());
            }
            Field::Array(items) => {
                d.insert(name, Bson::Array(items.iter().map(V::bson).collect()));
            }
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn bound_filters_match_as_the_reference_matcher_says(
        f in filter(),
        docs in prop::collection::vec((field(), field()), 1..6),
    ) {
        let filter_json = to_json(&f);
        let roles = json!({"roles": [{
            "name": "r", "document_filters": {"read": filter_json, "write": false},
        }]});
        let app = App::builder()
            .json("data_sources/mongodb-atlas/default_rule.json", roles)
            .file("sync/config.json", r#"{"queryable_fields_names": ["a", "b"]}"#)
            .build()
            .unwrap();
        prop_assert!(app.problems().is_empty(), "{:?}", app.problems());
        let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(User::new("u1"))) else {
            return Err(TestCaseError::fail("the role applies"));
        };
        for (a, b) in &docs {
            let d = document(a, b);
            let got = role.read_filter().matches(&DocRef::decoded(&d)).unwrap();
            prop_assert_eq!(got, eval(&f, a, b), "{} on {}", filter_json, d);
        }
    }
}
