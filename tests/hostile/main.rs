//! Hostile input at every library entry point, and the fuzzers' findings replayed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

mod fuzz_replay;
mod inputs;
