//! Open sessions by id. A C handle is an id, never the address of a session: the library never
//! dereferences a pointer the caller passes as a handle, so a closed, stale, forged or NULL
//! handle is looked up, not followed, and answers an `invalid_handle` error.
//!
//! Ids are odd and never reused (a closed id stays closed), so a double close and a use after
//! close are told apart from a pointer that was never a handle, and no aligned pointer to real
//! memory is ever mistaken for one.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use flexrules::api::{ApiError, ApiErrorKind, Session};

#[derive(Debug, Default)]
struct Registry {
    /// The id of the next session opened; odd, increasing.
    next: usize,
    open: HashMap<usize, Arc<Session>>,
}

static SESSIONS: LazyLock<RwLock<Registry>> =
    LazyLock::new(|| RwLock::new(Registry { next: 1, open: HashMap::new() }));

/// Registers `session` and answers its id.
pub(crate) fn insert(session: Session) -> Result<usize, ApiError> {
    let mut registry = SESSIONS.write().unwrap_or_else(PoisonError::into_inner);
    let id = registry.next;
    let Some(next) = id.checked_add(2) else {
        return Err(ApiError::new(
            ApiErrorKind::Internal,
            "",
            "every session id has been used; no more sessions can be opened in this process",
        ));
    };
    registry.next = next;
    registry.open.insert(id, Arc::new(session));
    Ok(id)
}

/// The open session `id`. The session stays alive while the caller holds it, even if another
/// thread closes the handle meanwhile.
pub(crate) fn get(id: usize) -> Result<Arc<Session>, ApiError> {
    let registry = SESSIONS.read().unwrap_or_else(PoisonError::into_inner);
    match registry.open.get(&id) {
        Some(session) => Ok(Arc::clone(session)),
        None => Err(not_open(id, registry.next)),
    }
}

/// Closes session `id`; its memory is released once no call still uses it.
pub(crate) fn remove(id: usize) -> Result<(), ApiError> {
    let mut registry = SESSIONS.write().unwrap_or_else(PoisonError::into_inner);
    match registry.open.remove(&id) {
        Some(_) => Ok(()),
        None => Err(not_open(id, registry.next)),
    }
}

/// Why `id` names no open session: NULL, closed, or never a handle.
fn not_open(id: usize, next: usize) -> ApiError {
    let message = if id == 0 {
        "the session handle is NULL".to_owned()
    } else if id % 2 == 1 && id < next {
        format!("session handle {id:#x} was closed")
    } else {
        format!("{id:#x} is not a session handle (flexrules_session_open never returned it)")
    };
    ApiError::new(ApiErrorKind::InvalidHandle, "", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let request = serde_json::json!({
            "app": concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/apps/car"),
            "user": {"id": "u1"},
            "subscriptions": [],
        });
        Session::open(&request).unwrap()
    }

    #[test]
    fn ids_are_odd_unique_and_closed_ids_stay_closed() {
        let a = insert(session()).unwrap();
        let b = insert(session()).unwrap();
        assert_ne!(a, b);
        assert_eq!((a % 2, b % 2), (1, 1));
        remove(a).unwrap();
        let e = remove(a).unwrap_err();
        assert_eq!(e.kind(), ApiErrorKind::InvalidHandle);
        assert!(e.message().contains("was closed"), "{}", e.message());
        assert!(get(a).is_err());
        assert!(get(b).is_ok());
        remove(b).unwrap();
    }

    #[test]
    fn null_and_foreign_ids_are_named_as_such() {
        assert_eq!(get(0).unwrap_err().message(), "the session handle is NULL");
        let e = get(0x1000).unwrap_err();
        assert!(e.message().contains("is not a session handle"), "{}", e.message());
    }

    #[test]
    fn a_session_outlives_a_close_while_in_use() {
        let id = insert(session()).unwrap();
        let held = get(id).unwrap();
        remove(id).unwrap();
        let verdict = held
            .preflight(&serde_json::json!({"op": "delete", "table": "Car", "pk": {"$oid": "6424433fd4d9f52ee93ad58f"}}))
            .unwrap();
        assert!(verdict.get("accepted").is_some(), "{verdict}");
    }
}
