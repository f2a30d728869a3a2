//! C strings in both directions: the caller's arguments read as UTF-8 text, and the responses
//! handed out as heap strings that only `flexrules_free` releases.
//!
//! Every string handed out is recorded, so that `flexrules_free` can tell its own strings from a
//! pointer it never returned (or one already freed) and ignore the latter instead of corrupting
//! the caller's heap.

use std::collections::HashSet;
use std::ffi::{CStr, CString, c_char};
use std::sync::{LazyLock, Mutex, PoisonError};

use flexrules::api::{ApiError, ApiErrorKind};

/// Addresses of the strings handed out and not yet freed.
static LIVE: LazyLock<Mutex<HashSet<usize>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// What the caller receives if a response cannot become a C string (it never holds a NUL byte:
/// JSON text escapes control characters, so this is a guard, not an expected path).
const UNREPRESENTABLE: &CStr = c"{\"ok\":false,\"api_version\":1,\"error\":{\"kind\":\"internal\",\"message\":\"the response holds a NUL byte and cannot be passed as a C string\",\"pointer\":\"\"}}";

/// Reads the argument `name` as UTF-8 text; NULL and invalid UTF-8 are `bad_request` errors
/// naming the argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, ApiError> {
    if ptr.is_null() {
        return Err(ApiError::new(ApiErrorKind::BadRequest, "", format!("`{name}` is NULL")));
    }
    // SAFETY: not NULL, and NUL-terminated and valid for 'a by this function's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        ApiError::new(
            ApiErrorKind::BadRequest,
            "",
            format!("`{name}` is not UTF-8: invalid byte at offset {}", e.valid_up_to()),
        )
    })
}

/// Hands `text` to the caller as a heap string that `flexrules_free` releases.
pub(crate) fn give(text: String) -> *mut c_char {
    match CString::new(text) {
        Ok(owned) => {
            let ptr = owned.into_raw();
            LIVE.lock().unwrap_or_else(PoisonError::into_inner).insert(ptr.addr());
            ptr
        }
        Err(_) => give(UNREPRESENTABLE.to_string_lossy().into_owned()),
    }
}

/// Releases a string that [`give`] handed out; anything else (NULL, a pointer this library
/// never returned, one already freed) is left alone.
pub(crate) fn release(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    let ours = LIVE.lock().unwrap_or_else(PoisonError::into_inner).remove(&ptr.addr());
    if ours {
        // SAFETY: `ptr` came from `CString::into_raw` in `give` and was still recorded as live,
        // so it has not been freed; removing it from LIVE first means it is freed only once.
        drop(unsafe { CString::from_raw(ptr) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_freed_once_and_foreign_pointers_are_ignored() {
        let ptr = give("{\"ok\":true}".to_owned());
        assert!(LIVE.lock().unwrap().contains(&ptr.addr()));
        release(ptr);
        assert!(!LIVE.lock().unwrap().contains(&ptr.addr()));
        release(ptr); // a second free is ignored
        let mut foreign = *b"not ours\0";
        release(foreign.as_mut_ptr().cast());
        release(std::ptr::null_mut());
    }

    #[test]
    fn the_fallback_response_is_json() {
        let text = UNREPRESENTABLE.to_str().unwrap();
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(json["error"]["kind"], "internal");
        let ptr = give("nul\0inside".to_owned());
        // SAFETY: `give` returned a live, NUL-terminated string.
        let back = unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned();
        release(ptr);
        assert_eq!(back, text);
    }

    #[test]
    fn null_and_invalid_utf8_arguments_are_bad_requests() {
        // SAFETY: NULL is allowed.
        let e = unsafe { arg(std::ptr::null(), "request_json") }.unwrap_err();
        assert_eq!(e.kind(), ApiErrorKind::BadRequest);
        assert_eq!(e.message(), "`request_json` is NULL");
        let bad = c"ab\xff";
        // SAFETY: a NUL-terminated literal.
        let e = unsafe { arg(bad.as_ptr(), "operation") }.unwrap_err();
        assert_eq!(e.message(), "`operation` is not UTF-8: invalid byte at offset 2");
    }
}
