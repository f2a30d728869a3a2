//! The typed syntax tree of a Realm Query Language query.
//!
//! The tree is owned and `'static`: it holds no pest types and no borrowed input. It keeps what
//! the text said, not what it means: literals keep the facts realm-core's binder needs later
//! (the source text of a float, so that it can be re-read as a decimal; the raw, undecoded text of
//! a string; the fields of a date literal, whose conversion can fail at bind time), and nothing is
//! resolved against a schema. Operator aliases and keyword spellings that realm-core treats alike
//! (`=` and `==`, `AND` and `&&`, `SOME` and `ANY`) are not distinguished.
//!
//! Every node that an error may point at carries a [`Loc`]. Locations never take part in
//! equality, so `parse(display(q)) == q` compares structure only.
//!
//! And/Or are n-ary: `a OR b OR c` is one `Or` with three operands, so a flat chain of twenty
//! thousand terms is a wide node, not a deep one. A parenthesised group keeps its own node:
//! `(a OR b) OR c` is an `Or` whose first operand is an `Or`.

use crate::span::Loc;

/// Operators shared with evaluation: the syntax tree names the same enums the value layer
/// evaluates, so no table maps one onto the other.
pub use crate::value::{AggregateOp, ArithOp, CmpOp};

/// A whole query: the predicate and the clauses that follow it.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The filter.
    pub predicate: Predicate,
    /// `SORT(...)`, `DISTINCT(...)` and `LIMIT(...)`, in the order written; applied left to right.
    pub post: Vec<PostClause>,
    /// The whole query text.
    pub loc: Loc,
}

/// A boolean-valued node.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    /// What kind of predicate.
    pub kind: PredicateKind,
    /// Where it was written.
    pub loc: Loc,
}

/// The kinds of boolean-valued nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum PredicateKind {
    /// `a OR b OR …`, `a || b`: at least two operands.
    Or(Vec<Predicate>),
    /// `a AND b AND …`, `a && b`: at least two operands.
    And(Vec<Predicate>),
    /// `NOT p`, `!p`: binds tighter than AND, to the following atom only.
    Not(Box<Predicate>),
    /// `TRUEPREDICATE`: matches every object.
    True,
    /// `FALSEPREDICATE`: matches no object.
    False,
    /// A comparison such as `miles < 100` or `name BEGINSWITH[c] 'a'`.
    Comparison(Box<Comparison>),
}

/// `left op right`, with the optional `[c]` flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The left operand as written (comparisons keep their written direction: `5 < age`).
    pub left: Expr,
    /// The operator.
    pub op: CompareOp,
    /// `[c]` was given. The grammar accepts it only after `==`, `!=`, `IN`, `BEGINSWITH`,
    /// `ENDSWITH`, `CONTAINS` and `LIKE`.
    pub case_insensitive: bool,
    /// The right operand. For `BETWEEN` it is a two-element list literal (checked at bind time);
    /// for `GEOWITHIN` it is a [`Value::Geo`] shape or an argument.
    pub right: Expr,
    /// The whole comparison.
    pub loc: Loc,
}

/// Comparison operators: those evaluation knows as they are (`==`, `<`, `BEGINSWITH`, …, the
/// value layer's [`CmpOp`]) and those the compiler rewrites or refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==` (`=`), `!=` (`<>`), `<`, `<=` (`=<`), `>`, `>=` (`=>`), `BEGINSWITH`, `ENDSWITH`,
    /// `CONTAINS`, `LIKE`.
    Cmp(CmpOp),
    /// `IN`, `in`
    In,
    /// `TEXT` (full-text search)
    Text,
    /// `BETWEEN`
    Between,
    /// `GEOWITHIN`
    GeoWithin,
}

/// An operand: a value, or arithmetic over values.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of operand.
    pub kind: ExprKind,
    /// Where it was written (parentheses around it included).
    pub loc: Loc,
}

/// The kinds of operands.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A single value.
    Value(Value),
    /// `left op right`; `*` and `/` bind tighter than `+` and `-`; all are left-associative.
    /// Parentheses leave no node of their own: `2 * (a - 5)` is `Mul(2, Sub(a, 5))`.
    Arithmetic {
        /// The operator.
        op: ArithOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
}

/// A single value in a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A literal or an argument, e.g. `100`, `'abc'`, `$0`, `ANY $1`, `oid(…)`.
    Constant(Constant),
    /// A key path with an optional quantifier and post operator, e.g. `ANY labels`, `items.@count`.
    Path(PathValue),
    /// A list literal `{1, 2}` with an optional quantifier.
    List(ListValue),
    /// `path.@min`, `path.@max.prop`, …
    Aggregate(Aggregate),
    /// `SUBQUERY(path, $x, predicate).@count`.
    Subquery(Box<Subquery>),
    /// A geospatial shape, only as the right side of `GEOWITHIN`.
    Geo(GeoShape),
}

/// `ANY`/`SOME`, `ALL`, `NONE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// `ANY`, `SOME`: at least one element.
    Any,
    /// `ALL`: every element (true for an empty list).
    All,
    /// `NONE`: no element (true for an empty list).
    None,
}

/// A key path used as a value.
#[derive(Debug, Clone, PartialEq)]
pub struct PathValue {
    /// `ANY`, `ALL`, `NONE` before the path.
    pub quantifier: Option<Quantifier>,
    /// The path itself.
    pub path: Path,
    /// `.@count`, `.@size`, `[SIZE]` or `.@type` after the path.
    pub post: Option<PostOp>,
}

/// The single operator that may follow a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostOp {
    /// Element count or byte length. The spelling is kept because realm-core's error messages
    /// quote it (`Operation '@size' is not supported on property of type 'int'`).
    Size(SizeSpelling),
    /// `.@type`
    Type,
}

/// How a size operator was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SizeSpelling {
    /// `.@count`
    Count,
    /// `.@size`
    Size,
    /// `[SIZE]`
    IndexUpper,
    /// `[size]`
    IndexLower,
}

/// A key path: `miles`, `address.city`, `labels[FIRST]`, `@links.Person.items`, `$K0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The elements in order; never empty.
    pub elements: Vec<PathElement>,
    /// The whole path.
    pub loc: Loc,
}

/// One element of a key path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathElement {
    /// What kind of element.
    pub kind: PathElementKind,
    /// Where it was written.
    pub loc: Loc,
}

/// The kinds of key-path elements.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElementKind {
    /// A property (or dictionary key) name, with identifier escapes already decoded
    /// (`float\ fees` is the name `float fees`). Keywords usable as names (`sort`, `in`, …)
    /// appear here as plain names.
    Name(String),
    /// `$K<n>`: a key-path argument, only ever the whole path.
    KeyPathArgument(u32),
    /// `@links.<Class>.<property>`: objects of `Class` whose `property` links here.
    Backlinks {
        /// The linking class.
        class: String,
        /// The linking property.
        property: String,
    },
    /// `@links` alone: all incoming links.
    AllBacklinks,
    /// `@keys` of a dictionary.
    Keys,
    /// `@values` of a dictionary.
    Values,
    /// `[…]` after an element.
    Index(IndexStep),
}

/// What can stand between `[` and `]` in a key path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexStep {
    /// `[n]`, decoded with C `strtoll` base-0 rules (`[010]` is 8).
    Position(u64),
    /// `[FIRST]`, `[first]`
    First,
    /// `[LAST]`, `[last]`
    Last,
    /// `[*]`
    All,
    /// `['key']`, `["key"]`: raw string text.
    Key(String),
    /// `[$n]`
    Argument(u32),
}

/// A list literal.
#[derive(Debug, Clone, PartialEq)]
pub struct ListValue {
    /// `ANY`, `ALL`, `NONE` before the brace.
    pub quantifier: Option<Quantifier>,
    /// The elements (possibly none).
    pub elements: Vec<ConstantExpr>,
}

/// A constant with its location (list elements point at themselves in errors).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantExpr {
    /// The constant.
    pub value: Constant,
    /// Where it was written.
    pub loc: Loc,
}

/// Literals and arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    /// An integer literal (decimal, octal with a leading `0`, or hex `0x…`), already converted
    /// with C `strtoll` base-0 rules: saturating, octal stopping at the first non-octal digit.
    Int(i64),
    /// A floating-point literal, kept as written (`1.`, `.5`, `+2.5`, `1e5`, `5f`). A trailing
    /// `f` makes it a 32-bit float. The text is kept because a float compared with a decimal
    /// property is re-read from its text as a decimal.
    Float(String),
    /// `inf`, `infinity` in any case, with an optional sign.
    Infinity {
        /// A `-` sign was written.
        negative: bool,
    },
    /// `nan` in any case; realm-core ignores its sign.
    NaN,
    /// A quoted string: the raw text between the quotes. Escapes are validated by the grammar
    /// but not decoded (realm-core compares against the raw text).
    String(String),
    /// `B64"…"`: the base64 text as written; decoded (and possibly rejected) at bind time.
    Base64(String),
    /// `bin('…')`, `binary("…")`, `bin(B64"…")`.
    Binary(BinaryLiteral),
    /// A timestamp literal.
    Timestamp(TimestampLiteral),
    /// `oid(…)`: the 12 bytes.
    ObjectId([u8; 12]),
    /// `uuid(…)`: the 16 bytes.
    Uuid([u8; 16]),
    /// `true`, `TRUE`, `false`, `FALSE`.
    Bool(bool),
    /// `null`, `nil` in any case.
    Null,
    /// `$n`, possibly quantified (`ANY $0`).
    Argument {
        /// The argument index.
        index: u32,
        /// `ANY`, `ALL`, `NONE` before it.
        quantifier: Option<Quantifier>,
    },
    /// `obj('Class', pk)`: a link to the object of `Class` with that primary key.
    Object {
        /// The class name: raw string text.
        class: String,
        /// The primary key: an integer, string, uuid, oid literal or an argument.
        key: Box<Constant>,
    },
    /// `O<n>`: an internal object key.
    ObjectKey(u64),
    /// `L<t>:<n>`: an internal typed link.
    TypedLink {
        /// Table key.
        table: u64,
        /// Object key.
        object: u64,
    },
}

/// The two spellings of a binary literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BinaryLiteral {
    /// `bin('…')`: the raw string text's bytes.
    Text(String),
    /// `bin(B64"…")`: base64 text as written.
    Base64(String),
}

/// A timestamp literal in either of its forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TimestampLiteral {
    /// `T<seconds>:<nanoseconds>`, each converted with C `strtol` base-0 rules. The parser has
    /// already refused opposite signs and nanoseconds of magnitude 1e9 or more.
    Epoch {
        /// Seconds since the Unix epoch.
        seconds: i64,
        /// Nanoseconds, with the sign of `seconds`.
        nanos: i64,
    },
    /// `YYYY-MM-DD@HH:MM:SS[:NANOS]` (or `T` instead of `@`), fields as written in decimal.
    /// Converted at bind time with calendar normalisation; years before 1900 are refused there.
    Date {
        /// Year.
        year: i64,
        /// Month, 1-based (may be out of range; it rolls over).
        month: i64,
        /// Day of month (may roll over).
        day: i64,
        /// Hour.
        hour: i64,
        /// Minute.
        minute: i64,
        /// Second.
        second: i64,
        /// Nanoseconds (an integer count, not a fraction), if given.
        nanos: Option<i64>,
    },
}

/// `path.@min`, `path.@max.prop`, `path.@sum`, `path.@avg.prop`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// The collection being aggregated.
    pub path: Path,
    /// Which aggregate.
    pub op: AggregateOp,
    /// The property of linked objects to aggregate (`items.@sum.price`), if any.
    pub property: Option<String>,
}

/// `SUBQUERY(collection, $var, predicate).@count`.
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    /// The list of objects to filter.
    pub collection: Path,
    /// The variable naming each element (`$x`).
    pub variable: String,
    /// The filter applied to each element.
    pub predicate: Predicate,
    /// `.@count` or `.@size`.
    pub size: SizeSpelling,
}

/// A geospatial shape.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoShape {
    /// `geoBox([lon, lat], [lon, lat])`: bottom-left and top-right corners.
    Box {
        /// Bottom-left corner.
        bottom_left: GeoPoint,
        /// Top-right corner.
        top_right: GeoPoint,
    },
    /// `geoCircle([lon, lat], radius)`: radius in radians.
    Circle {
        /// Centre.
        center: GeoPoint,
        /// Radius in radians.
        radius: GeoCoordinate,
    },
    /// `geoPolygon({…}, {…})`: an outer ring, then holes.
    Polygon {
        /// The rings, outer first.
        rings: Vec<Vec<GeoPoint>>,
    },
}

/// `[lon, lat]` or `[lon, lat, altitude]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoPoint {
    /// Longitude.
    pub longitude: GeoCoordinate,
    /// Latitude.
    pub latitude: GeoCoordinate,
    /// Altitude (a float literal's text), if given.
    pub altitude: Option<String>,
}

/// A coordinate: a number literal's text or an argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GeoCoordinate {
    /// A float or natural number literal, as written.
    Number(String),
    /// `$n`
    Argument(u32),
}

/// Clauses after the predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum PostClause {
    /// `SORT(a ASC, b.c DESC)`
    Sort(Vec<SortKey>),
    /// `DISTINCT(a, b)`
    Distinct(Vec<Path>),
    /// `LIMIT(n)`
    Limit(u64),
}

/// One key of a `SORT` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The property to sort by.
    pub path: Path,
    /// `ASC`/`ASCENDING` (true) or `DESC`/`DESCENDING` (false).
    pub ascending: bool,
}
