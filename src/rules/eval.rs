//! Evaluating bound filters with MongoDB's matching semantics.
//!
//! App Services rules are MongoDB query filters, and MongoDB matches differently from RQL:
//! - **Missing vs null**: `{f: null}` matches a null `f`, a missing `f`, and an array holding
//!   null; `$exists` tells missing from null; `$ne`, `$nin` and `$not` are negations of their
//!   positive forms, so they match documents that lack the field.
//! - **Arrays**: equality, `$in`, `$all` and the ordering operators match an array when the whole
//!   array matches or when one of its elements does (`{"collaborators": "u1"}` matches
//!   `["u0", "u1"]`); a dotted path descends into every embedded document of an array.
//! - **Type brackets**: values compare only within MongoDB's brackets (numbers, strings,
//!   documents, arrays, binary data, ObjectIds, booleans, dates, …); `{f: {$gt: 1}}` never matches
//!   a string. Numbers compare by value across int32, int64, double and decimal128.
//! - `$gte: null` and `$lte: null` behave like `$eq: null`; `$gt: null` and `$lt: null` match
//!   nothing. `$all: []` matches nothing.
//! - NaN equals NaN (any NaN) and is neither less nor greater than any other number, so only
//!   `$eq`, `$gte` and `$lte` with a NaN operand match it.
//!
//! Filters read from BSON ([`Filter::from_document`]) may also use `$regex` (with `$options`),
//! `$elemMatch` with operator conditions (one element satisfies all of them) and `$size` (an
//! array of exactly that length); none of them matches a missing field.
//!
//! Divergences, all in corners Sync filters cannot reach (they read top-level scalar fields):
//! ordering operators between two arrays or two documents compare element by element but
//! ignore MongoDB's type-first rule for mixed-type elements; a decimal128 compares with a double
//! after the double is converted to 15 significant digits (realm-core's conversion, shared with
//! RQL); BSON types outside the list above (regex, timestamp, code, min/max key) only equal
//! themselves by type.
//!
//! Evaluation never allocates and recurses no deeper than the filter's own nesting and the
//! length of its field paths, both bounded when the rule was lowered. Nested arrays and documents
//! are compared to [`crate::Limits::max_document_depth`] levels (deeper ones do not compare). A malformed raw document is reported, never guessed about.

use std::cmp::Ordering;

use bson::Bson;

use super::bind::Filter;
use super::expr::Pattern;
use crate::document::{DocRef, DocumentError};
use crate::value::{CmpOp, ValueRef, numeric::compare_total};

/// A node of a bound filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Const(bool),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Nor(Box<[Node]>),
    /// Conditions on `fields[field]` followed by `rest` (the remaining path segments).
    Field {
        field: usize,
        rest: Box<[Box<str>]>,
        conds: Box<[Cond]>,
    },
}

/// A bound operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Eq(Bson),
    Ne(Bson),
    Cmp(CmpOp, Bson),
    In(Box<[Bson]>),
    Nin(Box<[Bson]>),
    All(Box<[Bson]>),
    Exists(bool),
    Not(Box<[Cond]>),
    Regex(Pattern),
    ElemMatch(Box<[Cond]>),
    Size(u64),
    /// A condition whose operand did not resolve: matches nothing (see [`super::bind`]).
    Never,
}

type Res = Result<bool, DocumentError>;

/// Where field values come from.
#[derive(Clone, Copy)]
enum Source<'s, 'a> {
    Slots(&'s [Option<ValueRef<'a>>]),
    Doc(&'s DocRef<'a>),
}

impl Filter {
    /// Whether `doc` matches. Each field is looked up where the filter reads it; to read many
    /// filters' fields in one pass, use [`Filter::matches_slots`].
    pub fn matches(&self, doc: &DocRef<'_>) -> Result<bool, DocumentError> {
        self.node(&self.root, Source::Doc(doc))
    }

    /// Whether the document whose top-level fields were read into `slots` matches: slot
    /// `i` holds the value of field `fields()[i]` (or of the field rebased to `i`), `None` when
    /// the document lacks it. A slot array that is too short reads as missing fields.
    pub fn matches_slots(&self, slots: &[Option<ValueRef<'_>>]) -> Result<bool, DocumentError> {
        self.node(&self.root, Source::Slots(slots))
    }

    /// Whether `doc` satisfies one node of this filter (for explanations).
    pub(crate) fn node_matches(&self, node: &Node, doc: &DocRef<'_>) -> Res {
        self.node(node, Source::Doc(doc))
    }

    fn node(&self, node: &Node, src: Source<'_, '_>) -> Res {
        match node {
            Node::Const(b) => Ok(*b),
            Node::And(list) => {
                for n in list.iter() {
                    if !self.node(n, src)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Node::Or(list) | Node::Nor(list) => {
                let nor = matches!(node, Node::Nor(_));
                for n in list.iter() {
                    if self.node(n, src)? {
                        return Ok(!nor);
                    }
                }
                Ok(nor)
            }
            Node::Field { field, rest, conds } => {
                let value = match src {
                    Source::Slots(slots) => {
                        self.slots.get(*field).and_then(|i| slots.get(*i)).copied().flatten()
                    }
                    Source::Doc(doc) => match self.fields.get(*field) {
                        Some(name) => doc.get(name)?,
                        None => None,
                    },
                };
                for cond in conds.iter() {
                    if !cond_at(value, rest, cond, self.value_depth)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
        }
    }
}

/// Evaluates conditions on a constant (a key expansion's value at bind time; `None` when it did
/// not resolve, which reads as a missing field).
pub(crate) fn eval_conds(value: Option<&Bson>, conds: &[Cond], depth: u32) -> bool {
    let value = value.map(ValueRef::from_bson);
    conds.iter().all(|c| cond_at(value, &[], c, depth).unwrap_or(false))
}

/// One condition on the value at `rest` below `value`.
fn cond_at(value: Option<ValueRef<'_>>, rest: &[Box<str>], cond: &Cond, depth: u32) -> Res {
    Ok(match cond {
        Cond::Never => false,
        Cond::Ne(c) => !positive_at(value, rest, &Positive::Eq(c), depth)?,
        Cond::Nin(list) => !positive_at(value, rest, &Positive::In(list), depth)?,
        Cond::Exists(false) => !positive_at(value, rest, &Positive::Exists, depth)?,
        Cond::Not(inner) => {
            let mut all = true;
            for c in inner.iter() {
                if !cond_at(value, rest, c, depth)? {
                    all = false;
                    break;
                }
            }
            !all
        }
        Cond::Eq(c) => positive_at(value, rest, &Positive::Eq(c), depth)?,
        Cond::Cmp(op, c) => positive_at(value, rest, &Positive::Cmp(*op, c), depth)?,
        Cond::In(list) => positive_at(value, rest, &Positive::In(list), depth)?,
        Cond::All(list) => positive_at(value, rest, &Positive::All(list), depth)?,
        Cond::Exists(true) => positive_at(value, rest, &Positive::Exists, depth)?,
        Cond::Regex(p) => positive_at(value, rest, &Positive::Regex(p), depth)?,
        Cond::ElemMatch(inner) => positive_at(value, rest, &Positive::ElemMatch(inner), depth)?,
        Cond::Size(n) => positive_at(value, rest, &Positive::Size(*n), depth)?,
    })
}

/// The conditions that hold when some value reached along the path satisfies them.
enum Positive<'c> {
    Eq(&'c Bson),
    Cmp(CmpOp, &'c Bson),
    In(&'c [Bson]),
    All(&'c [Bson]),
    Exists,
    Regex(&'c Pattern),
    ElemMatch(&'c [Cond]),
    Size(u64),
}

fn positive_at(
    value: Option<ValueRef<'_>>,
    rest: &[Box<str>],
    p: &Positive<'_>,
    depth: u32,
) -> Res {
    let Some((key, tail)) = rest.split_first() else {
        return test(value, p, depth);
    };
    match value {
        Some(ValueRef::Document(d)) => positive_at(d.get(key)?, tail, p, depth),
        Some(ValueRef::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && let Some(element) = items.get(index)?
                && positive_at(Some(element), tail, p, depth)?
            {
                return Ok(true);
            }
            for element in items.iter() {
                if let ValueRef::Document(d) = element?
                    && positive_at(d.get(key)?, tail, p, depth)?
                {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => positive_at(None, tail, p, depth),
    }
}

fn test(value: Option<ValueRef<'_>>, p: &Positive<'_>, depth: u32) -> Res {
    match p {
        Positive::Exists => Ok(value.is_some()),
        Positive::Regex(p) => match value {
            Some(ValueRef::String(s)) => Ok(p.regex.is_match(s)),
            Some(ValueRef::Array(items)) => {
                for element in items.iter() {
                    if let ValueRef::String(s) = element?
                        && p.regex.is_match(s)
                    {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Ok(false),
        },
        Positive::ElemMatch(conds) => {
            let Some(ValueRef::Array(items)) = value else { return Ok(false) };
            // Each level of array counts against the document depth, as comparisons do.
            let Some(depth) = depth.checked_sub(1) else { return Ok(false) };
            for element in items.iter() {
                let element = Some(element?);
                let mut all = true;
                for c in conds.iter() {
                    if !cond_at(element, &[], c, depth)? {
                        all = false;
                        break;
                    }
                }
                if all {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Positive::Size(n) => {
            let Some(ValueRef::Array(items)) = value else { return Ok(false) };
            let mut len: u64 = 0;
            for element in items.iter() {
                element?;
                len = len.saturating_add(1);
            }
            Ok(len == *n)
        }
        Positive::Eq(c) => eq_match(value, c, depth),
        Positive::In(list) => {
            for c in list.iter() {
                if eq_match(value, c, depth)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Positive::All(list) => {
            if list.is_empty() {
                return Ok(false);
            }
            for c in list.iter() {
                if !eq_match(value, c, depth)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Positive::Cmp(op, c) => {
            if matches!(c, Bson::Null | Bson::Undefined) {
                return match op {
                    CmpOp::Ge | CmpOp::Le => eq_match(value, c, depth),
                    _ => Ok(false),
                };
            }
            let Some(v) = value else { return Ok(false) };
            let c = ValueRef::from_bson(c);
            let holds = |o: Option<Ordering>| match (op, o) {
                (_, None) => false,
                (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
                (CmpOp::Ge, Some(o)) => o != Ordering::Less,
                (CmpOp::Lt, Some(o)) => o == Ordering::Less,
                (CmpOp::Le, Some(o)) => o != Ordering::Greater,
                // Lowering produces only the four ordering operators.
                (_, Some(_)) => false,
            };
            if holds(compare(v, c, depth)?) {
                return Ok(true);
            }
            if let ValueRef::Array(items) = v {
                for element in items.iter() {
                    if holds(compare(element?, c, depth)?) {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
    }
}

/// MongoDB equality of a (possibly missing) field value with a constant.
fn eq_match(value: Option<ValueRef<'_>>, c: &Bson, depth: u32) -> Res {
    if matches!(c, Bson::Null | Bson::Undefined) {
        return match value {
            None | Some(ValueRef::Null) => Ok(true),
            Some(ValueRef::Array(items)) => {
                for element in items.iter() {
                    if matches!(element?, ValueRef::Null) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Some(_) => Ok(false),
        };
    }
    let Some(v) = value else { return Ok(false) };
    let c = ValueRef::from_bson(c);
    if compare(v, c, depth)? == Some(Ordering::Equal) {
        return Ok(true);
    }
    if let ValueRef::Array(items) = v {
        for element in items.iter() {
            if compare(element?, c, depth)? == Some(Ordering::Equal) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// MongoDB's type brackets: values in different brackets never compare.
fn bracket(v: &ValueRef<'_>) -> u16 {
    match v {
        ValueRef::Null => 1,
        ValueRef::Int(_) | ValueRef::Float(_) | ValueRef::Double(_) | ValueRef::Decimal(_) => 2,
        ValueRef::String(_) => 3,
        ValueRef::Document(_) => 4,
        ValueRef::Array(_) => 5,
        ValueRef::Binary { .. } | ValueRef::Uuid(_) => 6,
        ValueRef::ObjectId(_) => 7,
        ValueRef::Bool(_) => 8,
        ValueRef::Timestamp(_) => 9,
        // Only queries produce these; no BSON value is in their brackets.
        ValueRef::Link => 10,
        ValueRef::Type(_) => 11,
        ValueRef::Other(t) => 100 + u16::from(*t),
    }
}

/// Binary data as MongoDB orders it: length, then subtype, then bytes.
fn binary_key<'v>(v: &'v ValueRef<'_>) -> Option<(usize, u8, &'v [u8])> {
    match *v {
        ValueRef::Binary { subtype, bytes } => Some((bytes.len(), subtype, bytes)),
        ValueRef::Uuid(ref u) => Some((16, 4, u.as_slice())),
        _ => None,
    }
}

/// Compares two values within their type bracket; `None` when they are in different brackets or
/// cannot be ordered.
fn compare(
    a: ValueRef<'_>,
    b: ValueRef<'_>,
    depth: u32,
) -> Result<Option<Ordering>, DocumentError> {
    if bracket(&a) != bracket(&b) {
        return Ok(None);
    }
    Ok(match (a, b) {
        (ValueRef::Null, ValueRef::Null) => Some(Ordering::Equal),
        (ValueRef::String(x), ValueRef::String(y)) => Some(x.cmp(y)),
        (ValueRef::ObjectId(x), ValueRef::ObjectId(y)) => Some(x.cmp(&y)),
        (ValueRef::Bool(x), ValueRef::Bool(y)) => Some(x.cmp(&y)),
        (ValueRef::Timestamp(x), ValueRef::Timestamp(y)) => Some(x.cmp(&y)),
        (ValueRef::Array(x), ValueRef::Array(y)) => {
            let Some(depth) = depth.checked_sub(1) else { return Ok(None) };
            let (mut ix, mut iy) = (x.iter(), y.iter());
            loop {
                match (ix.next().transpose()?, iy.next().transpose()?) {
                    (None, None) => break Some(Ordering::Equal),
                    (None, Some(_)) => break Some(Ordering::Less),
                    (Some(_), None) => break Some(Ordering::Greater),
                    (Some(p), Some(q)) => match compare(p, q, depth)? {
                        Some(Ordering::Equal) => {}
                        other => break other,
                    },
                }
            }
        }
        (ValueRef::Document(x), ValueRef::Document(y)) => {
            let Some(depth) = depth.checked_sub(1) else { return Ok(None) };
            let (mut ix, mut iy) = (x.iter(), y.iter());
            loop {
                match (ix.next().transpose()?, iy.next().transpose()?) {
                    (None, None) => break Some(Ordering::Equal),
                    (None, Some(_)) => break Some(Ordering::Less),
                    (Some(_), None) => break Some(Ordering::Greater),
                    (Some((kp, p)), Some((kq, q))) => match kp.cmp(kq) {
                        Ordering::Equal => match compare(p, q, depth)? {
                            Some(Ordering::Equal) => {}
                            other => break other,
                        },
                        other => break Some(other),
                    },
                }
            }
        }
        (ValueRef::Other(x), ValueRef::Other(y)) if x == y && matches!(x, 0x7f | 0xff) => {
            Some(Ordering::Equal)
        }
        (x, y) => match (x.as_number(), y.as_number()) {
            // NaN equals NaN and orders with no other number.
            (Some(p), Some(q)) => match (p.is_nan(), q.is_nan()) {
                (true, true) => Some(Ordering::Equal),
                (false, false) => Some(compare_total(p, q)),
                _ => None,
            },
            _ => match (binary_key(&x), binary_key(&y)) {
                (Some(p), Some(q)) => Some(p.cmp(&q)),
                _ => None,
            },
        },
    })
}
