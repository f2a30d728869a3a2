//! `flexrules check`: judges uploaded changesets the way a Flexible Sync server does.
//!
//! Every input is read and checked before anything is judged, so a malformed line stops the
//! command (exit 1, naming `FILE:LINE`) before any verdict is printed. Verdicts, rejections and
//! the compensating-write errors they produce are results: the command exits 0.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use flexrules::api::output;
use flexrules::app::App;
use flexrules::judge::{
    Changeset, ErrorContext, Outcome, Session, State, Style, Subscription, state_entry_from_json,
};
use flexrules::rules::{Bindings, User};

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One block per changeset, for people.
    Text,
    /// One JSON line per changeset.
    Json,
}

/// Server wording to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ServerStyle {
    /// Servers up to 2023 (quoted-hex ObjectIds).
    #[value(name = "2023")]
    Y2023,
    /// Servers from 2024 (`ObjectID("…")`).
    #[value(name = "2024")]
    Y2024,
}

impl From<ServerStyle> for Style {
    fn from(s: ServerStyle) -> Style {
        match s {
            ServerStyle::Y2023 => Style::Y2023,
            ServerStyle::Y2024 => Style::Y2024,
        }
    }
}

/// Arguments of `flexrules check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The exported App Services app directory.
    #[arg(long, value_name = "DIR")]
    app: PathBuf,
    /// The user: `{"id": …, "custom_data": …}`.
    #[arg(long, value_name = "FILE")]
    user: PathBuf,
    /// JSON array of `{"name"?, "table", "query", "args"?}`.
    #[arg(long, value_name = "FILE")]
    subscriptions: PathBuf,
    /// NDJSON of `{"table", "object"}`: the objects the server already holds.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// NDJSON of uploaded changesets.
    #[arg(long, value_name = "FILE")]
    changesets: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Which server generation's wording to reproduce.
    #[arg(long, value_enum, default_value = "2023")]
    server_style: ServerStyle,
    /// Explain every verdict: each check with the values it read (text: indented trees; JSON: an
    /// `explanations` array in each line).
    #[arg(long)]
    pub(crate) explain: bool,
    /// The `logURL` sent in compensating-write errors.
    #[arg(long, value_name = "URL", default_value = "")]
    log_url: String,
}

/// Runs the subcommand; returns the exit code.
pub(crate) fn run(
    args: &CheckArgs,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    exit_code(run_inner(args, out), err)
}

/// The exit code of a command's outcome: 0, or 1 with the message on `err`.
pub(crate) fn exit_code(outcome: Result<(), String>, err: &mut dyn std::io::Write) -> u8 {
    match outcome {
        Ok(()) => 0,
        Err(message) => {
            let _ = writeln!(err, "flexrules: {message}");
            1
        }
    }
}

fn run_inner(args: &CheckArgs, out: &mut dyn std::io::Write) -> Result<(), String> {
    let style = Style::from(args.server_style);
    let app = load_app(&args.app)?;
    let user = load_user(&args.user)?;
    let subs_path = &args.subscriptions;
    let subs = load_subscriptions(subs_path)?;
    let state = match &args.state {
        Some(path) => load_state(path)?,
        None => State::new(),
    };
    let mut changesets = Vec::new();
    for (line, json) in ndjson(&args.changesets)? {
        changesets.push(
            Changeset::from_json(&json)
                .map_err(|e| format!("{}:{line}: {e}", args.changesets.display()))?,
        );
    }
    let mut session = Session::new(&app, &Bindings::new(user), &subs)
        .map_err(|e| {
            format!("{}#/{}: {}", subs_path.display(), e.index(), e.server_message(style))
        })?
        .with_state(state);
    let ctx = ErrorContext {
        log_url: args.log_url.clone(),
        recovery_mode_disabled: app.sync().recovery_mode_disabled(),
        session_ident: 1,
    };
    let write_err = |e: std::io::Error| format!("cannot write the output: {e}");
    let (mut accepted, mut rejected) = (0, 0);
    for changeset in &changesets {
        let explained = if args.explain { session.explain(changeset) } else { Vec::new() };
        let outcome = session.judge(changeset);
        accepted += outcome.accepted;
        rejected += outcome.rejected.len();
        match args.format {
            Format::Json if args.explain => {
                writeln!(out, "{}", output::explained_check_line(&outcome, style, &ctx, &explained))
            }
            Format::Json => {
                let line = serde_json::to_string(&output::check_line(&outcome, style, &ctx))
                    .unwrap_or_default();
                writeln!(out, "{line}")
            }
            Format::Text => {
                let mut block = text_block(&outcome, style);
                if args.explain {
                    // The block ends with a blank line; the explanations go before it.
                    block.pop();
                    for e in &explained {
                        block.push_str(&e.to_text(style));
                    }
                    block.push('\n');
                }
                write!(out, "{block}")
            }
        }
        .map_err(write_err)?;
    }
    if args.format == Format::Text {
        writeln!(
            out,
            "{}: {}, {}",
            count(changesets.len(), "changeset"),
            count(accepted, "write accepted"),
            count(rejected, "object reverted")
        )
        .map_err(write_err)?;
    }
    Ok(())
}

/// The `--format text` block of one changeset.
fn text_block(outcome: &Outcome, style: Style) -> String {
    let mut s = format!(
        "changeset at client version {}: {}, {}",
        outcome.client_version,
        count(outcome.accepted, "write accepted"),
        count(outcome.rejected.len(), "object reverted")
    );
    if outcome.reverted_with > 0 {
        s.push_str(&format!(
            " (and {} to reverted objects)",
            count(outcome.reverted_with, "later write")
        ));
    }
    s.push('\n');
    for r in &outcome.rejected {
        s.push_str(&format!("  reverted {} {}\n", r.table, r.pk.render(style)));
        s.push_str(&format!("    client sees: {}\n", r.client_reason(style)));
        s.push_str(&format!("    server log:  {}\n", r.log_reason(style)));
    }
    if let Some(e) = &outcome.error {
        s.push_str(&format!(
            "  error {}: {} (compensating write at server version {})\n",
            flexrules::judge::CompensatingWrite::CODE,
            style.compensating_write_message(),
            e.server_version
        ));
    }
    s.push('\n');
    s
}

/// `n` and a noun phrase whose first word takes an `s` in the plural: `2 writes accepted`.
pub(crate) fn count(n: usize, phrase: &str) -> String {
    if n == 1 {
        return format!("1 {phrase}");
    }
    match phrase.split_once(' ') {
        Some((noun, rest)) => format!("{n} {noun}s {rest}"),
        None => format!("{n} {phrase}s"),
    }
}

/// The exported app in `dir`; errors name the file inside it.
pub(crate) fn load_app(dir: &Path) -> Result<App, String> {
    App::load(dir).map_err(|e| {
        let shown = dir.display().to_string();
        if e.file() == shown { e.to_string() } else { format!("{shown}/{e}") }
    })
}

/// A `--user` file.
pub(crate) fn load_user(path: &Path) -> Result<User, String> {
    User::from_json_str(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// A `--subscriptions` file; errors name the JSON pointer.
pub(crate) fn load_subscriptions(path: &Path) -> Result<Vec<Subscription>, String> {
    let json: Json = serde_json::from_str(&read(path)?)
        .map_err(|e| format!("{}: malformed JSON: {e}", path.display()))?;
    Subscription::list_from_json(&json)
        .map_err(|e| format!("{}#{}: {}", path.display(), e.pointer(), e.kind()))
}

/// A `--state` file; errors name the line.
pub(crate) fn load_state(path: &Path) -> Result<State, String> {
    let mut state = State::new();
    for (line, json) in ndjson(path)? {
        let (table, pk, object) =
            state_entry_from_json(&json).map_err(|e| format!("{}:{line}: {e}", path.display()))?;
        state.put(&table, pk, object);
    }
    Ok(state)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// The non-blank lines of an NDJSON file, each parsed, with its 1-based line number.
fn ndjson(path: &Path) -> Result<Vec<(usize, Json)>, String> {
    let text = read(path)?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let json: Json = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: malformed JSON: {e}", path.display(), n + 1))?;
        out.push((n + 1, json));
    }
    Ok(out)
}
