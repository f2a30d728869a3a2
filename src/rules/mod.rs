//! App Services role rules: roles, rule expressions, role selection and Sync-compatibility checks.
//!
//! The stages, in order:
//! 1. `model` reads role JSON (current or legacy format) into [`Role`]s, applying defaults;
//! 2. `lower` turns each rule expression into a typed tree (`expr`) that still holds
//!    expansions such as `%%user.id`;
//! 3. validation lists every reason a role cannot serve Flexible Sync ([`Problem`]);
//! 4. once per session, role selection evaluates `apply_when` and binding substitutes the
//!    session's user, values and environment, giving plain MongoDB-style [`Filter`]s over
//!    document fields.
//!
//! ```
//! use flexrules::app::App;
//! use flexrules::document::DocRef;
//! use flexrules::rules::{Bindings, RoleChoice, User};
//!
//! let app = App::builder()
//!     .file(
//!         "data_sources/mongodb-atlas/default_rule.json",
//!         r#"{"roles": [{"name": "owner-read-write", "apply_when": {},
//!             "document_filters": {"read": {"ownerId": "%%user.id"},
//!                                  "write": {"ownerId": "%%user.id"}},
//!             "read": true, "write": true}]}"#,
//!     )
//!     .file("sync/config.json", r#"{"queryable_fields_names": ["ownerId", "miles"]}"#)
//!     .build()?;
//! let RoleChoice::Role(role) = app.choose_role("Car", &Bindings::new(User::new("u1"))) else {
//!     unreachable!("the role applies to everyone");
//! };
//! let car = bson::doc! {"ownerId": "u1", "miles": 2_i64};
//! assert!(role.write_filter().matches(&DocRef::decoded(&car))?);
//! assert_eq!(&*role.write_filter().fields()[0], "ownerId");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bind;
mod error;
mod eval;
mod explain;
mod expr;
mod guard;
mod lower;
mod model;
mod select;
mod validate;

pub use bind::{Bindings, Environment, Filter, User};
pub use error::{LowerError, LowerErrorKind, RulesError, RulesErrorKind, UserError, UserErrorKind};
pub use model::{Role, RoleSet};
pub use select::{RoleChoice, SessionRole};
pub use validate::{Problem, ProblemKind};

pub(crate) use model::read_roles;
pub(crate) use select::choose_traced;
pub(crate) use validate::{Queryable, role_problems, set_problems};

#[cfg(test)]
mod tests;
