//! Byte ranges into a query text, and their conversion to line and column.
//!
//! Spans are owned (`u32` offsets), so the syntax tree and every error carry no lifetime tied to
//! the input string. Line and column are computed on demand from the original text, because most
//! errors are never rendered.

use std::fmt;

/// A half-open byte range `start..end` into the text a value was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// Builds a span, saturating offsets that do not fit in `u32` (inputs that long are refused
    /// by [`crate::Limits`] before any span is built, so saturation only guards the arithmetic).
    pub fn new(start: usize, end: usize) -> Self {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span { start: clamp(start), end: clamp(end.max(start)) }
    }

    /// An empty span at `offset`, used for "expected something here" errors.
    pub fn point(offset: usize) -> Self {
        Span::new(offset, offset)
    }

    /// The smallest span covering both `self` and `other`.
    pub fn join(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The start offset as a `usize`.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// The end offset as a `usize`.
    pub fn end(self) -> usize {
        self.end as usize
    }

    /// The 1-based line and column (in characters) of the span's start within `text`.
    ///
    /// Offsets past the end of `text`, or inside a multi-byte character, are clamped to the
    /// nearest preceding character boundary rather than rejected, so rendering an error never fails.
    pub fn line_col(self, text: &str) -> LineCol {
        let mut offset = self.start().min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = text.get(..offset).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        LineCol { line, column }
    }

    /// The line of `text` the span starts on, then carets under the span (at least one, and
    /// never past that line's end): the picture under an error message. Never fails, even when
    /// `text` is not the text the span was made for.
    pub fn caret(self, text: &str) -> String {
        let at = self.line_col(text);
        let line = text.split('\n').nth(at.line.saturating_sub(1)).unwrap_or_default();
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line_start = text
            .get(..self.start().min(text.len()))
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |i| i + 1);
        let span_end_in_line = self.end().min(line_start + line.len());
        let width = text
            .get(self.start().min(span_end_in_line)..span_end_in_line)
            .map_or(0, |s| s.chars().count())
            .max(1);
        let pad = " ".repeat(at.column.saturating_sub(1));
        format!("{line}\n{pad}{}", "^".repeat(width))
    }
}

/// A 1-based line and column, as shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A source location stored in a syntax tree node.
///
/// It compares equal to every other `Loc` and hashes to nothing, so that two trees that differ
/// only in where they came from are equal: `parse(display(q)) == q` is then a statement about
/// structure, and tests can build expected trees without inventing positions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Loc(pub Span);

impl PartialEq for Loc {
    fn eq(&self, _other: &Loc) -> bool {
        true
    }
}

impl Eq for Loc {}

impl std::hash::Hash for Loc {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

impl From<Span> for Loc {
    fn from(span: Span) -> Loc {
        Loc(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a == 'é'\nb == 1";
        assert_eq!(Span::point(0).line_col(text), LineCol { line: 1, column: 1 });
        assert_eq!(Span::point(10).line_col(text), LineCol { line: 2, column: 1 });
        // Offset 7 is inside 'é' (bytes 6..8): clamped back to its first byte, column 7.
        assert_eq!(Span::point(7).line_col(text), LineCol { line: 1, column: 7 });
        assert_eq!(Span::point(999).line_col(text).line, 2);
    }

    #[test]
    fn locs_never_take_part_in_equality() {
        assert_eq!(Loc(Span::new(0, 1)), Loc(Span::new(5, 9)));
    }
}
