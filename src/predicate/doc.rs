//! Reading values out of BSON documents, raw or decoded, without allocating.
//!
//! A [`Node`] is a position in a document: a value, or the absence of one. Absent fields read as
//! null (scalars) or as empty (collections), as realm-core reads a column that was never set.
//! Malformed raw BSON reads as absent: evaluation never fails on a document.

use bson::raw::{RawBsonRef, RawDocument};
use bson::{Bson, Document};

use super::val::{Ts, Val};
use crate::value::Decimal128;

/// A position in a document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'a> {
    Missing,
    Raw(RawBsonRef<'a>),
    Dec(&'a Bson),
}

/// A whole document, raw or decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DocRef<'a> {
    Raw(&'a RawDocument),
    Dec(&'a Document),
}

impl<'a> DocRef<'a> {
    pub(crate) fn get(self, name: &str) -> Node<'a> {
        match self {
            DocRef::Raw(d) => {
                for item in d {
                    match item {
                        Ok((k, v)) if k.as_str() == name => return Node::Raw(v),
                        Ok(_) => {}
                        Err(_) => return Node::Missing,
                    }
                }
                Node::Missing
            }
            DocRef::Dec(d) => d.get(name).map_or(Node::Missing, Node::Dec),
        }
    }

    /// Visits every field in document order; stops when `f` returns false.
    pub(crate) fn for_each_field(self, f: &mut dyn FnMut(&'a str, Node<'a>) -> bool) -> bool {
        match self {
            DocRef::Raw(d) => {
                for item in d {
                    let Ok((k, v)) = item else { return true };
                    if !f(k.as_str(), Node::Raw(v)) {
                        return false;
                    }
                }
                true
            }
            DocRef::Dec(d) => {
                for (k, v) in d {
                    if !f(k.as_str(), Node::Dec(v)) {
                        return false;
                    }
                }
                true
            }
        }
    }

    pub(crate) fn is_empty(self) -> bool {
        let mut empty = true;
        self.for_each_field(&mut |_, _| {
            empty = false;
            false
        });
        empty
    }
}

impl<'a> Node<'a> {
    /// The embedded document here, if any.
    pub(crate) fn doc(self) -> Option<DocRef<'a>> {
        match self {
            Node::Raw(RawBsonRef::Document(d)) => Some(DocRef::Raw(d)),
            Node::Dec(Bson::Document(d)) => Some(DocRef::Dec(d)),
            _ => None,
        }
    }

    /// A field of the embedded document here; absent when this is not a document.
    pub(crate) fn field(self, name: &str) -> Node<'a> {
        self.doc().map_or(Node::Missing, |d| d.get(name))
    }

    pub(crate) fn is_array(self) -> bool {
        matches!(self, Node::Raw(RawBsonRef::Array(_)) | Node::Dec(Bson::Array(_)))
    }

    /// Visits the elements of the array here (nothing when this is not an array).
    pub(crate) fn for_each_element(self, f: &mut dyn FnMut(Node<'a>) -> bool) -> bool {
        match self {
            Node::Raw(RawBsonRef::Array(a)) => {
                for item in a {
                    let Ok(v) = item else { return true };
                    if !f(Node::Raw(v)) {
                        return false;
                    }
                }
                true
            }
            Node::Dec(Bson::Array(a)) => {
                for v in a {
                    if !f(Node::Dec(v)) {
                        return false;
                    }
                }
                true
            }
            _ => true,
        }
    }

    /// Number of elements of the array, or fields of the document, here.
    pub(crate) fn len(self) -> usize {
        let mut n = 0usize;
        if let Some(d) = self.doc() {
            d.for_each_field(&mut |_, _| {
                n += 1;
                true
            });
        } else {
            self.for_each_element(&mut |_| {
                n += 1;
                true
            });
        }
        n
    }

    /// The element at `index`, or `None` past the end.
    pub(crate) fn element(self, index: usize) -> Option<Node<'a>> {
        let mut i = 0usize;
        let mut found = None;
        self.for_each_element(&mut |n| {
            if i == index {
                found = Some(n);
                return false;
            }
            i += 1;
            true
        });
        found
    }

    /// The value here as realm-core sees it. `float` says the property is declared `float`, so a
    /// stored double is read as a 32-bit float.
    pub(crate) fn val(self, float: bool) -> Val<'a> {
        let v = match self {
            Node::Missing => Val::Null,
            Node::Raw(r) => raw_val(r),
            Node::Dec(b) => bson_val(b),
        };
        match v {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a float property holds f32 values"
            )]
            Val::Double(d) if float => Val::Float(d as f32),
            other => other,
        }
    }
}

fn raw_val(r: RawBsonRef<'_>) -> Val<'_> {
    match r {
        RawBsonRef::Null | RawBsonRef::Undefined => Val::Null,
        RawBsonRef::Boolean(b) => Val::Bool(b),
        RawBsonRef::Int32(i) => Val::Int(i64::from(i)),
        RawBsonRef::Int64(i) => Val::Int(i),
        RawBsonRef::Double(d) => Val::Double(d),
        RawBsonRef::Decimal128(d) => Val::Decimal(Decimal128::from_bson(d)),
        RawBsonRef::String(s) => Val::Str(s.as_bytes()),
        RawBsonRef::Binary(b) => {
            if b.subtype == bson::spec::BinarySubtype::Uuid
                && let Ok(u) = <[u8; 16]>::try_from(b.bytes)
            {
                return Val::Uuid(u);
            }
            Val::Bin(b.bytes)
        }
        RawBsonRef::DateTime(d) => Val::Ts(Ts::from_millis(d.timestamp_millis())),
        RawBsonRef::ObjectId(o) => Val::Oid(o.bytes()),
        RawBsonRef::Document(_) => Val::Dict,
        RawBsonRef::Array(_) => Val::List,
        _ => Val::Other,
    }
}

fn bson_val(b: &Bson) -> Val<'_> {
    match b {
        Bson::Null | Bson::Undefined => Val::Null,
        Bson::Boolean(b) => Val::Bool(*b),
        Bson::Int32(i) => Val::Int(i64::from(*i)),
        Bson::Int64(i) => Val::Int(*i),
        Bson::Double(d) => Val::Double(*d),
        Bson::Decimal128(d) => Val::Decimal(Decimal128::from_bson(*d)),
        Bson::String(s) => Val::Str(s.as_bytes()),
        Bson::Binary(b) => {
            if b.subtype == bson::spec::BinarySubtype::Uuid
                && let Ok(u) = <[u8; 16]>::try_from(b.bytes.as_slice())
            {
                return Val::Uuid(u);
            }
            Val::Bin(&b.bytes)
        }
        Bson::DateTime(d) => Val::Ts(Ts::from_millis(d.timestamp_millis())),
        Bson::ObjectId(o) => Val::Oid(o.bytes()),
        Bson::Document(_) => Val::Dict,
        Bson::Array(_) => Val::List,
        _ => Val::Other,
    }
}
