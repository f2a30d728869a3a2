//! Judging uploaded writes as a Flexible Sync server does (rules.md §3).
//!
//! A [`Session`] is built from an app, a user's bindings and a subscription set: each
//! subscription is checked against the Flexible Sync subset of RQL (a refusal is a
//! [`SubscriptionError`], protocol error 226) and compiled; each subscribed table's role is
//! chosen and bound once. [`Session::judge`] then decides every object an uploaded changeset
//! writes, in the order of rules.md §3.3 — subscription, permission on the pre- and post-image,
//! query view, indexed queryable field — applies the accepted ones to the in-memory server
//! [`State`], and gathers the rejected ones into one [`CompensatingWrite`] (error 231).
//!
//! Verdicts are data; their text, in the client's and the server log's wording, in the 2023 or
//! 2024 server [`Style`], is produced only by the rendering methods of [`Rejection`] and
//! [`CompensatingWrite`].
//!
//! ```
//! use flexrules::app::App;
//! use flexrules::judge::{Changeset, Session, Style, Subscription};
//! use flexrules::rules::{Bindings, User};
//!
//! let app = App::load(std::path::Path::new("fixtures/apps/car"))?;
//! let subs = [Subscription {
//!     name: None, table: "Car".into(), query: "miles < 100".into(), args: vec![],
//! }];
//! let mut session = Session::new(&app, &Bindings::new(User::new("u1")), &subs)?;
//! let upload = Changeset::from_json(&serde_json::json!({"client_version": 3, "writes": [
//!     {"op": "insert", "table": "Car",
//!      "object": {"_id": 7, "ownerId": "u2", "make": "Ford", "miles": 5}}]}))?;
//! let outcome = session.judge(&upload);
//! assert_eq!(
//!     outcome.rejected[0].log_reason(Style::Y2024),
//!     r#"write to 7 in table "Car" was denied by write filter in role "owner-read-write""#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod explain;
mod flx;
mod input;
mod integrate;
mod pk;
mod session;
mod upload;
mod verdict;

pub use explain::{Section, WriteExplanation};
pub use flx::{SubscriptionError, SubscriptionErrorKind};
pub use input::{
    Changeset, InputError, InputErrorKind, Subscription, Write, state_entry_from_json,
};
pub use integrate::{IntegrateError, IntegrateErrorKind};
pub use pk::{Key, KeyDecodeError};
pub use session::{Outcome, Session, State, SubscriptionIndex};
pub use upload::{QueryError, QueryErrorKind, UploadError, UploadErrorKind, UploadOutcome};
pub use verdict::Body;
pub use verdict::{CompensatingWrite, ErrorContext, Reason, Rejection, Style, Verdict, WhichCheck};

#[cfg(test)]
mod tests;
