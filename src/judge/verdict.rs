//! Verdicts, and their rendering as the server words them.
//!
//! A verdict is data: which object, which check failed, under which role and which subscription.
//! Text exists only at the edge, in one of two server styles, and in two audiences: the reason a
//! client receives (never naming the role) and the reason the App Services log shows (naming the
//! role for permission denials), rules.md §3.5.

use serde::Serialize;

use super::pk::{Key, quote};

/// Which generation of server wording to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Style {
    /// Servers of 2022–2023 (the seed document): ObjectIds as quoted hex, top-level message
    /// "…outside of permissions or query filters…".
    #[default]
    Y2023,
    /// Servers of 2024: `ObjectID("…")`, top-level message "…a write that is not allowed…".
    Y2024,
}

impl Style {
    /// The top-level message of error 231 (rules.md §3.6).
    pub fn compensating_write_message(self) -> &'static str {
        match self {
            Style::Y2023 => {
                "Client attempted a write that is outside of permissions or query filters; it has been reverted"
            }
            Style::Y2024 => "Client attempted a write that is not allowed; it has been reverted",
        }
    }
}

/// What the server decides about one object of a changeset.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The object's writes are applied.
    Accepted,
    /// The object's writes are reverted by a compensating write.
    Rejected(Rejection),
}

/// A reverted object and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The object's table.
    pub table: String,
    /// The object's primary key.
    pub pk: Key,
    /// The first check it failed.
    pub reason: Reason,
}

/// Why an object is reverted. Checks run in the order of rules.md §3.3; the first failure wins.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The table has no subscription in the session.
    NoSubscription,
    /// The session's role does not permit the write.
    NotAllowed {
        /// The role that denied it; `None` when no role applies.
        role: Option<String>,
        /// Which permission check failed.
        check: WhichCheck,
    },
    /// The object is outside every subscription of its table, or not readable by the role.
    OutsideView {
        /// Whether some subscription matched but read permission did not (the object is then
        /// outside the view because the role cannot see it).
        matched_subscription: Option<usize>,
    },
    /// An update or delete names an object the server does not hold. The client's view is a
    /// subset of the server's objects, so such a write can only concern an object outside it.
    UnknownObject,
    /// An update changes the app's indexed queryable field.
    IndexedFieldChanged {
        /// The indexed queryable field.
        field: String,
    },
}

/// The permission check that denied a write.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhichCheck {
    /// No role's `apply_when` holds for the user.
    NoRole,
    /// The applicable role cannot serve Flexible Sync.
    IncompatibleRole,
    /// The write filter fails on the object as the server holds it.
    WriteFilterBefore,
    /// The write filter fails on the object as the write leaves it.
    WriteFilterAfter,
    /// The role's `insert` filter fails on the new object.
    Insert,
    /// The role's `delete` filter fails on the object.
    Delete,
    /// The role may not write this field.
    Field(String),
}

impl Rejection {
    /// What the client receives in `rejectedUpdates[].reason`.
    pub fn client_reason(&self, style: Style) -> String {
        let pk = self.pk.render(style);
        let t = quote(&self.table);
        match &self.reason {
            Reason::NoSubscription => {
                format!("cannot write to table {t} before opening a subscription on it")
            }
            Reason::NotAllowed { .. } => format!("write to {pk} in table {t} not allowed"),
            Reason::OutsideView { .. } | Reason::UnknownObject => format!(
                "write to {pk} in table {t} not allowed; object is outside of the current query view"
            ),
            Reason::IndexedFieldChanged { field } => format!(
                "write to {pk} in table {t} not allowed; the indexed queryable field {} cannot be changed",
                quote(field)
            ),
        }
    }

    /// What the App Services log shows: the client reason, except that a permission denial
    /// names the role and the check (`… was denied by write filter in role "owner-read-write"`).
    pub fn log_reason(&self, style: Style) -> String {
        let Reason::NotAllowed { role, check } = &self.reason else {
            return self.client_reason(style);
        };
        let pk = self.pk.render(style);
        let t = quote(&self.table);
        let role_q = role.as_deref().map(quote).unwrap_or_default();
        match check {
            WhichCheck::NoRole => {
                format!("write to {pk} in table {t} was denied because no role applies to the user")
            }
            WhichCheck::IncompatibleRole => format!(
                "write to {pk} in table {t} was denied because role {role_q} is not compatible with Device Sync"
            ),
            WhichCheck::WriteFilterBefore | WhichCheck::WriteFilterAfter => {
                format!("write to {pk} in table {t} was denied by write filter in role {role_q}")
            }
            WhichCheck::Insert => {
                format!("write to {pk} in table {t} was denied by insert filter in role {role_q}")
            }
            WhichCheck::Delete => {
                format!("write to {pk} in table {t} was denied by delete filter in role {role_q}")
            }
            WhichCheck::Field(field) => format!(
                "write to {pk} in table {t} was denied by field permissions for {} in role {role_q}",
                quote(field)
            ),
        }
    }
}

/// Where a compensating-write error points the client, and how it is numbered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorContext {
    /// `logURL`: the App Services log entry for the error.
    pub log_url: String,
    /// `isRecoveryModeDisabled`, from the app's sync configuration.
    pub recovery_mode_disabled: bool,
    /// The sync session number in the `json_error` message head.
    pub session_ident: u64,
}

/// The one error 231 a changeset with rejected objects receives.
#[derive(Debug, Clone, PartialEq)]
pub struct CompensatingWrite {
    /// The rejected objects, in the order they were first written.
    pub rejections: Vec<Rejection>,
    /// The client version of the rejected changeset.
    pub client_version: i64,
    /// The server version holding the compensating changeset.
    pub server_version: i64,
}

/// The JSON body of the error, with the keys in the order servers send them: a serializable value
/// so that a caller can embed it in its own JSON (the command line's `--format json` does).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Body<'a> {
    message: &'a str,
    is_recovery_mode_disabled: bool,
    try_again: bool,
    #[serde(rename = "logURL")]
    log_url: &'a str,
    should_client_reset: bool,
    action: &'a str,
    rejected_client_version: i64,
    rejected_updates: Vec<Entry>,
    compensating_write_server_version: i64,
}

#[derive(Debug, Serialize)]
struct Entry {
    table: String,
    pk: String,
    reason: String,
}

impl CompensatingWrite {
    /// The protocol error code: 231, `compensating_write`.
    pub const CODE: u16 = 231;

    /// The JSON body exactly as the client parses it (rules.md §3.9).
    pub fn body(&self, style: Style, ctx: &ErrorContext) -> String {
        serde_json::to_string(&self.body_fields(style, ctx)).unwrap_or_default()
    }

    /// The body as a serializable value, keys in wire order.
    pub fn body_fields<'a>(&self, style: Style, ctx: &'a ErrorContext) -> Body<'a> {
        Body {
            message: style.compensating_write_message(),
            is_recovery_mode_disabled: ctx.recovery_mode_disabled,
            try_again: true,
            log_url: &ctx.log_url,
            should_client_reset: false,
            action: "Warning",
            rejected_client_version: self.client_version,
            rejected_updates: self
                .rejections
                .iter()
                .map(|r| Entry {
                    table: r.table.clone(),
                    pk: r.pk.encode(),
                    reason: r.client_reason(style),
                })
                .collect(),
            compensating_write_server_version: self.server_version,
        }
    }

    /// The whole protocol message: `json_error 231 <size> <session>` and the body.
    pub fn wire(&self, style: Style, ctx: &ErrorContext) -> String {
        let body = self.body(style, ctx);
        format!("json_error {} {} {}\n{body}", Self::CODE, body.len(), ctx.session_ident)
    }

    /// The App Services log entry (rules.md §3.8, laid out as in the seed document): the
    /// message with its code, then a `Details` map from table to rendered key to log reason.
    pub fn log_entry(&self, style: Style) -> String {
        let mut tables: Vec<(&str, Vec<&Rejection>)> = Vec::new();
        for r in &self.rejections {
            match tables.iter_mut().find(|(t, _)| *t == r.table) {
                Some((_, list)) => list.push(r),
                None => tables.push((&r.table, vec![r])),
            }
        }
        let mut out = format!(
            "Error:\n{} (ProtocolErrorCode={})\nDetails:\n{{\n",
            style.compensating_write_message(),
            Self::CODE
        );
        for (ti, (table, list)) in tables.iter().enumerate() {
            out.push_str(&format!("{}: {{\n", quote(table)));
            for (ri, r) in list.iter().enumerate() {
                let comma = if ri + 1 < list.len() { "," } else { "" };
                out.push_str(&format!(
                    "{}: {}{comma}\n",
                    quote(&r.pk.render_bare(style)),
                    quote(&r.log_reason(style))
                ));
            }
            out.push_str(if ti + 1 < tables.len() { "},\n" } else { "}\n" });
        }
        out.push('}');
        out
    }

    /// The lines a client SDK logs on receiving the error (the Flutter SDK's wording in the
    /// seed document), for connection and session 1.
    pub fn client_log(&self, style: Style, ctx: &ErrorContext) -> Vec<String> {
        let m = style.compensating_write_message();
        vec![
            format!(
                "[INFO] Realm: Connection[1]: Session[{s}]: Received: ERROR \"{m}\" (error_code={c}, try_again=true, error_action=Warning)",
                s = ctx.session_ident,
                c = Self::CODE
            ),
            format!(
                "[INFO] Realm: Connection[1]: Session[{s}]: Reporting compensating write for client version {cv} in server version {sv}: {m}",
                s = ctx.session_ident,
                cv = self.client_version,
                sv = self.server_version
            ),
            format!("[ERROR] Realm: SyncSessionError message: {m}"),
            format!("Logs: {}", ctx.log_url),
            "category: SyncErrorCategory.session code: SyncSessionErrorCode.compensatingWrite isFatal: false"
                .to_owned(),
        ]
    }
}
