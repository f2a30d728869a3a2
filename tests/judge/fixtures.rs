//! Judging fixtures: every file under `fixtures/judge/` is one session (app, user,
//! subscriptions, server state) and a list of uploaded changesets with the expected verdicts.
//! Each file names its evidence (a section of rules.md and, where there is one, the realm-core
//! or SDK test it transcribes). See `fixtures/judge/README.md` for the format.

use std::path::Path;

use flexrules::app::App;
use flexrules::judge::{
    Changeset, CompensatingWrite, ErrorContext, Key, Session, State, Style, Subscription,
    state_entry_from_json,
};
use flexrules::rules::{Bindings, User};
use serde_json::{Value as Json, json};

fn load_app(case: &Json, file: &str) -> App {
    if let Some(dir) = case.get("app_dir").and_then(Json::as_str) {
        return App::load(Path::new(dir)).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let files = case["app"].as_object().unwrap_or_else(|| panic!("{file}: no `app`"));
    let mut builder = App::builder();
    for (path, value) in files {
        builder = builder.json(path, value.clone());
    }
    builder.build().unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn style_of(case: &Json) -> Style {
    match case.get("style").and_then(Json::as_str) {
        Some("2024") => Style::Y2024,
        _ => Style::Y2023,
    }
}

fn run_case(path: &Path) -> usize {
    let file = path.display().to_string();
    let case: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(case["evidence"].as_str().is_some_and(|e| !e.is_empty()), "{file}: no evidence");
    let app = load_app(&case, &file);
    let user = User::from_json(&case["user"]).unwrap();
    let subs = Subscription::list_from_json(&case["subscriptions"]).unwrap();
    let style = style_of(&case);
    let mut state = State::new();
    for entry in case.get("state").and_then(Json::as_array).into_iter().flatten() {
        let (table, pk, object) = state_entry_from_json(entry).unwrap();
        state.put(&table, pk, object);
    }
    let mut session = Session::new(&app, &Bindings::new(user), &subs)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .with_state(state);
    let ctx = ErrorContext::default();
    let mut checked = 0;
    for (i, cs_json) in case["changesets"].as_array().unwrap().iter().enumerate() {
        let at = format!("{file} changeset {i}");
        let changeset = Changeset::from_json(cs_json).unwrap_or_else(|e| panic!("{at}: {e}"));
        let expect = &cs_json["expect"];
        let writes = changeset.writes.len();
        let outcome = session.judge(&changeset);
        // Every write is accounted for.
        assert_eq!(
            outcome.accepted + outcome.rejected.len() + outcome.reverted_with,
            writes,
            "{at}: writes unaccounted for"
        );
        assert_eq!(outcome.accepted as u64, expect["accepted"].as_u64().unwrap(), "{at}: accepted");
        assert_eq!(
            outcome.reverted_with as u64,
            expect.get("reverted_with").and_then(Json::as_u64).unwrap_or(0),
            "{at}: reverted with"
        );
        let got: Vec<Json> = outcome
            .rejected
            .iter()
            .map(|r| {
                json!({
                    "table": r.table,
                    "pk": flexrules::value::ejson::to_json(&r.pk.to_bson(), 4).unwrap(),
                    "reason": r.client_reason(style),
                    "log_reason": r.log_reason(style),
                })
            })
            .collect();
        let want = expect["rejected"].as_array().cloned().unwrap_or_default();
        assert_eq!(Json::Array(got), Json::Array(want), "{at}: rejections");
        match &outcome.error {
            None => assert!(outcome.rejected.is_empty(), "{at}: rejections without an error"),
            Some(error) => check_error(error, style, &ctx, &at),
        }
        if let Some(counts) = expect.get("objects").and_then(Json::as_object) {
            for (table, n) in counts {
                assert_eq!(
                    session.state().len(table) as u64,
                    n.as_u64().unwrap(),
                    "{at}: objects in {table}"
                );
            }
        }
        if let Some(objects) = expect.get("state_has").and_then(Json::as_array) {
            for entry in objects {
                let (table, pk, object) = state_entry_from_json(entry).unwrap();
                assert_eq!(
                    session.state().get(&table, &pk),
                    Some(&object),
                    "{at}: state of {pk:?}"
                );
            }
        }
        checked += 1;
    }
    checked
}

/// The 231 body parses as the client parses it, and its keys decode back to the rejected keys.
fn check_error(error: &CompensatingWrite, style: Style, ctx: &ErrorContext, at: &str) {
    let body: Json = serde_json::from_str(&error.body(style, ctx)).unwrap();
    assert_eq!(body["message"], style.compensating_write_message(), "{at}");
    assert_eq!(body["tryAgain"], true, "{at}");
    assert_eq!(body["shouldClientReset"], false, "{at}");
    assert_eq!(body["action"], "Warning", "{at}");
    assert!(body["compensatingWriteServerVersion"].is_i64(), "{at}");
    assert_eq!(body["rejectedClientVersion"], error.client_version, "{at}");
    let updates = body["rejectedUpdates"].as_array().unwrap();
    assert_eq!(updates.len(), error.rejections.len(), "{at}");
    for (u, r) in updates.iter().zip(&error.rejections) {
        assert_eq!(u["table"], r.table.as_str(), "{at}");
        assert_eq!(Key::decode(u["pk"].as_str().unwrap()), Ok(r.pk.clone()), "{at}");
        assert_eq!(u["reason"], r.client_reason(style).as_str(), "{at}");
    }
    let wire = error.wire(style, ctx);
    let (head, rest) = wire.split_once('\n').unwrap();
    assert_eq!(head, format!("json_error 231 {} {}", rest.len(), ctx.session_ident), "{at}");
}

#[test]
fn judge_fixtures() {
    let mut files: Vec<_> = std::fs::read_dir("fixtures/judge")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected the §3.3 fixtures, found {}", files.len());
    let mut changesets = 0;
    for f in &files {
        changesets += run_case(f);
    }
    assert!(changesets >= files.len());
}
