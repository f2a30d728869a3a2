//! A sync session: its subscriptions, its roles, the server's objects, and the judging of
//! uploaded changesets (rules.md §3.3).

use std::collections::BTreeMap;
use std::sync::Arc;

use bson::Document;

use super::flx::{SubscriptionError, SubscriptionErrorKind, Subset};
use super::input::{Changeset, Subscription, Write};
use super::integrate::Schemas;
use super::pk::Key;
use super::verdict::{CompensatingWrite, Reason, Rejection, Verdict, WhichCheck};
use crate::app::App;
use crate::diagnostic::nearest;
use crate::document::{DocRef, Malformed};
use crate::fanout::guard::{self, Guards, KeyedView};
use crate::predicate::{Predicate, PredicateSet, compile};
use crate::rules::{Bindings, Filter, RoleChoice, SessionRole};

/// The objects the server holds: table → primary key → document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    tables: BTreeMap<String, BTreeMap<Key, Document>>,
}

impl State {
    /// An empty server.
    pub fn new() -> State {
        State::default()
    }

    /// The object `pk` of `table`, if the server holds it.
    pub fn get(&self, table: &str, pk: &Key) -> Option<&Document> {
        self.tables.get(table).and_then(|t| t.get(pk))
    }

    /// Stores `object` as `pk` of `table`, replacing any earlier version.
    pub fn put(&mut self, table: &str, pk: Key, object: Document) {
        self.tables.entry(table.to_owned()).or_default().insert(pk, object);
    }

    /// Removes the object `pk` of `table`.
    pub fn remove(&mut self, table: &str, pk: &Key) {
        if let Some(t) = self.tables.get_mut(table) {
            t.remove(pk);
        }
    }

    /// The objects of `table`, by ascending primary key.
    pub fn objects(&self, table: &str) -> impl Iterator<Item = (&Key, &Document)> {
        self.tables.get(table).into_iter().flatten()
    }

    /// How many objects `table` holds.
    pub fn len(&self, table: &str) -> usize {
        self.tables.get(table).map_or(0, BTreeMap::len)
    }
}

/// The position of a subscription in the session's subscription set.
pub type SubscriptionIndex = usize;

/// A table's query view: the OR of its subscriptions, checked in one pass over a document.
#[derive(Debug, Clone)]
pub(crate) struct View {
    /// Which subscription of the session each predicate of `set` came from.
    subscriptions: Vec<SubscriptionIndex>,
    set: PredicateSet,
    /// The same predicates one by one, for explanations.
    predicates: Vec<(SubscriptionIndex, Predicate)>,
}

impl View {
    fn new(predicates: Vec<(SubscriptionIndex, Predicate)>) -> View {
        let kept = predicates.clone();
        let (subscriptions, predicates): (Vec<_>, Vec<_>) = predicates.into_iter().unzip();
        View { subscriptions, set: PredicateSet::new(predicates), predicates: kept }
    }

    /// The first subscription (in the session's order) that matches `doc`, if any.
    pub(crate) fn first_match(&self, doc: &Document) -> Option<SubscriptionIndex> {
        let i = self.set.first_match(&DocRef::decoded(doc))?;
        self.subscriptions.get(i).copied()
    }
}

#[derive(Debug, Clone)]
pub(super) struct TableSession {
    choice: RoleChoice,
    view: View,
}

/// What judging one changeset gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The changeset's client version.
    pub client_version: i64,
    /// Writes applied to the server state.
    pub accepted: usize,
    /// Rejected objects, in the order they were first written.
    pub rejected: Vec<Rejection>,
    /// Writes reverted because an earlier write to the same object was rejected; they have no
    /// entry of their own. `accepted + rejected.len() + reverted_with` is the number of writes.
    pub reverted_with: usize,
    /// The error 231 the client receives, when anything was rejected.
    pub error: Option<CompensatingWrite>,
}

/// A Flexible Sync session of one user: the chosen role and the query view of each subscribed
/// table, and the server state its uploads are judged against.
///
/// Roles are chosen and their expansions bound once, when the session starts, as the server
/// does; a change of user data needs a new session.
#[derive(Debug, Clone)]
pub struct Session {
    tables: BTreeMap<String, TableSession>,
    indexed: Option<String>,
    pub(super) state: State,
    pub(super) server_version: i64,
    /// What sync protocol messages need: the app and user the session was opened for (to
    /// compile a new subscription set), the app's schemas (to integrate uploads), the
    /// subscription set's version, and the last client version integrated.
    pub(super) protocol: Arc<ProtocolContext>,
    pub(super) query_version: u64,
    pub(super) integrated_client_version: u64,
}

/// The app, the user's bindings and the app's schemas, shared by the clones of a session.
#[derive(Debug)]
pub(super) struct ProtocolContext {
    pub(super) app: App,
    pub(super) bindings: Bindings,
    pub(super) schemas: Schemas,
}

impl Session {
    /// Starts a session: checks and compiles every subscription against the Flexible Sync subset
    /// (the first refused one is the error) and chooses each subscribed table's role.
    pub fn new(
        app: &App,
        bindings: &Bindings,
        subscriptions: &[Subscription],
    ) -> Result<Session, SubscriptionError> {
        let (tables, indexed) = Session::compile(app, bindings, subscriptions)?;
        let protocol = Arc::new(ProtocolContext {
            app: app.clone(),
            bindings: bindings.clone(),
            schemas: Schemas::of(app),
        });
        Ok(Session {
            tables,
            indexed,
            state: State::new(),
            server_version: 0,
            protocol,
            query_version: 0,
            integrated_client_version: 0,
        })
    }

    /// Checks and compiles a subscription set: each subscribed table's view and role.
    #[allow(clippy::type_complexity, reason = "a private pair of the session's two fields")]
    pub(super) fn compile(
        app: &App,
        bindings: &Bindings,
        subscriptions: &[Subscription],
    ) -> Result<(BTreeMap<String, TableSession>, Option<String>), SubscriptionError> {
        let limits = app.limits();
        let indexed = app.sync().indexed_queryable_field().map(str::to_owned);
        let mut views: BTreeMap<String, Vec<(SubscriptionIndex, Predicate)>> = BTreeMap::new();
        for (index, sub) in subscriptions.iter().enumerate() {
            let fail = |span, kind| SubscriptionError::new(index, sub.table.clone(), span, kind);
            let schema = app
                .collection(&sub.table)
                .and_then(|c| c.schema())
                .ok_or_else(|| fail(None, SubscriptionErrorKind::UnknownTable))?;
            let query = crate::rql::parse_with(&sub.query, limits)
                .map_err(|e| fail(Some(e.span()), SubscriptionErrorKind::Syntax(Box::new(e))))?;
            let queryable = |f: &str| app.sync().is_queryable(app.collection_name(&sub.table), f);
            let subset = Subset {
                table: schema,
                queryable: &queryable,
                indexed: indexed.as_deref(),
                args: &sub.args,
                max_depth: limits.max_depth,
            };
            subset.check(&sub.query, &query).map_err(|(span, kind)| {
                // A name the schema does not have is most likely a typo of a queryable one.
                let suggestion = match &kind {
                    SubscriptionErrorKind::NotQueryable(name)
                        if schema.object().property(name).is_none() =>
                    {
                        let names = schema.object().properties().iter().map(|p| p.name());
                        nearest(name, names.filter(|n| queryable(n)))
                    }
                    _ => None,
                };
                fail(span, kind).with_suggestion(suggestion)
            })?;
            let compiled = compile(&query, schema, &sub.args, limits).map_err(|e| {
                let suggestion = e.suggestion().map(str::to_owned);
                fail(Some(e.span()), SubscriptionErrorKind::Bind(Box::new(e)))
                    .with_suggestion(suggestion)
            })?;
            views.entry(sub.table.clone()).or_default().push((index, compiled.predicate().clone()));
        }
        let tables = views
            .into_iter()
            .map(|(table, predicates)| {
                let choice = app.choose_role(&table, bindings);
                (table, TableSession { choice, view: View::new(predicates) })
            })
            .collect();
        Ok((tables, indexed))
    }

    /// Replaces the subscription set (its views and roles), keeping the server state.
    pub(super) fn set_views(
        &mut self,
        (tables, indexed): (BTreeMap<String, TableSession>, Option<String>),
    ) {
        self.tables = tables;
        self.indexed = indexed;
    }

    /// The same session on a client: it knows only the client's subscriptions and the rules,
    /// holds no server state, and answers [`Session::preflight_with`] for pre-images the client
    /// supplies. (Identical to [`Session::new`]; named for what the caller may rely on.)
    pub fn client(
        app: &App,
        bindings: &Bindings,
        subscriptions: &[Subscription],
    ) -> Result<Session, SubscriptionError> {
        Session::new(app, bindings, subscriptions)
    }

    /// Replaces the server state uploads are judged against.
    pub fn with_state(mut self, state: State) -> Session {
        self.state = state;
        self
    }

    /// The server state, with every accepted write applied.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The predicates of `table`'s query view with the subscription each came from.
    pub(crate) fn view_predicates(&self, table: &str) -> &[(SubscriptionIndex, Predicate)] {
        self.tables.get(table).map_or(&[], |t| &t.view.predicates)
    }

    /// The object as a group of writes leaves it, judged against the session's state.
    pub(crate) fn after(&self, pre: Option<&Document>, writes: &[&Write]) -> After {
        apply(pre, writes.iter().copied())
    }

    /// The verdict for a group of writes to one object, against the session's state.
    pub(crate) fn decide_group(&self, table: &str, pk: &Key, writes: &[&Write]) -> Verdict {
        let pre = self.state.get(table, pk);
        let after = apply(pre, writes.iter().copied());
        self.decide(table, pk, pre, &after)
    }

    /// Whether `doc` of `table` is in the session's view: a subscription matches it and the
    /// role may read it (the read or write filter holds), as the fan-out of a change needs.
    pub fn in_view(&self, table: &str, doc: &Document) -> bool {
        let Some(ts) = self.tables.get(table) else { return false };
        let Some(role) = ts.choice.role() else { return false };
        ts.view.first_match(doc).is_some() && readable(role, doc)
    }

    /// For each subscribed table whose view can hold anything, guards of which every document
    /// in the view satisfies one (`None`: every document is a candidate): the subscriptions'
    /// guards or the role's read permission's, whichever is expected to be narrower; and the
    /// view as equality keys alone, when it is that simple.
    pub(crate) fn view_guards(&self) -> Vec<(&str, Guards, Option<KeyedView>)> {
        let mut out = Vec::new();
        for (table, ts) in &self.tables {
            let Some(role) = ts.choice.role() else { continue };
            let predicates = &ts.view.predicates;
            let subscribed = predicates
                .iter()
                .try_fold(Vec::new(), |acc, (_, p)| guard::union(Some(acc), p.guards()));
            let readable = guard::union(role.read_filter().guards(), role.write_filter().guards());
            if subscribed.as_ref().is_some_and(Vec::is_empty)
                || readable.as_ref().is_some_and(Vec::is_empty)
            {
                continue;
            }
            let keyed_subs = predicates
                .iter()
                .try_fold(Some(Vec::new()), |acc, (_, p)| guard::any_of(Some(acc), p.keyed()));
            let keyed_read = guard::any_of(role.read_filter().keyed(), role.write_filter().keyed());
            let keyed = match (keyed_subs, keyed_read) {
                (Some(subscribed), Some(readable)) => Some(KeyedView { subscribed, readable }),
                _ => None,
            };
            out.push((table.as_str(), guard::narrower(subscribed, readable), keyed));
        }
        out
    }

    /// The role chosen for `table`, when it is subscribed.
    pub fn role_choice(&self, table: &str) -> Option<&RoleChoice> {
        self.tables.get(table).map(|t| &t.choice)
    }

    /// Judges one uploaded changeset: every object it writes is accepted (and applied to the
    /// state) or rejected, and a changeset with rejections yields one error 231.
    pub fn judge(&mut self, changeset: &Changeset) -> Outcome {
        let groups = changeset.by_object();
        let mut outcome = Outcome {
            client_version: changeset.client_version,
            accepted: 0,
            rejected: Vec::new(),
            reverted_with: 0,
            error: None,
        };
        for (table, pk, writes) in groups {
            let pre = self.state.get(table, pk);
            let after = apply(pre, writes.iter().copied());
            match self.decide(table, pk, pre, &after) {
                Verdict::Accepted => {
                    outcome.accepted += writes.len();
                    match after.post {
                        Some(doc) => self.state.put(table, pk.clone(), doc),
                        None => self.state.remove(table, pk),
                    }
                }
                Verdict::Rejected(r) => {
                    outcome.reverted_with += writes.len().saturating_sub(1);
                    outcome.rejected.push(r);
                }
            }
        }
        if outcome.accepted > 0 {
            self.server_version = self.server_version.saturating_add(1);
        }
        if !outcome.rejected.is_empty() {
            let version =
                changeset.server_version.unwrap_or_else(|| self.server_version.saturating_add(1));
            self.server_version = self.server_version.max(version);
            outcome.error = Some(CompensatingWrite {
                rejections: outcome.rejected.clone(),
                client_version: changeset.client_version,
                server_version: version,
            });
        }
        outcome
    }

    /// Would this single write be reverted, and why? Judged against the session's server state,
    /// which is left unchanged.
    pub fn preflight(&self, write: &Write) -> Verdict {
        self.preflight_with(write, self.state.get(write.table(), write.pk()))
    }

    /// Like [`Session::preflight`], with the object's current state supplied by the caller (a
    /// client's own copy of the object, `None` for a new one).
    pub fn preflight_with(&self, write: &Write, pre: Option<&Document>) -> Verdict {
        let after = apply(pre, std::iter::once(write));
        self.decide(write.table(), write.pk(), pre, &after)
    }

    /// The checks of rules.md §3.3, in order; the first failure is the verdict.
    fn decide(&self, table: &str, pk: &Key, pre: Option<&Document>, after: &After) -> Verdict {
        let reject = |reason| {
            Verdict::Rejected(Rejection { table: table.to_owned(), pk: pk.clone(), reason })
        };
        let Some(ts) = self.tables.get(table) else {
            return reject(Reason::NoSubscription);
        };
        if after.missing {
            return reject(Reason::UnknownObject);
        }
        let post = after.post.as_ref();
        if pre.is_none() && post.is_none() {
            // Created and removed again within the changeset: nothing reaches the server.
            return Verdict::Accepted;
        }
        let role = match &ts.choice {
            RoleChoice::Role(role) => role,
            RoleChoice::NoRole => {
                return reject(Reason::NotAllowed { role: None, check: WhichCheck::NoRole });
            }
            RoleChoice::Incompatible { role, .. } => {
                return reject(Reason::NotAllowed {
                    role: Some(role.clone()),
                    check: WhichCheck::IncompatibleRole,
                });
            }
        };
        if let Some(check) = permission(role, pre, post, &after.changed) {
            return reject(Reason::NotAllowed { role: Some(role.name().to_owned()), check });
        }
        // The view: the post-image of a new object, otherwise the object as the server holds it.
        let Some(seen) = pre.or(post) else { return Verdict::Accepted };
        let matched = ts.view.first_match(seen);
        let readable = readable(role, seen);
        if matched.is_none() || !readable {
            return reject(Reason::OutsideView {
                matched_subscription: matched.filter(|_| !readable),
            });
        }
        if let (Some(field), Some(o), Some(n)) = (self.indexed.as_deref(), pre, post)
            && o.get(field) != n.get(field)
        {
            return reject(Reason::IndexedFieldChanged { field: field.to_owned() });
        }
        Verdict::Accepted
    }
}

/// Whether a role filter holds on `doc`; a document the filter cannot read matches nothing, so
/// it denies.
fn holds(filter: &Filter, doc: &Document) -> bool {
    Malformed::MatchesNothing.decide(filter.matches(&DocRef::decoded(doc)))
}

/// Whether the role may read `doc`: a role that may write a document may also read it.
fn readable(role: &SessionRole, doc: &Document) -> bool {
    holds(role.read_filter(), doc) || holds(role.write_filter(), doc)
}

/// The permission check that fails, if any (rules.md §3.3, row 1).
fn permission(
    role: &SessionRole,
    pre: Option<&Document>,
    post: Option<&Document>,
    changed: &[String],
) -> Option<WhichCheck> {
    let wf = |d: &Document| holds(role.write_filter(), d);
    let fields = || {
        changed
            .iter()
            .find(|f| !role.may_write_field(&[f.as_str()]))
            .cloned()
            .map(WhichCheck::Field)
    };
    match (pre, post) {
        (None, Some(n)) => {
            if !wf(n) {
                return Some(WhichCheck::WriteFilterAfter);
            }
            if let Some(f) = fields() {
                return Some(f);
            }
            (!holds(role.insert_filter(), n)).then_some(WhichCheck::Insert)
        }
        (Some(o), Some(n)) => {
            if !wf(o) {
                return Some(WhichCheck::WriteFilterBefore);
            }
            if !wf(n) {
                return Some(WhichCheck::WriteFilterAfter);
            }
            fields()
        }
        (Some(o), None) => {
            if !wf(o) {
                return Some(WhichCheck::WriteFilterBefore);
            }
            // Fields updated before the delete in the same changeset still need permission:
            // an illegal write is not laundered by deleting the object afterwards.
            if let Some(f) = fields() {
                return Some(f);
            }
            (!holds(role.delete_filter(), o)).then_some(WhichCheck::Delete)
        }
        (None, None) => None,
    }
}

/// An object after a sequence of writes.
pub(crate) struct After {
    pub(crate) post: Option<Document>,
    /// Top-level fields written, in first-written order (`_id` excluded).
    pub(crate) changed: Vec<String>,
    /// An update or delete found no object.
    pub(crate) missing: bool,
}

fn apply<'w>(pre: Option<&Document>, writes: impl Iterator<Item = &'w Write>) -> After {
    let mut post = pre.cloned();
    let mut changed: Vec<String> = Vec::new();
    let mut missing = false;
    let touch = |name: &str, changed: &mut Vec<String>| {
        if name != "_id" && !changed.iter().any(|c| c == name) {
            changed.push(name.to_owned());
        }
    };
    for w in writes {
        match w {
            Write::Insert { object, .. } => {
                let doc = post.get_or_insert_with(Document::new);
                for (k, v) in object {
                    touch(k, &mut changed);
                    doc.insert(k.clone(), v.clone());
                }
            }
            Write::Update { set, unset, .. } => match post.as_mut() {
                Some(doc) => {
                    for (k, v) in set {
                        touch(k, &mut changed);
                        doc.insert(k.clone(), v.clone());
                    }
                    for k in unset {
                        touch(k, &mut changed);
                        doc.remove(k);
                    }
                }
                None => missing = true,
            },
            Write::Delete { .. } => {
                if post.take().is_none() {
                    missing = true;
                }
            }
        }
    }
    After { post, changed, missing }
}
