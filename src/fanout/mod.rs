//! The server-wide registry of open sessions' views, and the fan-out of one changed object.
//!
//! A changed object must reach every session whose view held it before the change or holds it
//! after: a session *enters* when only the post-image is in its view, *stays* when both are, and
//! *leaves* when only the pre-image is. "In view" is [`Session::in_view`]: a subscription matches
//! and the session's role may read the object.
//!
//! The registry indexes every session's view by its guards (see `guard`): for each table, an
//! equality index per field (key → sessions), a range index per field (sessions by the bounds
//! of their numeric interval) and the sessions with no guard. A changed object reads each
//! indexed field once, collects the candidate sessions, and only those are checked exactly, so
//! the cost follows the number of sessions the object can concern, not the number registered.
//! Which side guards a session is decided per table: its subscriptions' guards, or its role's
//! read permission's (`{"ownerId": "%%user.id"}` bound to the user), whichever is narrower; a
//! `TRUEPREDICATE` subscription of a user who may only read their own documents is keyed by the
//! user's id.
//!
//! Sharing: the index lives behind one `RwLock`. Fan-out takes the read lock (any number of
//! threads at once); registering or removing a session computes its guards before taking the
//! write lock and then changes only that session's postings, so the lock is held for a few hash
//! map updates, independent of how many sessions are registered. Judging uploads never touches
//! the registry.

pub(crate) mod guard;
mod impact;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bson::Document;

use crate::document::DocRef;
use crate::judge::Session;
use guard::{Guard, Guards, Key, KeyedView, Probe, Test};
pub use impact::{Impact, Side, TableImpact, impact};

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

/// A session's number in the index: its slot in `Index::sessions` (reused after removal, once
/// every posting of the removed session is gone).
type No = u32;

/// All open sessions' views, shared across threads (`Send + Sync`).
#[derive(Debug, Default)]
pub struct Registry {
    index: RwLock<Index>,
}

/// A consistent view of the registry: fan-outs through one snapshot all see the same sessions.
/// Registration waits while a snapshot is held, so hold it for a batch of changes, not longer.
#[derive(Debug)]
pub struct Snapshot<'r> {
    index: RwLockReadGuard<'r, Index>,
}

#[derive(Debug, Default)]
struct Index {
    ids: HashMap<Box<str>, No>,
    sessions: Vec<Option<Entry>>,
    free: Vec<No>,
    tables: HashMap<Box<str>, TableIndex>,
}

#[derive(Debug)]
struct Entry {
    id: Box<str>,
    session: Arc<Session>,
    /// Per table: the guards the session is indexed under (for its removal), and its view as
    /// equality keys when it is that simple.
    tables: Vec<(Box<str>, Guards, Option<KeyedView>)>,
}

impl Entry {
    /// Whether `doc` of `table` is in the session's view: decided by keys when they can,
    /// else checked in full.
    fn in_view(&self, table: &str, doc: &Document) -> bool {
        let keyed = self.tables.iter().find(|(t, ..)| &**t == table).and_then(|(.., k)| k.as_ref());
        keyed
            .and_then(|k| k.decide(&DocRef::decoded(doc)))
            .unwrap_or_else(|| self.session.in_view(table, doc))
    }
}

/// One table's index.
#[derive(Debug, Default)]
struct TableIndex {
    /// Field → key → sessions with an equality guard on that key.
    eq: HashMap<Box<str>, HashMap<Key, Postings>>,
    /// Field → sessions with a range guard on it.
    ranges: HashMap<Box<str>, Ranges>,
    /// Sessions without a guard: candidates for every object.
    always: BTreeSet<No>,
}

/// The sessions under one key: most keys (a user's id) have one.
#[derive(Debug)]
enum Postings {
    One(No),
    Many(Vec<No>),
}

impl Postings {
    fn push(&mut self, no: No) {
        match self {
            Postings::One(first) => *self = Postings::Many(vec![*first, no]),
            Postings::Many(list) => list.push(no),
        }
    }

    /// Removes every occurrence of `no`; whether none is left.
    fn remove(&mut self, no: No) -> bool {
        match self {
            Postings::One(first) => *first == no,
            Postings::Many(list) => {
                list.retain(|n| *n != no);
                list.is_empty()
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = No> + '_ {
        let (one, many) = match self {
            Postings::One(no) => (Some(*no), &[][..]),
            Postings::Many(list) => (None, &list[..]),
        };
        one.into_iter().chain(many.iter().copied())
    }
}

/// Where session `no` lives in `Index::sessions`.
fn slot_of(no: No) -> usize {
    usize::try_from(no).unwrap_or(usize::MAX)
}

/// Numeric intervals on one field.
#[derive(Debug, Default)]
struct Ranges {
    /// Intervals with a finite upper bound, by it, with their lower bounds.
    by_hi: BTreeMap<Bound, Vec<(No, f64)>>,
    /// Intervals unbounded above, by their lower bound.
    by_lo: BTreeMap<Bound, Vec<No>>,
}

/// A bound ordered as a number (never NaN; -0.0 is normalised away by `guard`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bound(f64);

impl Eq for Bound {}

impl PartialOrd for Bound {
    fn partial_cmp(&self, other: &Bound) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bound {
    fn cmp(&self, other: &Bound) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// A consistent view to answer fan-outs from (takes the read lock until dropped).
    pub fn snapshot(&self) -> Snapshot<'_> {
        let index = match self.index.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        Snapshot { index }
    }

    /// The sessions that must receive a change of one object of `table` (see
    /// [`Snapshot::fanout`]).
    pub fn fanout(&self, table: &str, pre: Option<&Document>, post: Option<&Document>) -> Fanout {
        self.snapshot().fanout(table, pre, post)
    }

    /// Adds `session` as `id`, replacing any session registered under that id. The cost is
    /// that of indexing this session's guards, whatever the number of sessions registered.
    /// (Sessions are numbered in 32 bits: beyond 2^32 registered at once, `insert` only
    /// removes the old session under `id`.)
    pub fn insert(&self, id: &str, session: Session) {
        let tables: Vec<(Box<str>, Guards, Option<KeyedView>)> =
            session.view_guards().into_iter().map(|(t, g, k)| (Box::from(t), g, k)).collect();
        let session = Arc::new(session);
        let mut index = self.write();
        index.remove(id);
        let entry = Entry { id: id.into(), session, tables };
        let no = match index.free.pop() {
            Some(no) => no,
            None => {
                let Ok(no) = No::try_from(index.sessions.len()) else { return };
                index.sessions.push(None);
                no
            }
        };
        for (table, g, _) in &entry.tables {
            index.tables.entry(table.clone()).or_default().add(no, g);
        }
        index.ids.insert(id.into(), no);
        if let Some(slot) = index.sessions.get_mut(slot_of(no)) {
            *slot = Some(entry);
        }
    }

    /// Removes the session `id`, if registered.
    pub fn remove(&self, id: &str) {
        self.write().remove(id);
    }

    /// Number of registered sessions.
    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    /// Whether no session is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn write(&self) -> RwLockWriteGuard<'_, Index> {
        match self.index.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl Index {
    fn remove(&mut self, id: &str) {
        let Some(no) = self.ids.remove(id) else { return };
        let Some(entry) = self.sessions.get_mut(slot_of(no)).and_then(Option::take) else {
            return;
        };
        self.free.push(no);
        for (table, g, _) in &entry.tables {
            let Some(t) = self.tables.get_mut(table) else { continue };
            t.drop_session(no, g);
            if t.is_empty() {
                self.tables.remove(table);
            }
        }
    }
}

impl TableIndex {
    fn add(&mut self, no: No, guards: &Guards) {
        let Some(list) = guards else {
            self.always.insert(no);
            return;
        };
        for Guard { field, test } in list {
            match test {
                Test::Eq(keys) => {
                    let by_key = self.eq.entry(field.clone()).or_default();
                    for k in keys.iter() {
                        match by_key.get_mut(k) {
                            Some(p) => p.push(no),
                            None => {
                                by_key.insert(k.clone(), Postings::One(no));
                            }
                        }
                    }
                }
                Test::Range { lo, hi } => {
                    let r = self.ranges.entry(field.clone()).or_default();
                    if *hi == f64::INFINITY {
                        r.by_lo.entry(Bound(*lo)).or_default().push(no);
                    } else {
                        r.by_hi.entry(Bound(*hi)).or_default().push((no, *lo));
                    }
                }
            }
        }
    }

    fn drop_session(&mut self, no: No, guards: &Guards) {
        let Some(list) = guards else {
            self.always.remove(&no);
            return;
        };
        for Guard { field, test } in list {
            match test {
                Test::Eq(keys) => {
                    let Some(by_key) = self.eq.get_mut(field) else { continue };
                    for k in keys.iter() {
                        if by_key.get_mut(k).is_some_and(|p| p.remove(no)) {
                            by_key.remove(k);
                        }
                    }
                    if by_key.is_empty() {
                        self.eq.remove(field);
                    }
                }
                Test::Range { lo, hi } => {
                    let Some(r) = self.ranges.get_mut(field) else { continue };
                    if *hi == f64::INFINITY {
                        if let Some(p) = r.by_lo.get_mut(&Bound(*lo)) {
                            p.retain(|n| *n != no);
                            if p.is_empty() {
                                r.by_lo.remove(&Bound(*lo));
                            }
                        }
                    } else if let Some(p) = r.by_hi.get_mut(&Bound(*hi)) {
                        p.retain(|(n, _)| *n != no);
                        if p.is_empty() {
                            r.by_hi.remove(&Bound(*hi));
                        }
                    }
                    if r.by_lo.is_empty() && r.by_hi.is_empty() {
                        self.ranges.remove(field);
                    }
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.eq.is_empty() && self.ranges.is_empty() && self.always.is_empty()
    }

    /// Appends the sessions one of whose guards `doc` satisfies (with repeats).
    fn candidates(&self, doc: &Document, out: &mut Vec<No>) {
        let doc = DocRef::decoded(doc);
        out.extend(self.always.iter().copied());
        for (field, by_key) in &self.eq {
            match doc.get(field) {
                Ok(v) => match guard::probe(v) {
                    Probe::Nothing => {}
                    Probe::Key(k) => {
                        out.extend(by_key.get(&k).into_iter().flat_map(Postings::iter))
                    }
                    Probe::All => out.extend(by_key.values().flat_map(Postings::iter)),
                },
                Err(_) => out.extend(by_key.values().flat_map(Postings::iter)),
            }
        }
        for (field, r) in &self.ranges {
            match guard::number(doc.get(field).ok().flatten()) {
                Some(x) => {
                    for list in r.by_hi.range(Bound(x)..).map(|(_, l)| l) {
                        out.extend(list.iter().filter(|(_, lo)| *lo <= x).map(|(n, _)| *n));
                    }
                    out.extend(r.by_lo.range(..=Bound(x)).flat_map(|(_, l)| l.iter().copied()));
                }
                None => {
                    out.extend(r.by_hi.values().flatten().map(|(n, _)| *n));
                    out.extend(r.by_lo.values().flatten().copied());
                }
            }
        }
    }
}

impl Snapshot<'_> {
    /// Number of registered sessions.
    pub fn len(&self) -> usize {
        self.index.ids.len()
    }

    /// Whether no session is registered.
    pub fn is_empty(&self) -> bool {
        self.index.ids.is_empty()
    }

    /// How many sessions the index proposes for a change of `doc` in `table` before the exact
    /// check (each counted once): what a fan-out costs beyond reading the indexed fields.
    pub fn candidates(&self, table: &str, doc: &Document) -> usize {
        let mut out = Vec::new();
        if let Some(t) = self.index.tables.get(table) {
            t.candidates(doc, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out.len()
    }

    /// The sessions that must receive a change of one object of `table`, split by whether it
    /// enters, stays in or leaves their view; ids in ascending order. `pre` is `None` for an
    /// insert, `post` for a delete.
    pub fn fanout(&self, table: &str, pre: Option<&Document>, post: Option<&Document>) -> Fanout {
        let Some(t) = self.index.tables.get(table) else { return Fanout::default() };
        let mut candidates = Vec::new();
        for doc in [pre, post].into_iter().flatten() {
            t.candidates(doc, &mut candidates);
        }
        candidates.sort_unstable();
        candidates.dedup();
        let (mut enters, mut stays, mut leaves) = (Vec::new(), Vec::new(), Vec::new());
        for no in candidates {
            let Some(Some(entry)) = self.index.sessions.get(slot_of(no)) else { continue };
            let before = pre.is_some_and(|d| entry.in_view(table, d));
            let after = post.is_some_and(|d| entry.in_view(table, d));
            let list: &mut Vec<&str> = match (before, after) {
                (false, true) => &mut enters,
                (true, true) => &mut stays,
                (true, false) => &mut leaves,
                (false, false) => continue,
            };
            list.push(&entry.id);
        }
        let sorted = |mut ids: Vec<&str>| -> Vec<String> {
            ids.sort_unstable();
            ids.into_iter().map(str::to_owned).collect()
        };
        let (enters, stays, leaves) = (sorted(enters), sorted(stays), sorted(leaves));
        Fanout { enters, stays, leaves }
    }
}
