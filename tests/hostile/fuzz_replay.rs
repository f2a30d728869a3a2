//! Replays every input kept under `fixtures/fuzz/<target>/` through the checks of the fuzz target
//! of the same name (`fuzz/fuzz_targets/<target>.rs`), so that what a fuzzer once found stays
//! fixed in the normal suite, without a nightly toolchain.

use std::path::{Path, PathBuf};

use bson::{Bson, Document, RawDocument, RawDocumentBuf};
use flexrules::app::App;
use flexrules::document::DocRef;
use flexrules::judge::{Changeset, ErrorContext, Session, Style, Subscription};
use flexrules::rules::{Bindings, RoleChoice, User};
use flexrules::schema::Table;
use flexrules::{Limits, compile, parse};

/// The kept inputs of one target, sorted by name.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new("fixtures/fuzz").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

/// Splits at the first NUL byte, as the two-part targets do.
fn split(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|&b| b == 0)?;
    Some((&data[..at], &data[at + 1..]))
}

#[test]
fn parse_inputs_give_an_answer_with_a_span_inside_the_text() {
    for (path, data) in inputs("parse") {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        if let Err(e) = parse(text) {
            assert!(e.span().end() <= text.len(), "{}: {e:?}", path.display());
        }
    }
}

#[test]
fn roundtrip_inputs_print_and_parse_back_to_the_same_tree() {
    for (path, data) in inputs("roundtrip") {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        let Ok(query) = parse(text) else { continue };
        let printed = query.to_string();
        let again = parse(&printed)
            .unwrap_or_else(|e| panic!("{}: `{printed}` does not parse: {e}", path.display()));
        assert_eq!(again, query, "{}: printed as `{printed}`", path.display());
    }
}

#[test]
fn eval_inputs_agree_on_raw_and_decoded_documents() {
    let table =
        Table::from_json_str(&std::fs::read_to_string("fixtures/eval/thing.schema.json").unwrap())
            .unwrap();
    let args =
        [Bson::Int64(1), Bson::String("a".into()), Bson::Array(vec![Bson::Null, 2.5.into()])];
    for (path, data) in inputs("eval") {
        let (query, doc) = split(&data).unwrap_or((&data, &[]));
        let Ok(query) = std::str::from_utf8(query) else { continue };
        let Ok(ast) = parse(query) else { continue };
        let _ = flexrules::translate(&ast, &table, &args, &Limits::default());
        let Ok(compiled) = compile(&ast, &table, &args, &Limits::default()) else { continue };
        let Ok(raw) = RawDocument::from_bytes(doc) else { continue };
        let raw_answer = compiled.predicate().matches_raw(raw);
        let Ok(decoded) = Document::try_from(raw) else { continue };
        if RawDocumentBuf::try_from(&decoded).is_ok_and(|again| again.as_bytes() == doc) {
            let answer = compiled.predicate().matches(&decoded);
            assert_eq!(raw_answer, answer, "{}", path.display());
        }
    }
}

#[test]
fn rules_inputs_load_or_fail_cleanly_and_filters_agree_on_representations() {
    let config = r#"{"queryable_fields_names": ["a", "b", "owner_id"]}"#;
    for (path, data) in inputs("rules") {
        let (rules, user) = split(&data).unwrap_or((&data, br#"{"id": "u1"}"#));
        let Ok(rules) = std::str::from_utf8(rules) else { continue };
        let user = std::str::from_utf8(user)
            .ok()
            .and_then(|t| User::from_json_str(t).ok())
            .unwrap_or_else(|| User::new("u1"));
        let builds = [
            App::builder()
                .file("data_sources/mongodb-atlas/default_rule.json", rules)
                .file("sync/config.json", config)
                .build(),
            App::builder().file("sync/config.json", rules).build(),
        ];
        for app in builds.into_iter().flatten() {
            let _ = app.problems();
            if let RoleChoice::Role(role) = app.choose_role("Item", &Bindings::new(user.clone())) {
                let doc = bson::doc! {"a": [1, {"b": null}], "owner_id": "u1"};
                let raw = RawDocumentBuf::try_from(&doc).unwrap();
                let decoded = role.read_filter().matches(&DocRef::decoded(&doc)).ok();
                let raw = role.read_filter().matches(&DocRef::raw(&raw)).ok();
                assert_eq!(decoded, raw, "{}", path.display());
            }
        }
    }
}

#[test]
fn judge_inputs_account_for_every_write() {
    let app = App::load(Path::new("fixtures/apps/car")).unwrap();
    for (path, data) in inputs("judge") {
        let (query, uploads) = split(&data).unwrap_or((b"miles < 100 OR ownerId == 'u1'", &data));
        let (Ok(query), Ok(uploads)) = (std::str::from_utf8(query), std::str::from_utf8(uploads))
        else {
            continue;
        };
        let subs =
            [Subscription { name: None, table: "Car".into(), query: query.into(), args: vec![] }];
        let Ok(mut session) = Session::new(&app, &Bindings::new(User::new("u1")), &subs) else {
            continue;
        };
        for line in uploads.lines() {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Ok(changeset) = Changeset::from_json(&json) else { continue };
            let _ = session.explain(&changeset);
            let outcome = session.judge(&changeset);
            assert_eq!(
                outcome.accepted + outcome.rejected.len() + outcome.reverted_with,
                changeset.writes.len(),
                "{}",
                path.display()
            );
            if let Some(error) = &outcome.error {
                let _ = error.wire(Style::Y2024, &ErrorContext::default());
            }
        }
    }
}
