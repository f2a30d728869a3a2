//! The RQL front end: parsing, canonical printing, errors and limits, against realm-core's
//! own lists, the oracle corpus and the specification's examples.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

mod errors;
mod examples;
mod limits;
mod oracle;
mod realm_core;
mod roundtrip;
