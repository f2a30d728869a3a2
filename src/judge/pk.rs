//! Primary keys: their rendering in reasons and log entries, and their wire encoding.
//!
//! A rejected object is named twice in a compensating-write error: in the human-readable reason
//! (`write to ObjectID("…") in table "Car" not allowed`) and, machine-readably, as the `pk` of a
//! `rejectedUpdates` entry. The latter is standard base64 of the key as a changeset encodes it:
//! one payload-type tag, then the value in realm's variable-length integer codec (rules.md §3.9).
//! [`Key::decode`] reverses [`Key::encode`] exactly, so a client can map an entry back to its
//! object.

use bson::spec::BinarySubtype;
use bson::{Binary, Bson};

use super::Style;
use crate::value::ValueRef;

/// A primary key of a top-level object: the types a Flexible Sync table may use as `_id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// A null key (an optional primary key property).
    Null,
    /// A 64-bit integer key; BSON `int32` keys widen to it.
    Int(i64),
    /// A string key.
    String(String),
    /// An ObjectId key: its 12 bytes.
    ObjectId([u8; 12]),
    /// A UUID key: its 16 bytes.
    Uuid([u8; 16]),
}

/// Payload-type tags of realm's changeset encoding.
const TAG_NULL: u8 = 0;
const TAG_INT: u8 = 1;
const TAG_STRING: u8 = 3;
const TAG_OBJECT_ID: u8 = 10;
const TAG_UUID: u8 = 11;

/// Why a wire-encoded key could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyDecodeError {
    /// The text is not standard base64.
    #[error("`{0}` is not base64")]
    Base64(String),
    /// The payload-type tag is not one a primary key can have.
    #[error("invalid primary key type {0}")]
    Tag(u8),
    /// The bytes end before the value does, or carry bytes after it.
    #[error("primary key bytes have the wrong length")]
    Length,
    /// An integer does not fit in 64 bits.
    #[error("primary key integer does not fit in 64 bits")]
    Overflow,
    /// A string key is not UTF-8.
    #[error("string primary key is not UTF-8")]
    Utf8,
}

impl Key {
    /// The key of a BSON value, or `None` for a type that cannot be a primary key.
    pub fn from_bson(value: &Bson) -> Option<Key> {
        match (value, ValueRef::from_bson(value)) {
            // BSON's deprecated `undefined` reads as null elsewhere, but is no key.
            (Bson::Undefined, _) => None,
            (_, ValueRef::Null) => Some(Key::Null),
            (_, ValueRef::Int(i)) => Some(Key::Int(i)),
            (Bson::String(s), _) => Some(Key::String(s.clone())),
            (_, ValueRef::ObjectId(o)) => Some(Key::ObjectId(o)),
            (_, ValueRef::Uuid(u)) => Some(Key::Uuid(u)),
            _ => None,
        }
    }

    /// The key as a BSON value (integers as `int64`, UUIDs as binary subtype 4).
    pub fn to_bson(&self) -> Bson {
        match self {
            Key::Null => Bson::Null,
            Key::Int(i) => Bson::Int64(*i),
            Key::String(s) => Bson::String(s.clone()),
            Key::ObjectId(b) => Bson::ObjectId(bson::oid::ObjectId::from_bytes(*b)),
            Key::Uuid(b) => {
                Bson::Binary(Binary { subtype: BinarySubtype::Uuid, bytes: b.to_vec() })
            }
        }
    }

    /// How a reason names the key (rules.md §3.5): string keys double-quoted with JSON
    /// escaping, integers bare, UUIDs as `UUID(…)`, null as `null`; ObjectIds as quoted hex in
    /// the 2023 style and as `ObjectID("…")` in the 2024 style.
    pub fn render(&self, style: Style) -> String {
        match self {
            Key::String(s) => quote(s),
            Key::ObjectId(b) => match style {
                Style::Y2023 => format!("\"{}\"", hex(b)),
                Style::Y2024 => format!("ObjectID(\"{}\")", hex(b)),
            },
            other => other.render_bare(style),
        }
    }

    /// How the App Services log's `Details` map names the key: like [`Key::render`] but with
    /// strings (and 2023-style ObjectIds) unquoted, since the map key is a JSON string already.
    pub fn render_bare(&self, style: Style) -> String {
        match self {
            Key::Null => "null".to_owned(),
            Key::Int(i) => i.to_string(),
            Key::String(s) => s.clone(),
            Key::ObjectId(b) => match style {
                Style::Y2023 => hex(b),
                Style::Y2024 => format!("ObjectID(\"{}\")", hex(b)),
            },
            Key::Uuid(b) => format!("UUID({})", crate::value::ejson::uuid_text(b)),
        }
    }

    /// The changeset encoding of the key (tag, then value), as raw bytes.
    pub fn encode_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(18);
        match self {
            Key::Null => out.push(TAG_NULL),
            Key::Int(i) => {
                out.push(TAG_INT);
                encode_int(*i, &mut out);
            }
            Key::String(s) => {
                out.push(TAG_STRING);
                encode_int(i64::try_from(s.len()).unwrap_or(i64::MAX), &mut out);
                out.extend_from_slice(s.as_bytes());
            }
            Key::ObjectId(b) => {
                out.push(TAG_OBJECT_ID);
                out.extend_from_slice(b);
            }
            Key::Uuid(b) => {
                out.push(TAG_UUID);
                out.extend_from_slice(b);
            }
        }
        out
    }

    /// The `pk` of a `rejectedUpdates` entry: standard base64 of [`Key::encode_bytes`].
    pub fn encode(&self) -> String {
        base64_encode(&self.encode_bytes())
    }

    /// Reads a `pk` of a `rejectedUpdates` entry back, refusing trailing bytes.
    pub fn decode(text: &str) -> Result<Key, KeyDecodeError> {
        let bytes = base64_decode(text).ok_or_else(|| KeyDecodeError::Base64(text.to_owned()))?;
        let (&tag, rest) = bytes.split_first().ok_or(KeyDecodeError::Length)?;
        let (key, rest) = match tag {
            TAG_NULL => (Key::Null, rest),
            TAG_INT => {
                let (v, rest) = decode_int(rest)?;
                (Key::Int(v), rest)
            }
            TAG_STRING => {
                let (len, rest) = decode_int(rest)?;
                let len = usize::try_from(len).map_err(|_| KeyDecodeError::Length)?;
                let text = rest.get(..len).ok_or(KeyDecodeError::Length)?;
                let s = std::str::from_utf8(text).map_err(|_| KeyDecodeError::Utf8)?;
                (Key::String(s.to_owned()), rest.get(len..).unwrap_or_default())
            }
            TAG_OBJECT_ID => {
                let b = rest.get(..12).ok_or(KeyDecodeError::Length)?;
                let b = <[u8; 12]>::try_from(b).map_err(|_| KeyDecodeError::Length)?;
                (Key::ObjectId(b), rest.get(12..).unwrap_or_default())
            }
            TAG_UUID => {
                let b = rest.get(..16).ok_or(KeyDecodeError::Length)?;
                let b = <[u8; 16]>::try_from(b).map_err(|_| KeyDecodeError::Length)?;
                (Key::Uuid(b), rest.get(16..).unwrap_or_default())
            }
            other => return Err(KeyDecodeError::Tag(other)),
        };
        if rest.is_empty() { Ok(key) } else { Err(KeyDecodeError::Length) }
    }
}

/// A string in double quotes with JSON escaping.
pub(crate) fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn hex(bytes: &[u8; 12]) -> String {
    crate::value::ejson::oid_hex(bytes)
}

/// realm's integer codec: 7 value bits per byte with a continuation bit, the last byte holding
/// 6 value bits and the sign; a negative `v` is stored as `-(v + 1)`.
fn encode_int(value: i64, out: &mut Vec<u8>) {
    let negative = value < 0;
    // `-(v + 1)` without overflow: for negative v this is `!v`.
    let mut v = if negative { !value } else { value }.unsigned_abs();
    while v >> 6 != 0 {
        out.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    out.push(if negative { 0x40 | v as u8 } else { v as u8 });
}

/// Reverses [`encode_int`], returning the value and the bytes after it.
fn decode_int(bytes: &[u8]) -> Result<(i64, &[u8]), KeyDecodeError> {
    // At most ten bytes reach here (shift stays below 70), so a u128 never overflows.
    let mut acc: u128 = 0;
    let mut shift: u32 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if shift > 63 {
            return Err(KeyDecodeError::Overflow);
        }
        if b & 0x80 != 0 {
            acc |= u128::from(b & 0x7f) << shift;
            shift += 7;
            continue;
        }
        acc |= u128::from(b & 0x3f) << shift;
        let magnitude = i64::try_from(acc).map_err(|_| KeyDecodeError::Overflow)?;
        let value = if b & 0x40 != 0 { !magnitude } else { magnitude };
        return Ok((value, bytes.get(i + 1..).unwrap_or_default()));
    }
    Err(KeyDecodeError::Length)
}

/// The wire's base64: the standard alphabet with `=` padding, as realm-core's client writes and
/// reads primary keys.
const WIRE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    WIRE.encode(bytes)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    WIRE.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(hex_text: &str) -> Key {
        match bson::oid::ObjectId::parse_str(hex_text) {
            Ok(o) => Key::ObjectId(o.bytes()),
            Err(e) => panic!("bad test oid: {e}"),
        }
    }

    fn uuid() -> Key {
        Key::Uuid([
            0x01, 0x23, 0x45, 0x67, 0x9a, 0xbc, 0x4d, 0xef, 0x90, 0x12, 0x34, 0x56, 0x78, 0x9a,
            0xbc, 0xde,
        ])
    }

    #[test]
    fn documented_encodings() {
        // rules.md §3.9's table; the ObjectId row is a capture from realm-core#6978.
        assert_eq!(Key::Int(123_456).encode(), "AcDEBw==");
        assert_eq!(Key::String("short".into()).encode(), "AwVzaG9ydA==");
        assert_eq!(oid("6503f2864af8894aa04db0e4").encode(), "CmUD8oZK+IlKoE2w5A==");
        assert_eq!(uuid().encode(), "CwEjRWeavE3vkBI0VniavN4=");
        assert_eq!(Key::Null.encode(), "AA==");
    }

    #[test]
    fn encodings_decode_back() {
        let mut keys = vec![
            Key::Null,
            Key::String(String::new()),
            Key::String("x".repeat(200)),
            Key::String("ünï \"q\" \\".into()),
            oid("6424433fd4d9f52ee93ad590"),
            uuid(),
        ];
        for i in [0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, 123_456, i64::MAX, i64::MIN] {
            keys.push(Key::Int(i));
        }
        for shift in 0..64 {
            keys.push(Key::Int(1_i64.wrapping_shl(shift)));
            keys.push(Key::Int(1_i64.wrapping_shl(shift).wrapping_neg()));
        }
        for key in keys {
            assert_eq!(Key::decode(&key.encode()), Ok(key.clone()), "{key:?}");
        }
    }

    #[test]
    fn bad_encodings_are_refused() {
        assert_eq!(Key::decode("Ag=="), Err(KeyDecodeError::Tag(2)));
        assert_eq!(Key::decode("AcA="), Err(KeyDecodeError::Length));
        assert_eq!(Key::decode("AAA="), Err(KeyDecodeError::Length));
        assert!(matches!(Key::decode("A"), Err(KeyDecodeError::Base64(_))));
        assert!(matches!(Key::decode("AA=A"), Err(KeyDecodeError::Base64(_))));
        let mut too_big = vec![TAG_INT];
        too_big.extend([0xff; 9]);
        too_big.push(0x3f);
        assert_eq!(Key::decode(&base64_encode(&too_big)), Err(KeyDecodeError::Overflow));
    }

    #[test]
    fn renderings_in_both_styles() {
        let o = oid("6424433fd4d9f52ee93ad590");
        assert_eq!(o.render(Style::Y2023), "\"6424433fd4d9f52ee93ad590\"");
        assert_eq!(o.render(Style::Y2024), "ObjectID(\"6424433fd4d9f52ee93ad590\")");
        assert_eq!(o.render_bare(Style::Y2023), "6424433fd4d9f52ee93ad590");
        for style in [Style::Y2023, Style::Y2024] {
            assert_eq!(Key::String("short".into()).render(style), "\"short\"");
            assert_eq!(Key::String("a\"b\\".into()).render(style), r#""a\"b\\""#);
            assert_eq!(Key::Int(123_456).render(style), "123456");
            assert_eq!(Key::Int(-5).render(style), "-5");
            assert_eq!(uuid().render(style), "UUID(01234567-9abc-4def-9012-3456789abcde)");
            assert_eq!(Key::Null.render(style), "null");
        }
    }
}
