//! Guards: necessary conditions of a session's view on one field, which the cross-session index
//! is keyed by.
//!
//! A session's view of a table is "some subscription matches, and the role may read". From each
//! side a set of guards is derived such that a document in the view satisfies at least one of
//! them; the index then only has to find the sessions with a satisfied guard, and the exact check
//! does the rest. A guard that is too weak costs time, never a wrong answer. What must hold is
//! the converse: whenever the exact check would say "in view", one of the session's guards holds.
//!
//! The keys follow the equality both IRs share on the kinds indexed here: a string equals only a
//! string with the same bytes, ints of both widths are one kind, a double equals an int only
//! when it holds that integer exactly, and booleans, ObjectIds and UUIDs equal only their own
//! kind. A document value whose equality with the keys is not captured by one key (arrays, which
//! MongoDB matches element by element; decimals; non-integral doubles; other kinds) is probed as
//! "any key"; a missing or null value equals no key (no null constant is ever indexed).

use bson::Bson;

use crate::value::ValueRef;

/// Doubles up to this magnitude convert to `i64` and back exactly.
const EXACT_DOUBLE: f64 = 9_007_199_254_740_992.0;

/// An indexable constant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Bool(bool),
    /// Ints of any width, and doubles holding an integer exactly.
    Num(i64),
    Str(Box<[u8]>),
    Oid([u8; 12]),
    Uuid([u8; 16]),
}

impl Key {
    /// The key of a MongoDB filter's constant, when it has one.
    pub(crate) fn of_bson(b: &Bson) -> Option<Key> {
        Some(match b {
            Bson::Boolean(v) => Key::Bool(*v),
            Bson::Int32(i) => Key::Num(i64::from(*i)),
            Bson::Int64(i) => Key::Num(*i),
            Bson::Double(d) => return integral(*d).map(Key::Num),
            Bson::String(s) => Key::Str(s.as_bytes().into()),
            Bson::ObjectId(o) => Key::Oid(o.bytes()),
            Bson::Binary(bin) if bin.subtype == bson::spec::BinarySubtype::Uuid => {
                Key::Uuid(bin.bytes.as_slice().try_into().ok()?)
            }
            _ => return None,
        })
    }
}

/// The integer an integral double holds, when it converts exactly.
pub(crate) fn integral(d: f64) -> Option<i64> {
    if d.fract() == 0.0 && d.abs() < EXACT_DOUBLE {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "an integral double below 2^53 converts exactly"
        )]
        return Some(d as i64);
    }
    None
}

/// What a document's value selects among equality keys.
#[derive(Debug)]
pub(crate) enum Probe {
    /// It equals no key.
    Nothing,
    /// Only this key can equal it.
    Key(Key),
    /// Any key might equal it.
    All,
}

/// Which equality keys a document value (`None`: the field is missing) can equal.
pub(crate) fn probe(value: Option<ValueRef<'_>>) -> Probe {
    let Some(v) = value else { return Probe::Nothing };
    match v {
        ValueRef::Null => Probe::Nothing,
        ValueRef::Bool(b) => Probe::Key(Key::Bool(b)),
        ValueRef::Int(i) => Probe::Key(Key::Num(i)),
        ValueRef::Double(d) => integral(d).map_or(Probe::All, |i| Probe::Key(Key::Num(i))),
        ValueRef::String(s) => Probe::Key(Key::Str(s.into())),
        ValueRef::ObjectId(o) => Probe::Key(Key::Oid(o)),
        ValueRef::Uuid(u) => Probe::Key(Key::Uuid(u)),
        _ => Probe::All,
    }
}

/// The number a document value stands for in a range guard; `None` when the value is not a
/// plain number (then every range guard on the field is a candidate).
pub(crate) fn number(value: Option<ValueRef<'_>>) -> Option<f64> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "rounding is monotonic and range guards are inclusive, so no match is lost"
    )]
    let x = match value? {
        ValueRef::Int(i) => i as f64,
        ValueRef::Double(d) => d,
        ValueRef::Float(f) => f64::from(f),
        _ => return None,
    };
    // -0.0 and 0.0 are one point of a range.
    (!x.is_nan()).then_some(x + 0.0)
}

/// A necessary condition on one top-level field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Guard {
    pub(crate) field: Box<str>,
    pub(crate) test: Test,
}

/// What the field's value must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    /// It equals one of these keys.
    Eq(Box<[Key]>),
    /// It is a number in `lo ..= hi` (either may be infinite; never NaN).
    Range { lo: f64, hi: f64 },
}

/// A set of guards of which a document in view satisfies at least one; `None` when nothing
/// narrower than "every document" is known. `Some(vec![])` is "no document".
pub(crate) type Guards = Option<Vec<Guard>>;

/// A range guard from an inclusive numeric bound pair; `None` for a NaN bound.
pub(crate) fn range(field: &str, lo: f64, hi: f64) -> Guards {
    if lo.is_nan() || hi.is_nan() {
        return None;
    }
    Some(vec![Guard { field: field.into(), test: Test::Range { lo: lo + 0.0, hi: hi + 0.0 } }])
}

/// An equality guard; `None` when some constant has no key.
pub(crate) fn equal(field: &str, keys: impl IntoIterator<Item = Option<Key>>) -> Guards {
    let keys: Option<Vec<Key>> = keys.into_iter().collect();
    let keys = keys?;
    if keys.is_empty() {
        return None;
    }
    Some(vec![Guard { field: field.into(), test: Test::Eq(keys.into()) }])
}

/// Guards of `a OR b`.
pub(crate) fn union(a: Guards, b: Guards) -> Guards {
    let mut a = a?;
    a.extend(b?);
    Some(a)
}

/// Guards of `a AND b`: either side's guards suffice; the cheaper is kept.
pub(crate) fn narrower(a: Guards, b: Guards) -> Guards {
    if cost(&b) < cost(&a) { b } else { a }
}

/// How many candidates a set of guards is expected to bring, relatively: an equality key is
/// cheapest, a range brings every session whose interval holds the value, no guard brings all.
fn cost(g: &Guards) -> u64 {
    match g {
        None => u64::MAX,
        Some(list) => list
            .iter()
            .map(|g| match &g.test {
                Test::Eq(keys) => u64::try_from(keys.len()).unwrap_or(u64::MAX),
                Test::Range { .. } => 16,
            })
            .fold(0, u64::saturating_add),
    }
}

/// `field` equals one of `keys`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OneOf {
    pub(crate) field: Box<str>,
    pub(crate) keys: Box<[Key]>,
}

/// A disjunction of [`OneOf`]s; `None` is "always".
pub(crate) type AnyOf = Option<Vec<OneOf>>;

/// A view that equality keys decide on their own: some subscription holds (`subscribed`) and the
/// role may read (`readable`), each side a disjunction of "field is one of these keys" (the
/// typical per-user subscription with a `{"ownerId": "%%user.id"}` read filter). For a document
/// whose values on those fields all probe to one key or to nothing, the view is decided without
/// evaluating anything; otherwise (arrays, decimals, …) the exact check runs as usual.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyedView {
    pub(crate) subscribed: AnyOf,
    pub(crate) readable: AnyOf,
}

/// `a OR b` of keyed conditions (`None` inside: not keyed; `Some(None)`: always).
pub(crate) fn any_of(a: Option<AnyOf>, b: Option<AnyOf>) -> Option<AnyOf> {
    Some(match (a?, b?) {
        (None, _) | (_, None) => None,
        (Some(mut x), Some(y)) => {
            x.extend(y);
            Some(x)
        }
    })
}

impl KeyedView {
    /// Whether `doc` is in the view, when its keys decide it.
    pub(crate) fn decide(&self, doc: &crate::document::DocRef<'_>) -> Option<bool> {
        Some(holds(&self.subscribed, doc)? && holds(&self.readable, doc)?)
    }
}

fn holds(any: &AnyOf, doc: &crate::document::DocRef<'_>) -> Option<bool> {
    let Some(list) = any else { return Some(true) };
    for one in list {
        match probe(doc.get(&one.field).ok()?) {
            Probe::Nothing => {}
            Probe::Key(k) => {
                if one.keys.contains(&k) {
                    return Some(true);
                }
            }
            Probe::All => return None,
        }
    }
    Some(false)
}
