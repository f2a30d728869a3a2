//! Judging uploaded changesets: the seed scenario, the judging fixtures, subscriptions and
//! explained verdicts.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

mod explain_verdicts;
mod fanout;
mod fixtures;
mod protocol;
mod seed;
mod subscriptions;
mod upload;
