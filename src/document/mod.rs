//! Borrowed, allocation-free access to BSON documents, either as raw bytes
//! (`bson::RawDocument`) or decoded (`bson::Document`).
//!
//! Predicates read a handful of top-level fields from each document. For raw documents the
//! element walker here skips unwanted values by their length prefix without validating or
//! decoding them, and [`FieldSet::scan`] reads every wanted field in one pass over the
//! document, stopping as soon as the last one is found. Malformed or truncated bytes produce a
//! [`DocumentError`], never a panic or an out-of-bounds read.

mod raw;

use bson::spec::BinarySubtype;
use bson::{Bson, Document, RawDocument};

use crate::value::{Decimal128, Timestamp, ValueRef};

use raw::RawIter;

/// What is wrong with a raw document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentErrorKind {
    /// The bytes end before the element or document they announce.
    Truncated,
    /// A length prefix is negative, too small, or disagrees with the bytes.
    BadLength,
    /// A document, string or key lacks its terminating zero byte.
    MissingTerminator,
    /// An element has a type byte BSON does not define.
    UnknownType(u8),
    /// Arrays and documents nest deeper than [`crate::Limits::max_document_depth`].
    TooDeep,
}

/// A malformed document: what is wrong, and at which byte offset of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed document at byte {offset}: {}", describe(.kind))]
pub struct DocumentError {
    /// What is wrong.
    pub kind: DocumentErrorKind,
    /// Byte offset into the outermost document where the problem was found.
    pub offset: usize,
}

fn describe(kind: &DocumentErrorKind) -> String {
    match kind {
        DocumentErrorKind::Truncated => "the data ends early".to_owned(),
        DocumentErrorKind::BadLength => "a length prefix is wrong".to_owned(),
        DocumentErrorKind::MissingTerminator => "a terminating zero byte is missing".to_owned(),
        DocumentErrorKind::UnknownType(t) => format!("unknown element type `0x{t:02x}`"),
        DocumentErrorKind::TooDeep => "arrays and documents nest too deeply".to_owned(),
    }
}

impl<'a> ValueRef<'a> {
    /// Borrows a decoded BSON value, read as a raw document's field is read: both int widths
    /// are `Int`, a date is a `Timestamp`, a 16-byte binary of subtype 4 is a `Uuid`. This is
    /// the crate's one reading of BSON as values.
    pub fn from_bson(value: &'a Bson) -> ValueRef<'a> {
        match value {
            Bson::Null | Bson::Undefined => ValueRef::Null,
            Bson::Boolean(b) => ValueRef::Bool(*b),
            Bson::Int32(i) => ValueRef::Int(i64::from(*i)),
            Bson::Int64(i) => ValueRef::Int(*i),
            Bson::Double(d) => ValueRef::Double(*d),
            Bson::Decimal128(d) => ValueRef::Decimal(Decimal128::from_bson(*d)),
            Bson::String(s) => ValueRef::String(s.as_bytes()),
            Bson::Binary(b) => binary(u8::from(b.subtype), &b.bytes),
            Bson::DateTime(dt) => {
                ValueRef::Timestamp(Timestamp::from_millis(dt.timestamp_millis()))
            }
            Bson::ObjectId(o) => ValueRef::ObjectId(o.bytes()),
            Bson::Array(items) => ValueRef::Array(ArrayRef(Repr::Decoded(Decoded::Array(items)))),
            Bson::Document(doc) => ValueRef::Document(DocRef(Repr::Decoded(Decoded::Doc(doc)))),
            Bson::RegularExpression(_) => ValueRef::Other(0x0b),
            Bson::DbPointer(_) => ValueRef::Other(0x0c),
            Bson::JavaScriptCode(_) => ValueRef::Other(0x0d),
            Bson::Symbol(_) => ValueRef::Other(0x0e),
            Bson::JavaScriptCodeWithScope(_) => ValueRef::Other(0x0f),
            Bson::Timestamp(_) => ValueRef::Other(0x11),
            Bson::MaxKey => ValueRef::Other(0x7f),
            Bson::MinKey => ValueRef::Other(0xff),
        }
    }

    /// Structural equality across representations (a raw array equals a decoded one with the
    /// same elements); nested values are compared to `max_depth` levels. Numbers are equal
    /// when they have the same type and bits (an int32 and an int64 of the same value are both
    /// `Int`, and equal).
    pub fn same_as(&self, other: &ValueRef<'_>, max_depth: u32) -> Result<bool, DocumentError> {
        Ok(match (self, other) {
            (ValueRef::Null, ValueRef::Null) => true,
            (ValueRef::Bool(a), ValueRef::Bool(b)) => a == b,
            (ValueRef::Int(a), ValueRef::Int(b)) => a == b,
            (ValueRef::Float(a), ValueRef::Float(b)) => a.to_bits() == b.to_bits(),
            (ValueRef::Double(a), ValueRef::Double(b)) => a.to_bits() == b.to_bits(),
            (ValueRef::Decimal(a), ValueRef::Decimal(b)) => a.to_bytes() == b.to_bytes(),
            (ValueRef::String(a), ValueRef::String(b)) => a == b,
            (
                ValueRef::Binary { subtype: s1, bytes: b1 },
                ValueRef::Binary { subtype: s2, bytes: b2 },
            ) => s1 == s2 && b1 == b2,
            (ValueRef::Timestamp(a), ValueRef::Timestamp(b)) => a == b,
            (ValueRef::Type(a), ValueRef::Type(b)) => a == b,
            (ValueRef::Link, ValueRef::Link) => true,
            (ValueRef::ObjectId(a), ValueRef::ObjectId(b)) => a == b,
            (ValueRef::Uuid(a), ValueRef::Uuid(b)) => a == b,
            (ValueRef::Other(a), ValueRef::Other(b)) => a == b,
            (ValueRef::Array(a), ValueRef::Array(b)) => {
                let depth = max_depth.checked_sub(1).ok_or(too_deep())?;
                let mut ia = a.iter();
                let mut ib = b.iter();
                loop {
                    match (ia.next().transpose()?, ib.next().transpose()?) {
                        (None, None) => break true,
                        (Some(x), Some(y)) if x.same_as(&y, depth)? => {}
                        _ => break false,
                    }
                }
            }
            (ValueRef::Document(a), ValueRef::Document(b)) => {
                let depth = max_depth.checked_sub(1).ok_or(too_deep())?;
                let mut ia = a.iter();
                let mut ib = b.iter();
                loop {
                    match (ia.next().transpose()?, ib.next().transpose()?) {
                        (None, None) => break true,
                        (Some((k1, x)), Some((k2, y))) if k1 == k2 && x.same_as(&y, depth)? => {}
                        _ => break false,
                    }
                }
            }
            _ => false,
        })
    }
}

fn too_deep() -> DocumentError {
    DocumentError { kind: DocumentErrorKind::TooDeep, offset: 0 }
}

/// A binary value, recognising UUIDs.
fn binary(subtype: u8, bytes: &[u8]) -> ValueRef<'_> {
    if let (true, Ok(raw)) = (subtype == u8::from(BinarySubtype::Uuid), <[u8; 16]>::try_from(bytes))
    {
        return ValueRef::Uuid(raw);
    }
    ValueRef::Binary { subtype, bytes }
}

#[derive(Debug, Clone, Copy)]
enum Decoded<'a> {
    Doc(&'a Document),
    Array(&'a [Bson]),
}

#[derive(Debug, Clone, Copy)]
enum Repr<'a> {
    /// A whole BSON document (or array) including its length prefix and trailing zero, whose
    /// header has been checked, and its offset inside the outermost document.
    Raw {
        bytes: &'a [u8],
        base: usize,
    },
    Decoded(Decoded<'a>),
}

/// A borrowed document in either representation.
#[derive(Debug, Clone, Copy)]
pub struct DocRef<'a>(Repr<'a>);

/// A borrowed array in either representation.
#[derive(Debug, Clone, Copy)]
pub struct ArrayRef<'a>(Repr<'a>);

impl<'a> DocRef<'a> {
    /// A raw document (its header was checked by `bson`).
    pub fn raw(doc: &'a RawDocument) -> DocRef<'a> {
        DocRef(Repr::Raw { bytes: doc.as_bytes(), base: 0 })
    }

    /// Raw document bytes, checking only the header (length prefix and trailing zero);
    /// elements are checked as they are read.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<DocRef<'a>, DocumentError> {
        raw::check_header(bytes, 0)?;
        Ok(DocRef(Repr::Raw { bytes, base: 0 }))
    }

    /// A decoded document.
    pub fn decoded(doc: &'a Document) -> DocRef<'a> {
        DocRef(Repr::Decoded(Decoded::Doc(doc)))
    }

    /// The elements in document order, keys as bytes. A raw document stops after yielding its
    /// first error.
    pub fn iter(&self) -> DocIter<'a> {
        match self.0 {
            Repr::Raw { bytes, base } => DocIter(IterRepr::Raw(RawIter::new(bytes, base))),
            Repr::Decoded(Decoded::Doc(doc)) => DocIter(IterRepr::Doc(doc.iter())),
            Repr::Decoded(Decoded::Array(items)) => {
                DocIter(IterRepr::Array(items.iter().enumerate()))
            }
        }
    }

    /// The value of the first element named `key`; `Ok(None)` when there is none.
    #[inline]
    pub fn get(&self, key: &str) -> Result<Option<ValueRef<'a>>, DocumentError> {
        match self.0 {
            Repr::Decoded(Decoded::Doc(doc)) => Ok(doc.get(key).map(ValueRef::from_bson)),
            Repr::Decoded(Decoded::Array(_)) => Ok(None),
            Repr::Raw { bytes, base } => {
                // Only the matching element's value is decoded.
                let key = key.as_bytes();
                for element in RawIter::new(bytes, base) {
                    let element = element?;
                    if element.key.len() == key.len() && element.key == key {
                        return element.value().map(Some);
                    }
                }
                Ok(None)
            }
        }
    }

    /// Follows a dotted path of field names through embedded documents: `Ok(None)` when a
    /// step is missing or is not a document. Paths longer than `max_depth` are refused.
    pub fn get_path(
        &self,
        path: &[&str],
        max_depth: u32,
    ) -> Result<Option<ValueRef<'a>>, DocumentError> {
        if path.len() > max_depth as usize {
            return Err(too_deep());
        }
        let mut current = *self;
        let mut steps = path.iter().peekable();
        while let Some(step) = steps.next() {
            let Some(v) = current.get(step)? else { return Ok(None) };
            if steps.peek().is_none() {
                return Ok(Some(v));
            }
            match v {
                ValueRef::Document(d) => current = d,
                _ => return Ok(None),
            }
        }
        Ok(None)
    }
}

impl<'a> ArrayRef<'a> {
    /// The elements in order. A raw array stops after yielding its first error.
    pub fn iter(&self) -> ArrayIter<'a> {
        ArrayIter(DocRef(self.0).iter())
    }

    /// The element at `index`, if there is one.
    pub fn get(&self, index: usize) -> Result<Option<ValueRef<'a>>, DocumentError> {
        match self.0 {
            Repr::Decoded(Decoded::Array(items)) => Ok(items.get(index).map(ValueRef::from_bson)),
            _ => self.iter().nth(index).transpose(),
        }
    }
}

enum IterRepr<'a> {
    Raw(RawIter<'a>),
    Doc(bson::document::Iter<'a>),
    Array(std::iter::Enumerate<std::slice::Iter<'a, Bson>>),
}

/// Iterator over a document's `(key, value)` pairs.
pub struct DocIter<'a>(IterRepr<'a>);

impl std::fmt::Debug for DocIter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocIter")
    }
}

impl<'a> Iterator for DocIter<'a> {
    type Item = Result<(&'a [u8], ValueRef<'a>), DocumentError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Raw(it) => it.next().map(|r| r.and_then(|e| Ok((e.key, e.value()?)))),
            IterRepr::Doc(it) => it.next().map(|(k, v)| Ok((k.as_bytes(), ValueRef::from_bson(v)))),
            // Decoded arrays have no stored keys; none is needed by array iteration.
            IterRepr::Array(it) => it.next().map(|(_, v)| Ok((&b""[..], ValueRef::from_bson(v)))),
        }
    }
}

/// Iterator over an array's values.
#[derive(Debug)]
pub struct ArrayIter<'a>(DocIter<'a>);

impl<'a> Iterator for ArrayIter<'a> {
    type Item = Result<ValueRef<'a>, DocumentError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|r| r.map(|(_, v)| v))
    }
}

/// A set of top-level field names to read from each document, built once per predicate or
/// sync connection and reused for every document.
#[derive(Debug, Clone, Default)]
pub struct FieldSet {
    names: Vec<Box<str>>,
}

impl FieldSet {
    /// A set of the given names; slot `i` of [`FieldSet::scan`] receives `names[i]`. Repeated
    /// names share the first one's slot.
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> FieldSet {
        let mut set = FieldSet::default();
        for n in names {
            set.insert(n.as_ref());
        }
        set
    }

    /// Adds a name if it is not there yet and returns its slot index.
    pub fn insert(&mut self, name: &str) -> usize {
        if let Some(i) = self.index_of(name.as_bytes()) {
            return i;
        }
        self.names.push(name.into());
        self.names.len() - 1
    }

    /// The slot of `name`, if it is in the set.
    #[inline]
    pub fn index_of(&self, name: &[u8]) -> Option<usize> {
        self.names.iter().position(|n| n.len() == name.len() && n.as_bytes() == name)
    }

    /// Number of names (and slots).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Reads every wanted field of `doc` into `slots` (which must have [`FieldSet::len`]
    /// entries; extra entries are left alone, missing ones are skipped): slots of fields the
    /// document lacks are set to `None`. A raw document is walked once, stopping when all
    /// fields are found; values of other fields are skipped without being decoded. If a field
    /// occurs twice the first occurrence counts.
    #[inline]
    pub fn scan<'a>(
        &self,
        doc: &DocRef<'a>,
        slots: &mut [Option<ValueRef<'a>>],
    ) -> Result<(), DocumentError> {
        for s in slots.iter_mut().take(self.names.len()) {
            *s = None;
        }
        match doc.0 {
            Repr::Decoded(Decoded::Doc(d)) => {
                for (name, slot) in self.names.iter().zip(slots.iter_mut()) {
                    *slot = d.get(&**name).map(ValueRef::from_bson);
                }
                Ok(())
            }
            Repr::Decoded(Decoded::Array(_)) => Ok(()),
            Repr::Raw { bytes, base } => {
                let wanted = self.names.len().min(slots.len());
                let mut found = 0;
                let mut it = RawIter::new(bytes, base);
                while found < wanted {
                    let Some(element) = it.next() else { break };
                    let element = element?;
                    let Some(i) = self.index_of(element.key) else { continue };
                    if let Some(slot) = slots.get_mut(i).filter(|s| s.is_none()) {
                        *slot = Some(element.value()?);
                        found += 1;
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
