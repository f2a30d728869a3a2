//! How realm-core names paths, types and values in its bind-time messages; the messages are
//! reproduced word for word, so the naming lives in one place.

use crate::rql::ast::{self, IndexStep, PathElementKind, SizeSpelling};
use crate::schema::{ObjectType, PropertyType};
use crate::value::Value;

pub(super) fn size_name(s: SizeSpelling) -> &'static str {
    match s {
        SizeSpelling::Count => "@count",
        SizeSpelling::Size => "@size",
        SizeSpelling::IndexUpper => "SIZE",
        SizeSpelling::IndexLower => "size",
    }
}

pub(super) fn class_name(o: &ObjectType) -> String {
    o.name().to_owned()
}

pub(super) fn type_display(t: &PropertyType) -> &'static str {
    match t {
        PropertyType::Object(_) => "object",
        other => other.realm_name(),
    }
}

pub(super) fn index_text(ix: &IndexStep) -> String {
    match ix {
        IndexStep::Position(n) => n.to_string(),
        IndexStep::First => "FIRST".to_owned(),
        IndexStep::Last => "LAST".to_owned(),
        IndexStep::All => "*".to_owned(),
        IndexStep::Key(k) => format!("'{k}'"),
        IndexStep::Argument(n) => format!("${n}"),
    }
}

pub(super) fn element_text(el: &PathElementKind) -> String {
    match el {
        PathElementKind::Name(n) => n.clone(),
        PathElementKind::KeyPathArgument(n) => format!("$K{n}"),
        PathElementKind::Backlinks { class, property } => format!("@links.{class}.{property}"),
        PathElementKind::AllBacklinks => "@links".to_owned(),
        PathElementKind::Keys => "@keys".to_owned(),
        PathElementKind::Values => "@values".to_owned(),
        PathElementKind::Index(ix) => index_text(ix),
    }
}

pub(super) fn path_text(p: &ast::Path) -> String {
    let mut out = String::new();
    for el in &p.elements {
        match &el.kind {
            PathElementKind::Index(ix) => {
                out.push('[');
                out.push_str(&index_text(ix));
                out.push(']');
            }
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&element_text(other));
            }
        }
    }
    out
}

pub(super) fn describe_const(c: &Value) -> String {
    match c {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Double(d) => d.to_string(),
        Value::Decimal(d) => d.realm_text(),
        Value::String(s) => format!("\"{}\"", String::from_utf8_lossy(s)),
        Value::Binary(b) => format!("\"{}\"", String::from_utf8_lossy(b)),
        Value::Timestamp(t) => {
            format!("T{}:{}", t.seconds(), t.nanos())
        }
        Value::ObjectId(o) => crate::value::ejson::oid_hex(o),
        Value::Uuid(u) => crate::value::ejson::uuid_text(u),
        Value::Type(_) => "@type".to_owned(),
    }
}
