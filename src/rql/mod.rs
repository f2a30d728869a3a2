//! Realm Query Language: parsing query text into a typed syntax tree, and printing it back.
//!
//! The stage runs in three steps, each with its own guarantee:
//!
//! 1. a linear pre-scan refuses text that is too long or nests too deeply, before anything
//!    recursive sees it, so hostile input costs one pass and constant stack;
//! 2. the pest grammar (`grammar/rql.pest`) accepts exactly the language of realm-core's flex
//!    scanner and bison grammar (commit f8752e18), including its tokenization quirks;
//! 3. `to_ast` converts pest's tree into [`ast::Query`], applying realm-core's literal rules
//!    (C `strtoll` integers, timestamp checks) and its `@links` fusion.
//!
//! Every failure is a [`ParseError`] with a span into the text. Nothing here depends on a schema
//! or on argument values: `0 = 0` and `unknown.property > 1` parse; the binder rejects them.
//!
//! Printing a [`Query`] gives canonical RQL that parses back to an equal tree.
//!
//! ```
//! use flexrules::rql;
//!
//! let query = rql::parse("miles<100 and (name BEGINSWITH[c] 'ab' or NOT tags.@count=0)")?;
//! assert_eq!(
//!     query.to_string(),
//!     "miles < 100 AND (name BEGINSWITH[c] \"ab\" OR NOT tags.@count == 0)"
//! );
//! assert_eq!(rql::parse(&query.to_string())?, query);
//! # Ok::<(), rql::ParseError>(())
//! ```

pub mod ast;
mod display;
mod error;
mod grammar;
mod literal;
mod prescan;
mod to_ast;

use std::str::FromStr;

use pest::Parser;

pub use ast::Query;
pub use error::{ParseError, ParseErrorKind, TimestampProblem};

use crate::Limits;

/// Parses `text` with the default [`Limits`].
pub fn parse(text: &str) -> Result<Query, ParseError> {
    parse_with(text, &Limits::default())
}

/// Parses `text`, refusing input beyond `limits` (query length, nesting depth, list length,
/// number of comparisons, argument indices) with a typed error instead of using unbounded time
/// or stack.
pub fn parse_with(text: &str, limits: &Limits) -> Result<Query, ParseError> {
    prescan::check(text, limits)?;
    let mut pairs = grammar::RqlParser::parse(grammar::Rule::query, text)
        .map_err(|e| error::from_pest(&e, text))?;
    let query = pairs.next().ok_or_else(|| {
        ParseError::new(ParseErrorKind::Internal { what: "a query" }, crate::Span::point(0))
    })?;
    to_ast::Builder::new(text, limits).query(query)
}

impl FromStr for Query {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Query, ParseError> {
        parse(text)
    }
}
