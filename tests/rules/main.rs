//! App Services apps and rules: loading, role selection, bound filters with MongoDB semantics.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

mod app_builder;
mod reference;
mod robustness;
mod sessions;
