//! The registry of sessions' views: the enters / stays / leaves split of a changed object, its
//! exactness against evaluating every session one by one (a property test over random
//! sessions, subscriptions, roles and changed objects), and sharing the registry between threads.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use bson::{Bson, Document, doc};
use flexrules::app::App;
use flexrules::fanout::{Fanout, Registry};
use flexrules::judge::{Session, Subscription};
use flexrules::rules::{Bindings, User};
use proptest::prelude::*;

fn user(id: &str, role: Option<&str>) -> Bindings {
    let custom = role.map_or(serde_json::json!({}), |r| serde_json::json!({"role": r}));
    let json = serde_json::json!({"id": id, "type": "normal", "custom_data": custom});
    Bindings::new(User::from_json_str(&json.to_string()).unwrap())
}

fn session_of(app: &App, bindings: &Bindings, table: &str, queries: &[&str]) -> Session {
    let subs: Vec<_> = queries
        .iter()
        .map(|q| serde_json::json!({"table": table, "query": q, "args": []}))
        .collect();
    let subs = Subscription::list_from_json(&serde_json::Value::Array(subs)).unwrap();
    Session::new(app, bindings, &subs).unwrap()
}

fn session(app: &App, user_id: &str, query: &str) -> Session {
    session_of(app, &user(user_id, None), "Car", &[query])
}

fn registry() -> Registry {
    let app = App::load(Path::new("fixtures/apps/car")).unwrap();
    let r = Registry::new();
    r.insert("a", session(&app, "u1", "miles < 100"));
    r.insert("b", session(&app, "u2", "TRUEPREDICATE"));
    r.insert("c", session(&app, "u1", "miles >= 100"));
    r
}

#[test]
fn split_by_view_and_read_permission() {
    let r = registry();
    let snap = r.snapshot();
    let pre = doc! {"_id": 1, "ownerId": "u1", "miles": 50};
    let post = doc! {"_id": 1, "ownerId": "u1", "miles": 150};
    let f = snap.fanout("Car", Some(&pre), Some(&post));
    assert_eq!(f.enters, vec!["c".to_owned()]);
    assert_eq!(f.leaves, vec!["a".to_owned()]);
    // "b" subscribes to everything but its role cannot read u1's cars.
    assert!(f.stays.is_empty());
    let moved = doc! {"_id": 1, "ownerId": "u2", "miles": 150};
    let f = snap.fanout("Car", Some(&post), Some(&moved));
    assert_eq!((f.enters, f.stays, f.leaves), (vec!["b".into()], vec![], vec!["c".into()]));
    let f = snap.fanout("Car", None, Some(&pre));
    assert_eq!(f.enters, vec!["a".to_owned()]);
    assert!(snap.fanout("Other", Some(&pre), Some(&post)) == Fanout::default());
}

#[test]
fn the_index_proposes_only_the_owners_sessions() {
    // Every session of the Car app may read only its user's cars, so whatever it subscribes
    // to, the index keys it by the user's id.
    let app = App::load(Path::new("fixtures/apps/car")).unwrap();
    let r = Registry::new();
    for i in 0..300 {
        let q = ["TRUEPREDICATE", "miles < 100", "ownerId == \"u0\""][i % 3];
        r.insert(&format!("s{i}"), session(&app, &format!("u{}", i % 100), q));
    }
    // u7's sessions are s7 (miles < 100), s107 (ownerId == "u0": keyed by "u0") and s207
    // (TRUEPREDICATE).
    let car = doc! {"_id": 1, "ownerId": "u7", "miles": 5};
    let snap = r.snapshot();
    assert_eq!(snap.candidates("Car", &car), 2);
    assert_eq!(snap.fanout("Car", None, Some(&car)).enters, vec!["s207", "s7"]);
    drop(snap);
    r.remove("s7");
    r.insert("s207", session(&app, "u8", "TRUEPREDICATE"));
    r.insert("s107", session(&app, "u7", "miles < 10"));
    assert_eq!(r.fanout("Car", None, Some(&car)).enters, vec!["s107"]);
    assert_eq!(r.snapshot().candidates("Car", &car), 1);
    assert_eq!(r.len(), 299);
}

#[test]
fn queries_from_threads_while_sessions_register() {
    let app = Arc::new(App::load(Path::new("fixtures/apps/car")).unwrap());
    let r = Arc::new(Registry::new());
    let post = doc! {"_id": 1, "ownerId": "u7", "miles": 5};
    std::thread::scope(|s| {
        let writer = {
            let (r, app) = (Arc::clone(&r), Arc::clone(&app));
            s.spawn(move || {
                for i in 0..50 {
                    r.insert(
                        &format!("s{i:02}"),
                        session(&app, &format!("u{}", i % 10), "miles < 10"),
                    );
                }
                for i in (0..50).step_by(20) {
                    r.remove(&format!("s{i:02}"));
                }
            })
        };
        for _ in 0..3 {
            let (r, post) = (Arc::clone(&r), post.clone());
            s.spawn(move || {
                for _ in 0..200 {
                    let f = r.fanout("Car", None, Some(&post));
                    // Sessions of user u7 are s07, s17, …: a snapshot holds a prefix of them.
                    let n = f.enters.len();
                    let prefix = ["s07", "s17", "s27", "s37", "s47"].get(..n).unwrap();
                    assert_eq!(f.enters, prefix);
                }
            });
        }
        writer.join().unwrap();
    });
    let f = r.fanout("Car", None, Some(&post));
    assert_eq!(f.enters, vec!["s07", "s17", "s27", "s37", "s47"]);
    assert_eq!(r.len(), 47);
}

// --- Exactness: the index answers what evaluating every session one by one answers. ---

fn fleet() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| App::load(Path::new("fixtures/fanout/app")).unwrap())
}

/// Subscriptions the index keys (equality, `IN`, ranges, `TRUEPREDICATE`) and ones it cannot.
const QUERIES: &[&str] = &[
    "ownerId == \"u0\"",
    "ownerId == \"u1\"",
    "ownerId == \"u2\"",
    "ownerId IN {\"u1\", \"shared\"}",
    "\"u3\" == ownerId",
    "miles < 100",
    "miles <= 100",
    "miles >= 250",
    "100 > miles",
    "miles BETWEEN {50, 300}",
    "miles == 7",
    "miles > 99.5",
    "TRUEPREDICATE",
    "FALSEPREDICATE",
    "make == \"Ford\"",
    "make BEGINSWITH \"F\"",
    "miles != 7",
    "ownerId == \"u1\" AND miles < 200",
    "ownerId == \"u2\" OR miles > 400",
    "NOT (ownerId == \"u0\")",
    "shared == true",
    "ownerId ==[c] \"U1\"",
];

const ROLES: &[Option<&str>] = &[None, Some("admin"), Some("team"), Some("low"), Some("banned")];

#[derive(Debug, Clone)]
enum Op {
    /// Registers session `id` for a user with a role and subscriptions (indexes into the pools).
    Put {
        id: u8,
        user: u8,
        role: usize,
        queries: Vec<usize>,
    },
    Remove {
        id: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0u8..12, 0u8..4, 0..ROLES.len(), prop::collection::vec(0..QUERIES.len(), 1..4))
            .prop_map(|(id, user, role, queries)| Op::Put { id, user, role, queries }),
        1 => (0u8..12).prop_map(|id| Op::Remove { id }),
    ]
}

fn field(values: Vec<Bson>) -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![1 => Just(None), 6 => prop::sample::select(values).prop_map(Some)]
}

fn car() -> impl Strategy<Value = Document> {
    let owners = ["u0", "u1", "u2", "u3", "shared", "U1"].map(|s| Bson::String(s.into())).to_vec();
    let owners =
        [owners, vec![Bson::Null, Bson::Int32(5), Bson::Array(vec!["u1".into()])]].concat();
    let miles = prop_oneof![
        4 => (-10i64..600).prop_map(Bson::Int64),
        1 => prop::sample::select(vec![
            Bson::Double(99.5), Bson::Double(100.0), Bson::Double(-0.0), Bson::Double(f64::NAN),
            Bson::Int32(7), Bson::String("50".into()), Bson::Null, Bson::Boolean(true),
            Bson::Decimal128("120".parse().unwrap()),
        ]),
    ];
    let makes = ["Ford", "Fiat", "Honda"].map(|s| Bson::String(s.into())).to_vec();
    (field(owners), prop::option::of(miles), field(makes), field(vec![true.into(), false.into()]))
        .prop_map(|(owner, miles, make, shared)| {
            let mut d = doc! {"_id": 1_i64};
            for (k, v) in [("ownerId", owner), ("miles", miles), ("make", make), ("shared", shared)]
            {
                if let Some(v) = v {
                    d.insert(k, v);
                }
            }
            d
        })
}

fn one_by_one(
    sessions: &BTreeMap<String, Session>,
    pre: Option<&Document>,
    post: Option<&Document>,
) -> Fanout {
    let mut out = Fanout::default();
    for (id, s) in sessions {
        let before = pre.is_some_and(|d| s.in_view("Car", d));
        let after = post.is_some_and(|d| s.in_view("Car", d));
        match (before, after) {
            (false, true) => out.enters.push(id.clone()),
            (true, true) => out.stays.push(id.clone()),
            (true, false) => out.leaves.push(id.clone()),
            (false, false) => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn indexed_fanout_equals_one_by_one(
        ops in prop::collection::vec(op(), 1..24),
        changes in prop::collection::vec((prop::option::of(car()), prop::option::of(car())), 1..8),
    ) {
        let app = fleet();
        let registry = Registry::new();
        let mut model: BTreeMap<String, Session> = BTreeMap::new();
        for op in &ops {
            match op {
                Op::Put { id, user: u, role, queries } => {
                    let qs: Vec<&str> = queries.iter().map(|&q| QUERIES[q]).collect();
                    let s = session_of(app, &user(&format!("u{u}"), ROLES[*role]), "Car", &qs);
                    registry.insert(&format!("s{id}"), s.clone());
                    model.insert(format!("s{id}"), s);
                }
                Op::Remove { id } => {
                    registry.remove(&format!("s{id}"));
                    model.remove(&format!("s{id}"));
                }
            }
        }
        prop_assert_eq!(registry.len(), model.len());
        let snap = registry.snapshot();
        for (pre, post) in &changes {
            let got = snap.fanout("Car", pre.as_ref(), post.as_ref());
            prop_assert_eq!(got, one_by_one(&model, pre.as_ref(), post.as_ref()));
        }
    }
}

#[test]
fn a_user_losing_every_role_sees_everything_leave() {
    use flexrules::fanout::{Side, impact};
    use flexrules::judge::{Key, State, state_entry_from_json};
    use flexrules::rules::RoleChoice;
    let app = fleet();
    let subs = Subscription::list_from_json(&serde_json::json!([
        {"table": "Car", "query": "TRUEPREDICATE"}
    ]))
    .unwrap();
    let mut state = State::new();
    for line in std::fs::read_to_string("fixtures/fanout/state.ndjson").unwrap().lines() {
        let (table, pk, object) =
            state_entry_from_json(&serde_json::from_str(line).unwrap()).unwrap();
        state.put(&table, pk, object);
    }
    let (admin, banned) = (user("u1", Some("admin")), user("u1", Some("banned")));
    let result = impact(Side { app, user: &admin }, Side { app, user: &banned }, &subs, &state);
    let car = &result.tables["Car"];
    let all: Vec<Key> = (1..=8).map(|i| Key::from_bson(&Bson::Int64(i)).unwrap()).collect();
    assert_eq!((car.enter.clone(), car.leave.clone()), (vec![], all));
    assert_eq!(car.role_before.role().map(|r| r.name()), Some("admin"));
    assert_eq!(car.role_after, RoleChoice::NoRole);
    assert!(result.invalid_after.is_empty() && result.invalid_before.is_empty());
}
