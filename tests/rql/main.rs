//! The RQL front end: parsing, canonical printing, errors and limits, against realm-core's
//! own lists, the oracle corpus and the specification's examples.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failure is a test failure"
)]

mod errors;
mod examples;
mod limits;
mod oracle;
mod realm_core;
mod roundtrip;
