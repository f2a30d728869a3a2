//! Errors reading a JSON Schema.

use thiserror::Error;

/// A schema that cannot be used, with the JSON pointer of the offending node.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}: {kind}", if pointer.is_empty() { "/" } else { pointer.as_str() })]
pub struct SchemaError {
    kind: SchemaErrorKind,
    pointer: String,
}

impl SchemaError {
    pub(crate) fn new(kind: SchemaErrorKind, pointer: impl Into<String>) -> Self {
        SchemaError { kind, pointer: pointer.into() }
    }

    /// What is wrong.
    pub fn kind(&self) -> &SchemaErrorKind {
        &self.kind
    }

    /// The JSON pointer (RFC 6901) of the node at fault; empty for the document root.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }
}

/// The ways a schema can be unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SchemaErrorKind {
    /// The text is not JSON, e.g. `{"title": }`.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A schema node is not a JSON object, e.g. `"properties": []`.
    #[error("expected a JSON object")]
    NotAnObject,
    /// The root has no `title`, which names the table.
    #[error("missing `title`: the schema must name its table")]
    MissingTitle,
    /// `title` is not a non-empty string.
    #[error("`title` must be a non-empty string")]
    BadTitle,
    /// `required` is not an array of strings.
    #[error("`required` must be an array of property names")]
    BadRequired,
    /// A property has no `bsonType`.
    #[error("missing `bsonType`")]
    MissingBsonType,
    /// `bsonType` is neither a type name nor `[name, "null"]`.
    #[error("`bsonType` must be a type name or a type name and `null`")]
    BadBsonType,
    /// `bsonType` names a type realm cannot store, e.g. `"regex"`.
    #[error("unknown bsonType `{0}`")]
    UnknownType(String),
    /// An array property has no `items`.
    #[error("an array property needs `items`")]
    MissingItems,
    /// An array of arrays: realm has no nested lists outside `mixed`.
    #[error("arrays of arrays are not supported; use `mixed`")]
    NestedArray,
    /// `uniqueItems` is not a boolean.
    #[error("`uniqueItems` must be a boolean")]
    BadUniqueItems,
    /// Embedded objects nest deeper than the limit.
    #[error("embedded objects nest too deeply")]
    TooDeep,
}
