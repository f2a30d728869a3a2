//! Canonical RQL text for every syntax tree node.
//!
//! The printed form is meant to be read back: for every tree the parser produces,
//! `parse(&q.to_string()) == Ok(q)`. It uses one spelling per construct (upper-case keywords,
//! `==`, `!=`, `ANY`), decimal integers, parentheses only where the tree's structure needs them,
//! and prints strings with the raw text they were parsed from (escapes were never decoded, so
//! none are added).
//!
//! Printing recurses once per tree level. Trees built by the parser are at most a small multiple
//! of [`Limits::max_depth`](crate::Limits) deep, so the recursion is bounded for them; a tree
//! built by hand is printed as deep as it is.

use std::fmt::{self, Display, Formatter, Write};

use crate::value::ejson;

use super::ast::{
    Aggregate, AggregateOp, ArithOp, BinaryLiteral, CompareOp, Comparison, Constant, ConstantExpr,
    Expr, ExprKind, GeoCoordinate, GeoPoint, GeoShape, IndexStep, ListValue, Path, PathElement,
    PathElementKind, PathValue, PostClause, PostOp, Predicate, PredicateKind, Quantifier, Query,
    SizeSpelling, SortKey, Subquery, TimestampLiteral, Value,
};

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.predicate.fmt(f)?;
        for clause in &self.post {
            write!(f, " {clause}")?;
        }
        Ok(())
    }
}

/// Binding strength of a predicate node when printed; higher binds tighter.
fn predicate_level(kind: &PredicateKind) -> u8 {
    match kind {
        PredicateKind::Or(_) => 0,
        PredicateKind::And(_) => 1,
        _ => 2,
    }
}

/// Prints `p`, in parentheses if it binds no tighter than `min_level` requires.
fn predicate_at(f: &mut Formatter<'_>, p: &Predicate, min_level: u8) -> fmt::Result {
    if predicate_level(&p.kind) < min_level { write!(f, "({p})") } else { p.fmt(f) }
}

impl Display for Predicate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl Display for PredicateKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            // An operand of the same kind was a parenthesised group, and stays one.
            PredicateKind::Or(operands) => join_predicates(f, operands, " OR ", 1),
            PredicateKind::And(operands) => join_predicates(f, operands, " AND ", 2),
            PredicateKind::Not(inner) => {
                f.write_str("NOT ")?;
                predicate_at(f, inner, 2)
            }
            PredicateKind::True => f.write_str("TRUEPREDICATE"),
            PredicateKind::False => f.write_str("FALSEPREDICATE"),
            PredicateKind::Comparison(comparison) => comparison.fmt(f),
        }
    }
}

fn join_predicates(
    f: &mut Formatter<'_>,
    operands: &[Predicate],
    separator: &str,
    min_level: u8,
) -> fmt::Result {
    for (i, operand) in operands.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        predicate_at(f, operand, min_level)?;
    }
    Ok(())
}

impl Display for Comparison {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let case = if self.case_insensitive { "[c]" } else { "" };
        write!(f, "{} {}{case} {}", self.left, self.op, self.right)
    }
}

impl Display for CompareOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompareOp::Cmp(op) => op.symbol(),
            CompareOp::In => "IN",
            CompareOp::Text => "TEXT",
            CompareOp::Between => "BETWEEN",
            CompareOp::GeoWithin => "GEOWITHIN",
        })
    }
}

impl Display for ArithOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArithOp::Add => "+",
            ArithOp::Subtract => "-",
            ArithOp::Multiply => "*",
            ArithOp::Divide => "/",
        })
    }
}

fn arith_level(op: ArithOp) -> u8 {
    match op {
        ArithOp::Add | ArithOp::Subtract => 0,
        ArithOp::Multiply | ArithOp::Divide => 1,
    }
}

fn expr_level(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Arithmetic { op, .. } => arith_level(*op),
        ExprKind::Value(_) => 2,
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl Display for ExprKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ExprKind::Value(value) => value.fmt(f),
            ExprKind::Arithmetic { op, left, right } => {
                // Left-associative: a left operand of the same level needs no parentheses, a
                // right one does (`a - (b - c)`).
                let level = arith_level(*op);
                if expr_level(left) < level {
                    write!(f, "({left})")?;
                } else {
                    left.fmt(f)?;
                }
                write!(f, " {op} ")?;
                if expr_level(right) <= level { write!(f, "({right})") } else { right.fmt(f) }
            }
        }
    }
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::Constant(constant) => constant.fmt(f),
            Value::Path(path) => path.fmt(f),
            Value::List(list) => list.fmt(f),
            Value::Aggregate(aggregate) => aggregate.fmt(f),
            Value::Subquery(subquery) => subquery.fmt(f),
            Value::Geo(shape) => shape.fmt(f),
        }
    }
}

impl Display for Quantifier {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quantifier::Any => "ANY",
            Quantifier::All => "ALL",
            Quantifier::None => "NONE",
        })
    }
}

impl Display for PathValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(quantifier) = self.quantifier {
            write!(f, "{quantifier} ")?;
        }
        self.path.fmt(f)?;
        if let Some(post) = self.post {
            post.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for PostOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PostOp::Size(spelling) => spelling.fmt(f),
            PostOp::Type => f.write_str(".@type"),
        }
    }
}

impl Display for SizeSpelling {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SizeSpelling::Count => ".@count",
            SizeSpelling::Size => ".@size",
            SizeSpelling::IndexUpper => "[SIZE]",
            SizeSpelling::IndexLower => "[size]",
        })
    }
}

impl Display for Path {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, element) in self.elements.iter().enumerate() {
            if i > 0 && !matches!(element.kind, PathElementKind::Index(_)) {
                f.write_char('.')?;
            }
            element.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for PathElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl Display for PathElementKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PathElementKind::Name(name) => write_name(f, name),
            PathElementKind::KeyPathArgument(index) => write!(f, "$K{index}"),
            PathElementKind::Backlinks { class, property } => {
                f.write_str("@links")?;
                write_backlink_step(f, class)?;
                write_backlink_step(f, property)
            }
            PathElementKind::AllBacklinks => f.write_str("@links"),
            PathElementKind::Keys => f.write_str("@keys"),
            PathElementKind::Values => f.write_str("@values"),
            PathElementKind::Index(step) => step.fmt(f),
        }
    }
}

/// A backlink's class or property: a `.name` step when it can be written as a name, otherwise a
/// `['key']` step, which realm-core fuses the same way.
fn write_backlink_step(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if is_writable_name(name) {
        f.write_char('.')?;
        write_name(f, name)
    } else {
        f.write_char('[')?;
        write_string(f, name)?;
        f.write_char(']')
    }
}

impl Display for IndexStep {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            IndexStep::Position(n) => write!(f, "[{n}]"),
            IndexStep::First => f.write_str("[FIRST]"),
            IndexStep::Last => f.write_str("[LAST]"),
            IndexStep::All => f.write_str("[*]"),
            IndexStep::Key(key) => {
                f.write_char('[')?;
                write_string(f, key)?;
                f.write_char(']')
            }
            IndexStep::Argument(index) => write!(f, "[${index}]"),
        }
    }
}

/// Words that never read as a property name, whatever follows them.
const NOT_NAMES: &[&str] = &[
    "and",
    "or",
    "not",
    "any",
    "some",
    "all",
    "none",
    "true",
    "false",
    "null",
    "nil",
    "inf",
    "infinity",
    "nan",
    "obj",
    "subquery",
    "truepredicate",
    "falsepredicate",
    "geowithin",
    "geobox",
    "geopolygon",
    "geocircle",
];

/// Case-sensitive words among [`NOT_NAMES`]: only these spellings are keywords.
const CASE_SENSITIVE: &[&str] = &["not", "any", "some", "all", "none", "true", "false"];

/// Whether `name` reads back as the same name when written as an identifier (with escapes).
fn is_writable_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    let starts = first.is_ascii_alphabetic() || first == '_' || first == '$' || !first.is_ascii();
    let continues = name.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '$' | ' ' | '\t' | '\r' | '\n')
            || !c.is_ascii()
    });
    if !starts || !continues {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    if let Some(word) = NOT_NAMES.iter().find(|w| **w == lower) {
        let keyword =
            !CASE_SENSITIVE.contains(word) || name == *word || name == word.to_ascii_uppercase();
        if keyword {
            return false;
        }
    }
    // `$1`, `$K1` and `O1` are argument and object-key literals.
    let digits_after = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
    };
    !(digits_after("$") || digits_after("$K") || digits_after("O"))
}

/// Writes a property name as an identifier, re-escaping the characters that need it.
fn write_name(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    for c in name.chars() {
        match c {
            ' ' => f.write_str("\\ ")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\n' => f.write_str("\\n")?,
            other => f.write_char(other)?,
        }
    }
    Ok(())
}

/// Writes raw string text in quotes: double quotes unless the text holds an unescaped `"`.
fn write_string(f: &mut Formatter<'_>, raw: &str) -> fmt::Result {
    let mut has_bare_double = false;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => has_bare_double = true,
            _ => {}
        }
    }
    let quote = if has_bare_double { '\'' } else { '"' };
    write!(f, "{quote}{raw}{quote}")
}

impl Display for ListValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(quantifier) = self.quantifier {
            write!(f, "{quantifier} ")?;
        }
        f.write_char('{')?;
        for (i, element) in self.elements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            element.fmt(f)?;
        }
        f.write_char('}')
    }
}

impl Display for ConstantExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl Display for Constant {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Constant::Int(n) => write!(f, "{n}"),
            Constant::Float(text) => f.write_str(text),
            Constant::Infinity { negative: true } => f.write_str("-infinity"),
            Constant::Infinity { negative: false } => f.write_str("infinity"),
            Constant::NaN => f.write_str("nan"),
            Constant::String(raw) => write_string(f, raw),
            Constant::Base64(text) => write!(f, "B64\"{text}\""),
            Constant::Binary(binary) => binary.fmt(f),
            Constant::Timestamp(timestamp) => timestamp.fmt(f),
            Constant::ObjectId(bytes) => write!(f, "oid({})", ejson::oid_hex(bytes)),
            Constant::Uuid(bytes) => write!(f, "uuid({})", ejson::uuid_text(bytes)),
            Constant::Bool(true) => f.write_str("true"),
            Constant::Bool(false) => f.write_str("false"),
            Constant::Null => f.write_str("null"),
            Constant::Argument { index, quantifier } => {
                if let Some(quantifier) = quantifier {
                    write!(f, "{quantifier} ")?;
                }
                write!(f, "${index}")
            }
            Constant::Object { class, key } => {
                f.write_str("obj(")?;
                write_string(f, class)?;
                write!(f, ", {key})")
            }
            Constant::ObjectKey(key) => write!(f, "O{key}"),
            Constant::TypedLink { table, object } => write!(f, "L{table}:{object}"),
        }
    }
}

impl Display for BinaryLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            BinaryLiteral::Text(raw) => {
                f.write_str("bin(")?;
                write_string(f, raw)?;
                f.write_char(')')
            }
            BinaryLiteral::Base64(text) => write!(f, "bin(B64\"{text}\")"),
        }
    }
}

impl Display for TimestampLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TimestampLiteral::Epoch { seconds, nanos } => write!(f, "T{seconds}:{nanos}"),
            TimestampLiteral::Date { year, month, day, hour, minute, second, nanos } => {
                write!(f, "{year}-{month}-{day}@{hour}:{minute}:{second}")?;
                match nanos {
                    Some(nanos) => write!(f, ":{nanos}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Display for AggregateOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AggregateOp::Min => "@min",
            AggregateOp::Max => "@max",
            AggregateOp::Sum => "@sum",
            AggregateOp::Avg => "@avg",
        })
    }
}

impl Display for Aggregate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.path, self.op)?;
        if let Some(property) = &self.property {
            f.write_char('.')?;
            write_name(f, property)?;
        }
        Ok(())
    }
}

impl Display for Subquery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("SUBQUERY(")?;
        self.collection.fmt(f)?;
        f.write_str(", ")?;
        write_name(f, &self.variable)?;
        write!(f, ", {}){}", self.predicate, self.size)
    }
}

impl Display for GeoShape {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GeoShape::Box { bottom_left, top_right } => {
                write!(f, "geoBox({bottom_left}, {top_right})")
            }
            GeoShape::Circle { center, radius } => write!(f, "geoCircle({center}, {radius})"),
            GeoShape::Polygon { rings } => {
                f.write_str("geoPolygon(")?;
                for (i, ring) in rings.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_char('{')?;
                    for (j, point) in ring.iter().enumerate() {
                        if j > 0 {
                            f.write_str(", ")?;
                        }
                        point.fmt(f)?;
                    }
                    f.write_char('}')?;
                }
                f.write_char(')')
            }
        }
    }
}

impl Display for GeoPoint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}", self.longitude, self.latitude)?;
        if let Some(altitude) = &self.altitude {
            write!(f, ", {altitude}")?;
        }
        f.write_char(']')
    }
}

impl Display for GeoCoordinate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GeoCoordinate::Number(text) => f.write_str(text),
            GeoCoordinate::Argument(index) => write!(f, "${index}"),
        }
    }
}

impl Display for PostClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PostClause::Sort(keys) => {
                f.write_str("SORT(")?;
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    key.fmt(f)?;
                }
                f.write_char(')')
            }
            PostClause::Distinct(paths) => {
                f.write_str("DISTINCT(")?;
                for (i, path) in paths.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    path.fmt(f)?;
                }
                f.write_char(')')
            }
            PostClause::Limit(count) => write!(f, "LIMIT({count})"),
        }
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let direction = if self.ascending { "ASC" } else { "DESC" };
        write!(f, "{} {direction}", self.path)
    }
}
