//! Why a query has no MongoDB filter.

use thiserror::Error;

use crate::predicate::CompileError;
use crate::span::Span;

/// A query that cannot be translated: it does not compile, or it uses something MongoDB cannot
/// express with the same meaning.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{kind}")]
pub struct TranslateError {
    kind: TranslateErrorKind,
    span: Span,
}

impl TranslateError {
    pub(crate) fn new(kind: TranslateErrorKind, span: Span) -> Self {
        TranslateError { kind, span }
    }

    /// What went wrong.
    pub fn kind(&self) -> &TranslateErrorKind {
        &self.kind
    }

    /// The part of the query it is about (the whole comparison for a refused comparison).
    pub fn span(&self) -> Span {
        self.span
    }
}

/// The reasons a query has no exact MongoDB filter. Each refused variant quotes the comparison in
/// canonical RQL.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum TranslateErrorKind {
    /// The query does not parse against the schema or its arguments, e.g. `age == 'abc'`.
    #[error(transparent)]
    Compile(CompileError),
    /// `SORT`, `DISTINCT` or `LIMIT`, e.g. `miles > 5 LIMIT(2)`.
    #[error("`{0}` has no place in a MongoDB filter")]
    PostClause(String),
    /// A path that is not one top-level field, e.g. `owner.name == 'a'` or `dict['k'] == 1`.
    #[error("`{0}` reads something other than a top-level field")]
    NotTopLevel(String),
    /// Two properties compared with each other, e.g. `miles > price`.
    #[error("`{0}` compares two properties, which a filter cannot do without `$expr`")]
    TwoProperties(String),
    /// A list property compared with a list of constants, e.g. `labels == {'a', 'b'}`.
    #[error("`{0}` compares a list property with a list")]
    ListWithList(String),
    /// A construct with no exact filter: arithmetic, `@type`, aggregates, `SUBQUERY`, `TEXT`,
    /// `GEOWITHIN`, the length of a string, a `mixed` or `float` property, a binary haystack, e.g.
    /// `miles * 2 > 10`.
    #[error("`{text}` uses {construct}, which has no exact MongoDB filter")]
    Construct {
        /// The comparison.
        text: String,
        /// What it uses, e.g. "arithmetic".
        construct: &'static str,
    },
    /// A NaN constant: realm-core and MongoDB disagree about NaN equality, e.g. `weight == NaN`.
    #[error("`{0}` compares with NaN, which MongoDB treats differently")]
    NaN(String),
    /// A timestamp finer than the milliseconds a BSON date holds, e.g. `listed == T0:1`.
    #[error(
        "`{0}` uses a timestamp with a part below one millisecond, which a BSON date cannot hold"
    )]
    SubMillisecond(String),
    /// A string operator whose haystack is a constant, e.g. `'abc' CONTAINS name`.
    #[error("`{0}` searches a constant for a property's value")]
    ConstantHaystack(String),
    /// A `LIKE` pattern ending in `**`, where realm-core's matcher differs from any glob, e.g.
    /// `name LIKE 'a**'`.
    #[error(
        "`{0}` ends its pattern with `**`, which realm-core matches differently from a regular expression"
    )]
    LikeDoubleStar(String),
    /// A string constant that is not UTF-8, e.g. one decoded from `B64"/w=="`.
    #[error("`{0}` uses a string that is not UTF-8")]
    NotUtf8(String),
    /// The compiled comparison has a shape translation does not know, e.g. a constant of a type
    /// the property cannot hold.
    #[error("`{0}` cannot be translated")]
    Unsupported(String),
}
