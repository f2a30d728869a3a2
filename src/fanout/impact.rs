//! The impact of a rules change or a user change on one user's views: which objects enter and
//! leave each subscribed table's view, which subscriptions the new rules refuse (error 226), and
//! which role applies before and after.
//!
//! Since realm-core 14.11 a server answers such a change with a bootstrap of what entered and
//! leaves the view instead of a client reset; this is that difference, computed over the
//! server's objects. Each view is the same one judging and fan-out use
//! ([`Session::in_view`]): a subscription matches and the role may read the object.

use std::collections::{BTreeMap, BTreeSet};

use crate::app::App;
use crate::judge::{Key, Session, State, Subscription, SubscriptionError};
use crate::rules::{Bindings, RoleChoice};

/// One side of the change: the app's rules and the user they are bound to.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The exported app.
    pub app: &'a App,
    /// The user's expansions (`%%user`, custom data, …).
    pub user: &'a Bindings,
}

/// What changes for one table of the subscriptions.
#[derive(Debug, Clone, PartialEq)]
pub struct TableImpact {
    /// Objects in the view only after the change, by primary key (ascending).
    pub enter: Vec<Key>,
    /// Objects in the view only before the change, by primary key (ascending).
    pub leave: Vec<Key>,
    /// The role chosen for the table before the change.
    pub role_before: RoleChoice,
    /// The role chosen for the table after the change.
    pub role_after: RoleChoice,
}

/// The impact of a change on one user's subscriptions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Impact {
    /// Every table the subscriptions name, in name order.
    pub tables: BTreeMap<String, TableImpact>,
    /// Subscriptions the rules after the change refuse (error 226), by their position in the
    /// set. They take no part in the view after the change.
    pub invalid_after: Vec<SubscriptionError>,
    /// Subscriptions the rules before the change already refused; they take no part in the view
    /// before the change.
    pub invalid_before: Vec<SubscriptionError>,
}

/// The impact of going from `before` to `after` on the views of `subscriptions` over `state`.
///
/// Costs one check of every stored object of each subscribed table against both views (each an
/// indexed subscription set and the role's read filter), plus a compilation of each
/// subscription per side.
pub fn impact(
    before: Side<'_>,
    after: Side<'_>,
    subscriptions: &[Subscription],
    state: &State,
) -> Impact {
    let (view_before, invalid_before) = view(before, subscriptions);
    let (view_after, invalid_after) = view(after, subscriptions);
    let tables: BTreeSet<&str> = subscriptions.iter().map(|s| s.table.as_str()).collect();
    let mut out = Impact { tables: BTreeMap::new(), invalid_after, invalid_before };
    for table in tables {
        let mut t = TableImpact {
            role_before: before.app.choose_role(table, before.user),
            role_after: after.app.choose_role(table, after.user),
            enter: Vec::new(),
            leave: Vec::new(),
        };
        for (pk, doc) in state.objects(table) {
            let seen = |v: &Option<Session>| v.as_ref().is_some_and(|s| s.in_view(table, doc));
            match (seen(&view_before), seen(&view_after)) {
                (false, true) => t.enter.push(pk.clone()),
                (true, false) => t.leave.push(pk.clone()),
                _ => {}
            }
        }
        out.tables.insert(table.to_owned(), t);
    }
    out
}

/// The session of the subscriptions `side` accepts (`None`, holding nothing, only if the set
/// were refused as a whole), and the refusals of the others (with their positions in the whole
/// set).
fn view(
    side: Side<'_>,
    subscriptions: &[Subscription],
) -> (Option<Session>, Vec<SubscriptionError>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for (index, sub) in subscriptions.iter().enumerate() {
        match Session::new(side.app, side.user, std::slice::from_ref(sub)) {
            Ok(_) => valid.push(sub.clone()),
            Err(e) => invalid.push(e.at(index)),
        }
    }
    // Every subscription kept was accepted on its own, and a set is checked one subscription at
    // a time, so the set is accepted.
    (Session::new(side.app, side.user, &valid).ok(), invalid)
}
