//! `flexrules demo`: replays the scenario of the Realm Flutter SDK page "Write Data to a Synced
//! Realm" — one accepted write and two compensating writes — and prints, for each, the verdict,
//! the client's log lines and the App Services log entry in the page's own words.
//!
//! The scenario's files (`fixtures/demo/` and the Car app of `fixtures/apps/car/`) are compiled
//! into the binary, so the command runs from any directory.

use bson::Bson;
use serde_json::Value as Json;

use flexrules::app::App;
use flexrules::judge::{Changeset, ErrorContext, Reason, Session, Style, Subscription, Write};
use flexrules::rules::{Bindings, User};
use flexrules::value::ejson;

const APP_FILES: [(&str, &str); 3] = [
    (
        "data_sources/mongodb-atlas/cars/Car/rules.json",
        include_str!("../../fixtures/apps/car/data_sources/mongodb-atlas/cars/Car/rules.json"),
    ),
    (
        "data_sources/mongodb-atlas/cars/Car/schema.json",
        include_str!("../../fixtures/apps/car/data_sources/mongodb-atlas/cars/Car/schema.json"),
    ),
    ("sync/config.json", include_str!("../../fixtures/apps/car/sync/config.json")),
];
const USER: &str = include_str!("../../fixtures/demo/user.json");
const SUBSCRIPTIONS: &str = include_str!("../../fixtures/demo/subscriptions.json");
const CHANGESETS: &str = include_str!("../../fixtures/demo/changesets.ndjson");
const LOG_URL: &str = include_str!("../../fixtures/demo/log-url.txt");

/// Runs the subcommand; returns the exit code.
pub(crate) fn run(out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> u8 {
    match render() {
        Ok(text) => u8::from(out.write_all(text.as_bytes()).is_err()),
        Err(message) => {
            let _ = writeln!(err, "flexrules: demo: {message}");
            1
        }
    }
}

/// The whole demo output.
pub(crate) fn render() -> Result<String, String> {
    let style = Style::Y2023;
    let mut builder = App::builder();
    for (path, text) in APP_FILES {
        builder = builder.file(path, text);
    }
    let app = builder.build().map_err(|e| format!("fixtures/apps/car/{e}"))?;
    let user = User::from_json_str(USER).map_err(|e| format!("user.json: {e}"))?;
    let user_id = user.id().to_owned();
    let subs_json: Json =
        serde_json::from_str(SUBSCRIPTIONS).map_err(|e| format!("subscriptions.json: {e}"))?;
    let subs = Subscription::list_from_json(&subs_json)
        .map_err(|e| format!("subscriptions.json#{}: {}", e.pointer(), e.kind()))?;
    let mut changesets = Vec::new();
    for (n, line) in CHANGESETS.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |m: String| format!("changesets.ndjson:{}: {m}", n + 1);
        let json: Json = serde_json::from_str(line).map_err(|e| at(e.to_string()))?;
        let title = json.get("title").and_then(Json::as_str).unwrap_or_default().to_owned();
        changesets.push((title, Changeset::from_json(&json).map_err(|e| at(e.to_string()))?));
    }
    let mut session =
        Session::new(&app, &Bindings::new(user), &subs).map_err(|e| e.server_message(style))?;
    let ctx = ErrorContext {
        log_url: LOG_URL.trim().to_owned(),
        recovery_mode_disabled: app.sync().recovery_mode_disabled(),
        session_ident: 1,
    };

    let mut s = String::new();
    s.push_str(
        "flexrules demo: the compensating writes of \"Write Data to a Synced Realm\" (Realm Flutter SDK docs)\n\n",
    );
    let mut queryable: Vec<&str> = vec!["_id"];
    for f in app.sync().queryable_fields_of("Car") {
        if !queryable.contains(&f) {
            queryable.push(f);
        }
    }
    let role = session
        .role_choice("Car")
        .and_then(|c| c.role())
        .map_or_else(|| "none".to_owned(), |r| format!("\"{}\"", r.name()));
    s.push_str(&format!("App           fixtures/apps/car: table Car, role {role}\n"));
    s.push_str(&format!("Queryable     {}\n", queryable.join(", ")));
    s.push_str(&format!("User          {user_id}\n"));
    for sub in &subs {
        let args: Vec<String> = sub.args.iter().map(show).collect();
        let args = args
            .iter()
            .enumerate()
            .map(|(i, a)| format!("${i} = {a}"))
            .collect::<Vec<_>>()
            .join(", ");
        s.push_str(&format!(
            "Subscription  {} on {}: {}{}\n",
            sub.name.as_deref().unwrap_or("(unnamed)"),
            sub.table,
            sub.query,
            if args.is_empty() { String::new() } else { format!("   with {args}") }
        ));
    }
    let total = changesets.len();
    for (i, (title, changeset)) in changesets.iter().enumerate() {
        s.push_str(&format!(
            "\n== Write {} of {total} (client version {}) ==\n{title}\n",
            i + 1,
            changeset.client_version
        ));
        for w in &changeset.writes {
            s.push_str(&format!("  {}\n", describe(w)));
        }
        let outcome = session.judge(changeset);
        let Some(error) = &outcome.error else {
            s.push_str(&format!(
                "  Verdict: accepted; the server now holds {} Car object(s)\n",
                session.state().len("Car")
            ));
            continue;
        };
        for r in &error.rejections {
            let kind = match r.reason {
                Reason::NotAllowed { .. } => "the role does not permit it",
                Reason::NoSubscription => "the table has no subscription",
                Reason::IndexedFieldChanged { .. } => "it changes the indexed queryable field",
                _ => "the object is outside of the query view",
            };
            s.push_str(&format!(
                "  Verdict: reverted {} {} at server version {}: {kind}\n",
                r.table,
                r.pk.render(style),
                error.server_version
            ));
            s.push_str(&format!("  Reason sent to the client: {}\n", r.client_reason(style)));
        }
        s.push_str("\nClient log:\n");
        for line in error.client_log(style, &ctx) {
            s.push_str(&line);
            s.push('\n');
        }
        s.push_str("\nApp Services log:\n");
        s.push_str(&error.log_entry(style));
        s.push('\n');
    }
    s.push_str(
        "\nTry it on your own app: flexrules check --app DIR --user FILE --subscriptions FILE --changesets FILE\n",
    );
    Ok(s)
}

fn show(value: &Bson) -> String {
    ejson::to_json(value, 100).map_or_else(|_| value.to_string(), |j| j.to_string())
}

fn describe(w: &Write) -> String {
    match w {
        Write::Insert { table, object, .. } => {
            format!("insert {table} {}", show(&Bson::Document(object.clone())))
        }
        Write::Update { table, pk, set, unset } => format!(
            "update {table} {}: set {}, unset {:?}",
            show(&pk.to_bson()),
            show(&Bson::Document(set.clone())),
            unset
        ),
        Write::Delete { table, pk } => format!("delete {table} {}", show(&pk.to_bson())),
    }
}
