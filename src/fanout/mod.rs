//! The server-wide registry of open sessions' views, and the fan-out of one changed object.
//!
//! A changed object must reach every session whose view held it before the change or holds it
//! after: a session *enters* when only the post-image is in its view, *stays* when both are, and
//! *leaves* when only the pre-image is. "In view" is [`Session::in_view`]: a subscription matches
//! and the session's role may read the object.
//!
//! Sharing: readers take an immutable [`Snapshot`] (an `Arc`) and answer from it without any
//! lock held; writers build a new snapshot and swap it in under a short write lock, so fan-out
//! never waits on a writer for longer than one pointer swap.
//!
//! Known gap: candidates are not yet indexed across sessions; every session registered for the
//! table is evaluated (through its own indexed `PredicateSet`). Answers are exact.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use bson::Document;

use crate::judge::Session;

/// The sessions a changed object must be sent to, by how its view changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fanout {
    /// Sessions whose view holds the object only after the change.
    pub enters: Vec<String>,
    /// Sessions whose view holds it before and after (they receive the update).
    pub stays: Vec<String>,
    /// Sessions whose view held it only before the change.
    pub leaves: Vec<String>,
}

/// One immutable state of the registry: session id → session.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    sessions: BTreeMap<String, Arc<Session>>,
}

impl Snapshot {
    /// Number of registered sessions.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session is registered.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The sessions that must receive a change of one object of `table`, split by whether it
    /// enters, stays in or leaves their view; ids in ascending order.
    pub fn fanout(&self, table: &str, pre: Option<&Document>, post: Option<&Document>) -> Fanout {
        let mut out = Fanout::default();
        for (id, session) in &self.sessions {
            let before = pre.is_some_and(|d| session.in_view(table, d));
            let after = post.is_some_and(|d| session.in_view(table, d));
            match (before, after) {
                (false, true) => out.enters.push(id.clone()),
                (true, true) => out.stays.push(id.clone()),
                (true, false) => out.leaves.push(id.clone()),
                (false, false) => {}
            }
        }
        out
    }
}

/// All open sessions' views, shared across threads (`Send + Sync`).
#[derive(Debug, Default)]
pub struct Registry {
    current: RwLock<Arc<Snapshot>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The current snapshot; answering from it takes no lock.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Adds `session` as `id`, replacing any session registered under that id.
    pub fn insert(&self, id: &str, session: Session) {
        let session = Arc::new(session);
        self.update(|s| {
            s.sessions.insert(id.to_owned(), Arc::clone(&session));
        });
    }

    /// Removes the session `id`, if registered.
    pub fn remove(&self, id: &str) {
        self.update(|s| {
            s.sessions.remove(id);
        });
    }

    fn update(&self, change: impl FnOnce(&mut Snapshot)) {
        let mut guard = match self.current.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut next = Snapshot::clone(&guard);
        change(&mut next);
        *guard = Arc::new(next);
    }
}
