//! A session that speaks realm's sync protocol: an UPLOAD's changesets are integrated into the
//! server state and judged, a QUERY or IDENT opens or changes the subscription set, and each
//! refusal is a typed error that renders as the message a server answers with.

use std::fmt;

use super::integrate::{IntegrateError, integrate};
use super::session::{Outcome, Session};
use super::verdict::{ErrorContext, Style};
use super::{Subscription, SubscriptionError};
use crate::app::App;
use crate::protocol::{Message, ProtocolError, ProtocolErrorKind, ServerMessage, Upload};
use crate::rules::Bindings;

/// What judging one UPLOAD gives.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadOutcome {
    /// The session the UPLOAD was sent on.
    pub session_ident: u64,
    /// One outcome per integrated changeset, in order; each 231 refers to its client version.
    pub outcomes: Vec<Outcome>,
    /// The client versions of the changesets skipped because they were integrated before (a
    /// client re-uploads what it has no acknowledgement for after a reconnect).
    pub skipped: Vec<u64>,
}

impl UploadOutcome {
    /// The messages the server sends for the UPLOAD: one `json_error 231` per changeset with
    /// reverted objects.
    pub fn server_messages(&self, style: Style, ctx: &ErrorContext) -> Vec<ServerMessage> {
        self.outcomes
            .iter()
            .filter_map(|o| o.error.as_ref())
            .map(|e| ServerMessage::JsonError {
                code: super::CompensatingWrite::CODE,
                session_ident: self.session_ident,
                body: e.body(style, ctx),
            })
            .collect()
    }
}

/// An UPLOAD the server refuses as a whole; the session is left as it was before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadError {
    session_ident: u64,
    kind: UploadErrorKind,
}

/// Why an UPLOAD is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadErrorKind {
    /// The message or one of its changesets cannot be read.
    Protocol(ProtocolError),
    /// The message is not an UPLOAD.
    NotAnUpload(&'static str),
    /// A changeset's client version is not above the one before it in the same message.
    ClientVersionOrder {
        /// The changeset's client version.
        client_version: u64,
        /// The previous changeset's.
        previous: u64,
    },
    /// A changeset cannot be integrated (error 212).
    BadChangeset {
        /// The changeset's client version.
        client_version: u64,
        /// What is wrong with it.
        error: IntegrateError,
    },
}

impl UploadError {
    /// What is wrong.
    pub fn kind(&self) -> &UploadErrorKind {
        &self.kind
    }

    /// The protocol error code a server answers with (realm-core's `error_codes.h`): 212
    /// `bad_changeset` for a changeset that cannot be read or integrated, 210
    /// `bad_client_version` for versions out of order, 110 `bad_decompression`, 104
    /// `limits_exceeded`, 103 `bad_syntax` for a header, 102 `unknown_message`.
    pub fn code(&self) -> u16 {
        match &self.kind {
            UploadErrorKind::Protocol(e) => match e.kind() {
                ProtocolErrorKind::Header(_) => 103,
                ProtocolErrorKind::Decompression(_) => 110,
                ProtocolErrorKind::TooLarge { .. } => 104,
                ProtocolErrorKind::UnknownMessage(_) => 102,
                _ => IntegrateError::CODE,
            },
            UploadErrorKind::NotAnUpload(_) => 102,
            UploadErrorKind::ClientVersionOrder { .. } => 210,
            UploadErrorKind::BadChangeset { .. } => IntegrateError::CODE,
        }
    }

    /// The message the server answers with: the `error` form (code, `try_again` false, the
    /// session, this error's text), which realm-core's client reads for every code.
    pub fn server_message(&self) -> ServerMessage {
        ServerMessage::Error {
            code: self.code(),
            try_again: false,
            session_ident: self.session_ident,
            message: self.to_string(),
        }
    }
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            UploadErrorKind::Protocol(e) => write!(f, "bad upload message: {e}"),
            UploadErrorKind::NotAnUpload(m) => write!(f, "a {m} message is not an upload"),
            UploadErrorKind::ClientVersionOrder { client_version, previous } => write!(
                f,
                "changeset at client version {client_version} follows client version {previous}"
            ),
            UploadErrorKind::BadChangeset { client_version, error } => {
                write!(f, "bad changeset at client version {client_version}: {error}")
            }
        }
    }
}

impl std::error::Error for UploadError {}

/// A QUERY or IDENT the server refuses; the session keeps its subscription set.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    session_ident: u64,
    query_version: u64,
    kind: QueryErrorKind,
}

/// Why a QUERY or IDENT is refused.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum QueryErrorKind {
    /// The message cannot be read.
    Protocol(ProtocolError),
    /// The message is neither QUERY nor IDENT.
    NotAQuery(&'static str),
    /// A table's entry of the body is not a string.
    NotAString(String),
    /// A subscription is refused (error 226).
    Subscription(SubscriptionError),
}

impl QueryError {
    /// What is wrong.
    pub fn kind(&self) -> &QueryErrorKind {
        &self.kind
    }

    /// The refused subscription set's version.
    pub fn query_version(&self) -> u64 {
        self.query_version
    }

    /// The message the server answers with: `query_error 226` for a refused subscription set,
    /// otherwise `error 103` (`bad_syntax`) or 102 (`unknown_message`).
    pub fn server_message(&self, style: Style) -> ServerMessage {
        match &self.kind {
            QueryErrorKind::Subscription(e) => ServerMessage::QueryError {
                code: BAD_QUERY,
                session_ident: self.session_ident,
                query_version: self.query_version,
                message: e.server_message(style),
            },
            QueryErrorKind::NotAString(_) => ServerMessage::QueryError {
                code: BAD_QUERY,
                session_ident: self.session_ident,
                query_version: self.query_version,
                message: self.to_string(),
            },
            QueryErrorKind::Protocol(_) | QueryErrorKind::NotAQuery(_) => ServerMessage::Error {
                code: if matches!(self.kind, QueryErrorKind::NotAQuery(_)) { 102 } else { 103 },
                try_again: false,
                session_ident: self.session_ident,
                message: self.to_string(),
            },
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            QueryErrorKind::Protocol(e) => write!(f, "bad query message: {e}"),
            QueryErrorKind::NotAQuery(m) => write!(f, "a {m} message carries no subscription set"),
            QueryErrorKind::NotAString(t) => {
                write!(f, "the query of table `{t}` in the subscription set is not a string")
            }
            QueryErrorKind::Subscription(e) => {
                write!(f, "subscription set version {} refused: {e}", self.query_version)
            }
        }
    }
}

impl std::error::Error for QueryError {}

/// Protocol error 226, `bad_query`.
const BAD_QUERY: u16 = 226;

fn message_name(m: &Message) -> &'static str {
    match m {
        Message::Upload(_) => "upload",
        Message::Query(_) => "query",
        Message::Ident(_) => "ident",
        Message::Bind(_) => "bind",
        #[allow(unreachable_patterns, reason = "Message is non_exhaustive")]
        _ => "other",
    }
}

impl Session {
    /// Opens a session from a client's IDENT or QUERY message: its subscription set, each
    /// table's serialised query compiled as one subscription.
    pub fn from_message(
        app: &App,
        bindings: &Bindings,
        bytes: &[u8],
    ) -> Result<Session, QueryError> {
        let mut session = Session::new(app, bindings, &[]).map_err(|e| QueryError {
            session_ident: 0,
            query_version: 0,
            kind: QueryErrorKind::Subscription(e),
        })?;
        session.receive_query(bytes)?;
        Ok(session)
    }

    /// Takes a client's QUERY (or IDENT) message: the subscription set it carries replaces the
    /// session's, with its version. A refused set leaves the session as it was. Returns the new
    /// query version.
    pub fn receive_query(&mut self, bytes: &[u8]) -> Result<u64, QueryError> {
        let limits = self.protocol.app.limits().clone();
        let message = Message::decode(bytes, &limits).map_err(|e| QueryError {
            session_ident: 0,
            query_version: 0,
            kind: QueryErrorKind::Protocol(e),
        })?;
        let (session_ident, query_version, body) = match &message {
            Message::Query(q) => (q.session_ident, q.query_version, &q.body),
            Message::Ident(i) => (i.session_ident, i.query_version, &i.body),
            other => {
                return Err(QueryError {
                    session_ident: 0,
                    query_version: 0,
                    kind: QueryErrorKind::NotAQuery(message_name(other)),
                });
            }
        };
        let fail = |kind| QueryError { session_ident, query_version, kind };
        let mut subscriptions = Vec::with_capacity(body.len());
        for (table, query) in body {
            let query =
                query.as_str().ok_or_else(|| fail(QueryErrorKind::NotAString(table.clone())))?;
            subscriptions.push(Subscription {
                name: None,
                table: table.clone(),
                query: query.to_owned(),
                args: Vec::new(),
            });
        }
        let ctx = std::sync::Arc::clone(&self.protocol);
        let views = Session::compile(&ctx.app, &ctx.bindings, &subscriptions)
            .map_err(|e| fail(QueryErrorKind::Subscription(e)))?;
        self.set_views(views);
        self.query_version = query_version;
        Ok(query_version)
    }

    /// The version of the subscription set the last QUERY or IDENT carried (0 before any).
    pub fn query_version(&self) -> u64 {
        self.query_version
    }

    /// The highest client version integrated from an UPLOAD (0 before any).
    pub fn integrated_client_version(&self) -> u64 {
        self.integrated_client_version
    }

    /// Judges an UPLOAD message's bytes: see [`Session::judge_upload_message`].
    pub fn judge_upload(&mut self, bytes: &[u8]) -> Result<UploadOutcome, UploadError> {
        let limits = self.protocol.app.limits().clone();
        let fail = |kind| UploadError { session_ident: 0, kind };
        match Message::decode(bytes, &limits) {
            Ok(Message::Upload(upload)) => self.judge_upload_message(&upload),
            Ok(other) => Err(fail(UploadErrorKind::NotAnUpload(message_name(&other)))),
            Err(e) => Err(fail(UploadErrorKind::Protocol(e))),
        }
    }

    /// Judges a decoded UPLOAD: each changeset whose client version is above the last one
    /// integrated is applied to the server state the way a server integrates it and judged as
    /// one changeset ([`Session::judge`]); the others are skipped. A changeset that cannot be
    /// integrated refuses the whole UPLOAD and leaves the session as it was.
    ///
    /// Server versions: the server is at least at every version the client reports having
    /// integrated; each integrated changeset becomes the next version, and a compensating
    /// write the one after it.
    pub fn judge_upload_message(&mut self, upload: &Upload) -> Result<UploadOutcome, UploadError> {
        let session_ident = upload.session_ident;
        let fail = |kind| UploadError { session_ident, kind };
        let (saved_version, saved_integrated) =
            (self.server_version, self.integrated_client_version);
        let mut undo = Vec::new();
        let mut outcome =
            UploadOutcome { session_ident, outcomes: Vec::new(), skipped: Vec::new() };
        let mut previous: Option<u64> = None;
        let result = (|| {
            for entry in &upload.entries {
                let cv = entry.client_version;
                if let Some(p) = previous
                    && cv <= p
                {
                    return Err(fail(UploadErrorKind::ClientVersionOrder {
                        client_version: cv,
                        previous: p,
                    }));
                }
                previous = Some(cv);
                if cv <= self.integrated_client_version {
                    outcome.skipped.push(cv);
                    continue;
                }
                let client_version = i64::try_from(cv).unwrap_or(i64::MAX);
                let integrated = integrate(
                    &entry.changeset,
                    client_version,
                    &self.protocol.schemas,
                    &self.state,
                )
                .map_err(|error| {
                    fail(UploadErrorKind::BadChangeset { client_version: cv, error })
                })?;
                undo.extend(integrated.pre_images);
                let known = [
                    upload.progress_server_version,
                    upload.locked_server_version,
                    entry.last_integrated_server_version,
                ]
                .into_iter()
                .max()
                .map_or(0, |v| i64::try_from(v).unwrap_or(i64::MAX));
                let version = self.server_version.max(known).saturating_add(1);
                let mut changeset = integrated.changeset;
                changeset.server_version = Some(version.saturating_add(1));
                let judged = self.judge(&changeset);
                self.server_version =
                    if judged.error.is_some() { version.saturating_add(1) } else { version };
                self.integrated_client_version = cv;
                outcome.outcomes.push(judged);
            }
            Ok(())
        })();
        if let Err(e) = result {
            for (table, key, pre) in undo.into_iter().rev() {
                match pre {
                    Some(doc) => self.state.put(&table, key, doc),
                    None => self.state.remove(&table, &key),
                }
            }
            self.server_version = saved_version;
            self.integrated_client_version = saved_integrated;
            return Err(e);
        }
        Ok(outcome)
    }
}
