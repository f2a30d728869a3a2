//! Hostile input at every library entry point, and the fuzzers' findings replayed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failure is a test failure"
)]

mod fuzz_replay;
mod inputs;
