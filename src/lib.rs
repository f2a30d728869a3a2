//! flexrules: the rules and query-language engine of a Flexible Sync server.
//!
//! Sync clients subscribe with Realm Query Language queries; the server holds App Services role
//! rules. This crate decides, for every uploaded write, whether it is in view, whether the user's
//! role permits it, or whether it must be reverted with a compensating write, and words the reason
//! as a server does. The stages, each a module with its own error type:
//!
//! ```text
//! RQL text ─► rql::parse ─► Query ─► compile (+ table, arguments) ─► Predicate      RQL semantics
//! app dir  ─► app::App ─► rules (roles, expansions) ─► bind(user) ─► rules::Filter  MongoDB semantics
//!                both read fields through `document` (raw or decoded BSON)
//! judge::Session { role and view per table } ─► judge(changeset) ─► verdicts + compensating write
//! ```
//!
//! There are two intermediate representations, one per semantics, over one document layer:
//! [`Predicate`] evaluates with realm-core's query semantics (its null rules, numeric
//! cross-type comparison, `[c]` folding, quantifiers over lists), and [`rules::Filter`] with
//! MongoDB's matching semantics (arrays element-wise, missing versus null, type brackets), since
//! subscriptions are RQL and permissions are MongoDB expressions. Both read fields through
//! [`document`], which gives the same answers over raw bytes and decoded documents. The judge
//! combines them: the role's filters decide what a user may write, the subscriptions' predicates
//! what the client may see.
//!
//! - [`rql`]: the pest grammar, the syntax tree and its canonical printer, parse errors.
//! - [`compile`] / [`Predicate`]: realm-core's bind-time rules and evaluation semantics, over
//!   [`document`]s (raw or decoded BSON) using the value rules of [`value`].
//! - [`app`] and [`rules`]: exported App Services apps, roles, expansions, role selection and
//!   Sync-compatibility validation.
//! - [`judge`]: sessions, the Flexible Sync subscription subset, verdicts, reasons, the 231 error.
//! - [`protocol`]: realm's sync protocol 14 messages and binary changesets, read and written.
//! - [`fanout`]: all open sessions' views indexed together: which sessions a changed object
//!   enters, stays in or leaves; what a rules or user change makes enter and leave a view.
//! - [`diagnostic`]: the stable codes (`FR101 unknown-role-key`) of every problem the stages
//!   report, and their common shape at the edge.
//! - [`translate()`]: a Flexible Sync query as the MongoDB filter a server would run (from the
//!   first IR to the second's language).
//!
//! The command line (`flexrules`) is a crate of its own in the same workspace, built on this
//! public API only; an embedder's build compiles none of it.
//!
//! Input is untrusted everywhere: every recursion is bounded by [`Limits`], and no input makes the
//! crate panic.
//!
//! # Querying
//!
//! A Realm Query Language query is parsed once ([`parse`]), compiled once against a table schema
//! and its arguments ([`compile`], which raises realm-core's own bind-time errors), and then
//! evaluated over any number of BSON documents, raw or decoded, without allocating:
//!
//! ```
//! use bson::{Bson, doc};
//! use flexrules::schema::Table;
//!
//! let table = Table::from_json(&serde_json::json!({
//!     "title": "Car", "bsonType": "object", "required": ["_id", "ownerId"],
//!     "properties": {"_id": {"bsonType": "objectId"}, "ownerId": {"bsonType": "string"},
//!                    "miles": {"bsonType": "long"}}
//! }))?;
//! let query = flexrules::parse("miles < 100 OR miles == $0")?;
//! let compiled = flexrules::compile(&query, &table, &[Bson::Null], &flexrules::Limits::default())?;
//! let cars = [doc! {"ownerId": "u1", "miles": 90_000_i64}, doc! {"ownerId": "u2"}];
//! assert!(!compiled.predicate().matches(&cars[0]));
//! assert!(compiled.predicate().matches(&cars[1])); // absent `miles` is null
//! assert_eq!(compiled.run(cars.as_slice()), vec![1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Judging uploaded writes
//!
//! [`judge::Session`] holds a user's subscriptions, the role chosen for each subscribed table
//! and the server's objects; it decides every uploaded changeset as a Flexible Sync server does
//! and produces the compensating-write error (231) the client receives, in 2023 or 2024 server
//! wording. `flexrules demo` replays the Realm SDK documentation's example end to end.
//!
//! # Explaining and translating
//!
//! [`Predicate::explain`] and [`rules::Filter::explain`] show why a document matches or not: a
//! tree of every sub-predicate with the values read and its result, short-circuited operands
//! marked skipped. [`judge::Session::explain`] does the same for each check of a write's verdict
//! (`flexrules explain`, `flexrules check --explain`). [`translate()`] turns a Flexible Sync query
//! into the MongoDB filter that selects the same documents, or refuses it when MongoDB cannot
//! express it exactly (`flexrules translate`).

pub mod api;
pub mod app;
pub mod diagnostic;
pub mod document;
pub mod fanout;
mod json;
pub mod judge;
pub mod limits;
mod predicate;
pub mod protocol;
pub mod rql;
pub mod rules;
pub mod schema;
pub mod span;
pub mod testing;
pub mod value;

pub use limits::Limits;
pub use predicate::translate;
pub use predicate::translate::{TranslateError, translate};
pub use predicate::{
    CompileError, CompileErrorKind, CompiledQuery, Explanation, NodeResult, Objects, Predicate,
    PredicateSet, compile,
};
pub use rql::{ParseError, Query, parse};
pub use span::{LineCol, Span};
