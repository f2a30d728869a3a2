//! Subscriptions against the Flexible Sync subset (rql.md §4, error 226), from
//! `fixtures/judge/subscriptions.ndjson`; and the pre-check API, which must not change state.

use std::path::Path;

use flexrules::app::App;
use flexrules::judge::{
    Changeset, Key, Reason, Session, Style, Subscription, SubscriptionErrorKind, Verdict, Write,
};
use flexrules::rules::{Bindings, User};
use serde_json::{Value as Json, json};

fn session(
    app: &App,
    subs: &[Subscription],
) -> Result<Session, flexrules::judge::SubscriptionError> {
    Session::new(app, &Bindings::new(User::new("u1")), subs)
}

fn rule_name(kind: &SubscriptionErrorKind) -> String {
    let debug = format!("{kind:?}");
    debug.split(['(', ' ']).next().unwrap_or_default().to_owned()
}

#[test]
fn subset_fixtures() {
    let text = std::fs::read_to_string("fixtures/judge/subscriptions.ndjson").unwrap();
    let mut refused = 0;
    for (n, line) in text.lines().enumerate() {
        let case: Json = serde_json::from_str(line).unwrap();
        let at = format!("subscriptions.ndjson:{}: {}", n + 1, case["query"]);
        let app = App::load(Path::new(case["app"].as_str().unwrap())).unwrap();
        let sub = Subscription::from_json(&case, "").unwrap();
        match (session(&app, &[sub]), case["rule"].as_str()) {
            (Ok(_), None) => {}
            (Ok(_), Some(rule)) => panic!("{at}: accepted, expected {rule}"),
            (Err(e), None) => panic!("{at}: refused: {e}"),
            (Err(e), Some(rule)) => {
                refused += 1;
                assert_eq!(rule_name(e.kind()), rule, "{at}");
                let m2024 = e.server_message(Style::Y2024);
                let m2023 = e.server_message(Style::Y2023);
                assert!(m2024.starts_with("Invalid query: "), "{at}: {m2024}");
                assert_eq!(
                    m2023.strip_prefix("Client provided query with bad syntax: "),
                    m2024.strip_prefix("Invalid query: "),
                    "{at}"
                );
                if let Some(want) = case.get("message_2024").and_then(Json::as_str) {
                    assert_eq!(m2024, want, "{at}");
                }
            }
        }
    }
    assert!(refused >= 15, "only {refused} refusals");
}

#[test]
fn queries_over_256_kb_are_refused() {
    let app = App::load(Path::new("fixtures/apps/car")).unwrap();
    let mut query = "miles == 1".to_owned();
    while query.len() <= 256 * 1024 {
        query.push_str(" OR miles == 1");
    }
    let sub = Subscription { name: None, table: "Car".into(), query, args: vec![] };
    let e = session(&app, &[sub]).unwrap_err();
    assert!(matches!(e.kind(), SubscriptionErrorKind::TooLong(n) if *n > 256 * 1024));
}

fn car_session() -> Session {
    let app = App::load(Path::new("fixtures/apps/car")).unwrap();
    let sub = Subscription {
        name: Some("new-car-subscription".into()),
        table: "Car".into(),
        query: "miles < 100 OR miles == $0".into(),
        args: vec![bson::Bson::Null],
    };
    session(&app, &[sub]).unwrap()
}

fn write(json: Json) -> Write {
    Write::from_json(&json, "").unwrap()
}

#[test]
fn preflight_does_not_change_state() {
    let mut s = car_session();
    let setup = Changeset::from_json(&json!({"client_version": 1, "writes": [
        {"op": "insert", "table": "Car", "object": {"_id": 1, "ownerId": "u1", "make": "Kia", "miles": 5}}]}))
    .unwrap();
    assert_eq!(s.judge(&setup).accepted, 1);
    let before = s.state().clone();
    let fine = write(json!({"op": "update", "table": "Car", "pk": 1, "set": {"miles": 7}}));
    let stolen = write(json!({"op": "update", "table": "Car", "pk": 1, "set": {"ownerId": "u2"}}));
    let fresh = write(
        json!({"op": "insert", "table": "Car", "object": {"_id": 2, "ownerId": "u1", "make": "VW", "miles": 500}}),
    );
    assert_eq!(s.preflight(&fine), Verdict::Accepted);
    let Verdict::Rejected(r) = s.preflight(&stolen) else { panic!("accepted a change of owner") };
    assert!(matches!(r.reason, Reason::NotAllowed { .. }));
    let Verdict::Rejected(r) = s.preflight(&fresh) else { panic!("accepted an out-of-view car") };
    assert!(matches!(r.reason, Reason::OutsideView { .. }));
    assert_eq!(s.state(), &before);
    assert_eq!(
        s.state().get("Car", &Key::Int(1)).unwrap().get("miles"),
        Some(&bson::Bson::Int32(5))
    );
}

#[test]
fn a_client_judges_with_its_own_pre_image() {
    let app = App::load(Path::new("fixtures/apps/car")).unwrap();
    let subs = [Subscription {
        name: None,
        table: "Car".into(),
        query: "miles < 100".into(),
        args: vec![],
    }];
    let client = Session::client(&app, &Bindings::new(User::new("u1")), &subs).unwrap();
    let mine = bson::doc! {"_id": 3, "ownerId": "u1", "make": "Fiat", "miles": 10_i64};
    let theirs = bson::doc! {"_id": 3, "ownerId": "u2", "make": "Fiat", "miles": 10_i64};
    let update = write(json!({"op": "update", "table": "Car", "pk": 3, "set": {"miles": 11}}));
    assert_eq!(client.preflight_with(&update, Some(&mine)), Verdict::Accepted);
    assert!(matches!(client.preflight_with(&update, Some(&theirs)), Verdict::Rejected(_)));
    // Without a pre-image the client cannot know the object: it is outside its view.
    assert!(matches!(
        client.preflight_with(&update, None),
        Verdict::Rejected(r) if r.reason == Reason::UnknownObject
    ));
    let other = write(json!({"op": "insert", "table": "Boat", "object": {"_id": 1}}));
    assert!(matches!(
        client.preflight_with(&other, None),
        Verdict::Rejected(r) if r.reason == Reason::NoSubscription
    ));
}
