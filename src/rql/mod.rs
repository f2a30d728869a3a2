//! Realm Query Language: parsing query text into a typed syntax tree, and printing it back.
//!
//! The stage runs in three steps, each with its own guarantee:
//!
//! 1. a linear pre-scan refuses text that is too long or nests too deeply, before anything
//!    recursive sees it, so hostile input costs one pass and constant stack;
//! 2. the pest grammar (`grammar/rql.pest`) reproduces the tokens of realm-core's flex scanner
//!    (commit f8752e18), quirks included; it backtracks only over constructs that cannot nest,
//!    so no nested group is ever read twice and time stays linear in the text;
//! 3. `to_ast` converts pest's tree into [`ast::Query`]: it decides whether each parenthesised
//!    group is a condition or an operand, enforces where each may stand as realm-core's bison
//!    grammar does, and applies realm-core's literal rules (C `strtoll` integers, timestamp
//!    checks) and its `@links` fusion.
//!
//! Together the two accept realm-core's language, with two deliberate differences: malformed
//! `T<s>:<ns>` timestamps are refused here rather than when binding, and `SORT`/`DISTINCT` take
//! only name and `['key']` steps (realm-core's grammar takes more and then fails an assertion).
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
mod path_builder;
mod prescan;
mod to_ast;

use std::str::FromStr;

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
    to_ast::parse(text, limits)
}

impl FromStr for Query {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Query, ParseError> {
        parse(text)
    }
}
