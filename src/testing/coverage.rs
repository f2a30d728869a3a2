//! Coverage: which roles, filter clauses, field permissions and subscription sub-predicates the
//! tests exercised, and which they never did.
//!
//! Nothing here evaluates a rule of its own. Role selection reports each `apply_when` it
//! evaluates (`App::choose_role_traced`); every other count is read off the explanations the
//! tests already produce ([`Session::explain`]), keeping only the checks judging actually made
//! ([`Section::reached`]) and the nodes evaluation did not skip. The judge's hot path is not
//! involved, so coverage costs nothing when it is off.
//!
//! A filter clause is named by the JSON pointer it was written at in the rule file (a bound
//! filter keeps the pointer of each node, [`crate::rules::Filter`]); a subscription's
//! sub-predicate by its canonical RQL text and its position in the predicate's tree.

use std::path::Path;

use serde_json::{Value as Json, json};

use crate::Explanation;
use crate::NodeResult;
use crate::app::App;
use crate::judge::{Check, Session, Subscription, WriteExplanation};
use crate::rules::{Bindings, Filter, Role, RoleChoice};

/// What the tests exercised, gathered over any number of test files and apps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    apps: Vec<AppCoverage>,
}

#[derive(Debug, Clone, PartialEq)]
struct AppCoverage {
    dir: String,
    tables: Vec<TableCoverage>,
    subscriptions: Vec<SubscriptionCoverage>,
}

#[derive(Debug, Clone, PartialEq)]
struct TableCoverage {
    table: String,
    sessions: usize,
    roles: Vec<RoleCoverage>,
}

#[derive(Debug, Clone, PartialEq)]
struct RoleCoverage {
    name: String,
    /// `file#pointer` of the role object.
    at: String,
    evaluated: usize,
    matched: usize,
    /// The role applied to some session but cannot serve Flexible Sync, so its filters are
    /// never evaluated and every write under it is denied.
    incompatible: bool,
    /// Read, write, insert and delete, in that order.
    filters: [FilterCoverage; 4],
    fields: Vec<FieldCoverage>,
    /// Field rules the role declares (top-level names).
    declared: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct FilterCoverage {
    which: &'static str,
    file: String,
    pointer: String,
    /// The rule is a constant (`true`, `{}`, or absent and defaulted): it cannot be both.
    constant: bool,
    evaluated: usize,
    nodes: Vec<NodeCoverage>,
}

#[derive(Debug, Clone, PartialEq)]
struct NodeCoverage {
    /// JSON pointer (filters) or preorder position (subscriptions).
    key: String,
    label: String,
    depth: usize,
    truths: usize,
    falsities: usize,
}

#[derive(Debug, Clone, PartialEq)]
struct FieldCoverage {
    field: String,
    allowed: usize,
    denied: usize,
}

#[derive(Debug, Clone, PartialEq)]
struct SubscriptionCoverage {
    table: String,
    query: String,
    args: String,
    sessions: usize,
    nodes: Vec<NodeCoverage>,
}

/// Which outcome a clause never had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Never {
    /// It was never true.
    True,
    /// It was never false.
    False,
    /// It was never evaluated (an earlier operand always decided its parent).
    Evaluated,
}

impl Never {
    fn words(self) -> &'static str {
        match self {
            Never::True => "never true",
            Never::False => "never false",
            Never::Evaluated => "never evaluated",
        }
    }
}

/// Something the tests never exercised.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Gap {
    /// No test subscribes to the table, so none of its roles was tried.
    TableNotSubscribed {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
    },
    /// No session evaluated the role's `apply_when` (an earlier role always applied).
    RoleNotEvaluated {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
        /// The role.
        role: String,
        /// `file#pointer` of the role.
        at: String,
    },
    /// The role's `apply_when` was evaluated but never held: no test user gets the role.
    RoleNeverChosen {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
        /// The role.
        role: String,
        /// `file#pointer` of the role.
        at: String,
    },
    /// A filter of a role that was chosen was never evaluated by judging.
    FilterNotEvaluated {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
        /// The role.
        role: String,
        /// `read`, `write`, `insert` or `delete`.
        filter: &'static str,
        /// `file#pointer` of the filter.
        at: String,
    },
    /// A clause of a role's filter lacked an outcome.
    Clause {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
        /// The role.
        role: String,
        /// `read`, `write`, `insert` or `delete`.
        filter: &'static str,
        /// `file#pointer` of the clause.
        at: String,
        /// The outcome it never had.
        never: Never,
    },
    /// A field rule of a role that was chosen was never used by a write.
    FieldNotWritten {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
        /// The role.
        role: String,
        /// The field.
        field: String,
    },
    /// A subscription whose query view no judged write reached.
    SubscriptionNotEvaluated {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
        /// The subscription's query.
        query: String,
    },
    /// A sub-predicate of a subscription lacked an outcome.
    Predicate {
        /// The app directory.
        app: String,
        /// The table.
        table: String,
        /// The subscription's query.
        query: String,
        /// The sub-predicate, in canonical RQL.
        node: String,
        /// The outcome it never had.
        never: Never,
    },
}

impl Gap {
    /// One line for people.
    pub fn to_text(&self) -> String {
        match self {
            Gap::TableNotSubscribed { app, table } => {
                format!("{app}: {table}: no test subscribes to this table")
            }
            Gap::RoleNotEvaluated { app, table, role, at } => {
                format!("{app}: {table}: role \"{role}\" ({at}): apply_when never evaluated")
            }
            Gap::RoleNeverChosen { app, table, role, at } => {
                format!("{app}: {table}: role \"{role}\" ({at}): apply_when never matched")
            }
            Gap::FilterNotEvaluated { app, table, role, filter, at } => {
                format!("{app}: {table}: role \"{role}\": {filter} filter ({at}) never evaluated")
            }
            Gap::Clause { app, table, role, filter, at, never } => format!(
                "{app}: {table}: role \"{role}\": {filter} filter clause {at} {}",
                never.words()
            ),
            Gap::FieldNotWritten { app, table, role, field } => {
                format!("{app}: {table}: role \"{role}\": field permission `{field}` never used")
            }
            Gap::SubscriptionNotEvaluated { app, table, query } => {
                format!("{app}: {table}: subscription `{query}`: never evaluated")
            }
            Gap::Predicate { app, table, query, node, never } => {
                format!("{app}: {table}: subscription `{query}`: `{node}` {}", never.words())
            }
        }
    }

    fn to_json(&self) -> Json {
        let mut j = match self {
            Gap::TableNotSubscribed { app, table } => {
                json!({"gap": "table not subscribed", "app": app, "table": table})
            }
            Gap::RoleNotEvaluated { app, table, role, at } => json!({
                "gap": "apply_when never evaluated", "app": app, "table": table, "role": role,
                "at": at
            }),
            Gap::RoleNeverChosen { app, table, role, at } => json!({
                "gap": "apply_when never matched", "app": app, "table": table, "role": role,
                "at": at
            }),
            Gap::FilterNotEvaluated { app, table, role, filter, at } => json!({
                "gap": "filter never evaluated", "app": app, "table": table, "role": role,
                "filter": filter, "at": at
            }),
            Gap::Clause { app, table, role, filter, at, never } => json!({
                "gap": format!("clause {}", never.words()), "app": app, "table": table,
                "role": role, "filter": filter, "at": at
            }),
            Gap::FieldNotWritten { app, table, role, field } => json!({
                "gap": "field permission never used", "app": app, "table": table, "role": role,
                "field": field
            }),
            Gap::SubscriptionNotEvaluated { app, table, query } => json!({
                "gap": "subscription never evaluated", "app": app, "table": table, "query": query
            }),
            Gap::Predicate { app, table, query, node, never } => json!({
                "gap": format!("sub-predicate {}", never.words()), "app": app, "table": table,
                "query": query, "node": node
            }),
        };
        if let Json::Object(m) = &mut j {
            m.insert("text".into(), json!(self.to_text()));
        }
        j
    }
}

/// The nodes of an explanation in preorder, with their depth.
fn preorder<'e>(e: &'e Explanation, depth: usize, out: &mut Vec<(&'e Explanation, usize)>) {
    out.push((e, depth));
    for c in &e.children {
        preorder(c, depth + 1, out);
    }
}

/// Counts the outcomes of `tree`'s nodes into `nodes`, the i-th node keyed by `key(i)`.
fn count(
    nodes: &mut Vec<NodeCoverage>,
    tree: &Explanation,
    key: &dyn Fn(usize) -> String,
    label: &dyn Fn(&Explanation) -> String,
) {
    let mut flat = Vec::new();
    preorder(tree, 0, &mut flat);
    // Trees can hold a query's 100,000 terms: find each node's entry by key in a map.
    let mut known: std::collections::HashMap<String, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.key.clone(), i)).collect();
    for (i, (node, depth)) in flat.into_iter().enumerate() {
        let k = key(i);
        let at = match known.get(&k) {
            Some(at) => *at,
            None => {
                known.insert(k.clone(), nodes.len());
                nodes.push(NodeCoverage {
                    key: k,
                    label: label(node),
                    depth,
                    truths: 0,
                    falsities: 0,
                });
                nodes.len() - 1
            }
        };
        if let Some(n) = nodes.get_mut(at) {
            match node.outcome {
                NodeResult::True => n.truths += 1,
                NodeResult::False => n.falsities += 1,
                NodeResult::Skipped => {}
            }
        }
    }
}

fn role_coverage(role: &Role) -> RoleCoverage {
    let [read, write, insert, delete] = role.filter_origins();
    let filter = |which: &'static str, origin: Option<(&str, bool)>| FilterCoverage {
        which,
        file: role.file().to_owned(),
        pointer: origin.map_or_else(|| role.pointer().to_owned(), |(p, _)| p.to_owned()),
        constant: origin.is_none_or(|(_, c)| c),
        evaluated: 0,
        nodes: Vec::new(),
    };
    RoleCoverage {
        name: role.name().to_owned(),
        at: format!("{}#{}", role.file(), role.pointer()),
        evaluated: 0,
        matched: 0,
        incompatible: false,
        filters: [
            filter("read", read),
            filter("write", write),
            filter("insert", insert),
            filter("delete", delete),
        ],
        fields: Vec::new(),
        declared: role.field_rule_names().map(str::to_owned).collect(),
    }
}

/// The label of a role filter's node: the operator of a logical node, the constant of a
/// constant one; a condition on a field is named by its pointer alone (its text holds the
/// values bound for one user).
fn filter_label(e: &Explanation) -> String {
    if e.children.is_empty() && !matches!(e.text.as_str(), "true" | "false") {
        String::new()
    } else {
        e.text.clone()
    }
}

impl Coverage {
    /// An empty report.
    pub fn new() -> Coverage {
        Coverage::default()
    }

    fn app_mut(&mut self, dir: &Path) -> Option<&mut AppCoverage> {
        let dir = dir.display().to_string();
        self.apps.iter_mut().find(|a| a.dir == dir)
    }

    /// Lists the app's tables and their candidate roles, once per app.
    pub(crate) fn add_app(&mut self, dir: &Path, app: &App) {
        if self.app_mut(dir).is_some() {
            return;
        }
        let tables = app
            .collections()
            .iter()
            .map(|c| {
                let table = c.schema().map_or(c.name(), |s| s.name()).to_owned();
                let roles = app.candidate_roles(&table).map(role_coverage).collect();
                TableCoverage { table, sessions: 0, roles }
            })
            .collect();
        self.apps.push(AppCoverage {
            dir: dir.display().to_string(),
            tables,
            subscriptions: Vec::new(),
        });
    }

    /// Counts a session that started: the roles tried for each subscribed table, and the
    /// subscriptions.
    pub(crate) fn add_session(
        &mut self,
        dir: &Path,
        app: &App,
        bindings: &Bindings,
        subscriptions: &[Subscription],
    ) {
        let Some(cov) = self.app_mut(dir) else { return };
        let mut tables: Vec<&str> = subscriptions.iter().map(|s| s.table.as_str()).collect();
        tables.sort_unstable();
        tables.dedup();
        for table in tables {
            let at = match cov.tables.iter().position(|t| t.table == table) {
                Some(at) => at,
                None => {
                    let roles = app.candidate_roles(table).map(role_coverage).collect();
                    cov.tables.push(TableCoverage { table: table.to_owned(), sessions: 0, roles });
                    cov.tables.len() - 1
                }
            };
            let Some(tc) = cov.tables.get_mut(at) else { continue };
            tc.sessions += 1;
            let mut chosen = None;
            let choice = app.choose_role_traced(table, bindings, &mut |role, applies| {
                let at = format!("{}#{}", role.file(), role.pointer());
                if let Some(i) = tc.roles.iter().position(|r| r.at == at) {
                    chosen = applies.then_some(i);
                    if let Some(rc) = tc.roles.get_mut(i) {
                        rc.evaluated += 1;
                        rc.matched += usize::from(applies);
                    }
                }
            });
            if let (RoleChoice::Incompatible { .. }, Some(i)) = (choice, chosen)
                && let Some(rc) = tc.roles.get_mut(i)
            {
                rc.incompatible = true;
            }
        }
        for sub in subscriptions {
            let args = args_text(sub);
            let found = cov
                .subscriptions
                .iter_mut()
                .find(|s| s.table == sub.table && s.query == sub.query && s.args == args);
            match found {
                Some(s) => s.sessions += 1,
                None => cov.subscriptions.push(SubscriptionCoverage {
                    table: sub.table.clone(),
                    query: sub.query.clone(),
                    args,
                    sessions: 1,
                    nodes: Vec::new(),
                }),
            }
        }
    }

    /// Counts the checks judging made for each explained object.
    pub(crate) fn add_explanations(
        &mut self,
        dir: &Path,
        session: &Session,
        subscriptions: &[Subscription],
        explained: &[WriteExplanation],
    ) {
        let Some(cov) = self.app_mut(dir) else { return };
        for e in explained {
            let role = session.role_choice(&e.table).and_then(|c| c.role());
            for section in e.sections.iter().filter(|s| s.reached) {
                let Some(tree) = &section.tree else {
                    if let (Check::FieldPermissions(perms), Some(role)) = (&section.check, role) {
                        let rc = role_entry(cov, &e.table, role.name());
                        if let Some(rc) = rc {
                            count_fields(rc, perms);
                        }
                    }
                    continue;
                };
                let filter = |i: usize, f: &Filter| (i, f.node_pointers().to_vec());
                let which = match (&section.check, role) {
                    (Check::Read, Some(r)) => Some(filter(0, r.read_filter())),
                    (Check::WriteFilterBefore | Check::WriteFilterAfter, Some(r)) => {
                        Some(filter(1, r.write_filter()))
                    }
                    (Check::Insert, Some(r)) => Some(filter(2, r.insert_filter())),
                    (Check::Delete, Some(r)) => Some(filter(3, r.delete_filter())),
                    _ => None,
                };
                if let (Some((i, pointers)), Some(role)) = (which, role) {
                    if let Some(fc) =
                        role_entry(cov, &e.table, role.name()).and_then(|rc| rc.filters.get_mut(i))
                    {
                        fc.evaluated += 1;
                        let key =
                            |n: usize| pointers.get(n).map(|p| p.to_string()).unwrap_or_default();
                        count(&mut fc.nodes, tree, &key, &filter_label);
                    }
                    continue;
                }
                if let Check::View(index) = section.check
                    && let Some(sub) = subscriptions.get(index)
                    && let Some(sc) = cov.subscriptions.iter_mut().find(|s| {
                        s.table == sub.table && s.query == sub.query && s.args == args_text(sub)
                    })
                {
                    count(&mut sc.nodes, tree, &|n| n.to_string(), &|e| e.text.clone());
                }
            }
        }
    }

    /// What the tests never exercised, app by app and table by table.
    pub fn gaps(&self) -> Vec<Gap> {
        let mut out = Vec::new();
        for a in &self.apps {
            let app = &a.dir;
            for t in &a.tables {
                let table = &t.table;
                if t.sessions == 0 {
                    out.push(Gap::TableNotSubscribed { app: app.clone(), table: table.clone() });
                    continue;
                }
                for r in &t.roles {
                    let (role, at) = (r.name.clone(), r.at.clone());
                    if r.evaluated == 0 {
                        out.push(Gap::RoleNotEvaluated {
                            app: app.clone(),
                            table: table.clone(),
                            role,
                            at,
                        });
                        continue;
                    }
                    if r.matched == 0 {
                        out.push(Gap::RoleNeverChosen {
                            app: app.clone(),
                            table: table.clone(),
                            role,
                            at,
                        });
                        continue;
                    }
                    if r.incompatible {
                        // Its filters never run: every write under it is denied, which the
                        // tests' verdicts show; listing each filter again says nothing new.
                        continue;
                    }
                    for f in &r.filters {
                        if f.evaluated == 0 {
                            out.push(Gap::FilterNotEvaluated {
                                app: app.clone(),
                                table: table.clone(),
                                role: role.clone(),
                                filter: f.which,
                                at: format!("{}#{}", f.file, f.pointer),
                            });
                            continue;
                        }
                        if f.constant {
                            continue;
                        }
                        for n in &f.nodes {
                            for never in never_of(n) {
                                out.push(Gap::Clause {
                                    app: app.clone(),
                                    table: table.clone(),
                                    role: role.clone(),
                                    filter: f.which,
                                    at: format!("{}#{}", f.file, n.key),
                                    never,
                                });
                            }
                        }
                    }
                    for field in &r.declared {
                        if !r.fields.iter().any(|f| f.field == *field) {
                            out.push(Gap::FieldNotWritten {
                                app: app.clone(),
                                table: table.clone(),
                                role: role.clone(),
                                field: field.clone(),
                            });
                        }
                    }
                }
            }
            for s in &a.subscriptions {
                if s.nodes.is_empty() {
                    out.push(Gap::SubscriptionNotEvaluated {
                        app: app.clone(),
                        table: s.table.clone(),
                        query: s.query.clone(),
                    });
                }
                for n in &s.nodes {
                    for never in never_of(n) {
                        out.push(Gap::Predicate {
                            app: app.clone(),
                            table: s.table.clone(),
                            query: s.query.clone(),
                            node: n.label.clone(),
                            never,
                        });
                    }
                }
            }
        }
        out
    }

    /// The report for people: what was never exercised first, then every count.
    pub fn to_text(&self) -> String {
        let gaps = self.gaps();
        let mut s = format!("coverage: {} never exercised\n", gaps.len());
        for g in &gaps {
            s.push_str(&format!("  {}\n", g.to_text()));
        }
        for a in &self.apps {
            s.push_str(&format!("app {}\n", a.dir));
            for t in &a.tables {
                s.push_str(&format!("  table {}: {}\n", t.table, sessions(t.sessions)));
                for r in &t.roles {
                    let unusable =
                        if r.incompatible { " (cannot serve Flexible Sync)" } else { "" };
                    s.push_str(&format!(
                        "    role \"{}\" ({}): apply_when evaluated {}, matched {}{unusable}\n",
                        r.name, r.at, r.evaluated, r.matched
                    ));
                    for f in &r.filters {
                        s.push_str(&format!(
                            "      {} filter ({}#{}): evaluated {}\n",
                            f.which, f.file, f.pointer, f.evaluated
                        ));
                        for n in &f.nodes {
                            let label = if n.label.is_empty() {
                                String::new()
                            } else {
                                format!(" {}", n.label)
                            };
                            s.push_str(&format!(
                                "        {}{label}: true {}, false {}\n",
                                n.key, n.truths, n.falsities
                            ));
                        }
                    }
                    if !r.fields.is_empty() {
                        let used: Vec<String> = r
                            .fields
                            .iter()
                            .map(|f| {
                                format!("{} allowed {}, denied {}", f.field, f.allowed, f.denied)
                            })
                            .collect();
                        s.push_str(&format!("      field permissions: {}\n", used.join("; ")));
                    }
                }
            }
            for sub in &a.subscriptions {
                s.push_str(&format!(
                    "  subscription {} `{}` args {}: {}\n",
                    sub.table,
                    sub.query,
                    sub.args,
                    sessions(sub.sessions)
                ));
                for n in &sub.nodes {
                    s.push_str(&format!(
                        "    {}{}: true {}, false {}\n",
                        "  ".repeat(n.depth),
                        n.label,
                        n.truths,
                        n.falsities
                    ));
                }
            }
        }
        s
    }

    /// The same as JSON: `{"never_exercised": [...], "apps": [...]}`.
    pub fn to_json(&self) -> Json {
        let node = |n: &NodeCoverage| json!({"true": n.truths, "false": n.falsities});
        let apps: Vec<Json> = self
            .apps
            .iter()
            .map(|a| {
                let tables: Vec<Json> = a
                    .tables
                    .iter()
                    .map(|t| {
                        let roles: Vec<Json> = t
                            .roles
                            .iter()
                            .map(|r| {
                                let filters: serde_json::Map<String, Json> = r
                                    .filters
                                    .iter()
                                    .map(|f| {
                                        let nodes: Vec<Json> = f
                                            .nodes
                                            .iter()
                                            .map(|n| {
                                                let mut j = node(n);
                                                if let Json::Object(m) = &mut j {
                                                    m.insert("pointer".into(), json!(n.key));
                                                    if !n.label.is_empty() {
                                                        m.insert("node".into(), json!(n.label));
                                                    }
                                                }
                                                j
                                            })
                                            .collect();
                                        (
                                            f.which.to_owned(),
                                            json!({"at": format!("{}#{}", f.file, f.pointer),
                                                   "evaluated": f.evaluated, "clauses": nodes}),
                                        )
                                    })
                                    .collect();
                                let fields: Vec<Json> = r
                                    .fields
                                    .iter()
                                    .map(|f| json!({"field": f.field, "allowed": f.allowed, "denied": f.denied}))
                                    .collect();
                                json!({"role": r.name, "at": r.at, "incompatible": r.incompatible,
                                       "apply_when": {"evaluated": r.evaluated, "matched": r.matched},
                                       "filters": filters, "fields": fields})
                            })
                            .collect();
                        json!({"table": t.table, "sessions": t.sessions, "roles": roles})
                    })
                    .collect();
                let subs: Vec<Json> = a
                    .subscriptions
                    .iter()
                    .map(|s| {
                        let nodes: Vec<Json> = s
                            .nodes
                            .iter()
                            .map(|n| {
                                let mut j = node(n);
                                if let Json::Object(m) = &mut j {
                                    m.insert("node".into(), json!(n.label));
                                    m.insert("depth".into(), json!(n.depth));
                                }
                                j
                            })
                            .collect();
                        let args: Json = serde_json::from_str(&s.args).unwrap_or(Json::Null);
                        json!({"table": s.table, "query": s.query, "args": args,
                               "sessions": s.sessions, "nodes": nodes})
                    })
                    .collect();
                json!({"app": a.dir, "tables": tables, "subscriptions": subs})
            })
            .collect();
        let gaps: Vec<Json> = self.gaps().iter().map(Gap::to_json).collect();
        json!({"never_exercised": gaps, "apps": apps})
    }
}

/// A subscription's arguments as the JSON array a report shows.
fn args_text(sub: &Subscription) -> String {
    let args = sub.args.iter().map(|a| crate::value::ejson::to_json(a, 16).unwrap_or(Json::Null));
    Json::Array(args.collect()).to_string()
}

fn sessions(n: usize) -> String {
    if n == 1 { "1 session".to_owned() } else { format!("{n} sessions") }
}

fn never_of(n: &NodeCoverage) -> Vec<Never> {
    match (n.truths, n.falsities) {
        (0, 0) => vec![Never::Evaluated],
        (0, _) => vec![Never::True],
        (_, 0) => vec![Never::False],
        _ => Vec::new(),
    }
}

fn role_entry<'c>(
    cov: &'c mut AppCoverage,
    table: &str,
    role: &str,
) -> Option<&'c mut RoleCoverage> {
    let t = cov.tables.iter_mut().find(|t| t.table == table)?;
    // The chosen role is the last one whose apply_when held; names are unique among a
    // table's candidates except across the legacy format's collection and default roles.
    t.roles.iter_mut().rev().find(|r| r.name == role && r.matched > 0)
}

/// Counts the field permissions checked: each written field up to the first one denied, where
/// judging stops.
fn count_fields(rc: &mut RoleCoverage, perms: &[(String, bool)]) {
    for (field, may) in perms {
        let at = match rc.fields.iter().position(|f| f.field == *field) {
            Some(at) => at,
            None => {
                rc.fields.push(FieldCoverage { field: field.clone(), allowed: 0, denied: 0 });
                rc.fields.len() - 1
            }
        };
        if let Some(f) = rc.fields.get_mut(at) {
            if *may {
                f.allowed += 1;
            } else {
                f.denied += 1;
                return;
            }
        }
    }
}
