//! flexrules: the rules and query-language engine of a Flexible Sync server.
//!
//! (Crate documentation is completed as the stages land.)

pub mod app;
pub mod document;
pub mod limits;
pub mod rql;
pub mod rules;
pub mod schema;
pub mod span;
pub mod value;

pub use limits::Limits;
pub use rql::{ParseError, Query, parse};
pub use span::{LineCol, Span};
