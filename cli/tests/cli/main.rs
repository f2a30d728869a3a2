//! The command line's tests, one binary: each module drives the `flexrules` binary the way the
//! README shows and asserts its exact output and exit code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failure is a test failure"
)]

mod check;
mod common;
mod demo;
mod explain;
mod hostile;
mod query;
mod translate;
mod validate;
