//! The C library of flexrules: the JSON API ([`flexrules::api`]) and its sessions behind a C
//! ABI, for every language that can call C (C, C++, Swift, Kotlin/Native, Dart, Go, Python's
//! ctypes, …). The header is `include/flexrules.h`, generated from this file by cbindgen.
//!
//! Everything crosses the boundary as NUL-terminated UTF-8 JSON text, so the ABI is six
//! functions and one opaque type, and a new operation or field never changes it. Each answer is
//! a response object of the JSON API (`{"ok": true, "api_version": 1, "result": …}` or
//! `{"ok": false, …, "error": {"kind", "message", "pointer"}}`), allocated by the library and
//! released with [`flexrules_free`].
//!
//! No input crashes the caller: NULL pointers, text that is not UTF-8 or not JSON, and handles
//! that are NULL, closed or were never handles are `ok: false` responses, and a panic inside the
//! engine is caught at the boundary and answered as an `internal` error.
//!
//! Threading: every function may be called from any thread at any time, and one session handle
//! may be used from several threads at once. Preflights of one session run in parallel; judges
//! of one session (which change its state) are serialised. Closing a handle while another
//! thread is inside a call on it is safe: that call finishes against the session, and later
//! calls answer `invalid_handle`.

mod registry;
mod text;

use std::ffi::{CString, c_char, c_int};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use flexrules::api::{self, ApiError, ApiErrorKind};

/// An open session: an app, one user and their subscriptions, compiled once. Opaque to C; the
/// pointer is an id the library looks up and never dereferences.
#[derive(Debug)]
pub struct FlexrulesSession {
    _opaque: [u8; 0],
}

/// Answers one request of the JSON API: `operation` is one of `query`, `translate`, `validate`,
/// `check`, `explain`, `preflight`, `decode`, `version`, and `request_json` its request object.
///
/// Returns the response as JSON text, never NULL; release it with `flexrules_free`. A NULL or
/// non-UTF-8 argument, or text that is not JSON, answers a `bad_request` error.
///
/// # Safety
/// Each argument is NULL or a NUL-terminated string that stays unchanged during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn flexrules_call(
    operation: *const c_char,
    request_json: *const c_char,
) -> *mut c_char {
    text::give(guarded(|| {
        // SAFETY: the caller passes NULL or a NUL-terminated string valid during the call.
        let operation = unsafe { text::arg(operation, "operation") }?;
        // SAFETY: as above.
        let request = unsafe { text::arg(request_json, "request_json") }?;
        Ok(api::call_str(operation, request))
    }))
}

/// Releases a string returned by `flexrules_call`, `flexrules_session_open`,
/// `flexrules_session_judge` or `flexrules_session_preflight`.
///
/// NULL, a pointer the library never returned and a string already freed are ignored (the
/// library records the strings it hands out), except that a stale pointer whose address the
/// library has since reused for a new string frees that new string.
#[unsafe(no_mangle)]
pub extern "C" fn flexrules_free(response: *mut c_char) {
    // A failure here can only be a caught panic, and there is nobody to tell: ignore it.
    let _ = catch_unwind(|| text::release(response));
}

/// The version of flexrules, e.g. `"0.1.0"`: a static string, not to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn flexrules_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    VERSION
        .get_or_init(|| {
            let version = api::version();
            let text = version.get("version").and_then(|v| v.as_str()).unwrap_or("unknown");
            CString::new(text).unwrap_or_default()
        })
        .as_ptr()
}

/// Opens a session from `{"app", "user", "subscriptions", "state"?, "server_style"?,
/// "explain"?, "log_url"?}` (docs/api.md): loads the app, binds the user's role and compiles
/// the subscriptions once.
///
/// Returns the handle, or NULL on failure. If `error_json` is not NULL, `*error_json` is set to
/// NULL on success and to the error response on failure (release it with `flexrules_free`).
/// Close the handle with `flexrules_session_close`.
///
/// # Safety
/// `request_json` is NULL or a NUL-terminated string that stays unchanged during the call;
/// `error_json` is NULL or points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn flexrules_session_open(
    request_json: *const c_char,
    error_json: *mut *mut c_char,
) -> *mut FlexrulesSession {
    let opened = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller passes NULL or a NUL-terminated string valid during the call.
        let request = unsafe { text::arg(request_json, "request_json") }?;
        let session = api::Session::open(&api::parse(request)?)?;
        registry::insert(session)
    }))
    .unwrap_or_else(|payload| Err(internal(payload.as_ref())));
    let (handle, error) = match opened {
        Ok(id) => (std::ptr::without_provenance_mut(id), std::ptr::null_mut()),
        Err(e) => (std::ptr::null_mut(), text::give(api::error_response(&e).to_string())),
    };
    if error_json.is_null() {
        text::release(error);
    } else {
        // SAFETY: not NULL, and writable for one pointer by this function's contract.
        unsafe { error_json.write(error) };
    }
    handle
}

/// Judges one uploaded changeset (`changeset_json`: one line of `check --changesets`) and
/// applies its accepted writes to the session's state. The result is that changeset's
/// `check --format json` line.
///
/// Returns the response, never NULL; release it with `flexrules_free`. A NULL, closed or
/// unknown handle answers `invalid_handle`.
///
/// # Safety
/// `changeset_json` is NULL or a NUL-terminated string that stays unchanged during the call.
/// `session` may be any value: it is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn flexrules_session_judge(
    session: *mut FlexrulesSession,
    changeset_json: *const c_char,
) -> *mut c_char {
    // SAFETY: the caller passes NULL or a NUL-terminated string valid during the call.
    unsafe { on_session(session, changeset_json, "changeset_json", api::Session::judge) }
}

/// Would this one write (`{"op": "insert"|"update"|"delete", "table", …}`) be reverted, and
/// why? The result is `{"accepted": true}` or `{"accepted": false, "table", "pk", "reason",
/// "log_reason"}`; the session's state is left unchanged.
///
/// Returns the response, never NULL; release it with `flexrules_free`. A NULL, closed or
/// unknown handle answers `invalid_handle`.
///
/// # Safety
/// `write_json` is NULL or a NUL-terminated string that stays unchanged during the call.
/// `session` may be any value: it is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn flexrules_session_preflight(
    session: *mut FlexrulesSession,
    write_json: *const c_char,
) -> *mut c_char {
    // SAFETY: the caller passes NULL or a NUL-terminated string valid during the call.
    unsafe { on_session(session, write_json, "write_json", api::Session::preflight) }
}

/// Closes a session. Returns 0 if the handle was open, -1 if it was NULL, already closed or
/// never a handle (nothing happens then). A call on the session still running in another thread
/// finishes first; the session's memory is released after it.
#[unsafe(no_mangle)]
pub extern "C" fn flexrules_session_close(session: *mut FlexrulesSession) -> c_int {
    match catch_unwind(|| registry::remove(session.addr())) {
        Ok(Ok(())) => 0,
        Ok(Err(_)) | Err(_) => -1,
    }
}

/// Looks up `session`, reads the JSON argument `name`, and answers `operation`'s response.
///
/// # Safety
/// `json` is NULL or a NUL-terminated string that stays unchanged during the call.
unsafe fn on_session(
    session: *mut FlexrulesSession,
    json: *const c_char,
    name: &str,
    operation: fn(&api::Session, &serde_json::Value) -> Result<serde_json::Value, ApiError>,
) -> *mut c_char {
    text::give(guarded(|| {
        let session = registry::get(session.addr())?;
        // SAFETY: NULL or NUL-terminated and valid during the call, by this function's contract.
        let text = unsafe { text::arg(json, name) }?;
        Ok(api::respond(operation(&session, &api::parse(text)?)).to_string())
    }))
}

/// Runs one call, turning an error into its response and a panic into an `internal` error, so
/// that no unwinding crosses the C boundary.
fn guarded(call: impl FnOnce() -> Result<String, ApiError>) -> String {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => api::error_response(&e).to_string(),
        Err(payload) => api::error_response(&internal(payload.as_ref())).to_string(),
    }
}

/// The error answered for a panic caught at the boundary: always a bug of flexrules.
fn internal(payload: &(dyn std::any::Any + Send)) -> ApiError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    ApiError::new(
        ApiErrorKind::Internal,
        "",
        format!("the engine panicked ({what}); this is a bug of flexrules, please report it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_response() {
        let response = guarded(|| panic!("boom"));
        let json: serde_json::Value = serde_json::from_str(&response).unwrap();
        assert_eq!(json["ok"], false);
        assert_eq!(json["error"]["kind"], "internal");
        assert!(json["error"]["message"].as_str().unwrap().contains("boom"), "{json}");
    }
}
