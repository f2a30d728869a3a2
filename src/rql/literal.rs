//! Conversions of literal token text that must follow the C library exactly.
//!
//! realm-core reads integer tokens with `strtoll(text, base 0)` and the parts of `T<s>:<ns>`
//! timestamps with `strtol(base 0)`. Both mean: an optional sign; `0x`/`0X` before a hex digit
//! selects hexadecimal, another leading `0` selects octal, anything else is decimal; digits are
//! read until the first one that is not valid in the base (so `08` is 0 and `019` is 1); values
//! out of range saturate at the type's bounds instead of failing.

/// Reads `text` as C `strtoll(text, NULL, 0)` does on a 64-bit platform (where `strtol` is the
/// same function). Text with no digits at all reads as 0, as in C.
pub(crate) fn strtoll(text: &str) -> i64 {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, bytes.get(1..).unwrap_or_default()),
        Some(b'+') => (false, bytes.get(1..).unwrap_or_default()),
        _ => (false, bytes),
    };
    let (radix, digits) = match rest {
        [b'0', b'x' | b'X', next, ..] if next.is_ascii_hexdigit() => {
            (16, rest.get(2..).unwrap_or_default())
        }
        [b'0', ..] => (8, rest),
        _ => (10, rest),
    };
    // Magnitude of i64::MIN; anything larger saturates.
    const LIMIT: u128 = 1 << 63;
    let mut magnitude: u128 = 0;
    for &byte in digits {
        let Some(digit) = char::from(byte).to_digit(radix) else { break };
        magnitude = (magnitude * u128::from(radix) + u128::from(digit)).min(LIMIT);
    }
    if negative {
        i64::try_from(magnitude).map_or(i64::MIN, |m| -m)
    } else {
        i64::try_from(magnitude).unwrap_or(i64::MAX)
    }
}

/// Reads decimal digits with saturation, as the `%d` fields of realm-core's date format and the
/// `$n` argument indices are read (values beyond the range are refused later by limits or by
/// date conversion, never wrapped).
pub(crate) fn decimal(text: &str) -> u64 {
    text.bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0u64, |acc, b| acc.saturating_mul(10).saturating_add(u64::from(b - b'0')))
}

/// Decodes pairs of hex digits into bytes, skipping `-` separators. Returns `None` if the count
/// does not fill `N` bytes exactly or a character is not a hex digit.
pub(crate) fn hex_bytes<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    let mut nibbles = text.chars().filter(|c| *c != '-').map(|c| c.to_digit(16));
    for byte in &mut out {
        let high = nibbles.next()??;
        let low = nibbles.next()??;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    if nibbles.next().is_some() {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoll_follows_c_base_zero_rules() {
        // (text, value) pairs checked against glibc's strtoll(…, 0).
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("10", 10),
            ("010", 8),
            ("08", 0),
            ("019", 1),
            ("0x1F", 31),
            ("0XfF", 255),
            ("-12", -12),
            ("+12", 12),
            ("-010", -8),
            ("9223372036854775807", i64::MAX),
            ("9223372036854775808", i64::MAX),
            ("99999999999999999999999", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("-9223372036854775809", i64::MIN),
            ("0xFFFFFFFFFFFFFFFFFF", i64::MAX),
            ("", 0),
        ];
        for (text, value) in cases {
            assert_eq!(strtoll(text), *value, "{text}");
        }
    }

    #[test]
    fn decimal_saturates() {
        assert_eq!(decimal("002"), 2);
        assert_eq!(decimal("99999999999999999999999"), u64::MAX);
    }

    #[test]
    fn hex_bytes_needs_exact_length() {
        assert_eq!(hex_bytes::<2>("0aFf"), Some([0x0a, 0xff]));
        assert_eq!(hex_bytes::<2>("0aF"), None);
        assert_eq!(hex_bytes::<2>("0aFf0"), None);
        assert_eq!(hex_bytes::<2>("0a-Ff"), Some([0x0a, 0xff]));
    }
}
