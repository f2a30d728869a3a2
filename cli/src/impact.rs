//! `flexrules impact`: what a change of the app's rules or of the user does to the user's views.
//!
//! Every input is read and checked first (exit 1 naming the file and line or JSON pointer);
//! refused subscriptions and role changes are results (exit 0).

use std::path::PathBuf;

use flexrules::api::output;
use flexrules::fanout::{Impact, Side, impact};
use flexrules::judge::{Key, Style, Subscription};
use flexrules::rules::{Bindings, RoleChoice, User};

use crate::check::{
    Format, ServerStyle, count, exit_code, load_app, load_state, load_subscriptions, load_user,
    output_failure,
};
use crate::diagnostics::Failure;

/// Arguments of `flexrules impact`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImpactArgs {
    /// The exported app directory before the change.
    #[arg(long, value_name = "DIR")]
    app: PathBuf,
    /// The app directory after the change (default: `--app`, for a change of the user only).
    #[arg(long, value_name = "DIR")]
    app_after: Option<PathBuf>,
    /// The user before the change (default: a user with an empty id and no data).
    #[arg(long, value_name = "FILE")]
    user: Option<PathBuf>,
    /// The user after the change (default: `--user`, for a change of the rules only).
    #[arg(long, value_name = "FILE")]
    user_after: Option<PathBuf>,
    /// JSON array of `{"name"?, "table", "query", "args"?}`.
    #[arg(long, value_name = "FILE")]
    subscriptions: PathBuf,
    /// NDJSON of `{"table", "object"}`: the objects the server holds.
    #[arg(long, value_name = "FILE")]
    state: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Which server generation's wording to use for refused subscriptions (error 226).
    #[arg(long, value_enum, default_value = "2023")]
    server_style: ServerStyle,
}

/// Runs the subcommand; returns the exit code.
pub(crate) fn run(
    args: &ImpactArgs,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    exit_code(run_inner(args, out), args.format == Format::Json, err)
}

fn run_inner(args: &ImpactArgs, out: &mut dyn std::io::Write) -> Result<(), Failure> {
    let style = Style::from(args.server_style);
    let app = load_app(&args.app)?;
    let app_after = match &args.app_after {
        Some(dir) => Some(load_app(dir)?),
        None => None,
    };
    let user = match &args.user {
        Some(path) => load_user(path)?,
        None => User::new(""),
    };
    let user_after = match &args.user_after {
        Some(path) => load_user(path)?,
        None => user.clone(),
    };
    let (_, subs) = load_subscriptions(&args.subscriptions)?;
    let state = load_state(&args.state)?;
    let (before, after) = (Bindings::new(user), Bindings::new(user_after));
    let result = impact(
        Side { app: &app, user: &before },
        Side { app: app_after.as_ref().unwrap_or(&app), user: &after },
        &subs,
        &state,
    );
    let text = match args.format {
        Format::Json => {
            let line = serde_json::to_string(&output::impact(&result, &subs, style))
                .map_err(output_failure)?;
            format!("{line}\n")
        }
        Format::Text => text(&result, &subs, style),
    };
    out.write_all(text.as_bytes()).map_err(output_failure)
}

/// The `--format text` report.
fn text(result: &Impact, subs: &[Subscription], style: Style) -> String {
    let mut s = String::new();
    let key = |k: &Key| {
        flexrules::value::ejson::to_json(&k.to_bson(), 4)
            .map_or_else(|_| k.render_bare(style), |j| j.to_string())
    };
    for (table, t) in &result.tables {
        s.push_str(&format!(
            "{table}: {} entering the view, {} leaving it\n",
            count(t.enter.len(), "object"),
            count(t.leave.len(), "object")
        ));
        let (before, after) = (role(&t.role_before), role(&t.role_after));
        if before == after {
            s.push_str(&format!("  role: {before} (unchanged)\n"));
        } else {
            s.push_str(&format!("  role: {before} -> {after}\n"));
        }
        for k in &t.enter {
            s.push_str(&format!("  enter {}\n", key(k)));
        }
        for k in &t.leave {
            s.push_str(&format!("  leave {}\n", key(k)));
        }
    }
    for (when, errors) in [("after", &result.invalid_after), ("before", &result.invalid_before)] {
        for e in errors {
            let query = subs.get(e.index()).map_or("", |s| s.query.as_str());
            s.push_str(&format!(
                "subscription {} on {} is refused {when} the change (error 226): {query}\n  {}\n",
                e.index(),
                e.table(),
                e.server_message(style)
            ));
        }
    }
    s
}

/// A role choice in the text report.
fn role(choice: &RoleChoice) -> String {
    match choice {
        RoleChoice::Role(r) => format!("\"{}\"", r.name()),
        RoleChoice::Incompatible { role, .. } => {
            format!("\"{role}\" (not Sync-compatible: denies all)")
        }
        RoleChoice::NoRole => "none (no apply_when holds)".to_owned(),
    }
}
