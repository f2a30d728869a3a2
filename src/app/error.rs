//! Errors loading an App Services app.

use std::fmt;

use crate::rules::RulesErrorKind;
use crate::schema::SchemaErrorKind;

/// An app that cannot be loaded, naming the file (relative to the app directory) and the JSON
/// pointer of the offending node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    file: String,
    pointer: String,
    kind: AppErrorKind,
}

impl AppError {
    pub(crate) fn new(file: &str, pointer: impl Into<String>, kind: AppErrorKind) -> Self {
        AppError { file: file.to_owned(), pointer: pointer.into(), kind }
    }

    /// The file at fault, relative to the app directory (`data_sources/…/rules.json`), or the
    /// directory itself when it cannot be read.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The JSON pointer of the node at fault; empty for the whole file.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// What is wrong.
    pub fn kind(&self) -> &AppErrorKind {
        &self.kind
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            AppErrorKind::Json { line, column, .. } => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.kind)
            }
            _ if self.pointer.is_empty() => write!(f, "{}: {}", self.file, self.kind),
            _ => write!(f, "{}#{}: {}", self.file, self.pointer, self.kind),
        }
    }
}

impl std::error::Error for AppError {}

/// The ways an app can fail to load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppErrorKind {
    /// The file or directory cannot be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// The file is not JSON.
    #[error("malformed JSON: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A `schema.json` that cannot be used.
    #[error("{0}")]
    Schema(SchemaErrorKind),
    /// Role JSON with the wrong shape.
    #[error("{0}")]
    Rules(RulesErrorKind),
    /// A node that must be an object is not.
    #[error("expected a JSON object")]
    ExpectedObject,
    /// A node that must be an array of strings is not, e.g. `"queryable_fields_names": "a"`.
    #[error("expected an array of field names")]
    ExpectedNames,
    /// A node that must be a string is not.
    #[error("expected a string")]
    ExpectedString,
    /// More than one indexed queryable field.
    #[error("at most one indexed queryable field is allowed")]
    TooManyIndexedFields,
    /// Legacy `permissions` in `sync/config.json` next to current-format rule files.
    #[error(
        "legacy `permissions` cannot be combined with `default_rule.json` or `rules.json` files"
    )]
    MixedFormats,
    /// Collections of the same name in two databases: object type names must be unique.
    #[error("collection `{0}` is defined twice")]
    DuplicateCollection(String),
}
