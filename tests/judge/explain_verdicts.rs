//! Explanations agree with judging on every session of `fixtures/judge/`: each object's
//! explained verdict is the verdict `Session::judge` gives right after, and the checks shown
//! support it (a field denial names the field as not writable; a write-filter denial shows a
//! write filter that is false; an out-of-view object shows no subscription or read filter that
//! holds).

use std::path::Path;

use flexrules::NodeResult;
use flexrules::app::App;
use flexrules::judge::{
    Changeset, Reason, Session, State, Subscription, Verdict, WhichCheck, WriteExplanation,
    state_entry_from_json,
};
use flexrules::rules::{Bindings, User};
use serde_json::Value as Json;

fn load_app(case: &Json, file: &str) -> App {
    if let Some(dir) = case.get("app_dir").and_then(Json::as_str) {
        return App::load(Path::new(dir)).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let mut builder = App::builder();
    for (path, value) in case["app"].as_object().unwrap() {
        builder = builder.json(path, value.clone());
    }
    builder.build().unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn tree_result(e: &WriteExplanation, title_part: &str) -> Vec<NodeResult> {
    e.sections
        .iter()
        .filter(|s| s.title.contains(title_part))
        .filter_map(|s| s.tree.as_ref().map(|t| t.outcome))
        .collect()
}

fn supports(e: &WriteExplanation, at: &str) {
    let Verdict::Rejected(r) = &e.verdict else { return };
    match &r.reason {
        Reason::NotAllowed { check: WhichCheck::Field(f), .. } => {
            let fields = e.sections.iter().find(|s| s.title == "field permissions").unwrap();
            let note = fields.note.as_deref().unwrap();
            assert!(note.contains(&format!("{f} (may not write)")), "{at}: {note}");
        }
        Reason::NotAllowed {
            check: WhichCheck::WriteFilterBefore | WhichCheck::WriteFilterAfter,
            ..
        } => {
            assert!(tree_result(e, "write filter").contains(&NodeResult::False), "{at}");
        }
        Reason::OutsideView { .. } => {
            let view = tree_result(e, "query view");
            let read = tree_result(e, "read filter");
            assert!(
                !view.contains(&NodeResult::True) || read.contains(&NodeResult::False),
                "{at}: in view by its explanation"
            );
        }
        _ => {}
    }
}

#[test]
fn explained_verdicts_are_the_judged_ones() {
    let mut dirs: Vec<_> = std::fs::read_dir("fixtures/judge")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    dirs.sort();
    let mut checked = 0;
    for path in dirs {
        let file = path.display().to_string();
        let case: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let app = load_app(&case, &file);
        let user = User::from_json(&case["user"]).unwrap();
        let subs = Subscription::list_from_json(&case["subscriptions"]).unwrap();
        let mut state = State::new();
        for entry in case.get("state").and_then(Json::as_array).into_iter().flatten() {
            let (table, pk, object) = state_entry_from_json(entry).unwrap();
            state.put(&table, pk, object);
        }
        let Ok(session) = Session::new(&app, &Bindings::new(user), &subs) else { continue };
        let mut session = session.with_state(state);
        for (i, cs_json) in case["changesets"].as_array().unwrap().iter().enumerate() {
            let at = format!("{file} changeset {i}");
            let changeset = Changeset::from_json(cs_json).unwrap();
            let explained = session.explain(&changeset);
            let outcome = session.judge(&changeset);
            let rejected: Vec<_> = explained
                .iter()
                .filter_map(|e| match &e.verdict {
                    Verdict::Rejected(r) => Some(r.clone()),
                    Verdict::Accepted => None,
                })
                .collect();
            assert_eq!(rejected, outcome.rejected, "{at}");
            for e in &explained {
                supports(e, &at);
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} objects explained");
}
