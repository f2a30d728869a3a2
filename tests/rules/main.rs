//! App Services apps and rules: loading, role selection, bound filters with MongoDB semantics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failure is a test failure"
)]

mod app_builder;
mod reference;
mod robustness;
mod sessions;
