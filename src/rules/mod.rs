//! App Services role rules: roles, rule expressions, role selection and Sync-compatibility checks.
//!
//! The stages, in order:
//! 1. [`model`] reads role JSON (current or legacy format) into [`Role`]s, applying defaults;
//! 2. [`lower`] turns each rule expression into a typed tree ([`expr`]) that still holds
//!    expansions such as `%%user.id`;
//! 3. validation lists every reason a role cannot serve Flexible Sync ([`Problem`]);
//! 4. once per session, role selection evaluates `apply_when` and binding substitutes the
//!    session's user, values and environment, giving plain MongoDB-style [`Filter`]s over
//!    document fields.

mod bind;
mod error;
mod eval;
mod expr;
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
pub(crate) use select::choose;
pub(crate) use validate::{Queryable, role_problems};

#[cfg(test)]
mod tests;
