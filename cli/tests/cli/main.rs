//! The command line's tests, one binary: each module drives the `flexrules` binary the way the
//! README shows and asserts its exact output and exit code.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

mod check;
mod common;
mod decode;
mod demo;
mod diagnostics;
mod explain;
mod hostile;
mod impact;
mod query;
mod test;
mod translate;
mod upload;
mod validate;
