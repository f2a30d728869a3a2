//! flexrules: the rules and query-language engine of a Flexible Sync server.
//!
//! (Crate documentation is completed as the stages land.)

pub mod cli;
pub mod document;
pub mod limits;
pub mod predicate;
pub mod rql;
pub mod schema;
pub mod span;
pub mod value;

pub use limits::Limits;
pub use predicate::{CompileError, CompileErrorKind, CompiledQuery, Predicate, compile};
pub use rql::{ParseError, Query, parse};
pub use span::{LineCol, Span};
