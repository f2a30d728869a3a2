//! A linear scan of the query text that runs before pest.
//!
//! pest's generated parser recurses on the native stack once per nesting level, so a query of
//! 100,000 `(` would overflow the stack and abort the process before any limit inside the parser
//! could act. This scan refuses such input first, in one pass and constant stack: it skips string
//! literals exactly as the grammar reads them (a backslash always takes the next character with
//! it) and tracks how deep `(`, `{`, `[` and runs of `NOT`/`!` nest.
//!
//! The depth it measures is the definition of "depth" for [`Limits::max_depth`]: every open
//! bracket adds one level until it is closed, and every `NOT` adds one level to whatever follows
//! it. `((a == 1))` has depth 2, `NOT NOT a == 1` depth 2, `!(!(a == 1))` depth 4.

use super::error::{ParseError, ParseErrorKind};
use crate::Limits;
use crate::span::Span;

/// Checks length and nesting depth of `text` against `limits`.
pub(super) fn check(text: &str, limits: &Limits) -> Result<(), ParseError> {
    if text.len() > limits.max_query_bytes {
        return Err(ParseError::new(
            ParseErrorKind::TooLong { length: text.len(), limit: limits.max_query_bytes },
            Span::new(limits.max_query_bytes, text.len()),
        ));
    }
    let too_deep = |at: usize| {
        ParseError::new(ParseErrorKind::TooDeep { limit: limits.max_depth }, Span::new(at, at + 1))
    };
    let max = u64::from(limits.max_depth);
    // Depth of each open bracket, innermost last; `base` is the depth of the current level.
    let mut open: Vec<u64> = Vec::new();
    let mut pending_nots: u64 = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let base = open.last().copied().unwrap_or(0);
        match byte {
            b'"' | b'\'' => {
                pending_nots = 0;
                i = skip_string(bytes, i);
                continue;
            }
            b'(' | b'{' | b'[' => {
                let depth = base + pending_nots + 1;
                if depth > max {
                    return Err(too_deep(i));
                }
                open.push(depth);
                pending_nots = 0;
            }
            b')' | b'}' | b']' => {
                open.pop();
                pending_nots = 0;
            }
            b'!' if bytes.get(i + 1) != Some(&b'=') => {
                pending_nots += 1;
                if base + pending_nots > max {
                    return Err(too_deep(i));
                }
            }
            b'n' | b'N' if is_not_word(bytes, i) => {
                pending_nots += 1;
                if base + pending_nots > max {
                    return Err(too_deep(i));
                }
                i += 3;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => {
                // Any other token ends a run of NOTs. Identifier-like runs are skipped whole so
                // that `cannot` is not read as ending in `not`.
                pending_nots = 0;
                if byte.is_ascii_digit() {
                    // Digits never continue into letters (`1NOT` is `1` then `NOT`).
                    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                    continue;
                }
                if is_word_byte(byte) {
                    while bytes.get(i).is_some_and(|b| is_word_byte(*b)) {
                        i += 1;
                    }
                    continue;
                }
            }
        }
        i += 1;
    }
    Ok(())
}

/// Bytes that can continue an identifier (ASCII and every byte of a multi-byte character).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'$' | b'\\') || byte >= 0x80
}

/// `not` or `NOT` starting at `i` and not continuing into a longer identifier.
fn is_not_word(bytes: &[u8], i: usize) -> bool {
    let word = bytes.get(i..i + 3);
    (word == Some(b"not") || word == Some(b"NOT"))
        && !bytes.get(i + 3).is_some_and(|b| is_word_byte(*b))
}

/// Index just past the string literal opening at `start`, or the end of the text if it is never
/// closed (the grammar then reports the error).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes.get(start).copied();
    let mut i = start + 1;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'\\' {
            i += 2;
        } else if Some(byte) == quote {
            return i + 1;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest `max_depth` that accepts `text`.
    fn depth(text: &str) -> u32 {
        (0..64)
            .find(|&max| {
                let limits = Limits { max_depth: max, ..Limits::default() };
                check(text, &limits).is_ok()
            })
            .unwrap_or(u32::MAX)
    }

    #[test]
    fn depth_counts_brackets_and_runs_of_not() {
        assert_eq!(depth("a == 1"), 0);
        assert_eq!(depth("((a == 1))"), 2);
        assert_eq!(depth("NOT NOT a == 1"), 2);
        assert_eq!(depth("!(!(a == 1))"), 4);
        assert_eq!(depth("!a == 1 && !b == 1 && !c == 1"), 1);
        assert_eq!(depth("a IN {1, 2}"), 1);
        assert_eq!(depth("x geoWithin geoPolygon({[1, 2], [3, 4]})"), 3);
    }

    #[test]
    fn depth_ignores_look_alikes() {
        assert_eq!(depth("a != 1"), 0);
        assert_eq!(depth("cannot == notable"), 0);
        assert_eq!(depth("a == '((((' AND b == \"{{\\\"{{\""), 0);
        assert_eq!(depth("1NOT"), 1);
    }
}
