//! realm's integer encoding and a bounds-checked reader and writer over it.
//!
//! realm-core writes integers in 7-bit groups, least significant first, with `0x80` on every
//! byte but the last; the last byte holds six value bits and `0x40` is the sign, a negative `v`
//! being stored as the magnitude `-(v + 1)`. It is not LEB128 for negatives, so it has its own
//! code here. Every read names the byte offset it failed at.

use super::error::{ProtocolError, ProtocolErrorKind as K};

/// A cursor over untrusted bytes.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(crate) fn error(&self, kind: K) -> ProtocolError {
        ProtocolError::new(kind, self.pos)
    }

    fn byte(&mut self) -> Result<u8, ProtocolError> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.error(K::Truncated))?;
        self.pos += 1;
        Ok(b)
    }

    /// `n` raw bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ProtocolError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| self.error(K::Truncated))?;
        let out = self.bytes.get(self.pos..end).ok_or_else(|| self.error(K::Truncated))?;
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], ProtocolError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// A signed integer of at most `max_bytes` bytes (10 for 64 bits, as realm-core allows).
    fn int_bounded(&mut self, max_bytes: u32) -> Result<i64, ProtocolError> {
        let start = self.pos;
        let mut magnitude: u64 = 0;
        let mut shift: u32 = 0;
        for _ in 0..max_bytes {
            let b = self.byte()?;
            if b & 0x80 != 0 {
                let part = u64::from(b & 0x7f);
                magnitude |= part
                    .checked_shl(shift)
                    .filter(|v| v >> shift == part)
                    .ok_or(ProtocolError::new(K::IntegerOverflow, start))?;
                shift += 7;
                continue;
            }
            let part = u64::from(b & 0x3f);
            let value = part
                .checked_shl(shift)
                .filter(|v| shift < 64 && v >> shift == part)
                .map(|v| magnitude | v)
                .ok_or(ProtocolError::new(K::IntegerOverflow, start))?;
            let value =
                i64::try_from(value).map_err(|_| ProtocolError::new(K::IntegerOverflow, start))?;
            return Ok(if b & 0x40 != 0 { -value - 1 } else { value });
        }
        Err(ProtocolError::new(K::IntegerOverflow, start))
    }

    pub(crate) fn int(&mut self) -> Result<i64, ProtocolError> {
        self.int_bounded(10)
    }

    /// An unsigned 32-bit field (intern indexes, lengths, sizes): negative or larger is an error.
    pub(crate) fn u32(&mut self) -> Result<u32, ProtocolError> {
        let start = self.pos;
        let v = self.int_bounded(5)?;
        u32::try_from(v).map_err(|_| ProtocolError::new(K::IntegerOverflow, start))
    }

    /// An unsigned 8-bit field (bools, table and collection types).
    pub(crate) fn u8(&mut self) -> Result<u8, ProtocolError> {
        let start = self.pos;
        let v = self.int_bounded(2)?;
        u8::try_from(v).map_err(|_| ProtocolError::new(K::IntegerOverflow, start))
    }

    pub(crate) fn bool(&mut self) -> Result<bool, ProtocolError> {
        let start = self.pos;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(ProtocolError::new(K::BadEnum { what: "bool", value: i64::from(v) }, start)),
        }
    }

    /// A length-prefixed run of bytes, at most `limit` long.
    pub(crate) fn bytes(&mut self, limit: usize) -> Result<&'a [u8], ProtocolError> {
        let start = self.pos;
        let len = self.u32()? as usize;
        if len > limit {
            return Err(ProtocolError::new(K::TooLarge { what: "string", limit }, start));
        }
        self.take(len)
    }

    /// A Decimal128 coefficient: plain 7-bit groups with `0x80` as continuation, up to 113 bits.
    pub(crate) fn coefficient(&mut self) -> Result<u128, ProtocolError> {
        let start = self.pos;
        let mut value: u128 = 0;
        let mut shift: u32 = 0;
        loop {
            let b = self.byte()?;
            let part = u128::from(b & 0x7f);
            if shift > 119 || (part << shift) >> shift != part {
                return Err(ProtocolError::new(K::IntegerOverflow, start));
            }
            value |= part << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
    }
}

/// Appends realm-encoded values.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn int(&mut self, v: i64) {
        let (mut magnitude, sign) = if v < 0 { ((-(v + 1)) as u64, 0x40u8) } else { (v as u64, 0) };
        while magnitude >= 0x40 {
            self.out.push((magnitude & 0x7f) as u8 | 0x80);
            magnitude >>= 7;
        }
        self.out.push(magnitude as u8 | sign);
    }

    pub(crate) fn uint(&mut self, v: u64) {
        self.int(i64::try_from(v).unwrap_or(i64::MAX));
    }

    pub(crate) fn bool(&mut self, b: bool) {
        self.out.push(u8::from(b));
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.uint(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// The Decimal128 coefficient form: the encoder continues while the rest is at least 64.
    pub(crate) fn coefficient(&mut self, mut v: u128) {
        while v >= 0x40 {
            self.out.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: i64) -> Vec<u8> {
        let mut w = Writer::default();
        w.int(v);
        w.out
    }

    #[test]
    fn the_documented_encodings() {
        // sync-protocol.md §1b: -1 is 40, -2 is 41, -65 is C0 40, 64 is C0 00, 63 is 3F.
        assert_eq!(enc(-1), [0x40]);
        assert_eq!(enc(-2), [0x41]);
        assert_eq!(enc(-65), [0xc0, 0x40]);
        assert_eq!(enc(64), [0xc0, 0x00]);
        assert_eq!(enc(63), [0x3f]);
        assert_eq!(enc(180), [0xb4, 0x01]);
        let mut w = Writer::default();
        w.coefficient(12345);
        assert_eq!(w.out, [0xb9, 0xe0, 0x00]);
    }

    #[test]
    fn integers_round_trip_and_overlong_input_is_refused() {
        for v in [0, 1, -1, 63, 64, -64, -65, i64::MAX, i64::MIN, 1 << 40, -(1 << 40)] {
            let bytes = enc(v);
            let mut r = Reader::new(&bytes);
            assert_eq!(r.int().unwrap(), v, "{v}");
            assert!(r.is_empty());
        }
        let mut r = Reader::new(&[0x80; 11]);
        assert_eq!(r.int().unwrap_err().kind(), &K::IntegerOverflow);
        let mut r = Reader::new(&[0x80, 0x80]);
        assert_eq!(r.int().unwrap_err().kind(), &K::Truncated);
        let big = enc(1 << 33);
        assert_eq!(Reader::new(&big).u32().unwrap_err().kind(), &K::IntegerOverflow);
        let negative = enc(-1);
        assert_eq!(Reader::new(&negative).u32().unwrap_err().kind(), &K::IntegerOverflow);
    }
}
