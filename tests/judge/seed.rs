//! The seed scenario (Realm Flutter SDK page "Write Data to a Synced Realm"): the Car app, the
//! subscription `miles < 100 OR miles == $0` with `$0 = null`, and three uploaded writes. The
//! expected strings are the page's log excerpts; the page wraps long lines for display, and they
//! are compared here as the single lines a log holds. The command line's `demo` is checked
//! against the same excerpts in the CLI's tests (`fixtures/demo/seed-blocks.txt`).

use std::path::Path;

use flexrules::app::App;
use flexrules::judge::{Changeset, ErrorContext, Outcome, Session, Style, Subscription};
use flexrules::rules::{Bindings, User};
use serde_json::Value as Json;

const LOG_URL: &str = "https://services.cloud.mongodb.com/groups/5f60207f14dfb25d23101102/apps/639340a757271cb5e3a0f0cf/logs?co_id=6424433efb0c6bbcc330347c";

const MESSAGE: &str = "Client attempted a write that is outside of permissions or query filters; it has been reverted";

fn outcomes() -> Vec<Outcome> {
    let app = App::load(Path::new("fixtures/apps/car")).unwrap();
    let user =
        User::from_json_str(&std::fs::read_to_string("fixtures/demo/user.json").unwrap()).unwrap();
    let subs: Json =
        serde_json::from_str(&std::fs::read_to_string("fixtures/demo/subscriptions.json").unwrap())
            .unwrap();
    let subs = Subscription::list_from_json(&subs).unwrap();
    let mut session = Session::new(&app, &Bindings::new(user), &subs).unwrap();
    std::fs::read_to_string("fixtures/demo/changesets.ndjson")
        .unwrap()
        .lines()
        .map(|l| session.judge(&Changeset::from_json(&serde_json::from_str(l).unwrap()).unwrap()))
        .collect()
}

fn ctx() -> ErrorContext {
    ErrorContext { log_url: LOG_URL.to_owned(), recovery_mode_disabled: false, session_ident: 1 }
}

fn client_log(client_version: i64, server_version: i64) -> Vec<String> {
    vec![
        format!(
            "[INFO] Realm: Connection[1]: Session[1]: Received: ERROR \"{MESSAGE}\" (error_code=231, try_again=true, error_action=Warning)"
        ),
        format!(
            "[INFO] Realm: Connection[1]: Session[1]: Reporting compensating write for client version {client_version} in server version {server_version}: {MESSAGE}"
        ),
        format!("[ERROR] Realm: SyncSessionError message: {MESSAGE}"),
        format!("Logs: {LOG_URL}"),
        "category: SyncErrorCategory.session code: SyncSessionErrorCode.compensatingWrite isFatal: false".to_owned(),
    ]
}

const HONDA_LOG: &str = r#"Error:
Client attempted a write that is outside of permissions or query filters; it has been reverted (ProtocolErrorCode=231)
Details:
{
"Car": {
"6424433fd4d9f52ee93ad590": "write to \"6424433fd4d9f52ee93ad590\" in table \"Car\" not allowed; object is outside of the current query view"
}
}"#;

const FORD_LOG: &str = r#"Error:
Client attempted a write that is outside of permissions or query filters; it has been reverted (ProtocolErrorCode=231)
Details:
{
"Car": {
"6424433fd4d9f52ee93ad591": "write to \"6424433fd4d9f52ee93ad591\" in table \"Car\" was denied by write filter in role \"owner-read-write\""
}
}"#;

#[test]
fn the_toyota_is_accepted() {
    let o = &outcomes()[0];
    assert_eq!(o.accepted, 1);
    assert!(o.rejected.is_empty());
    assert!(o.error.is_none());
}

#[test]
fn the_honda_is_outside_the_query_view() {
    let o = &outcomes()[1];
    assert_eq!(o.accepted, 0);
    let error = o.error.as_ref().unwrap();
    assert_eq!(error.client_log(Style::Y2023, &ctx()), client_log(21, 2877));
    assert_eq!(error.log_entry(Style::Y2023), HONDA_LOG);
    assert_eq!(
        o.rejected[0].client_reason(Style::Y2023),
        r#"write to "6424433fd4d9f52ee93ad590" in table "Car" not allowed; object is outside of the current query view"#
    );
}

#[test]
fn the_other_users_ford_is_denied_by_the_write_filter() {
    let o = &outcomes()[2];
    let error = o.error.as_ref().unwrap();
    assert_eq!(error.client_log(Style::Y2023, &ctx()), client_log(25, 2879));
    assert_eq!(error.log_entry(Style::Y2023), FORD_LOG);
    // The client is not told the role (rules.md §3.5).
    assert_eq!(
        o.rejected[0].client_reason(Style::Y2023),
        r#"write to "6424433fd4d9f52ee93ad591" in table "Car" not allowed"#
    );
    assert_eq!(
        error.body(Style::Y2023, &ctx()),
        format!(
            r#"{{"message":"{MESSAGE}","isRecoveryModeDisabled":false,"tryAgain":true,"logURL":"{LOG_URL}","shouldClientReset":false,"action":"Warning","rejectedClientVersion":25,"rejectedUpdates":[{{"table":"Car","pk":"CmQkQz/U2fUu6TrVkQ==","reason":"write to \"6424433fd4d9f52ee93ad591\" in table \"Car\" not allowed"}}],"compensatingWriteServerVersion":2879}}"#
        )
    );
}

#[test]
fn the_2024_style_renders_the_same_verdicts_in_newer_wording() {
    let o = &outcomes()[2];
    let error = o.error.as_ref().unwrap();
    assert!(error.log_entry(Style::Y2024).contains(
        r#""ObjectID(\"6424433fd4d9f52ee93ad591\")": "write to ObjectID(\"6424433fd4d9f52ee93ad591\") in table \"Car\" was denied by write filter in role \"owner-read-write\"""#
    ));
    assert!(error.wire(Style::Y2024, &ctx()).contains(
        r#""message":"Client attempted a write that is not allowed; it has been reverted""#
    ));
}
