//! Role selection (rules.md §2.5) and the per-session role it yields.
//!
//! Once per session and collection: take the candidate roles (the collection's own roles if it
//! has any, else the default roles; the legacy format appends the default roles after the
//! collection's, so selection falls through to them), evaluate each `apply_when` in order with
//! the session's expansions, and stop at the first that holds. That role is the session's role
//! if it is Sync-compatible; if it is not, the collection is denied entirely and later roles are
//! not tried. When no `apply_when` holds, nothing is permitted.
//!
//! An `apply_when` this engine cannot decide at session start (it reads a document field, uses
//! `%%root` and the like, calls `%function`, or does not lower) is treated as holding: the role
//! is chosen and, being unusable, denies everything. App Services refuses such rules for Sync, so
//! this only decides how an invalid configuration fails — closed.

use super::bind::{Bindings, Filter, bind, bind_at};
use super::model::{FieldPerms, FieldRule, Perm, Role, Slot};
use super::validate::{Problem, Queryable, role_problems};
use crate::limits::Limits;

/// The outcome of role selection for one collection and session.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleChoice {
    /// A Sync-compatible role applies; its filters are bound to the session.
    Role(Box<SessionRole>),
    /// No role's `apply_when` holds: the user can neither read nor write the collection.
    NoRole,
    /// The first applicable role is not Sync-compatible: everything is denied.
    Incompatible {
        /// The role's name.
        role: String,
        /// Why it cannot be used (never empty).
        problems: Vec<Problem>,
    },
}

impl RoleChoice {
    /// The chosen role, when a usable one applies.
    pub fn role(&self) -> Option<&SessionRole> {
        match self {
            RoleChoice::Role(role) => Some(role),
            RoleChoice::NoRole | RoleChoice::Incompatible { .. } => None,
        }
    }
}

/// A role chosen for a session: per-document filters bound to the session's expansions, and the
/// role's static field permissions.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRole {
    name: String,
    read: Filter,
    write: Filter,
    insert: Filter,
    delete: Filter,
    top_read: Option<bool>,
    top_write: Option<bool>,
    fields: Vec<FieldRule>,
    additional: Option<FieldPerms>,
}

impl SessionRole {
    /// The role's name (for log reasons).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `document_filters.read`, bound.
    pub fn read_filter(&self) -> &Filter {
        &self.read
    }

    /// `document_filters.write`, bound.
    pub fn write_filter(&self) -> &Filter {
        &self.write
    }

    /// `insert`, bound (`true` when the role does not say).
    pub fn insert_filter(&self) -> &Filter {
        &self.insert
    }

    /// `delete`, bound (`true` when the role does not say).
    pub fn delete_filter(&self) -> &Filter {
        &self.delete
    }

    /// Mutable access to the four filters, e.g. to [`Filter::rebase`] them onto a shared slot
    /// array: read, write, insert, delete.
    pub fn filters_mut(&mut self) -> [&mut Filter; 4] {
        [&mut self.read, &mut self.write, &mut self.insert, &mut self.delete]
    }

    /// Whether the role may read the field at `path` (top-level name first) of a document its
    /// read or write filter admits (rules.md §2.6): top-level `read: true` or `write: true` allow
    /// every field; `read: false` denies every field unless `write` is `true`; otherwise the field
    /// rules decide, where write implies read and an entry on a parent field covers its
    /// embedded fields.
    pub fn may_read_field(&self, path: &[&str]) -> bool {
        if self.top_read == Some(true) || self.top_write == Some(true) {
            return true;
        }
        if self.top_read == Some(false) {
            return false;
        }
        field_perm(&self.fields, self.additional.as_ref(), path, true)
    }

    /// Whether the role may write the field at `path` (rules.md §2.6). Top-level `write: true`
    /// allows every field; `write: false` denies every field, field rules notwithstanding (the
    /// documentation's prose and flowchart agree on this; one template disagrees); otherwise
    /// the field rules decide.
    pub fn may_write_field(&self, path: &[&str]) -> bool {
        match self.top_write {
            Some(b) => b,
            None => field_perm(&self.fields, self.additional.as_ref(), path, false),
        }
    }
}

/// Field-level permission for `path`; `read` asks for read access (which write implies).
fn field_perm(
    fields: &[FieldRule],
    additional: Option<&FieldPerms>,
    path: &[&str],
    read: bool,
) -> bool {
    let grants = |r: &Perm, w: &Perm| {
        let w = w.granted();
        let r = r.granted();
        if read { r == Some(true) || w == Some(true) } else { w == Some(true) }
    };
    let Some((first, rest)) = path.split_first() else { return false };
    match fields.iter().find(|f| f.name == *first) {
        Some(rule) => {
            let defined = if read {
                !matches!((&rule.read, &rule.write), (Perm::Absent, Perm::Absent))
            } else {
                !matches!(rule.write, Perm::Absent)
            };
            if defined || rest.is_empty() {
                return grants(&rule.read, &rule.write);
            }
            field_perm(&rule.fields, rule.additional_fields.as_ref(), rest, read)
        }
        None => additional.is_some_and(|a| grants(&a.read, &a.write)),
    }
}

/// Chooses the session's role among `candidates`, in order, telling `seen` each role whose
/// `apply_when` was evaluated and whether it held (a coverage report counts them).
pub(crate) fn choose_traced<'r>(
    candidates: impl IntoIterator<Item = &'r Role>,
    bindings: &Bindings,
    queryable: &Queryable<'_>,
    limits: &Limits,
    seen: &mut dyn FnMut(&'r Role, bool),
) -> RoleChoice {
    for role in candidates {
        let errors: Vec<Problem> =
            role_problems(role, queryable).into_iter().filter(Problem::is_error).collect();
        let applies = match &role.apply_when.expr {
            Ok(expr) => match bind(expr, bindings, false, limits) {
                Ok(filter) => filter.as_constant().unwrap_or(true),
                Err(_) => true,
            },
            Err(_) => true,
        };
        seen(role, applies);
        if !applies {
            continue;
        }
        if !errors.is_empty() {
            return RoleChoice::Incompatible { role: role.name.clone(), problems: errors };
        }
        // INVARIANT: binding a role with no error-level problem cannot fail (every bind error
        // — a missing filter, `%function`, an expansion without a value — is such a problem), so
        // the `None` arm never yields an empty problem list.
        return match session_role(role, bindings, limits) {
            Some(chosen) => RoleChoice::Role(Box::new(chosen)),
            None => RoleChoice::Incompatible { role: role.name.clone(), problems: errors },
        };
    }
    RoleChoice::NoRole
}

fn session_role(role: &Role, bindings: &Bindings, limits: &Limits) -> Option<SessionRole> {
    let filters = role.document_filters.as_ref()?;
    let bound = |slot: Option<&Slot>| -> Option<Filter> {
        let slot = slot?;
        let expr = slot.expr.as_ref().ok()?;
        // A default (`insert`, `delete` left out) is named by its role, which the file holds.
        let at = if slot.written { slot.pointer.as_str() } else { role.pointer.as_str() };
        bind_at(expr, at, bindings, true, limits).ok()
    };
    Some(SessionRole {
        name: role.name.clone(),
        read: bound(filters.read.as_ref())?,
        write: bound(filters.write.as_ref())?,
        insert: bound(Some(&role.insert))?,
        delete: bound(Some(&role.delete))?,
        top_read: role.read.granted(),
        top_write: role.write.granted(),
        fields: role.fields.clone(),
        additional: role.additional_fields.clone(),
    })
}
