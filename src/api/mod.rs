//! One versioned JSON request/response API over the whole engine, for callers that are not Rust
//! programs: the C library, the Python and Node packages, and anything that can pass a string.
//!
//! An operation (`query`, `translate`, `validate`, `check`, `explain`, `preflight`, `decode`,
//! `version`) takes a request object whose fields are the command line's inputs by value, and
//! answers `{"ok": true, "api_version": 1, "result": …}` — `result` being what the command
//! prints with `--format json` (see [`output`]) — or `{"ok": false, "api_version": 1, "error":
//! {"kind", "message", "pointer"}}` with the JSON pointer of the request field at fault.
//! docs/api.md describes every operation's request and result.
//!
//! A [`Session`] keeps what is costly to set up — the loaded app, the user's bound role and the
//! compiled subscriptions — so that many writes can be judged or preflighted against it.
//!
//! ```
//! let answer = flexrules::api::call("translate", &serde_json::json!({
//!     "schema": {"title": "Car", "bsonType": "object", "required": ["_id"],
//!                "properties": {"_id": {"bsonType": "objectId"}, "miles": {"bsonType": "long"}}},
//!     "query": "miles < 100"
//! }));
//! assert_eq!(answer["result"], serde_json::json!({"miles": {"$lt": 100}}));
//! ```

mod error;
pub mod output;
mod request;

use std::sync::RwLock;

use bson::Bson;
use serde_json::{Value as Json, json};

pub use error::{ApiError, ApiErrorKind};

use crate::Limits;
use crate::diagnostic::Code;
use crate::judge::{self, ErrorContext, Style};
use request::Request;

/// The version of the request and response shapes; it changes only when a shape changes
/// incompatibly.
pub const API_VERSION: u32 = 1;

/// The operations [`call`] answers, in the order docs/api.md describes them.
pub const OPERATIONS: &[&str] =
    &["query", "translate", "validate", "check", "explain", "preflight", "decode", "version"];

/// Answers one request: the response object, `ok` or not.
pub fn call(operation: &str, request: &Json) -> Json {
    respond(answer(operation, request))
}

/// [`call`] on JSON text, answering JSON text: what a foreign-language binding passes through.
/// Text that is not JSON is a `bad_request` error.
pub fn call_str(operation: &str, request: &str) -> String {
    let response = match parse(request) {
        Ok(json) => call(operation, &json),
        Err(e) => error_response(&e),
    };
    response.to_string()
}

/// The response for a result: `{"ok": true, "api_version": 1, "result": …}` or the error.
pub fn respond(result: Result<Json, ApiError>) -> Json {
    match result {
        Ok(result) => json!({"ok": true, "api_version": API_VERSION, "result": result}),
        Err(e) => error_response(&e),
    }
}

/// The response for an error: `{"ok": false, "api_version": 1, "error": {…}}`.
pub fn error_response(error: &ApiError) -> Json {
    json!({"ok": false, "api_version": API_VERSION, "error": error})
}

/// Request text as JSON; a parse failure is a `bad_request` naming the line and column.
pub fn parse(text: &str) -> Result<Json, ApiError> {
    serde_json::from_str(text).map_err(|e| {
        ApiError::new(
            ApiErrorKind::BadRequest,
            "",
            format!(
                "malformed JSON at line {}, column {}: {}",
                e.line(),
                e.column(),
                crate::json::message(&e)
            ),
        )
    })
}

/// The result of one operation.
fn answer(operation: &str, request: &Json) -> Result<Json, ApiError> {
    match operation {
        "query" => query(request),
        "translate" => translate(request),
        "validate" => validate(request),
        "check" => check(request, false),
        "explain" => check(request, true),
        "preflight" => preflight(request),
        "decode" => decode(request),
        "version" => {
            Request::new(request, &[])?;
            Ok(version())
        }
        other => Err(ApiError::new(
            ApiErrorKind::UnknownOperation,
            "",
            format!("unknown operation `{other}`; the operations are {}", OPERATIONS.join(", ")),
        )),
    }
}

/// What `version` answers: the crate version, the API version and the operations.
pub fn version() -> Json {
    json!({"version": env!("CARGO_PKG_VERSION"), "api_version": API_VERSION,
           "operations": OPERATIONS})
}

/// Parses and binds `query` as `flexrules query` does: parse errors in flexrules' wording with
/// the caret, bind errors in realm-core's.
fn compile(
    query: &str,
    table: &crate::schema::Table,
    args: &[Bson],
    limits: &Limits,
) -> Result<crate::CompiledQuery, String> {
    let ast = crate::rql::parse_with(query, limits).map_err(|e| e.to_string())?;
    crate::compile(&ast, table, args, limits).map_err(|e| e.realm_message())
}

fn query(request: &Json) -> Result<Json, ApiError> {
    let req = Request::new(request, &["schema", "objects", "query", "args", "batch"])?;
    let limits = Limits::default();
    let table = req.table(&limits)?;
    let objects = req.objects()?;
    let keys: Vec<Json> = objects.iter().map(|o| output::object_key(o, &limits)).collect();
    let matches = |c: &crate::CompiledQuery| -> Vec<Json> {
        c.run(objects.as_slice()).into_iter().filter_map(|i| keys.get(i).cloned()).collect()
    };
    if let Some(batch) = req.optional_array("batch")? {
        if req.get("query").is_some() || req.get("args").is_some() {
            return Err(ApiError::new(
                ApiErrorKind::BadRequest,
                "/batch",
                "`batch` cannot be combined with `query` or `args`",
            ));
        }
        let answers = batch
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let at = format!("/batch/{i}");
                let Some(text) = entry.get("query").and_then(Json::as_str) else {
                    return output::batch_error(&format!("{at}: missing string `query`"));
                };
                let args = match entry.get("args") {
                    None | Some(Json::Null) => Ok(Vec::new()),
                    Some(Json::Array(items)) => request::args(items, &format!("{at}/args")),
                    Some(_) => {
                        return output::batch_error(&format!("{at}: `args` must be an array"));
                    }
                };
                match args {
                    Err(e) => output::batch_error(&e.to_string()),
                    Ok(args) => match compile(text, &table, &args, &limits) {
                        Ok(c) => output::batch_matches(matches(&c)),
                        Err(m) => output::batch_error(&m),
                    },
                }
            })
            .collect();
        return Ok(Json::Array(answers));
    }
    let text = req.string("query")?;
    let args = req.args()?;
    let compiled = compile(text, &table, &args, &limits)
        .map_err(|m| ApiError::new(ApiErrorKind::Query, "/query", m))?;
    Ok(Json::Array(matches(&compiled)))
}

fn translate(request: &Json) -> Result<Json, ApiError> {
    let req = Request::new(request, &["schema", "query", "args"])?;
    let limits = Limits::default();
    let table = req.table(&limits)?;
    let text = req.string("query")?;
    let args = req.args()?;
    let query_error = |m: String| ApiError::new(ApiErrorKind::Query, "/query", m);
    let ast = crate::rql::parse_with(text, &limits).map_err(|e| query_error(e.to_string()))?;
    let filter = crate::translate(&ast, &table, &args, &limits).map_err(|e| match e.kind() {
        crate::translate::TranslateErrorKind::Compile(c) => query_error(c.realm_message()),
        _ => ApiError::new(ApiErrorKind::Translate, "/query", e.to_string()),
    })?;
    output::filter(&filter, &limits)
        .map_err(|m| ApiError::new(ApiErrorKind::Translate, "/query", m))
}

fn validate(request: &Json) -> Result<Json, ApiError> {
    let req = Request::new(request, &["app"])?;
    let app = req.app()?;
    Ok(Json::Array(app.problems().iter().map(output::problem).collect()))
}

/// The fields that open a session (and that `check`, `explain` and `preflight` read).
const SESSION_FIELDS: &[&str] = &[
    "app",
    "user",
    "subscriptions",
    "query_message",
    "state",
    "server_style",
    "explain",
    "log_url",
];

fn check(request: &Json, explain: bool) -> Result<Json, ApiError> {
    let mut fields = SESSION_FIELDS.to_vec();
    fields.extend(["changesets", "upload"]);
    let req = Request::new(request, &fields)?;
    if req.get("upload").is_some() {
        if req.get("changesets").is_some() {
            return Err(ApiError::new(
                ApiErrorKind::BadRequest,
                "/upload",
                "`upload` cannot be combined with `changesets`",
            ));
        }
        let uploads = req.uploads()?;
        let session = Session::from_request(&req)?;
        if explain || session.explain {
            return Err(ApiError::new(
                ApiErrorKind::BadRequest,
                "/upload",
                "explanations read `changesets`; they do not take `upload` yet",
            ));
        }
        let mut lines = Vec::new();
        for (i, bytes) in uploads.iter().enumerate() {
            lines.extend(session.upload_lines(bytes, &format!("/upload/{i}"))?);
        }
        return Ok(Json::Array(lines));
    }
    let changesets = req.changesets()?;
    let session = Session::from_request(&req)?;
    let explain = explain || session.explain;
    let mut lines = Vec::with_capacity(changesets.len());
    for changeset in &changesets {
        lines.push(session.judge_one(changeset, explain));
    }
    Ok(Json::Array(lines))
}

fn preflight(request: &Json) -> Result<Json, ApiError> {
    let mut fields = SESSION_FIELDS.to_vec();
    fields.push("write");
    let req = Request::new(request, &fields)?;
    let write = request::write(req.required("write")?, "/write")?;
    let session = Session::from_request(&req)?;
    Ok(session.preflight_one(&write))
}

fn decode(request: &Json) -> Result<Json, ApiError> {
    let req = Request::new(request, &["bytes"])?;
    let text = req.string("bytes")?;
    let bytes = bson::Binary::from_base64(text, None)
        .map_err(|e| {
            ApiError::new(ApiErrorKind::BadRequest, "/bytes", format!("`bytes` is not base64: {e}"))
        })?
        .bytes;
    output::decoded(&bytes, &Limits::default())
        .map_err(|e| ApiError::new(ApiErrorKind::Protocol, "/bytes", e.to_string()))
}

/// An open session: one user's subscriptions compiled and roles bound against one app, and the
/// server state their uploads are judged against.
///
/// Thread safety: a `Session` is `Send + Sync`. [`Session::preflight`] takes a shared lock and
/// runs in parallel with other preflights; [`Session::judge`] applies accepted writes to the
/// state and so takes an exclusive lock, serialising judges (and the preflights that overlap
/// them). Handles in the bindings are this type.
#[derive(Debug)]
pub struct Session {
    inner: RwLock<judge::Session>,
    style: Style,
    ctx: ErrorContext,
    explain: bool,
}

impl Session {
    /// Opens a session from `{"app", "user", "subscriptions", "state"?, "server_style"?,
    /// "explain"?, "log_url"?}`.
    pub fn open(request: &Json) -> Result<Session, ApiError> {
        Session::from_request(&Request::new(request, SESSION_FIELDS)?)
    }

    fn from_request(req: &Request<'_>) -> Result<Session, ApiError> {
        let style = req.style()?;
        let explain = req.flag("explain")?;
        let log_url = req.log_url()?;
        let app = req.app()?;
        let bindings = req.bindings()?;
        let session = match req.get("query_message") {
            Some(_) => {
                if req.get("subscriptions").is_some() {
                    return Err(ApiError::new(
                        ApiErrorKind::BadRequest,
                        "/query_message",
                        "`query_message` cannot be combined with `subscriptions`",
                    ));
                }
                let bytes = req.base64("query_message")?;
                let state = req.state()?;
                judge::Session::from_message(&app, &bindings, &bytes)
                    .map_err(|e| {
                        let (kind, code) = match e.kind() {
                            judge::QueryErrorKind::Subscription(s) => {
                                (ApiErrorKind::Subscription, s.kind().code())
                            }
                            _ => (ApiErrorKind::Protocol, Code::BadMessage),
                        };
                        ApiError::new(kind, "/query_message", e.to_string()).with_code(code)
                    })?
                    .with_state(state)
            }
            None => {
                let subscriptions = req.subscriptions()?;
                let state = req.state()?;
                judge::Session::new(&app, &bindings, &subscriptions)
                    .map_err(|e| {
                        ApiError::new(
                            ApiErrorKind::Subscription,
                            format!("/subscriptions/{}", e.index()),
                            e.server_message(style),
                        )
                        .with_code(e.kind().code())
                    })?
                    .with_state(state)
            }
        };
        let ctx = ErrorContext {
            log_url,
            recovery_mode_disabled: app.sync().recovery_mode_disabled(),
            session_ident: 1,
        };
        Ok(Session { inner: RwLock::new(session), style, ctx, explain })
    }

    /// Judges one uploaded changeset (its JSON, as one line of `check --changesets`) and
    /// applies the accepted writes: the result is that changeset's `check --format json` line.
    pub fn judge(&self, changeset: &Json) -> Result<Json, ApiError> {
        let changeset = request::changeset(changeset, "")?;
        Ok(self.judge_one(&changeset, self.explain))
    }

    /// Would this one write be reverted, and why? The session's state is left unchanged; the
    /// result is [`output::verdict`].
    pub fn preflight(&self, write: &Json) -> Result<Json, ApiError> {
        let write = request::write(write, "")?;
        Ok(self.preflight_one(&write))
    }

    fn judge_one(&self, changeset: &judge::Changeset, explain: bool) -> Json {
        // A poisoned lock only means a caller's thread panicked elsewhere; the state is whole.
        let mut session = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let explained = if explain { session.explain(changeset) } else { Vec::new() };
        let outcome = session.judge(changeset);
        if explain {
            output::explained_check_line(&outcome, self.style, &self.ctx, &explained)
        } else {
            serde_json::to_value(output::check_line(&outcome, self.style, &self.ctx))
                .unwrap_or(Json::Null)
        }
    }

    /// Judges one UPLOAD message's bytes and applies the accepted writes: the check lines of its
    /// changesets, with `{"client_version", "skipped": true}` for each one integrated before.
    /// A refused UPLOAD (212 and the rest) is a `protocol` error and changes nothing.
    pub fn judge_upload(&self, bytes: &[u8]) -> Result<Json, ApiError> {
        self.upload_lines(bytes, "").map(Json::Array)
    }

    fn upload_lines(&self, bytes: &[u8], at: &str) -> Result<Vec<Json>, ApiError> {
        let mut session = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let judged = session.judge_upload(bytes).map_err(|e| {
            ApiError::new(
                ApiErrorKind::Protocol,
                at,
                format!("{e} (the server answers error {})", e.code()),
            )
            .with_code(Code::BadMessage)
        })?;
        let mut lines: Vec<Json> = judged
            .skipped
            .iter()
            .map(|cv| json!({"client_version": cv, "skipped": true}))
            .collect();
        for outcome in &judged.outcomes {
            lines.push(
                serde_json::to_value(output::check_line(outcome, self.style, &self.ctx))
                    .unwrap_or(Json::Null),
            );
        }
        Ok(lines)
    }

    fn preflight_one(&self, write: &judge::Write) -> Json {
        let session = self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        output::verdict(&session.preflight(write), self.style)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn sessions_are_send_and_sync() {
        assert_send_sync::<Session>();
    }
}
