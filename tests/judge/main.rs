//! Judging uploaded changesets: the seed scenario, the judging fixtures, subscriptions and
//! explained verdicts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failure is a test failure"
)]

mod explain_verdicts;
mod fanout;
mod fixtures;
mod seed;
mod subscriptions;
