//! realm-core's value semantics: the scalar types, their comparison and arithmetic rules.
//!
//! [`ValueRef`] is the borrowed value every comparison works on, whoever reads it: the document
//! layer, the RQL predicate and the rules filter. [`Value`] is its owned counterpart for
//! constants (literals, arguments, folded arithmetic) and results.

pub(crate) mod aggregate;
pub(crate) mod coerce;
pub(crate) mod decimal;
pub mod ejson;
pub(crate) mod numeric;
pub(crate) mod string;
pub(crate) mod timestamp;
mod type_set;

use std::cmp::Ordering;
use std::fmt;

pub(crate) use aggregate::Aggregate;
pub use aggregate::AggregateOp;
pub(crate) use coerce::{CoerceError, Origin, coerce};
pub use decimal::Decimal128;
pub use numeric::ArithOp;
pub(crate) use numeric::Number;
pub(crate) use string::{CaseFold, Folded};
pub use timestamp::{Timestamp, TimestampError};
pub use type_set::TypeSet;

use bson::Bson;

use crate::document::{ArrayRef, DocRef};

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

/// A borrowed value: what a document holds, a compiled constant seen by reference, or a value
/// only queries produce.
///
/// It is the one value type every comparison works on. A string or binary read from a document
/// points into the document's bytes and an array or embedded document is a cursor over them, so
/// evaluating a predicate or a rule filter copies nothing. Documents read BSON's 32-bit ints as
/// `Int` and its dates as `Timestamp`, which is how realm reads them.
#[derive(Debug, Clone, Copy)]
pub enum ValueRef<'a> {
    /// Null (an optional value that is unset, an absent field, BSON's deprecated `undefined`).
    Null,
    /// `bool`
    Bool(bool),
    /// `int` (BSON int32 or int64).
    Int(i64),
    /// `float`: only from a constant or a property declared `float` (BSON has no float).
    Float(f32),
    /// `double`
    Double(f64),
    /// `decimal128`
    Decimal(Decimal128),
    /// `string`: UTF-8 bytes as stored (not re-validated; a `B64"…"` literal may be anything).
    String(&'a [u8]),
    /// `binary`, other than a UUID. Realm ignores the subtype; MongoDB's order does not.
    Binary {
        /// BSON binary subtype (0 for a realm constant).
        subtype: u8,
        /// The payload.
        bytes: &'a [u8],
    },
    /// `timestamp` (a BSON date, with millisecond precision, in documents).
    Timestamp(Timestamp),
    /// `objectId`: 12 bytes, ordered as bytes.
    ObjectId([u8; 12]),
    /// `uuid`: binary subtype 4 of exactly 16 bytes, ordered as bytes.
    Uuid([u8; 16]),
    /// An array (a list, or a nested list inside a `mixed` value).
    Array(ArrayRef<'a>),
    /// An embedded document (a dictionary inside a `mixed` value).
    Document(DocRef<'a>),
    /// A non-null embedded object reached through a link property (queries only).
    Link,
    /// The result of `.@type` (queries only).
    Type(TypeSet),
    /// A BSON value realm cannot hold (regex, JavaScript, min/max key, …), by its element type
    /// byte: equal to nothing in a query.
    Other(u8),
}

/// How NaN compares: IEEE rules in realm-core's column nodes, a total order elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NanRule {
    /// A comparison on a numeric column: IEEE, NaN equals nothing and orders with nothing.
    Ieee,
    /// Values through links, lists or `mixed`: NaN is the lowest number and equals itself.
    Total,
}

/// A comparison operator (rql.md §3.5, §3.7), as the predicate IR and the rules filter
/// evaluate it: `IN` has become `==`, MongoDB's `$gte` is `Ge`. For the string operators the
/// haystack is the left operand and the pattern the right.
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
    /// `BEGINSWITH`
    BeginsWith,
    /// `ENDSWITH`
    EndsWith,
    /// `CONTAINS`
    Contains,
    /// `LIKE`
    Like,
}

impl CmpOp {
    /// How RQL writes it (`==`, `BEGINSWITH`, …), for the canonical printer and explanations.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::BeginsWith => "BEGINSWITH",
            CmpOp::EndsWith => "ENDSWITH",
            CmpOp::Contains => "CONTAINS",
            CmpOp::Like => "LIKE",
        }
    }
}

impl<'a> ValueRef<'a> {
    /// The value's realm type; `Null` for null, `None` for arrays, documents and BSON types
    /// realm has no counterpart for.
    pub fn realm_type(&self) -> Option<RealmType> {
        Some(match self {
            ValueRef::Null => RealmType::Null,
            ValueRef::Bool(_) => RealmType::Bool,
            ValueRef::Int(_) => RealmType::Int,
            ValueRef::Float(_) => RealmType::Float,
            ValueRef::Double(_) => RealmType::Double,
            ValueRef::Decimal(_) => RealmType::Decimal,
            ValueRef::String(_) => RealmType::String,
            ValueRef::Binary { .. } => RealmType::Binary,
            ValueRef::Timestamp(_) => RealmType::Timestamp,
            ValueRef::ObjectId(_) => RealmType::ObjectId,
            ValueRef::Uuid(_) => RealmType::Uuid,
            ValueRef::Link => RealmType::Link,
            ValueRef::Type(_) => RealmType::TypeOfValue,
            ValueRef::Array(_) | ValueRef::Document(_) | ValueRef::Other(_) => return None,
        })
    }

    /// Whether the value is one of realm's scalars (null included), which the value layer
    /// compares and orders; the rest only queries compare, by kind.
    #[inline]
    pub(crate) fn is_scalar(&self) -> bool {
        self.rank() <= SCALAR_RANKS
    }

    /// A binary of the generic subtype, as realm stores one.
    pub(crate) fn binary(bytes: &'a [u8]) -> ValueRef<'a> {
        ValueRef::Binary { subtype: 0, bytes }
    }

    /// The `@type` of this value.
    pub(crate) fn type_of(&self) -> TypeSet {
        TypeSet(match self {
            ValueRef::Null => TypeSet::NULL,
            ValueRef::Bool(_) => TypeSet::BOOL,
            ValueRef::Int(_) => TypeSet::INT,
            ValueRef::Float(_) => TypeSet::FLOAT,
            ValueRef::Double(_) => TypeSet::DOUBLE,
            ValueRef::Decimal(_) => TypeSet::DECIMAL,
            ValueRef::String(_) => TypeSet::STRING,
            ValueRef::Binary { .. } => TypeSet::BINARY,
            ValueRef::Timestamp(_) => TypeSet::TIMESTAMP,
            ValueRef::ObjectId(_) => TypeSet::OBJECT_ID,
            ValueRef::Uuid(_) => TypeSet::UUID,
            ValueRef::Link => TypeSet::LINK,
            ValueRef::Array(_) => TypeSet::LIST,
            ValueRef::Document(_) => TypeSet::DICTIONARY,
            ValueRef::Type(_) | ValueRef::Other(_) => 0,
        })
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, ValueRef::Null)
    }

    /// The value as a number, if it is one.
    pub fn as_number(&self) -> Option<Number> {
        match *self {
            ValueRef::Int(i) => Some(Number::Int(i)),
            ValueRef::Float(f) => Some(Number::Float(f)),
            ValueRef::Double(d) => Some(Number::Double(d)),
            ValueRef::Decimal(d) => Some(Number::Decimal(d)),
            _ => None,
        }
    }

    /// The bytes of a string or binary.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            ValueRef::String(s) | ValueRef::Binary { bytes: s, .. } => Some(s),
            _ => None,
        }
    }

    /// Rank of the kind in realm-core's total order: bool < numbers < string < binary <
    /// timestamp < objectId < uuid (null is below everything and handled separately), then
    /// what only queries compare: links, `@type` sets, lists, dictionaries, foreign BSON.
    #[inline]
    fn rank(&self) -> u8 {
        match self {
            ValueRef::Null => 0,
            ValueRef::Bool(_) => 1,
            ValueRef::Int(_) | ValueRef::Float(_) | ValueRef::Double(_) | ValueRef::Decimal(_) => 2,
            ValueRef::String(_) => 3,
            ValueRef::Binary { .. } => 4,
            ValueRef::Timestamp(_) => 5,
            ValueRef::ObjectId(_) => 6,
            ValueRef::Uuid(_) => SCALAR_RANKS,
            ValueRef::Link => 8,
            ValueRef::Type(_) => 9,
            ValueRef::Array(_) => 10,
            ValueRef::Document(_) => 11,
            ValueRef::Other(_) => 12,
        }
    }
}

/// The highest [`ValueRef::rank`] of a scalar.
const SCALAR_RANKS: u8 = 7;

impl From<Number> for ValueRef<'_> {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => ValueRef::Int(i),
            Number::Float(f) => ValueRef::Float(f),
            Number::Double(d) => ValueRef::Double(d),
            Number::Decimal(d) => ValueRef::Decimal(d),
        }
    }
}

/// Run-time comparability of two scalars: the same type, or both numbers. Null is comparable
/// with nothing, not even null (the operators treat null themselves), and neither is what
/// only queries compare.
pub fn comparable(a: &ValueRef<'_>, b: &ValueRef<'_>) -> bool {
    match (a, b) {
        (ValueRef::Null, _) | (_, ValueRef::Null) => false,
        _ => a.rank() == b.rank() && a.is_scalar(),
    }
}

/// Orders two comparable, non-null values (`None` if they are not comparable, or under
/// [`NanRule::Ieee`] when a NaN is involved).
fn order(a: &ValueRef<'_>, b: &ValueRef<'_>, nan: NanRule) -> Option<Ordering> {
    match (a, b) {
        (ValueRef::Bool(x), ValueRef::Bool(y)) => Some(x.cmp(y)),
        (ValueRef::String(x), ValueRef::String(y))
        | (ValueRef::Binary { bytes: x, .. }, ValueRef::Binary { bytes: y, .. }) => {
            Some(string::compare_bytes(x, y))
        }
        (ValueRef::Timestamp(x), ValueRef::Timestamp(y)) => Some(x.cmp(y)),
        (ValueRef::ObjectId(x), ValueRef::ObjectId(y)) => Some(x.cmp(y)),
        (ValueRef::Uuid(x), ValueRef::Uuid(y)) => Some(x.cmp(y)),
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
pub fn compare(op: CmpOp, a: &ValueRef<'_>, b: &ValueRef<'_>, nan: NanRule) -> bool {
    if matches!(op, CmpOp::BeginsWith | CmpOp::EndsWith | CmpOp::Contains | CmpOp::Like) {
        return string_op(op, a, b, false);
    }
    let both_null = a.is_null() && b.is_null();
    let ord = if comparable(a, b) { order(a, b, nan) } else { None };
    match op {
        CmpOp::Eq => both_null || ord == Some(Ordering::Equal),
        CmpOp::Ne => !(both_null || ord == Some(Ordering::Equal)),
        CmpOp::Lt => ord == Some(Ordering::Less),
        CmpOp::Gt => ord == Some(Ordering::Greater),
        CmpOp::Le => both_null || matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Ge => both_null || matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::BeginsWith | CmpOp::EndsWith | CmpOp::Contains | CmpOp::Like => false,
    }
}

/// `a ==[c] b`: two strings (or two binaries) compare with realm-core's `[c]` folding of `b`,
/// the right operand; everything else as `==`.
pub fn equals_ins(a: &ValueRef<'_>, b: &ValueRef<'_>, nan: NanRule) -> bool {
    match (a, b) {
        (ValueRef::String(x), ValueRef::String(y))
        | (ValueRef::Binary { bytes: x, .. }, ValueRef::Binary { bytes: y, .. }) => {
            string::equals_ins(x, &Folded::new(y))
        }
        _ => compare(CmpOp::Eq, a, b, nan),
    }
}

/// `a ==[c] b` against a constant pattern whose case variants were computed once.
pub(crate) fn equals_ins_folded(a: &ValueRef<'_>, b: &ValueRef<'_>, folded: &CaseFold) -> bool {
    match (a, b) {
        (ValueRef::String(x), ValueRef::String(_))
        | (ValueRef::Binary { bytes: x, .. }, ValueRef::Binary { .. }) => {
            string::equals_ins(x, folded)
        }
        _ => compare(CmpOp::Eq, a, b, NanRule::Total),
    }
}

/// A string operator at value level (through links, lists, `mixed`): haystack `a`, pattern `b`.
/// Strings match strings and binaries match binaries; any other pairing is false. A null
/// pattern is contained in every non-null haystack; LIKE matches two nulls; otherwise a null
/// matches nothing (realm-core's value-level rules, [`string::value_null_rule`]).
pub(crate) fn string_op(op: CmpOp, a: &ValueRef<'_>, b: &ValueRef<'_>, ci: bool) -> bool {
    match op {
        CmpOp::Contains if b.is_null() => return !a.is_null(),
        CmpOp::Like if a.is_null() && b.is_null() => return true,
        _ => {}
    }
    match (a, b) {
        (ValueRef::String(t), ValueRef::String(p))
        | (ValueRef::Binary { bytes: t, .. }, ValueRef::Binary { bytes: p, .. }) => {
            string::apply(op, t, p, ci)
        }
        _ => false,
    }
}

/// realm-core's total order of values, used for SORT and DISTINCT and for `@min`/`@max` over
/// `mixed`: null < bool < numbers (compared across types, NaN lowest) < string < binary <
/// timestamp < objectId < uuid; strings and binaries byte-wise. What only queries compare comes
/// after every scalar: `@type` sets are equal when they intersect, links, lists and dictionaries
/// equal their own kind.
pub fn total_cmp(a: &ValueRef<'_>, b: &ValueRef<'_>) -> Ordering {
    match a.rank().cmp(&b.rank()) {
        Ordering::Equal if a.is_scalar() => order(a, b, NanRule::Total).unwrap_or(Ordering::Equal),
        Ordering::Equal => compare_kinds(a, b).unwrap_or(Ordering::Equal),
        other => other,
    }
}

/// Equality and order of what only queries compare: `@type` sets are equal when they
/// intersect; links, lists and dictionaries equal their own kind. `None` for anything else.
pub(crate) fn compare_kinds(a: &ValueRef<'_>, b: &ValueRef<'_>) -> Option<Ordering> {
    match (a, b) {
        (ValueRef::Type(x), ValueRef::Type(y)) => {
            Some(if x.0 & y.0 != 0 { Ordering::Equal } else { x.0.cmp(&y.0) })
        }
        (ValueRef::Link, ValueRef::Link)
        | (ValueRef::Array(_), ValueRef::Array(_))
        | (ValueRef::Document(_), ValueRef::Document(_)) => Some(Ordering::Equal),
        _ => None,
    }
}

/// An owned value: a query's constant (literal, argument, folded arithmetic), an aggregate's
/// result, a value to store. [`Value::view`] borrows it as a [`ValueRef`].
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
    /// A set of type names, compared with `.@type`.
    Type(TypeSet),
}

impl Value {
    /// Borrows the value for comparison.
    #[inline]
    pub fn view(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Int(i) => ValueRef::Int(*i),
            Value::Float(f) => ValueRef::Float(*f),
            Value::Double(d) => ValueRef::Double(*d),
            Value::Decimal(d) => ValueRef::Decimal(*d),
            Value::String(s) => ValueRef::String(s),
            Value::Binary(b) => ValueRef::binary(b),
            Value::Timestamp(t) => ValueRef::Timestamp(*t),
            Value::ObjectId(o) => ValueRef::ObjectId(*o),
            Value::Uuid(u) => ValueRef::Uuid(*u),
            Value::Type(t) => ValueRef::Type(*t),
        }
    }

    /// Copies a borrowed value; `None` for what has no owned form (arrays, documents, links,
    /// foreign BSON).
    pub fn from_ref(v: &ValueRef<'_>) -> Option<Value> {
        Some(match *v {
            ValueRef::Null => Value::Null,
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Float(f) => Value::Float(f),
            ValueRef::Double(d) => Value::Double(d),
            ValueRef::Decimal(d) => Value::Decimal(d),
            ValueRef::String(s) => Value::String(s.to_vec()),
            ValueRef::Binary { bytes, .. } => Value::Binary(bytes.to_vec()),
            ValueRef::Timestamp(t) => Value::Timestamp(t),
            ValueRef::ObjectId(o) => Value::ObjectId(o),
            ValueRef::Uuid(u) => Value::Uuid(u),
            ValueRef::Type(t) => Value::Type(t),
            ValueRef::Array(_) | ValueRef::Document(_) | ValueRef::Link | ValueRef::Other(_) => {
                return None;
            }
        })
    }

    /// The realm value a BSON value stands for, read as a document's field is read
    /// ([`ValueRef::from_bson`]); `None` for arrays, documents and BSON types realm has no
    /// counterpart for.
    pub fn from_bson(value: &Bson) -> Option<Value> {
        Value::from_ref(&ValueRef::from_bson(value))
    }

    /// The BSON value that stores it; `None` for a set of type names. Floats widen to
    /// doubles (BSON has no float); timestamps lose precision below a millisecond; strings that
    /// are not UTF-8 are stored with replacement characters.
    pub fn to_bson(&self) -> Option<Bson> {
        use bson::Binary;
        use bson::spec::BinarySubtype;
        Some(match self {
            Value::Null => Bson::Null,
            Value::Bool(b) => Bson::Boolean(*b),
            Value::Int(i) => Bson::Int64(*i),
            Value::Float(f) => Bson::Double(f64::from(*f)),
            Value::Double(d) => Bson::Double(*d),
            Value::Decimal(d) => Bson::Decimal128(d.to_bson()),
            Value::String(s) => Bson::String(String::from_utf8_lossy(s).into_owned()),
            Value::Binary(b) => {
                Bson::Binary(Binary { subtype: BinarySubtype::Generic, bytes: b.clone() })
            }
            Value::Timestamp(t) => Bson::DateTime(bson::DateTime::from_millis(t.to_millis())),
            Value::ObjectId(o) => Bson::ObjectId(bson::oid::ObjectId::from_bytes(*o)),
            Value::Uuid(u) => {
                Bson::Binary(Binary { subtype: BinarySubtype::Uuid, bytes: u.to_vec() })
            }
            Value::Type(_) => return None,
        })
    }

    /// The value's type; `Null` for null.
    pub fn realm_type(&self) -> RealmType {
        self.view().realm_type().unwrap_or(RealmType::Mixed)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => Value::Int(i),
            Number::Float(f) => Value::Float(f),
            Number::Double(d) => Value::Double(d),
            Number::Decimal(d) => Value::Decimal(d),
        }
    }
}

#[cfg(test)]
mod tables;
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_rules_of_the_comparison_operators() {
        let n = ValueRef::Null;
        let one = ValueRef::Int(1);
        for nan in [NanRule::Ieee, NanRule::Total] {
            assert!(compare(CmpOp::Eq, &n, &n, nan));
            assert!(compare(CmpOp::Le, &n, &n, nan));
            assert!(compare(CmpOp::Ge, &n, &n, nan));
            assert!(!compare(CmpOp::Lt, &n, &n, nan));
            assert!(!compare(CmpOp::Ge, &n, &one, nan));
            assert!(compare(CmpOp::Ne, &n, &one, nan));
            assert!(!compare(CmpOp::Eq, &ValueRef::String(b"1"), &one, nan));
            assert!(compare(CmpOp::Ne, &ValueRef::String(b"1"), &one, nan));
        }
    }

    #[test]
    fn total_order_ranks_types() {
        let values = [
            ValueRef::Null,
            ValueRef::Bool(false),
            ValueRef::Bool(true),
            ValueRef::Double(f64::NAN),
            ValueRef::Int(-5),
            ValueRef::Decimal(Decimal128::from_i64(3)),
            ValueRef::Float(3.5),
            ValueRef::String(b""),
            ValueRef::String(b"a"),
            ValueRef::binary(b""),
            ValueRef::Timestamp(Timestamp::EPOCH),
            ValueRef::ObjectId([0; 12]),
            ValueRef::Uuid([0; 16]),
        ];
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                assert_eq!(total_cmp(a, b), i.cmp(&j), "{a:?} vs {b:?}");
            }
        }
        assert_eq!(
            total_cmp(&ValueRef::Int(3), &ValueRef::Decimal(Decimal128::from_i64(3))),
            Ordering::Equal
        );
    }

    #[test]
    fn value_level_string_nulls() {
        let s = ValueRef::String(b"abc");
        let n = ValueRef::Null;
        assert!(string_op(CmpOp::Contains, &s, &n, false));
        assert!(!string_op(CmpOp::Contains, &n, &n, false));
        assert!(!string_op(CmpOp::BeginsWith, &s, &n, false));
        assert!(string_op(CmpOp::Like, &n, &n, true));
        assert!(!string_op(CmpOp::Like, &s, &n, false));
        assert!(!string_op(
            CmpOp::Contains,
            &ValueRef::binary(b"abc"),
            &ValueRef::String(b"a"),
            false
        ));
        assert!(string_op(
            CmpOp::Contains,
            &ValueRef::String(b"xAbC"),
            &ValueRef::String(b"abc"),
            true
        ));
    }
}
