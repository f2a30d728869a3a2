//! Errors of the protocol stage: what is wrong with a message or changeset, and at which byte.

use std::fmt;

/// A message or changeset that cannot be read. A server answers it with error 212
/// (`bad_changeset`) for a changeset, or closes the connection for a malformed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    kind: ProtocolErrorKind,
    offset: usize,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolErrorKind {
    /// The bytes end inside a value.
    Truncated,
    /// An integer is longer than its type allows or out of its range.
    IntegerOverflow,
    /// An instruction type code realm's protocol 14 does not define.
    UnknownInstruction(i64),
    /// A payload type tag that is not defined, or not allowed where it stands.
    UnknownPayload(i64),
    /// A primary-key type tag that is not defined.
    UnknownPrimaryKey(i64),
    /// An enumerated field (bool, table type, collection type) out of its range.
    BadEnum {
        /// Which field.
        what: &'static str,
        /// The value found.
        value: i64,
    },
    /// A reference to an interned string that was not defined before it.
    UnknownString(u32),
    /// An interned string defined out of order (indexes must be 0, 1, 2, …).
    InternOrder {
        /// The index found.
        index: u32,
        /// The index expected.
        expected: usize,
    },
    /// A string that is not UTF-8.
    InvalidUtf8,
    /// A size beyond a configured limit.
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A message header that cannot be read.
    Header(String),
    /// A zlib body that does not inflate to its announced size.
    Decompression(String),
    /// A message type this stage does not read.
    UnknownMessage(String),
}

impl ProtocolError {
    pub(crate) fn new(kind: ProtocolErrorKind, offset: usize) -> ProtocolError {
        ProtocolError { kind, offset }
    }

    /// What is wrong.
    pub fn kind(&self) -> &ProtocolErrorKind {
        &self.kind
    }

    /// Byte offset of the problem in the input (in the changeset for changeset errors).
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub(crate) fn shifted(mut self, by: usize) -> ProtocolError {
        self.offset = self.offset.saturating_add(by);
        self
    }
}

impl fmt::Display for ProtocolErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolErrorKind::Truncated => f.write_str("the bytes end inside a value"),
            ProtocolErrorKind::IntegerOverflow => f.write_str("integer too long for its field"),
            ProtocolErrorKind::UnknownInstruction(t) => write!(f, "unknown instruction type {t}"),
            ProtocolErrorKind::UnknownPayload(t) => write!(f, "unknown payload type {t}"),
            ProtocolErrorKind::UnknownPrimaryKey(t) => write!(f, "unknown primary key type {t}"),
            ProtocolErrorKind::BadEnum { what, value } => write!(f, "invalid {what} {value}"),
            ProtocolErrorKind::UnknownString(i) => write!(f, "interned string {i} is not defined"),
            ProtocolErrorKind::InternOrder { index, expected } => {
                write!(f, "interned string {index} defined where {expected} was expected")
            }
            ProtocolErrorKind::InvalidUtf8 => f.write_str("string is not UTF-8"),
            ProtocolErrorKind::TooLarge { what, limit } => {
                write!(f, "{what} larger than the limit of {limit}")
            }
            ProtocolErrorKind::Header(m) => write!(f, "bad message header: {m}"),
            ProtocolErrorKind::Decompression(m) => write!(f, "bad compressed body: {m}"),
            ProtocolErrorKind::UnknownMessage(m) => write!(f, "unknown message type `{m}`"),
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.kind)
    }
}

impl std::error::Error for ProtocolError {}
