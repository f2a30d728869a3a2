//! The registry of sessions' views: the enters / stays / leaves split of a changed object, and
//! sharing the registry between threads.

use std::path::Path;
use std::sync::Arc;

use bson::doc;
use flexrules::app::App;
use flexrules::fanout::Registry;
use flexrules::judge::{Session, Subscription};
use flexrules::rules::{Bindings, User};

fn session(app: &App, user: &str, query: &str) -> Session {
    let user = User::from_json_str(&format!(r#"{{"id": "{user}", "type": "normal"}}"#)).unwrap();
    let subs = Subscription::list_from_json(&serde_json::json!([
        {"name": "s", "table": "Car", "query": query, "args": []}
    ]))
    .unwrap();
    Session::new(app, &Bindings::new(user), &subs).unwrap()
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
    let snap = registry().snapshot();
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
    assert!(snap.fanout("Other", Some(&pre), Some(&post)) == Default::default());
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
            })
        };
        for _ in 0..3 {
            let (r, post) = (Arc::clone(&r), post.clone());
            s.spawn(move || {
                for _ in 0..200 {
                    let snap = r.snapshot();
                    let f = snap.fanout("Car", None, Some(&post));
                    // Sessions of user u7 are s07, s17, …: a snapshot holds a prefix of them.
                    let n = f.enters.len();
                    assert!(f.enters.iter().all(|id| id.ends_with('7')) && n <= 5);
                }
            });
        }
        writer.join().unwrap();
    });
    let f = r.snapshot().fanout("Car", None, Some(&post));
    assert_eq!(f.enters, vec!["s07", "s17", "s27", "s37", "s47"]);
}
