//! The element walker over raw BSON bytes.
//!
//! Every read goes through `.get()`; a length that points past the end, a missing terminator or
//! an unknown type byte ends the walk with an error carrying the offending byte offset.

use super::{ArrayRef, DocRef, DocumentError, DocumentErrorKind, Repr, binary};
use crate::value::{Decimal128, Timestamp, ValueRef};

fn err(kind: DocumentErrorKind, offset: usize) -> DocumentError {
    DocumentError { kind, offset }
}

#[inline]
fn read_i32(bytes: &[u8], at: usize) -> Option<i32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(i32::from_le_bytes(b.try_into().ok()?))
}

#[inline]
fn read_array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Checks that `bytes` is exactly one document: its length prefix equals the byte count (at
/// least 5) and it ends with a zero byte. `base` is its offset for error reports.
pub(super) fn check_header(bytes: &[u8], base: usize) -> Result<(), DocumentError> {
    let len = read_i32(bytes, 0).ok_or(err(DocumentErrorKind::Truncated, base))?;
    if len < 5 || usize::try_from(len).ok() != Some(bytes.len()) {
        return Err(err(DocumentErrorKind::BadLength, base));
    }
    if bytes.last() != Some(&0) {
        return Err(err(DocumentErrorKind::MissingTerminator, base + bytes.len() - 1));
    }
    Ok(())
}

/// One element whose bounds are known and whose value is not decoded yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawElement<'a> {
    /// The element type byte.
    pub(crate) kind: u8,
    /// The key bytes (without the terminator).
    pub(crate) key: &'a [u8],
    /// The value bytes.
    value: &'a [u8],
    /// Offset of the value in the outermost document.
    offset: usize,
}

impl<'a> RawElement<'a> {
    /// Decodes the value (cheap: slices and fixed-size reads).
    #[inline]
    pub(crate) fn value(&self) -> Result<ValueRef<'a>, DocumentError> {
        let v = self.value;
        let at = self.offset;
        let trunc = err(DocumentErrorKind::Truncated, at);
        Ok(match self.kind {
            0x01 => ValueRef::Double(f64::from_le_bytes(read_array(v, 0).ok_or(trunc)?)),
            0x02 => ValueRef::String(string_body(v, at)?),
            0x03 => {
                check_header(v, at)?;
                ValueRef::Document(DocRef(Repr::Raw { bytes: v, base: at }))
            }
            0x04 => {
                check_header(v, at)?;
                ValueRef::Array(ArrayRef(Repr::Raw { bytes: v, base: at }))
            }
            0x05 => {
                let subtype = *v.get(4).ok_or(trunc)?;
                let mut payload = v.get(5..).ok_or(trunc)?;
                if subtype == 0x02 {
                    // The old binary subtype repeats the length inside the payload.
                    let inner = read_i32(payload, 0).ok_or(trunc)?;
                    if usize::try_from(inner).ok() != Some(payload.len().saturating_sub(4)) {
                        return Err(err(DocumentErrorKind::BadLength, at));
                    }
                    payload = payload.get(4..).ok_or(trunc)?;
                }
                binary(subtype, payload)
            }
            0x06 | 0x0a => ValueRef::Null,
            0x07 => ValueRef::ObjectId(read_array(v, 0).ok_or(trunc)?),
            0x08 => ValueRef::Bool(*v.first().ok_or(trunc)? != 0),
            0x09 => ValueRef::Timestamp(Timestamp::from_millis(i64::from_le_bytes(
                read_array(v, 0).ok_or(trunc)?,
            ))),
            0x10 => ValueRef::Int(i64::from(i32::from_le_bytes(read_array(v, 0).ok_or(trunc)?))),
            0x12 => ValueRef::Int(i64::from_le_bytes(read_array(v, 0).ok_or(trunc)?)),
            0x13 => ValueRef::Decimal(Decimal128::from_bytes(read_array(v, 0).ok_or(trunc)?)),
            other => ValueRef::Other(other),
        })
    }
}

/// The content of a BSON string value (length prefix, bytes, zero terminator).
#[inline]
fn string_body(v: &[u8], at: usize) -> Result<&[u8], DocumentError> {
    let len = read_i32(v, 0).ok_or(err(DocumentErrorKind::Truncated, at))?;
    let len = usize::try_from(len).map_err(|_| err(DocumentErrorKind::BadLength, at))?;
    if len == 0 || len + 4 != v.len() {
        return Err(err(DocumentErrorKind::BadLength, at));
    }
    if v.last() != Some(&0) {
        return Err(err(DocumentErrorKind::MissingTerminator, at + v.len().saturating_sub(1)));
    }
    v.get(4..v.len() - 1).ok_or(err(DocumentErrorKind::Truncated, at))
}

/// Walks the elements of one raw document (header already checked).
#[derive(Debug, Clone)]
pub(crate) struct RawIter<'a> {
    bytes: &'a [u8],
    base: usize,
    pos: usize,
    done: bool,
}

impl<'a> RawIter<'a> {
    #[inline]
    pub(super) fn new(bytes: &'a [u8], base: usize) -> RawIter<'a> {
        RawIter { bytes, base, pos: 4, done: false }
    }

    /// Size of the value of type `kind` starting at `start`, without decoding it.
    #[inline]
    fn value_len(&self, kind: u8, start: usize) -> Result<usize, DocumentError> {
        let at = self.base + start;
        let bytes = self.bytes;
        let prefixed = |extra: usize, min: i32| -> Result<usize, DocumentError> {
            let n = read_i32(bytes, start).ok_or(err(DocumentErrorKind::Truncated, at))?;
            if n < min {
                return Err(err(DocumentErrorKind::BadLength, at));
            }
            usize::try_from(n)
                .ok()
                .and_then(|n| n.checked_add(extra))
                .ok_or(err(DocumentErrorKind::BadLength, at))
        };
        let cstring = |from: usize| -> Result<usize, DocumentError> {
            let rest = bytes.get(from..).ok_or(err(DocumentErrorKind::Truncated, at))?;
            rest.iter()
                .position(|&b| b == 0)
                .map(|p| p + 1)
                .ok_or(err(DocumentErrorKind::MissingTerminator, at))
        };
        Ok(match kind {
            0x01 | 0x09 | 0x11 | 0x12 => 8,
            0x02 | 0x0d | 0x0e => prefixed(4, 1)?,
            0x03 | 0x04 | 0x0f => prefixed(0, 5)?,
            0x05 => prefixed(5, 0)?,
            0x06 | 0x0a | 0x7f | 0xff => 0,
            0x07 => 12,
            0x08 => 1,
            0x0b => {
                let first = cstring(start)?;
                first + cstring(start + first)?
            }
            0x0c => prefixed(4, 1)? + 12,
            0x10 => 4,
            0x13 => 16,
            other => return Err(err(DocumentErrorKind::UnknownType(other), at)),
        })
    }

    #[inline]
    fn step(&mut self) -> Result<Option<RawElement<'a>>, DocumentError> {
        // The trailing zero byte of the document sits at `end`.
        let end = self.bytes.len().saturating_sub(1);
        if self.pos >= end {
            return Ok(None);
        }
        let at = self.base + self.pos;
        let kind = *self.bytes.get(self.pos).ok_or(err(DocumentErrorKind::Truncated, at))?;
        let key_start = self.pos + 1;
        let key_area =
            self.bytes.get(key_start..end).ok_or(err(DocumentErrorKind::Truncated, at))?;
        let key_len = key_area
            .iter()
            .position(|&b| b == 0)
            .ok_or(err(DocumentErrorKind::MissingTerminator, at))?;
        let key = key_area.get(..key_len).ok_or(err(DocumentErrorKind::Truncated, at))?;
        let value_start = key_start + key_len + 1;
        let len = self.value_len(kind, value_start).map_err(|e| match e.kind {
            // An unknown type is reported at its type byte.
            DocumentErrorKind::UnknownType(_) => err(e.kind, at),
            _ => e,
        })?;
        let value_end = value_start
            .checked_add(len)
            .filter(|&e| e <= end)
            .ok_or(err(DocumentErrorKind::Truncated, self.base + value_start))?;
        let value = self
            .bytes
            .get(value_start..value_end)
            .ok_or(err(DocumentErrorKind::Truncated, self.base + value_start))?;
        self.pos = value_end;
        Ok(Some(RawElement { kind, key, value, offset: self.base + value_start }))
    }
}

impl<'a> Iterator for RawIter<'a> {
    type Item = Result<RawElement<'a>, DocumentError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
