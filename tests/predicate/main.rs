//! Compiled queries: realm-core's bind-time rules and evaluation semantics over raw and decoded
//! documents, the value rules, predicate sets, explanations and translation to MongoDB filters.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

mod bind_errors;
#[path = "../common/mod.rs"]
mod common;
mod explain_consistency;
mod fixtures;
mod no_alloc;
mod oracle;
mod raw_vs_decoded;
mod reference;
mod set;
mod translate_cases;
mod translate_corpus;
