//! Sync-compatibility validation: every reason a role cannot serve Flexible Sync.
//!
//! The checks are rules.md §1.2's list: both document filters present; document filters, `insert`
//! and `delete` read only queryable top-level fields, use only `%%true %%false %%user %%values
//! %%environment` and no `%function`; `apply_when` reads no document field and uses only those
//! expansions; top-level and field-level `read`/`write` are boolean literals; no field rule for
//! `_id`. Expressions that do not lower (unknown operators or expansions) are problems too.
//!
//! Problems are data ([`Problem`]); they render as `FILE#POINTER: message` only when displayed.

use std::fmt;

use super::error::LowerErrorKind;
use super::expr::{Expansion, ExpansionRoot, Expr, Operand, Test};
use super::model::{CURRENT_KEYS, FieldPerms, FieldRule, LEGACY_KEYS, Perm, Role, Slot};
use crate::diagnostic::nearest;

/// The file legacy roles are read from (`permissions` in the sync configuration).
const LEGACY_FILE: &str = "sync/config.json";

/// One reason a role is unusable (or suspicious), with where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    file: String,
    pointer: String,
    role: String,
    kind: ProblemKind,
}

impl Problem {
    /// The file, relative to the app directory.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The JSON pointer of the offending node within [`Problem::file`].
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The name of the role the problem belongs to.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// What is wrong.
    pub fn kind(&self) -> &ProblemKind {
        &self.kind
    }

    /// Whether the problem makes the role unusable for Flexible Sync (a session it applies to is
    /// denied everything); warnings do not.
    pub fn is_error(&self) -> bool {
        self.kind.code().severity() == crate::diagnostic::Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.is_error() { "" } else { "warning: " };
        write!(f, "{}#{}: {level}role `{}`: {}", self.file, self.pointer, self.role, self.kind)
    }
}

/// The reasons a role is Sync-incompatible, plus warnings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The role has no `document_filters`, e.g. when it is misspelled `document_filter`.
    #[error("no `document_filters`: Flexible Sync needs both `read` and `write` document filters")]
    MissingDocumentFilters,
    /// One half of `document_filters` is missing.
    #[error("`document_filters.{0}` is missing: Flexible Sync needs both halves")]
    MissingDocumentFilter(&'static str),
    /// A document filter, `insert` or `delete` reads a field that is not queryable (in the named
    /// collection; default roles no collection uses are checked against global queryable fields).
    #[error("field `{field}` is not a queryable field{}", collection.as_ref().map(|c| format!(" of `{c}`")).unwrap_or_default())]
    NotQueryable {
        /// The field as written.
        field: String,
        /// The collection it is not queryable in.
        collection: Option<String>,
    },
    /// A document filter, `insert` or `delete` reads an embedded field; only top-level queryable
    /// fields can be used.
    #[error("field path `{0}` is not a top-level queryable field")]
    NestedField(String),
    /// `apply_when` reads a document field, which does not exist when the session starts.
    #[error(
        "`apply_when` reads document field `{0}`; roles are chosen before any document is seen"
    )]
    DocumentFieldInApplyWhen(String),
    /// An expansion Flexible Sync cannot expand at session start, e.g. `%%root.owner`.
    #[error("expansion `{0}` is not available to Flexible Sync")]
    ExpansionNotAllowed(String),
    /// `%function` in a document filter, `insert` or `delete`.
    #[error("`%function` (`{0}`) cannot be used in document filters, `insert` or `delete`")]
    FunctionNotAllowed(String),
    /// `%function` in `apply_when`: allowed by App Services, but this engine cannot call Atlas
    /// Functions, so the role can never be chosen here.
    #[error(
        "`%function` (`{0}`) cannot be evaluated here; a session this role could apply to is denied"
    )]
    FunctionUnsupported(String),
    /// A top-level or field-level `read`/`write` that is not `true` or `false`.
    #[error("`{0}` must be `true` or `false` for Flexible Sync")]
    NotBoolean(String),
    /// A field rule for `_id`.
    #[error("field rules cannot be given for `_id`")]
    IdFieldRule,
    /// An expression that does not lower, e.g. an unknown operator.
    #[error("{0}")]
    Invalid(LowerErrorKind),
    /// A key App Services does not define (a warning; the key is ignored).
    #[error("unknown key `{key}` is ignored{hint}")]
    UnknownKey {
        /// The key as written.
        key: String,
        /// A suggestion, e.g. "; did you mean `document_filters`?".
        hint: String,
    },
    /// A role after an earlier role of the same list whose `apply_when` always matches: role
    /// selection stops at the earlier one, so this role is never chosen (a warning).
    #[error("role can never apply: the earlier role `{by}` applies to every user")]
    Shadowed {
        /// The earlier role.
        by: String,
    },
    /// A role that applies to every user with `write: true` and a write filter that always
    /// matches: every user may write every document (a warning).
    #[error(
        "every user may write every document: the role applies to every user with `write: true` and an empty write filter"
    )]
    UnrestrictedWrite,
    /// A document filter reads `%%user.custom_data`: a change to the user's custom data changes
    /// what the user may sync, which older clients can only follow with a client reset (a
    /// warning).
    #[error(
        "document filter reads `{0}`; a change to the user's custom data changes the filter and forces a client reset on older clients"
    )]
    CustomData(String),
}

/// Warnings about a role list as a whole: every role after the first one whose `apply_when`
/// always matches is shadowed (role selection takes the first role that applies).
pub(crate) fn set_problems(roles: &[Role]) -> Vec<Problem> {
    let Some(first) = roles.iter().position(|r| always(&r.apply_when)) else {
        return Vec::new();
    };
    let by = roles.get(first).map(|r| r.name.clone()).unwrap_or_default();
    roles
        .iter()
        .skip(first + 1)
        .map(|role| Problem {
            file: role.file.clone(),
            pointer: role.pointer.to_string(),
            role: role.name.clone(),
            kind: ProblemKind::Shadowed { by: by.clone() },
        })
        .collect()
}

/// Whether a slot's expression holds whatever the user and document: `true`, `{}`, or logical
/// combinations of those. Anything reading a field or an expansion does not count, even if it
/// happens to hold for every user seen so far.
fn always(slot: &Slot) -> bool {
    fn holds(expr: &Expr) -> bool {
        match expr {
            Expr::Const(b) => *b,
            Expr::And(list) => list.iter().all(holds),
            Expr::Or(list) => list.iter().any(holds),
            _ => false,
        }
    }
    slot.expr.as_ref().is_ok_and(holds)
}

/// Which fields a role's per-document expressions may read, and for which collection.
pub(crate) struct Queryable<'q> {
    /// The collection the role is checked for; `None` for default roles no collection uses.
    pub(crate) collection: Option<&'q str>,
    /// Whether a top-level field name is queryable.
    pub(crate) test: &'q dyn Fn(&str) -> bool,
}

/// Every problem of one role, in the order the role's keys are checked.
pub(crate) fn role_problems(role: &Role, queryable: &Queryable<'_>) -> Vec<Problem> {
    let mut out = Checker { role, out: Vec::new() };
    out.apply_when(&role.apply_when);
    match &role.document_filters {
        None => out.push(&role.pointer, ProblemKind::MissingDocumentFilters),
        Some(df) => {
            for (which, half) in [("read", &df.read), ("write", &df.write)] {
                match half {
                    Some(slot) => {
                        out.per_document(slot, queryable);
                        out.custom_data(slot);
                    }
                    None => out.push(&df.pointer, ProblemKind::MissingDocumentFilter(which)),
                }
            }
        }
    }
    out.per_document(&role.insert, queryable);
    out.per_document(&role.delete, queryable);
    out.perm(&role.read, "read");
    out.perm(&role.write, "write");
    out.unrestricted_write();
    out.fields(&role.fields, "fields", true);
    if let Some(additional) = &role.additional_fields {
        out.additional(additional, "additional_fields");
    }
    for pointer in &role.unknown_keys {
        let key = pointer.last_token();
        let known = if role.file == LEGACY_FILE { LEGACY_KEYS } else { CURRENT_KEYS };
        let hint = match key.as_str() {
            "document_filter" | "documentFilters" => Some("document_filters".to_owned()),
            "applyWhen" => Some("apply_when".to_owned()),
            "additionalFields" => Some("additional_fields".to_owned()),
            _ => nearest(&key, known.iter().copied()),
        };
        let hint = hint.map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
        out.push(pointer, ProblemKind::UnknownKey { key, hint });
    }
    out.out
}

struct Checker<'r> {
    role: &'r Role,
    out: Vec<Problem>,
}

/// Something an expression uses, found by [`visit`].
enum Use<'e> {
    Field(&'e [String], &'e str),
    Expansion(&'e Expansion, &'e str),
    Function(&'e str, &'e str),
}

impl Checker<'_> {
    fn push(&mut self, pointer: &str, kind: ProblemKind) {
        let problem = Problem {
            file: self.role.file.clone(),
            pointer: pointer.to_owned(),
            role: self.role.name.clone(),
            kind,
        };
        if !self.out.contains(&problem) {
            self.out.push(problem);
        }
    }

    fn lowered<'s>(&mut self, slot: &'s Slot) -> Option<&'s Expr> {
        match &slot.expr {
            Ok(expr) => Some(expr),
            Err(e) => {
                self.push(e.pointer(), ProblemKind::Invalid(e.kind().clone()));
                None
            }
        }
    }

    fn apply_when(&mut self, slot: &Slot) {
        let Some(expr) = self.lowered(slot) else { return };
        visit(expr, &mut |u| match u {
            Use::Field(path, p) => {
                self.push(p, ProblemKind::DocumentFieldInApplyWhen(path.join(".")))
            }
            Use::Expansion(x, p) if !x.root.sync_compatible() => {
                self.push(p, ProblemKind::ExpansionNotAllowed(x.to_string()));
            }
            Use::Expansion(..) => {}
            Use::Function(name, p) => self.push(p, ProblemKind::FunctionUnsupported(name.into())),
        });
    }

    fn per_document(&mut self, slot: &Slot, queryable: &Queryable<'_>) {
        let Some(expr) = self.lowered(slot) else { return };
        visit(expr, &mut |u| match u {
            Use::Field([name], p) => {
                if !(queryable.test)(name) {
                    let collection = queryable.collection.map(str::to_owned);
                    self.push(p, ProblemKind::NotQueryable { field: name.clone(), collection });
                }
            }
            Use::Field(path, p) => self.push(p, ProblemKind::NestedField(path.join("."))),
            Use::Expansion(x, p) if !x.root.sync_compatible() => {
                self.push(p, ProblemKind::ExpansionNotAllowed(x.to_string()));
            }
            Use::Expansion(..) => {}
            Use::Function(name, p) => self.push(p, ProblemKind::FunctionNotAllowed(name.into())),
        });
    }

    /// `%%user.custom_data…` read by a document filter.
    fn custom_data(&mut self, slot: &Slot) {
        let Ok(expr) = &slot.expr else { return };
        visit(expr, &mut |u| {
            if let Use::Expansion(x, p) = u
                && x.root == ExpansionRoot::User
                && x.path.first().is_some_and(|f| f == "custom_data")
            {
                self.push(p, ProblemKind::CustomData(x.to_string()));
            }
        });
    }

    /// A role every user gets whose `write: true` and always-true write filter let every user
    /// write every document.
    fn unrestricted_write(&mut self) {
        let role = self.role;
        let write_filter = role.document_filters.as_ref().and_then(|df| df.write.as_ref());
        if let Some(filter) = write_filter
            && always(&role.apply_when)
            && always(filter)
            && role.write == Perm::Literal(true)
        {
            let pointer = filter.pointer.clone();
            self.push(&pointer, ProblemKind::UnrestrictedWrite);
        }
    }

    fn perm(&mut self, perm: &Perm, what: &str) {
        if let Perm::Expression(pointer) = perm {
            self.push(pointer, ProblemKind::NotBoolean(what.to_owned()));
        }
    }

    fn fields(&mut self, fields: &[FieldRule], prefix: &str, top: bool) {
        for field in fields {
            if top && field.name == "_id" {
                self.push(&field.pointer, ProblemKind::IdFieldRule);
            }
            let at = format!("{prefix}.{}", field.name);
            self.perm(&field.read, &format!("{at}.read"));
            self.perm(&field.write, &format!("{at}.write"));
            self.fields(&field.fields, &format!("{at}.fields"), false);
            if let Some(additional) = &field.additional_fields {
                self.additional(additional, &format!("{at}.additional_fields"));
            }
        }
    }

    fn additional(&mut self, perms: &FieldPerms, what: &str) {
        self.perm(&perms.read, &format!("{what}.read"));
        self.perm(&perms.write, &format!("{what}.write"));
    }
}

/// Calls `f` for every field, expansion and function an expression uses.
fn visit<'e>(expr: &'e Expr, f: &mut dyn FnMut(Use<'e>)) {
    match expr {
        Expr::Const(_) => {}
        Expr::And(list) | Expr::Or(list) | Expr::Nor(list) => {
            for e in list {
                visit(e, f);
            }
        }
        Expr::Field { path, cond, pointer } => {
            f(Use::Field(path, pointer));
            visit_tests(cond, f);
        }
        Expr::Key { key, cond } => {
            visit_operand(key, f);
            visit_tests(cond, f);
        }
    }
}

fn visit_tests<'e>(tests: &'e [Test], f: &mut dyn FnMut(Use<'e>)) {
    for test in tests {
        match test {
            Test::Eq(o)
            | Test::Ne(o)
            | Test::Cmp(_, o)
            | Test::In(o)
            | Test::Nin(o)
            | Test::All(o) => visit_operand(o, f),
            Test::Exists(_) | Test::Regex(_) | Test::Size(_) => {}
            Test::Not(inner) | Test::ElemMatch(inner) => visit_tests(inner, f),
        }
    }
}

fn visit_operand<'e>(operand: &'e Operand, f: &mut dyn FnMut(Use<'e>)) {
    match operand {
        Operand::Literal(_) => {}
        Operand::Expansion(x, p) => f(Use::Expansion(x, p)),
        Operand::Array(items) => {
            for o in items {
                visit_operand(o, f);
            }
        }
        Operand::Document(fields) => {
            for (_, o) in fields {
                visit_operand(o, f);
            }
        }
        Operand::Convert(_, inner) => visit_operand(inner, f),
        Operand::Function { name, pointer } => f(Use::Function(name, pointer)),
    }
}
