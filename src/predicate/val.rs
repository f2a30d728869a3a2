//! The values a compiled predicate compares, and how it hands them to the crate's value layer.
//!
//! A [`Val`] borrows from the document (or from a compiled constant), so reading a value never
//! allocates. Scalars are compared by [`crate::value`] (realm-core's numeric, string, `[c]` and
//! LIKE rules); this module adds what only queries have (`@type` values, embedded objects as
//! links, nested collections inside `mixed`) and chooses between realm-core's two regimes:
//!
//! - *value level* (lists, embedded objects, `mixed`, aggregates, sorting): NaN sorts below every
//!   number and equals a NaN with the same bits; values of incomparable types are simply unequal;
//! - *column level* (an own scalar property against constants of its type): IEEE rules for NaN,
//!   null strings ordered before every string, and the null rules of realm-core's string column
//!   nodes (§3.7.4 of the specification).

use std::cmp::Ordering;

use crate::value::{
    self as rv, CaseFold, CmpOp, Decimal128, NanRule, Scalar, StringOp, Timestamp, string,
};

/// Timestamps are the value layer's (seconds and nanoseconds with one sign).
pub(crate) type Ts = Timestamp;

/// A set of realm type names, the value of `.@type` (one bit per type, `numeric` = several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TypeSet(pub(crate) u16);

impl TypeSet {
    pub(crate) const NULL: u16 = 1;
    pub(crate) const INT: u16 = 1 << 1;
    pub(crate) const BOOL: u16 = 1 << 2;
    pub(crate) const STRING: u16 = 1 << 3;
    pub(crate) const BINARY: u16 = 1 << 4;
    pub(crate) const TIMESTAMP: u16 = 1 << 5;
    pub(crate) const FLOAT: u16 = 1 << 6;
    pub(crate) const DOUBLE: u16 = 1 << 7;
    pub(crate) const DECIMAL: u16 = 1 << 8;
    pub(crate) const LINK: u16 = 1 << 9;
    pub(crate) const OBJECT_ID: u16 = 1 << 10;
    pub(crate) const UUID: u16 = 1 << 11;
    pub(crate) const DICTIONARY: u16 = 1 << 12;
    pub(crate) const LIST: u16 = 1 << 13;

    /// Reads one type name as realm-core's `@type` strings spell them (ASCII case-insensitive).
    pub(crate) fn parse(name: &[u8]) -> Option<TypeSet> {
        let lower: Vec<u8> = name.to_ascii_lowercase();
        let bits = match lower.as_slice() {
            b"null" => Self::NULL,
            b"int" | b"integer" | b"int16" | b"int32" | b"int64" | b"short" | b"long" | b"byte"
            | b"char" => Self::INT,
            b"bool" | b"boolean" => Self::BOOL,
            b"string" => Self::STRING,
            b"binary" | b"data" | b"bytearray" | b"byte[]" | b"bindata" => Self::BINARY,
            b"date" | b"datetimeoffset" | b"timestamp" => Self::TIMESTAMP,
            b"float" => Self::FLOAT,
            b"double" => Self::DOUBLE,
            b"decimal128" | b"decimal" => Self::DECIMAL,
            b"objectlink" | b"link" => Self::LINK,
            b"objectid" => Self::OBJECT_ID,
            b"uuid" | b"guid" => Self::UUID,
            b"numeric" => Self::INT | Self::DOUBLE | Self::FLOAT | Self::DECIMAL,
            b"object" | b"dictionary" => Self::DICTIONARY,
            b"array" | b"list" => Self::LIST,
            b"collection" => Self::DICTIONARY | Self::LIST,
            _ => return None,
        };
        Some(TypeSet(bits))
    }

    /// The names accepted by [`TypeSet::parse`], in realm-core's order (used in its error text).
    pub(crate) const NAMES: &'static str = "null, int, integer, int16, int32, int64, short, long, byte, char, bool, boolean, string, binary, data, bytearray, byte[], date, datetimeoffset, timestamp, float, double, decimal128, decimal, objectlink, link, objectid, uuid, guid, numeric, bindata, object, dictionary, array, list, collection";
}

/// One value as realm-core sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f32),
    Double(f64),
    Decimal(Decimal128),
    /// UTF-8 text (bytes, because a base64 literal may decode to anything).
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Ts(Ts),
    Oid([u8; 12]),
    Uuid([u8; 16]),
    /// The result of `.@type`.
    Type(TypeSet),
    /// A non-null embedded object (a link, in realm-core's terms).
    Object,
    /// A nested list inside a `mixed` value.
    List,
    /// A nested dictionary inside a `mixed` value.
    Dict,
    /// A BSON value realm cannot hold (regex, JavaScript, …): equal to nothing.
    Other,
}

impl<'a> Val<'a> {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// The value as a scalar of the value layer; `None` for what only queries have.
    pub(crate) fn scalar(&self) -> Option<Scalar<'a>> {
        Some(match *self {
            Val::Null => Scalar::Null,
            Val::Bool(b) => Scalar::Bool(b),
            Val::Int(i) => Scalar::Int(i),
            Val::Float(f) => Scalar::Float(f),
            Val::Double(d) => Scalar::Double(d),
            Val::Decimal(d) => Scalar::Decimal(d),
            Val::Str(s) => Scalar::String(s),
            Val::Bin(b) => Scalar::Binary(b),
            Val::Ts(t) => Scalar::Timestamp(t),
            Val::Oid(o) => Scalar::ObjectId(o),
            Val::Uuid(u) => Scalar::Uuid(u),
            Val::Type(_) | Val::Object | Val::List | Val::Dict | Val::Other => return None,
        })
    }

    /// A scalar of the value layer as a value.
    pub(crate) fn from_scalar(s: Scalar<'a>) -> Val<'a> {
        match s {
            Scalar::Null => Val::Null,
            Scalar::Bool(b) => Val::Bool(b),
            Scalar::Int(i) => Val::Int(i),
            Scalar::Float(f) => Val::Float(f),
            Scalar::Double(d) => Val::Double(d),
            Scalar::Decimal(d) => Val::Decimal(d),
            Scalar::String(s) => Val::Str(s),
            Scalar::Binary(b) => Val::Bin(b),
            Scalar::Timestamp(t) => Val::Ts(t),
            Scalar::ObjectId(o) => Val::Oid(o),
            Scalar::Uuid(u) => Val::Uuid(u),
        }
    }

    /// A number as a value.
    pub(crate) fn from_number(n: rv::Number) -> Val<'a> {
        match n {
            rv::Number::Int(i) => Val::Int(i),
            rv::Number::Float(f) => Val::Float(f),
            rv::Number::Double(d) => Val::Double(d),
            rv::Number::Decimal(d) => Val::Decimal(d),
        }
    }

    /// The `@type` of this value.
    pub(crate) fn type_of(&self) -> TypeSet {
        TypeSet(match self {
            Val::Null => TypeSet::NULL,
            Val::Bool(_) => TypeSet::BOOL,
            Val::Int(_) => TypeSet::INT,
            Val::Float(_) => TypeSet::FLOAT,
            Val::Double(_) => TypeSet::DOUBLE,
            Val::Decimal(_) => TypeSet::DECIMAL,
            Val::Str(_) => TypeSet::STRING,
            Val::Bin(_) => TypeSet::BINARY,
            Val::Ts(_) => TypeSet::TIMESTAMP,
            Val::Oid(_) => TypeSet::OBJECT_ID,
            Val::Uuid(_) => TypeSet::UUID,
            Val::Object => TypeSet::LINK,
            Val::List => TypeSet::LIST,
            Val::Dict => TypeSet::DICTIONARY,
            Val::Type(_) | Val::Other => 0,
        })
    }

    /// Rank of what the value layer does not order, after all of its scalars.
    fn extra_rank(&self) -> u8 {
        match self {
            Val::Object => 1,
            Val::Type(_) => 2,
            Val::List => 3,
            Val::Dict => 4,
            _ => 5,
        }
    }
}

/// Equality and order of the values only queries have: type sets are equal when they
/// intersect; objects, lists and dictionaries of `mixed` equal their own kind.
fn compare_extra(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Type(x), Val::Type(y)) => {
            Some(if x.0 & y.0 != 0 { Ordering::Equal } else { x.0.cmp(&y.0) })
        }
        (Val::Object, Val::Object) | (Val::List, Val::List) | (Val::Dict, Val::Dict) => {
            Some(Ordering::Equal)
        }
        _ => None,
    }
}

/// realm-core's Mixed total order (sorting, `@min`/`@max` of mixed, DISTINCT).
pub(crate) fn total_order(a: &Val<'_>, b: &Val<'_>) -> Ordering {
    match (a.scalar(), b.scalar()) {
        (Some(x), Some(y)) => rv::total_cmp(&x, &y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => compare_extra(a, b).unwrap_or_else(|| a.extra_rank().cmp(&b.extra_rank())),
    }
}

/// The comparison operators, after `IN` has become `==`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BeginsWith,
    EndsWith,
    Contains,
    Like,
}

/// How a comparison treats NaN and null strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// An own scalar property against constants of its type: realm-core's column nodes.
    Column,
    /// Everything else: realm-core's Mixed comparisons.
    Value,
}

/// `left op right` for one pair of values. `folded` holds the case variants of a constant
/// right side, for `[c]`.
pub(crate) fn apply(
    op: Op,
    left: &Val<'_>,
    right: &Val<'_>,
    folded: Option<&CaseFold>,
    ci: bool,
    level: Level,
) -> bool {
    let nan = if level == Level::Column { NanRule::Ieee } else { NanRule::Total };
    let cmp = match op {
        Op::Eq => return equal(left, right, folded, ci, nan),
        Op::Ne => return !equal(left, right, folded, ci, nan),
        Op::Lt => CmpOp::Lt,
        Op::Le => CmpOp::Le,
        Op::Gt => CmpOp::Gt,
        Op::Ge => CmpOp::Ge,
        Op::BeginsWith => return string_op(StringOp::BeginsWith, left, right, folded, ci, level),
        Op::EndsWith => return string_op(StringOp::EndsWith, left, right, folded, ci, level),
        Op::Contains => return string_op(StringOp::Contains, left, right, folded, ci, level),
        Op::Like => return string_op(StringOp::Like, left, right, folded, ci, level),
    };
    // A string column orders null below every string (realm-core's column comparison).
    let texty = |v: &Val<'_>| matches!(v, Val::Str(_) | Val::Null);
    if level == Level::Column && texty(left) && texty(right) {
        let o = match (left, right) {
            (Val::Null, Val::Null) => Ordering::Equal,
            (Val::Null, _) => Ordering::Less,
            (_, Val::Null) => Ordering::Greater,
            (Val::Str(a), Val::Str(b)) => string::compare_bytes(a, b),
            _ => Ordering::Equal,
        };
        return match cmp {
            CmpOp::Lt => o.is_lt(),
            CmpOp::Le => o.is_le(),
            CmpOp::Gt => o.is_gt(),
            _ => o.is_ge(),
        };
    }
    match (left.scalar(), right.scalar()) {
        (Some(a), Some(b)) => rv::compare(cmp, &a, &b, nan),
        _ => false,
    }
}

fn equal(
    left: &Val<'_>,
    right: &Val<'_>,
    folded: Option<&CaseFold>,
    ci: bool,
    nan: NanRule,
) -> bool {
    match (left.scalar(), right.scalar()) {
        (Some(a), Some(b)) if ci => match folded {
            Some(f) => rv::equals_ins_folded(&a, &b, f),
            None => rv::equals_ins(&a, &b, nan),
        },
        (Some(a), Some(b)) => rv::compare(CmpOp::Eq, &a, &b, nan),
        _ => compare_extra(left, right) == Some(Ordering::Equal),
    }
}

fn text_of<'v>(v: &Val<'v>) -> Option<&'v [u8]> {
    match v {
        Val::Str(s) | Val::Bin(s) => Some(s),
        _ => None,
    }
}

fn string_op(
    op: StringOp,
    left: &Val<'_>,
    right: &Val<'_>,
    folded: Option<&CaseFold>,
    ci: bool,
    level: Level,
) -> bool {
    if level == Level::Column && (left.is_null() || right.is_null()) {
        let binary = matches!(left, Val::Bin(_)) || matches!(right, Val::Bin(_));
        if let Some(r) = string::direct_null_rule(op, text_of(left), text_of(right), ci, binary) {
            return r;
        }
    }
    let (Some(a), Some(b)) = (left.scalar(), right.scalar()) else { return false };
    if ci && let Some(f) = folded {
        match (&a, &b) {
            (Scalar::String(t), Scalar::String(_)) | (Scalar::Binary(t), Scalar::Binary(_)) => {
                return match op {
                    StringOp::BeginsWith => string::begins_with_ins(t, f),
                    StringOp::EndsWith => string::ends_with_ins(t, f),
                    StringOp::Contains => string::contains_ins(t, f),
                    StringOp::Like => string::like_ins(t, f),
                };
            }
            _ => {}
        }
    }
    rv::string_op(op, &a, &b, ci)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_sets_are_equal_when_they_intersect() {
        let numeric = Val::Type(TypeSet::parse(b"numeric").unwrap());
        let int = Val::Int(3).type_of();
        assert!(apply(Op::Eq, &Val::Type(int), &numeric, None, false, Level::Value));
        assert!(!apply(Op::Eq, &Val::Str(b"a"), &numeric, None, false, Level::Value));
    }

    #[test]
    fn string_columns_order_null_first() {
        assert!(apply(Op::Lt, &Val::Null, &Val::Str(b"a"), None, false, Level::Column));
        assert!(!apply(Op::Lt, &Val::Null, &Val::Str(b"a"), None, false, Level::Value));
    }

    #[test]
    fn nan_follows_ieee_only_in_columns() {
        let nan = Val::Double(f64::NAN);
        assert!(!apply(Op::Lt, &nan, &Val::Double(0.0), None, false, Level::Column));
        assert!(apply(Op::Lt, &nan, &Val::Double(0.0), None, false, Level::Value));
    }
}
