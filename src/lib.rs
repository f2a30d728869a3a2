//! flexrules: the rules and query-language engine of a Flexible Sync server.
//!
//! (Crate documentation is completed as the stages land.)

pub mod limits;
pub mod rql;
pub mod schema;
pub mod span;
pub mod value;

pub use limits::Limits;
pub use rql::{ParseError, Query, parse};
pub use span::{LineCol, Span};
