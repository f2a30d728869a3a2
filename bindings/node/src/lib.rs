//! The native half of the `flexrules` Node package: [`flexrules::api`] through N-API.
//!
//! Requests and answers cross the boundary as JSON text: V8's `JSON.stringify` and
//! `JSON.parse` turn a whole object into one string faster than N-API can walk it member by
//! member, and the text is exactly what [`api::call_str`] reads. No function throws an N-API
//! error, so that index.js maps errors to its classes in one place. A panic inside the engine (a
//! bug; the engine is written not to) is caught here and answered as an `internal` error instead
//! of aborting the Node process.
//!
//! [`call`] answers the API's whole response. A session's methods answer leaner, since a server
//! calls them for every uploaded write: the result's JSON text, or `!` followed by the error's
//! JSON object (`{"kind", "message", "pointer"}`). `!` cannot begin JSON text, so index.js tells
//! the two apart by the first character, and neither side builds or parses the envelope.

use std::panic::{AssertUnwindSafe, catch_unwind};

use flexrules::api::{self, ApiError, ApiErrorKind};
use napi_derive::napi;
use serde_json::Value as Json;

/// Runs `answer`; a panic becomes `on_panic` of an `internal` error.
fn guarded<T>(answer: impl FnOnce() -> T, on_panic: impl FnOnce(&ApiError) -> T) -> T {
    catch_unwind(AssertUnwindSafe(answer)).unwrap_or_else(|_| {
        on_panic(&ApiError::new(
            ApiErrorKind::Internal,
            "",
            "the engine failed unexpectedly (a bug in flexrules); the request was not answered",
        ))
    })
}

/// A session method's answer: the result's JSON text, or `!` and the error's JSON object.
fn session_answer(result: Result<Json, ApiError>) -> String {
    match result {
        Ok(json) => json.to_string(),
        Err(e) => session_error(&e),
    }
}

fn session_error(error: &ApiError) -> String {
    let response = api::error_response(error);
    format!("!{}", response.get("error").unwrap_or(&Json::Null))
}

/// The version of the response shapes, so that index.js builds its own refusals with it.
#[napi]
pub const API_VERSION: u32 = api::API_VERSION;

/// `api::call_str`: one operation on a JSON request text, answering the JSON response text.
#[napi]
pub fn call(operation: String, request: String) -> String {
    guarded(|| api::call_str(&operation, &request), |e| api::error_response(e).to_string())
}

/// A session handle: empty until [`NativeSession::open`] succeeds, empty again after
/// [`NativeSession::close`]. A closed or never-opened handle answers `invalid_handle`.
#[napi]
#[derive(Debug, Default)]
pub struct NativeSession {
    session: Option<api::Session>,
}

#[napi]
impl NativeSession {
    /// An empty handle; opening can fail, and a constructor could only throw.
    #[napi(constructor)]
    pub fn new() -> Self {
        NativeSession::default()
    }

    /// Opens the session (`api::Session::open`): answers `null`, or `!` and the error. A handle
    /// that was open is replaced only when the new session opens.
    #[napi]
    pub fn open(&mut self, request: String) -> String {
        guarded(
            || match api::parse(&request).and_then(|json| api::Session::open(&json)) {
                Ok(session) => {
                    self.session = Some(session);
                    session_answer(Ok(Json::Null))
                }
                Err(e) => session_error(&e),
            },
            session_error,
        )
    }

    /// `api::Session::judge` on a changeset's JSON text.
    #[napi]
    pub fn judge(&self, changeset: String) -> String {
        self.with_session(|session| api::parse(&changeset).and_then(|json| session.judge(&json)))
    }

    /// `api::Session::preflight` on a write's JSON text.
    #[napi]
    pub fn preflight(&self, write: String) -> String {
        self.with_session(|session| api::parse(&write).and_then(|json| session.preflight(&json)))
    }

    /// Drops the session now rather than when the garbage collector finds the handle.
    #[napi]
    pub fn close(&mut self) {
        self.session = None;
    }

    /// Whether the handle holds an open session.
    #[napi(getter)]
    pub fn is_open(&self) -> bool {
        self.session.is_some()
    }

    fn with_session(&self, answer: impl FnOnce(&api::Session) -> Result<Json, ApiError>) -> String {
        guarded(
            || match &self.session {
                Some(session) => session_answer(answer(session)),
                None => session_error(&ApiError::new(
                    ApiErrorKind::InvalidHandle,
                    "",
                    "the session is closed (or was never opened)",
                )),
            },
            session_error,
        )
    }
}
