//! realm-core's value semantics: the scalar types, their comparison and arithmetic rules.
//!
//! [`Scalar`] is the borrowed value every comparison works on: a string or binary read from a
//! document points into the document's bytes, so evaluating a predicate copies nothing.
//! [`Value`] is its owned counterpart for constants (literals, arguments, folded arithmetic).

pub(crate) mod aggregate;
pub(crate) mod coerce;
pub(crate) mod decimal;
pub mod ejson;
pub(crate) mod numeric;
pub(crate) mod string;
pub(crate) mod timestamp;

use std::cmp::Ordering;
use std::fmt;

pub(crate) use aggregate::{AggKind, Aggregate};
pub(crate) use coerce::{CoerceError, Origin, coerce};
pub use decimal::Decimal128;
pub(crate) use numeric::{ArithOp, Number};
pub(crate) use string::{CaseFold, Folded, StringOp};
pub use timestamp::{Timestamp, TimestampError};

/// realm-core's property and value types, named as its error messages name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RealmType {
    /// `int`
    Int,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// `binary`
    Binary,
    /// `timestamp`
    Timestamp,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `decimal128`
    Decimal,
    /// `objectId`
    ObjectId,
    /// `uuid`
    Uuid,
    /// `mixed`: any of the above, or null.
    Mixed,
    /// `link`: a relationship to another object.
    Link,
    /// `typedLink`: an object of a named class.
    TypedLink,
    /// `@type`: the result of `.@type`.
    TypeOfValue,
    /// `null`: the type of a null constant.
    Null,
}

impl RealmType {
    /// The name realm-core's messages use (`int`, `decimal128`, `objectId`, …).
    pub fn name(self) -> &'static str {
        match self {
            RealmType::Int => "int",
            RealmType::Bool => "bool",
            RealmType::String => "string",
            RealmType::Binary => "binary",
            RealmType::Timestamp => "timestamp",
            RealmType::Float => "float",
            RealmType::Double => "double",
            RealmType::Decimal => "decimal128",
            RealmType::ObjectId => "objectId",
            RealmType::Uuid => "uuid",
            RealmType::Mixed => "mixed",
            RealmType::Link => "link",
            RealmType::TypedLink => "typedLink",
            RealmType::TypeOfValue => "@type",
            RealmType::Null => "null",
        }
    }

    /// Whether the type belongs to the numeric group (`mixed` included, as realm-core counts it
    /// when checking comparisons at compile time).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            RealmType::Int
                | RealmType::Float
                | RealmType::Double
                | RealmType::Decimal
                | RealmType::Mixed
        )
    }

    /// Compile-time comparability of two static types (rql.md §3.1): equal types, both in the
    /// numeric group, or either `mixed`. A null constant is compatible with everything.
    pub fn comparable(self, other: RealmType) -> bool {
        self == other
            || self == RealmType::Null
            || other == RealmType::Null
            || self == RealmType::Mixed
            || other == RealmType::Mixed
            || (self.is_numeric() && other.is_numeric())
    }
}

impl fmt::Display for RealmType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A borrowed scalar value with realm-core's types.
#[derive(Debug, Clone, Copy)]
pub enum Scalar<'a> {
    /// Null (an optional value that is unset, or an absent field).
    Null,
    /// `bool`
    Bool(bool),
    /// `int`
    Int(i64),
    /// `float`
    Float(f32),
    /// `double`
    Double(f64),
    /// `decimal128`
    Decimal(Decimal128),
    /// `string`: UTF-8 bytes as stored (not re-validated).
    String(&'a [u8]),
    /// `binary`
    Binary(&'a [u8]),
    /// `timestamp`
    Timestamp(Timestamp),
    /// `objectId`: 12 bytes, ordered as bytes.
    ObjectId([u8; 12]),
    /// `uuid`: 16 bytes, ordered as bytes.
    Uuid([u8; 16]),
}

/// How NaN compares: IEEE rules in realm-core's column nodes, a total order elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NanRule {
    /// A comparison on a numeric column: IEEE, NaN equals nothing and orders with nothing.
    Ieee,
    /// Values through links, lists or `mixed`: NaN is the lowest number and equals itself.
    Total,
}

/// A comparison operator of rql.md §3.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl<'a> Scalar<'a> {
    /// The value's type; `Null` for null.
    pub fn realm_type(&self) -> RealmType {
        match self {
            Scalar::Null => RealmType::Null,
            Scalar::Bool(_) => RealmType::Bool,
            Scalar::Int(_) => RealmType::Int,
            Scalar::Float(_) => RealmType::Float,
            Scalar::Double(_) => RealmType::Double,
            Scalar::Decimal(_) => RealmType::Decimal,
            Scalar::String(_) => RealmType::String,
            Scalar::Binary(_) => RealmType::Binary,
            Scalar::Timestamp(_) => RealmType::Timestamp,
            Scalar::ObjectId(_) => RealmType::ObjectId,
            Scalar::Uuid(_) => RealmType::Uuid,
        }
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Scalar::Null)
    }

    /// The value as a number, if it is one.
    pub fn as_number(&self) -> Option<Number> {
        match *self {
            Scalar::Int(i) => Some(Number::Int(i)),
            Scalar::Float(f) => Some(Number::Float(f)),
            Scalar::Double(d) => Some(Number::Double(d)),
            Scalar::Decimal(d) => Some(Number::Decimal(d)),
            _ => None,
        }
    }

    /// The bytes of a string or binary.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Scalar::String(s) | Scalar::Binary(s) => Some(s),
            _ => None,
        }
    }

    /// Rank of the type in realm-core's total order: bool < numbers < string < binary <
    /// timestamp < objectId < uuid (null is below everything and handled separately).
    fn rank(&self) -> u8 {
        match self {
            Scalar::Null => 0,
            Scalar::Bool(_) => 1,
            Scalar::Int(_) | Scalar::Float(_) | Scalar::Double(_) | Scalar::Decimal(_) => 2,
            Scalar::String(_) => 3,
            Scalar::Binary(_) => 4,
            Scalar::Timestamp(_) => 5,
            Scalar::ObjectId(_) => 6,
            Scalar::Uuid(_) => 7,
        }
    }
}

impl From<Number> for Scalar<'_> {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => Scalar::Int(i),
            Number::Float(f) => Scalar::Float(f),
            Number::Double(d) => Scalar::Double(d),
            Number::Decimal(d) => Scalar::Decimal(d),
        }
    }
}

/// Run-time comparability of two values: the same type, or both numbers. Null is comparable
/// with nothing, not even null (the operators treat null themselves).
pub fn comparable(a: &Scalar<'_>, b: &Scalar<'_>) -> bool {
    match (a, b) {
        (Scalar::Null, _) | (_, Scalar::Null) => false,
        _ => a.rank() == b.rank(),
    }
}

/// Orders two comparable, non-null values (`None` if they are not comparable, or under
/// [`NanRule::Ieee`] when a NaN is involved).
fn order(a: &Scalar<'_>, b: &Scalar<'_>, nan: NanRule) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        (Scalar::String(x), Scalar::String(y)) | (Scalar::Binary(x), Scalar::Binary(y)) => {
            Some(string::compare_bytes(x, y))
        }
        (Scalar::Timestamp(x), Scalar::Timestamp(y)) => Some(x.cmp(y)),
        (Scalar::ObjectId(x), Scalar::ObjectId(y)) => Some(x.cmp(y)),
        (Scalar::Uuid(x), Scalar::Uuid(y)) => Some(x.cmp(y)),
        _ => {
            let (x, y) = (a.as_number()?, b.as_number()?);
            match nan {
                NanRule::Ieee => numeric::compare_ieee(x, y),
                NanRule::Total => Some(numeric::compare_total(x, y)),
            }
        }
    }
}

/// `a op b` with realm-core's rules: `==` is true for two nulls and for equal comparable
/// values; `!=` is its negation; `<`, `>` need two comparable non-null values; `<=`, `>=` are
/// also true when both are null. Values of different kinds (a string and an int, say) satisfy
/// only `!=`.
pub fn compare(op: CmpOp, a: &Scalar<'_>, b: &Scalar<'_>, nan: NanRule) -> bool {
    let both_null = a.is_null() && b.is_null();
    let ord = if comparable(a, b) { order(a, b, nan) } else { None };
    match op {
        CmpOp::Eq => both_null || ord == Some(Ordering::Equal),
        CmpOp::Ne => !(both_null || ord == Some(Ordering::Equal)),
        CmpOp::Lt => ord == Some(Ordering::Less),
        CmpOp::Gt => ord == Some(Ordering::Greater),
        CmpOp::Le => both_null || matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Ge => both_null || matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// `a ==[c] b`: two strings (or two binaries) compare with realm-core's `[c]` folding of `b`,
/// the right operand; everything else as `==`.
pub fn equals_ins(a: &Scalar<'_>, b: &Scalar<'_>, nan: NanRule) -> bool {
    match (a, b) {
        (Scalar::String(x), Scalar::String(y)) | (Scalar::Binary(x), Scalar::Binary(y)) => {
            string::equals_ins(x, &Folded::new(y))
        }
        _ => compare(CmpOp::Eq, a, b, nan),
    }
}

/// `a ==[c] b` against a constant pattern whose case variants were computed once.
pub fn equals_ins_folded(a: &Scalar<'_>, b: &Scalar<'_>, folded: &CaseFold) -> bool {
    match (a, b) {
        (Scalar::String(x), Scalar::String(_)) | (Scalar::Binary(x), Scalar::Binary(_)) => {
            string::equals_ins(x, folded)
        }
        _ => compare(CmpOp::Eq, a, b, NanRule::Total),
    }
}

/// A string operator at value level (through links, lists, `mixed`): haystack `a`, pattern `b`.
/// Strings match strings and binaries match binaries; any other pairing is false. A null
/// pattern is contained in every non-null haystack; LIKE matches two nulls; otherwise a null
/// matches nothing (realm-core's value-level rules, [`string::value_null_rule`]).
pub(crate) fn string_op(op: StringOp, a: &Scalar<'_>, b: &Scalar<'_>, ci: bool) -> bool {
    match op {
        StringOp::Contains if b.is_null() => return !a.is_null(),
        StringOp::Like if a.is_null() && b.is_null() => return true,
        _ => {}
    }
    match (a, b) {
        (Scalar::String(t), Scalar::String(p)) | (Scalar::Binary(t), Scalar::Binary(p)) => {
            string::apply(op, t, p, ci)
        }
        _ => false,
    }
}

/// realm-core's total order of values, used for SORT and DISTINCT and for `@min`/`@max` over
/// `mixed`: null < bool < numbers (compared across types, NaN lowest) < string < binary <
/// timestamp < objectId < uuid; strings and binaries byte-wise.
pub fn total_cmp(a: &Scalar<'_>, b: &Scalar<'_>) -> Ordering {
    match a.rank().cmp(&b.rank()) {
        Ordering::Equal => order(a, b, NanRule::Total).unwrap_or(Ordering::Equal),
        other => other,
    }
}

/// An owned scalar, for constants.
#[derive(Debug, Clone)]
pub enum Value {
    /// Null.
    Null,
    /// `bool`
    Bool(bool),
    /// `int`
    Int(i64),
    /// `float`
    Float(f32),
    /// `double`
    Double(f64),
    /// `decimal128`
    Decimal(Decimal128),
    /// `string` (bytes: a `B64"…"` literal may decode to non-UTF-8).
    String(Vec<u8>),
    /// `binary`
    Binary(Vec<u8>),
    /// `timestamp`
    Timestamp(Timestamp),
    /// `objectId`
    ObjectId([u8; 12]),
    /// `uuid`
    Uuid([u8; 16]),
}

impl Value {
    /// Borrows the value for comparison.
    pub fn as_scalar(&self) -> Scalar<'_> {
        match self {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int(i) => Scalar::Int(*i),
            Value::Float(f) => Scalar::Float(*f),
            Value::Double(d) => Scalar::Double(*d),
            Value::Decimal(d) => Scalar::Decimal(*d),
            Value::String(s) => Scalar::String(s),
            Value::Binary(b) => Scalar::Binary(b),
            Value::Timestamp(t) => Scalar::Timestamp(*t),
            Value::ObjectId(o) => Scalar::ObjectId(*o),
            Value::Uuid(u) => Scalar::Uuid(*u),
        }
    }

    /// Copies a borrowed scalar.
    pub fn from_scalar(s: &Scalar<'_>) -> Value {
        match *s {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
            Scalar::Double(d) => Value::Double(d),
            Scalar::Decimal(d) => Value::Decimal(d),
            Scalar::String(s) => Value::String(s.to_vec()),
            Scalar::Binary(b) => Value::Binary(b.to_vec()),
            Scalar::Timestamp(t) => Value::Timestamp(t),
            Scalar::ObjectId(o) => Value::ObjectId(o),
            Scalar::Uuid(u) => Value::Uuid(u),
        }
    }

    /// The value's type; `Null` for null.
    pub fn realm_type(&self) -> RealmType {
        self.as_scalar().realm_type()
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::from_scalar(&Scalar::from(n))
    }
}

#[cfg(test)]
mod tables;
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_rules_of_the_comparison_operators() {
        let n = Scalar::Null;
        let one = Scalar::Int(1);
        for nan in [NanRule::Ieee, NanRule::Total] {
            assert!(compare(CmpOp::Eq, &n, &n, nan));
            assert!(compare(CmpOp::Le, &n, &n, nan));
            assert!(compare(CmpOp::Ge, &n, &n, nan));
            assert!(!compare(CmpOp::Lt, &n, &n, nan));
            assert!(!compare(CmpOp::Ge, &n, &one, nan));
            assert!(compare(CmpOp::Ne, &n, &one, nan));
            assert!(!compare(CmpOp::Eq, &Scalar::String(b"1"), &one, nan));
            assert!(compare(CmpOp::Ne, &Scalar::String(b"1"), &one, nan));
        }
    }

    #[test]
    fn total_order_ranks_types() {
        let values = [
            Scalar::Null,
            Scalar::Bool(false),
            Scalar::Bool(true),
            Scalar::Double(f64::NAN),
            Scalar::Int(-5),
            Scalar::Decimal(Decimal128::from_i64(3)),
            Scalar::Float(3.5),
            Scalar::String(b""),
            Scalar::String(b"a"),
            Scalar::Binary(b""),
            Scalar::Timestamp(Timestamp::EPOCH),
            Scalar::ObjectId([0; 12]),
            Scalar::Uuid([0; 16]),
        ];
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                assert_eq!(total_cmp(a, b), i.cmp(&j), "{a:?} vs {b:?}");
            }
        }
        assert_eq!(
            total_cmp(&Scalar::Int(3), &Scalar::Decimal(Decimal128::from_i64(3))),
            Ordering::Equal
        );
    }

    #[test]
    fn value_level_string_nulls() {
        let s = Scalar::String(b"abc");
        let n = Scalar::Null;
        assert!(string_op(StringOp::Contains, &s, &n, false));
        assert!(!string_op(StringOp::Contains, &n, &n, false));
        assert!(!string_op(StringOp::BeginsWith, &s, &n, false));
        assert!(string_op(StringOp::Like, &n, &n, true));
        assert!(!string_op(StringOp::Like, &s, &n, false));
        assert!(!string_op(
            StringOp::Contains,
            &Scalar::Binary(b"abc"),
            &Scalar::String(b"a"),
            false
        ));
        assert!(string_op(
            StringOp::Contains,
            &Scalar::String(b"xAbC"),
            &Scalar::String(b"abc"),
            true
        ));
    }
}
