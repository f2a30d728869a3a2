//! Judges arbitrary uploads against the `car` app with explanations and every rendering.
//!
//! Input: a subscription query for `Car`, a NUL byte, then NDJSON changesets. Nothing may panic;
//! every write of a changeset is accounted for exactly once.
#![no_main]

use flexrules::app::App;
use flexrules::judge::{Changeset, ErrorContext, Session, Style, Subscription};
use flexrules::rules::{Bindings, User};
use libfuzzer_sys::fuzz_target;

fn app() -> Option<&'static App> {
    static APP: std::sync::OnceLock<Option<App>> = std::sync::OnceLock::new();
    APP.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/apps/car");
        App::load(&dir).ok()
    })
    .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(app) = app() else { return };
    let (query, uploads) = match data.iter().position(|&b| b == 0) {
        Some(at) => (data.get(..at).unwrap_or_default(), data.get(at + 1..).unwrap_or_default()),
        None => (&b"miles < 100 OR ownerId == 'u1'"[..], data),
    };
    let Ok(query) = std::str::from_utf8(query) else { return };
    let Ok(uploads) = std::str::from_utf8(uploads) else { return };
    let subs = [Subscription { name: None, table: "Car".into(), query: query.into(), args: vec![] }];
    let bindings = Bindings::new(User::new("u1"));
    let mut session = match Session::new(app, &bindings, &subs) {
        Ok(session) => session,
        Err(error) => {
            let _ = error.server_message(Style::Y2024);
            return;
        }
    };
    let ctx = ErrorContext::default();
    for line in uploads.lines() {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Ok(changeset) = Changeset::from_json(&json) else { continue };
        for explanation in session.explain(&changeset) {
            let _ = explanation.to_text(Style::Y2023);
            let _ = explanation.to_json(Style::Y2024);
        }
        let outcome = session.judge(&changeset);
        assert_eq!(
            outcome.accepted + outcome.rejected.len() + outcome.reverted_with,
            changeset.writes.len(),
            "every write is accounted for"
        );
        for rejection in &outcome.rejected {
            let _ = rejection.client_reason(Style::Y2023);
            let _ = rejection.log_reason(Style::Y2024);
        }
        if let Some(error) = &outcome.error {
            for style in [Style::Y2023, Style::Y2024] {
                let _ = error.body(style, &ctx);
                let _ = error.wire(style, &ctx);
                let _ = error.log_entry(style);
                let _ = error.client_log(style, &ctx);
            }
        }
    }
});
