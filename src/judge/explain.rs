//! The answer to "why was my write reverted?" (or accepted): every check of the session's
//! verdict for one object, with the values it read.
//!
//! For each object a changeset writes, the explanation shows the session's role, the write
//! filter on the object before and after the writes (with the expansion values bound at session
//! start), the static field permissions of the fields written, the insert or delete filter, and
//! the query view: each subscription's predicate and the read filter on the document the view
//! check looks at. Every check is shown even when an earlier one already decided the verdict;
//! the verdict names the one that did.

use bson::Document;
use serde_json::{Value as Json, json};

use super::input::{Changeset, Write};
use super::pk::Key;
use super::session::{Session, SubscriptionIndex};
use super::verdict::{Reason, Style, Verdict, WhichCheck};
use crate::document::DocRef;
use crate::predicate::Explanation;
use crate::rules::RoleChoice;

/// Which check of rules.md §3.3 a [`Section`] shows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// Whether the table has a subscription.
    Subscription,
    /// The role chosen for the table.
    Role,
    /// The write filter on the object as the server holds it.
    WriteFilterBefore,
    /// The write filter on the object as the writes leave it.
    WriteFilterAfter,
    /// The field permissions of each written field, in the order written: `true` when the
    /// role may write it.
    FieldPermissions(Vec<(String, bool)>),
    /// The insert filter on a new object.
    Insert,
    /// The delete filter on a removed object.
    Delete,
    /// One subscription's predicate, part of the query view.
    View(SubscriptionIndex),
    /// The read filter on the object the view check looks at.
    Read,
}

impl Check {
    /// Where the check comes in the server's order; checks of one rank are made together.
    fn rank(&self) -> u8 {
        match self {
            Check::Subscription | Check::Role => 0,
            Check::WriteFilterBefore => 1,
            Check::WriteFilterAfter => 2,
            Check::FieldPermissions(_) => 3,
            Check::Insert | Check::Delete => 4,
            Check::View(_) | Check::Read => 5,
        }
    }
}

/// The rank of the last check judging makes before it reaches `verdict`.
fn last_rank(verdict: &Verdict) -> u8 {
    let Verdict::Rejected(r) = verdict else { return 5 };
    match &r.reason {
        Reason::NotAllowed { check, .. } => match check {
            WhichCheck::NoRole | WhichCheck::IncompatibleRole => 0,
            WhichCheck::WriteFilterBefore => 1,
            WhichCheck::WriteFilterAfter => 2,
            WhichCheck::Field(_) => 3,
            WhichCheck::Insert | WhichCheck::Delete => 4,
        },
        Reason::NoSubscription | Reason::UnknownObject => 0,
        Reason::OutsideView { .. } | Reason::IndexedFieldChanged { .. } => 5,
    }
}

/// One check in a write's explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Which check this is.
    pub check: Check,
    /// Whether judging made this check. An explanation shows every check, but the server stops
    /// at the first that fails; a coverage report counts only the checks made.
    pub reached: bool,
    /// What was checked, e.g. `write filter of role "owner-read-write", object after the write`.
    pub title: String,
    /// The evaluated filter or predicate, when the check evaluates one.
    pub tree: Option<Explanation>,
    /// A one-line finding, when the check is static (the role, field permissions).
    pub note: Option<String>,
}

/// Why the writes to one object got their verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteExplanation {
    /// The object's table.
    pub table: String,
    /// The object's primary key.
    pub pk: Key,
    /// The verdict, as [`Session::judge`] gives it for the same state.
    pub verdict: Verdict,
    /// The checks, in the order the server makes them.
    pub sections: Vec<Section>,
}

impl Session {
    /// Explains the verdict for every object `changeset` writes, against the session's current
    /// state (which is not changed: judge the changeset afterwards to apply it).
    pub fn explain(&self, changeset: &Changeset) -> Vec<WriteExplanation> {
        // Each object explained once, in the order judging decides it.
        changeset
            .by_object()
            .into_iter()
            .map(|(table, pk, writes)| self.explain_group(table, pk, &writes))
            .collect()
    }

    fn explain_group(&self, table: &str, pk: &Key, writes: &[&Write]) -> WriteExplanation {
        let verdict = self.decide_group(table, pk, writes);
        let pre = self.state().get(table, pk);
        let after = self.after(pre, writes);
        let post = after.post.as_ref();
        let mut sections = Vec::new();
        let stop = last_rank(&verdict);
        let note = |check: Check, title: &str, note: String| Section {
            reached: check.rank() <= stop,
            check,
            title: title.to_owned(),
            tree: None,
            note: Some(note),
        };
        let tree = |check: Check, title: String, e: Explanation| Section {
            reached: check.rank() <= stop,
            check,
            title,
            tree: Some(e),
            note: None,
        };
        let Some(choice) = self.role_choice(table) else {
            sections.push(note(
                Check::Subscription,
                "subscription",
                format!("no subscription on table `{table}`"),
            ));
            return WriteExplanation { table: table.to_owned(), pk: pk.clone(), verdict, sections };
        };
        let role = match choice {
            RoleChoice::Role(role) => role,
            RoleChoice::NoRole => {
                sections.push(note(Check::Role, "role", "no role applies to this user".to_owned()));
                return WriteExplanation {
                    table: table.to_owned(),
                    pk: pk.clone(),
                    verdict,
                    sections,
                };
            }
            RoleChoice::Incompatible { role, problems } => {
                let why: Vec<String> = problems.iter().map(ToString::to_string).collect();
                sections.push(note(
                    Check::Role,
                    "role",
                    format!(
                        "role \"{role}\" applies but cannot serve Flexible Sync: {}",
                        why.join("; ")
                    ),
                ));
                return WriteExplanation {
                    table: table.to_owned(),
                    pk: pk.clone(),
                    verdict,
                    sections,
                };
            }
        };
        let name = role.name();
        sections.push(note(
            Check::Role,
            "role",
            format!("\"{name}\", chosen and bound when the session started"),
        ));
        let doc_explain = |f: &crate::rules::Filter, d: &Document| f.explain(&DocRef::decoded(d));
        if let Some(o) = pre {
            sections.push(tree(
                Check::WriteFilterBefore,
                format!("write filter of role \"{name}\", object before the write"),
                doc_explain(role.write_filter(), o),
            ));
        }
        if let Some(n) = post {
            sections.push(tree(
                Check::WriteFilterAfter,
                format!("write filter of role \"{name}\", object after the write"),
                doc_explain(role.write_filter(), n),
            ));
        }
        if !after.changed.is_empty() {
            let perms: Vec<(String, bool)> = after
                .changed
                .iter()
                .map(|f| (f.clone(), role.may_write_field(&[f.as_str()])))
                .collect();
            let fields: Vec<String> = perms
                .iter()
                .map(|(f, may)| {
                    format!("{f} ({})", if *may { "may write" } else { "may not write" })
                })
                .collect();
            sections.push(note(
                Check::FieldPermissions(perms),
                "field permissions",
                fields.join(", "),
            ));
        }
        match (pre, post) {
            (None, Some(n)) => sections.push(tree(
                Check::Insert,
                format!("insert filter of role \"{name}\""),
                doc_explain(role.insert_filter(), n),
            )),
            (Some(o), None) => sections.push(tree(
                Check::Delete,
                format!("delete filter of role \"{name}\""),
                doc_explain(role.delete_filter(), o),
            )),
            _ => {}
        }
        if let Some(seen) = pre.or(post) {
            let which = if pre.is_some() { "object as the server holds it" } else { "new object" };
            for (index, predicate) in self.view_predicates(table) {
                sections.push(tree(
                    Check::View(*index),
                    format!("query view, subscription {index}, {which}"),
                    predicate.explain(&DocRef::decoded(seen)),
                ));
            }
            sections.push(tree(
                Check::Read,
                format!("read filter of role \"{name}\", {which}"),
                doc_explain(role.read_filter(), seen),
            ));
        }
        WriteExplanation { table: table.to_owned(), pk: pk.clone(), verdict, sections }
    }
}

impl WriteExplanation {
    fn verdict_line(&self, style: Style) -> String {
        match &self.verdict {
            Verdict::Accepted => "accepted".to_owned(),
            Verdict::Rejected(r) => format!("reverted: {}", r.log_reason(style)),
        }
    }

    /// The explanation for people: the object and its verdict, then each check, its tree
    /// indented below it.
    pub fn to_text(&self, style: Style) -> String {
        let mut s =
            format!("{} {}: {}\n", self.table, self.pk.render(style), self.verdict_line(style));
        for section in &self.sections {
            match &section.note {
                Some(n) => s.push_str(&format!("  {}: {n}\n", section.title)),
                None => s.push_str(&format!("  {}:\n", section.title)),
            }
            if let Some(t) = &section.tree {
                for line in t.to_text().lines() {
                    s.push_str("    ");
                    s.push_str(line);
                    s.push('\n');
                }
            }
        }
        s
    }

    /// The same as JSON: `{"table", "pk", "verdict", "reason"?, "log_reason"?, "checks": [...]}`.
    pub fn to_json(&self, style: Style) -> Json {
        let pk = crate::value::ejson::to_json(&self.pk.to_bson(), 4).unwrap_or(Json::Null);
        let checks: Vec<Json> = self
            .sections
            .iter()
            .map(|s| {
                let mut c = json!({"check": s.title});
                if let Json::Object(m) = &mut c {
                    if let Some(n) = &s.note {
                        m.insert("finding".into(), json!(n));
                    }
                    if let Some(t) = &s.tree {
                        m.insert("tree".into(), t.to_json());
                    }
                }
                c
            })
            .collect();
        let mut out = json!({"table": self.table, "pk": pk, "checks": checks});
        if let Json::Object(m) = &mut out {
            match &self.verdict {
                Verdict::Accepted => {
                    m.insert("verdict".into(), json!("accepted"));
                }
                Verdict::Rejected(r) => {
                    m.insert("verdict".into(), json!("reverted"));
                    m.insert("reason".into(), json!(r.client_reason(style)));
                    m.insert("log_reason".into(), json!(r.log_reason(style)));
                }
            }
        }
        out
    }
}
