//! The error half of every API response: a kind a program can switch on, a message a person can
//! read, and the JSON pointer (into the request) of the field at fault.

use serde::Serialize;

use crate::diagnostic::Code;

/// A request the API could not answer. Rendered as the `error` member of an `ok: false`
/// response; its [`ApiErrorKind`] is serialised in snake case (`"bad_request"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}: {message}", if pointer.is_empty() { "/" } else { pointer.as_str() })]
pub struct ApiError {
    kind: ApiErrorKind,
    message: String,
    pointer: String,
    /// The stable diagnostic code (`FR205`), for errors about the app, the user, the inputs and
    /// refused subscriptions; absent from the response otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
}

impl ApiError {
    /// An error of `kind` about the request node at `pointer` (empty for the whole request).
    pub fn new(kind: ApiErrorKind, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { kind, message: message.into(), pointer: pointer.into(), code: None }
    }

    /// The same error with its stable diagnostic code (docs/diagnostics.md).
    pub fn with_code(mut self, code: Code) -> Self {
        self.code = Some(code.code());
        self
    }

    /// The stable diagnostic code, where the error has one.
    pub fn code(&self) -> Option<&'static str> {
        self.code
    }

    /// What went wrong, as a program tells errors apart.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// What went wrong, naming the user's input.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON pointer (RFC 6901) of the request field at fault; empty for the request itself.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }
}

/// The kinds of API error. Stable strings: bindings map each to an exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// The request is not JSON, not an object, or a field has the wrong type or is missing.
    BadRequest,
    /// The operation name is not one the API knows.
    UnknownOperation,
    /// The app cannot be loaded (directory or file map).
    App,
    /// The user description cannot be used.
    User,
    /// A subscription, state entry, changeset or write has the wrong shape.
    Input,
    /// A subscription the Flexible Sync subset refuses (protocol error 226).
    Subscription,
    /// A table schema that cannot be used.
    Schema,
    /// A query that does not parse or bind (realm-core's message).
    Query,
    /// A query MongoDB cannot express exactly.
    Translate,
    /// Protocol bytes that cannot be decoded.
    Protocol,
    /// A session handle that is null, closed or not a handle (bindings only).
    InvalidHandle,
    /// A fault inside the engine (a caught panic); never expected, always a bug.
    Internal,
}

impl ApiErrorKind {
    /// The kind as it appears in responses: `"bad_request"`, `"unknown_operation"`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            ApiErrorKind::BadRequest => "bad_request",
            ApiErrorKind::UnknownOperation => "unknown_operation",
            ApiErrorKind::App => "app",
            ApiErrorKind::User => "user",
            ApiErrorKind::Input => "input",
            ApiErrorKind::Subscription => "subscription",
            ApiErrorKind::Schema => "schema",
            ApiErrorKind::Query => "query",
            ApiErrorKind::Translate => "translate",
            ApiErrorKind::Protocol => "protocol",
            ApiErrorKind::InvalidHandle => "invalid_handle",
            ApiErrorKind::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
