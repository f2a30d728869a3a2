//! Errors reading role definitions.
//!
//! Two kinds, for two stages: a [`RulesError`] means the JSON does not have the shape of a role list
//! (a role without a name, `roles` not an array) and the rules cannot be loaded at all; a
//! [`LowerError`] means one expression inside a role does not mean anything (an unknown operator or
//! expansion). The latter does not stop loading: the role carries it as a problem, is unusable, and
//! validation reports it with every other problem.

use thiserror::Error;

/// Role JSON with the wrong shape, with the JSON pointer of the offending node.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind}")]
pub struct RulesError {
    kind: RulesErrorKind,
    pointer: String,
}

impl RulesError {
    pub(crate) fn new(kind: RulesErrorKind, pointer: impl Into<String>) -> Self {
        RulesError { kind, pointer: pointer.into() }
    }

    /// What is wrong.
    pub fn kind(&self) -> &RulesErrorKind {
        &self.kind
    }

    /// The JSON pointer (RFC 6901) of the node at fault; empty for the document root.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }
}

/// The ways role JSON can have the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RulesErrorKind {
    /// A node that must be an object is not, e.g. `"roles": [1]`.
    #[error("expected a JSON object")]
    ExpectedObject,
    /// A node that must be an array is not, e.g. `"roles": {}`.
    #[error("expected a JSON array")]
    ExpectedArray,
    /// A node that must be a string is not, e.g. `"name": 3`.
    #[error("expected a string")]
    ExpectedString,
    /// A role without `name`.
    #[error("a role needs a `name`")]
    MissingName,
    /// A role name that is empty or longer than 100 characters.
    #[error("role name `{0}` must have 1 to 100 characters")]
    BadName(String),
    /// Two roles of one list share a name.
    #[error("role name `{0}` is used twice")]
    DuplicateName(String),
    /// A permission that must be `true`, `false` or an expression is something else, e.g. `"read": 1`.
    #[error("expected `true`, `false` or an expression object")]
    ExpectedExpression,
    /// Fields nest deeper than [`crate::Limits::max_rule_depth`].
    #[error("field rules nest too deeply")]
    TooDeep,
}

/// An expression that cannot be understood, with the JSON pointer of the offending node.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind}")]
pub struct LowerError {
    kind: LowerErrorKind,
    pointer: String,
}

impl LowerError {
    pub(crate) fn new(kind: LowerErrorKind, pointer: impl Into<String>) -> Self {
        LowerError { kind, pointer: pointer.into() }
    }

    /// What is wrong.
    pub fn kind(&self) -> &LowerErrorKind {
        &self.kind
    }

    /// The JSON pointer (RFC 6901) of the node at fault, relative to the file.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }
}

/// The ways an expression can be meaningless.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum LowerErrorKind {
    /// An operator this engine does not know, e.g. `{"owner": {"$regex": "a"}}`.
    #[error("unknown operator `{0}`")]
    UnknownOperator(String),
    /// A `%%` name that is not an expansion, e.g. `%%user.name`.
    #[error("unknown expansion `{0}`")]
    UnknownExpansion(String),
    /// An operator where a field or expansion is expected, e.g. `{"$gt": 3}`, or a logical operator
    /// inside a field condition, e.g. `{"owner": {"$or": []}}`.
    #[error("operator `{0}` cannot be used here")]
    MisplacedOperator(String),
    /// An expression that is neither a boolean nor an object, e.g. `"read": "yes"`.
    #[error("expected `true`, `false` or an expression object")]
    ExpectedExpression,
    /// An operator whose argument must be an array, e.g. `{"$or": {}}`.
    #[error("`{0}` needs an array")]
    ExpectedArray(String),
    /// `$and`, `$or` or `$nor` with no operands.
    #[error("`{0}` needs at least one expression")]
    EmptyLogical(String),
    /// `$not` whose argument is not an operator object.
    #[error("`$not` needs an operator object such as `{{\"$eq\": 1}}`")]
    BadNot,
    /// `$exists` with something other than a boolean or number.
    #[error("`$exists` needs `true` or `false`")]
    BadExists,
    /// `%function` without `{"name": "...", "arguments": [...]}`.
    #[error("`%function` needs an object with a string `name`")]
    BadFunction,
    /// An object mixing operators and field names, e.g. `{"$gt": 1, "a": 2}`.
    #[error("an object cannot mix operators and field names")]
    MixedObject,
    /// A conversion operator whose argument contains another operator (they take only a literal or
    /// a single expansion).
    #[error("`{0}` takes a literal or a single expansion")]
    BadConversionArgument(String),
    /// An Extended JSON literal that does not parse, e.g. `{"$oid": "xyz"}`.
    #[error("invalid Extended JSON value: {0}")]
    BadLiteral(String),
    /// An empty field name or path segment, e.g. `"a..b"`.
    #[error("invalid field path `{0}`")]
    BadFieldPath(String),
    /// `$regex` whose pattern or `$options` cannot be used, e.g. `{"$regex": "(a"}`.
    #[error("invalid `$regex`: {0}")]
    BadRegex(String),
    /// `$elemMatch` whose argument is not an operator object, e.g. `{"$elemMatch": {"a": 1}}`.
    #[error("`$elemMatch` needs an operator object such as `{{\"$gt\": 1}}`")]
    BadElemMatch,
    /// `$size` with something other than a non-negative integer, e.g. `{"$size": -1}`.
    #[error("`$size` needs a non-negative integer")]
    BadSize,
    /// Expressions nest deeper than [`crate::Limits::max_rule_depth`].
    #[error("expression nests too deeply")]
    TooDeep,
}

/// A user description (`--user FILE`) that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}: {kind}", if pointer.is_empty() { "/" } else { pointer.as_str() })]
pub struct UserError {
    kind: UserErrorKind,
    pointer: String,
}

impl UserError {
    pub(crate) fn new(kind: UserErrorKind, pointer: impl Into<String>) -> Self {
        UserError { kind, pointer: pointer.into() }
    }

    /// What is wrong.
    pub fn kind(&self) -> &UserErrorKind {
        &self.kind
    }

    /// The JSON pointer of the node at fault; empty for the whole document.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }
}

/// The ways a user description can be unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UserErrorKind {
    /// The text is not JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// The user (or its `data`/`custom_data`) is not an object.
    #[error("expected a JSON object")]
    ExpectedObject,
    /// `identities` is not an array.
    #[error("expected a JSON array")]
    ExpectedArray,
    /// No `id`.
    #[error("a user needs an `id`")]
    MissingId,
    /// `id` or `type` is not a string.
    #[error("expected a string")]
    ExpectedString,
    /// A value that is not valid Extended JSON, e.g. `{"$oid": "x"}`.
    #[error("invalid Extended JSON value: {0}")]
    ExtendedJson(String),
}
