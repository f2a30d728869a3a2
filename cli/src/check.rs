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
    Changeset, ErrorContext, Outcome, Session, State, Style, Subscription, WriteExplanation,
    state_entry_from_json,
};
use flexrules::protocol::{Message, Upload};
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
    #[arg(long, value_name = "FILE", required_unless_present = "query", conflicts_with = "query")]
    subscriptions: Option<PathBuf>,
    /// A raw sync protocol QUERY or IDENT message: the subscription set as a client sends it
    /// (instead of `--subscriptions`).
    #[arg(long, value_name = "FILE")]
    query: Option<PathBuf>,
    /// NDJSON of `{"table", "object"}`: the objects the server already holds.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// NDJSON of uploaded changesets.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "upload",
        conflicts_with = "upload"
    )]
    changesets: Option<PathBuf>,
    /// Raw sync protocol UPLOAD messages, judged in order (instead of `--changesets`).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    upload: Vec<PathBuf>,
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
    let bindings = Bindings::new(user);
    let subscriptions = match &args.subscriptions {
        Some(subs_path) => Some((subs_path, load_subscriptions(subs_path)?)),
        None => None,
    };
    let state = match &args.state {
        Some(path) => load_state(path)?,
        None => State::new(),
    };
    let source = match &args.changesets {
        Some(path) => {
            let mut changesets = Vec::new();
            for (line, json) in ndjson(path)? {
                changesets.push(
                    Changeset::from_json(&json)
                        .map_err(|e| format!("{}:{line}: {e}", path.display()))?,
                );
            }
            Source::Json(changesets)
        }
        None => {
            if args.explain {
                return Err("--explain reads --changesets; it does not take --upload yet".into());
            }
            let mut uploads = Vec::new();
            for path in &args.upload {
                let bytes = read_bytes(path)?;
                match Message::decode(&bytes, app.limits()) {
                    Ok(Message::Upload(u)) => uploads.push((path, u)),
                    Ok(_) => return Err(format!("{}: not an upload message", path.display())),
                    Err(e) => return Err(format!("{}: {e}", path.display())),
                }
            }
            Source::Upload(uploads)
        }
    };
    let session = match (&args.query, subscriptions) {
        (Some(path), _) => {
            let bytes = read_bytes(path)?;
            Session::from_message(&app, &bindings, &bytes).map_err(|e| {
                let answer = e.server_message(style).encode();
                let head = answer.split(|&b| b == b'\n').next().unwrap_or_default();
                format!(
                    "{}: {e} (the server answers `{}`)",
                    path.display(),
                    String::from_utf8_lossy(head)
                )
            })?
        }
        (None, Some((subs_path, subs))) => Session::new(&app, &bindings, &subs).map_err(|e| {
            format!("{}#/{}: {}", subs_path.display(), e.index(), e.server_message(style))
        })?,
        (None, None) => return Err("one of --subscriptions and --query is needed".into()),
    };
    let mut session = session.with_state(state);
    let ctx = ErrorContext {
        log_url: args.log_url.clone(),
        recovery_mode_disabled: app.sync().recovery_mode_disabled(),
        session_ident: 1,
    };
    let mut printer = Printer { args, style, ctx: &ctx, out, judged: 0, accepted: 0, rejected: 0 };
    match &source {
        Source::Json(changesets) => {
            for changeset in changesets {
                let explained = if args.explain { session.explain(changeset) } else { Vec::new() };
                let outcome = session.judge(changeset);
                printer.outcome(&outcome, &explained)?;
            }
        }
        Source::Upload(uploads) => {
            for (path, upload) in uploads {
                let judged = session.judge_upload_message(upload).map_err(|e| {
                    format!("{}: {e} (the server answers error {})", path.display(), e.code())
                })?;
                for cv in &judged.skipped {
                    printer.skipped(*cv)?;
                }
                for outcome in &judged.outcomes {
                    printer.outcome(outcome, &[])?;
                }
            }
        }
    }
    printer.summary()
}

/// Where the changesets come from.
enum Source<'a> {
    /// `--changesets`: NDJSON.
    Json(Vec<Changeset>),
    /// `--upload`: decoded UPLOAD messages with their files.
    Upload(Vec<(&'a PathBuf, Upload)>),
}

/// Prints each changeset's verdicts as they come, and the text summary.
struct Printer<'a> {
    args: &'a CheckArgs,
    style: Style,
    ctx: &'a ErrorContext,
    out: &'a mut dyn std::io::Write,
    judged: usize,
    accepted: usize,
    rejected: usize,
}

fn write_err(e: std::io::Error) -> String {
    format!("cannot write the output: {e}")
}

impl Printer<'_> {
    fn outcome(&mut self, outcome: &Outcome, explained: &[WriteExplanation]) -> Result<(), String> {
        let (style, ctx) = (self.style, self.ctx);
        self.judged += 1;
        self.accepted += outcome.accepted;
        self.rejected += outcome.rejected.len();
        match self.args.format {
            Format::Json if self.args.explain => writeln!(
                self.out,
                "{}",
                output::explained_check_line(outcome, style, ctx, explained)
            ),
            Format::Json => {
                let line = serde_json::to_string(&output::check_line(outcome, style, ctx))
                    .unwrap_or_default();
                writeln!(self.out, "{line}")
            }
            Format::Text => {
                let mut block = text_block(outcome, style);
                if self.args.explain {
                    // The block ends with a blank line; the explanations go before it.
                    block.pop();
                    for e in explained {
                        block.push_str(&e.to_text(style));
                    }
                    block.push('\n');
                }
                write!(self.out, "{block}")
            }
        }
        .map_err(write_err)
    }

    /// A changeset of an UPLOAD that was integrated before: the server skips it.
    fn skipped(&mut self, client_version: u64) -> Result<(), String> {
        match self.args.format {
            Format::Json => writeln!(
                self.out,
                "{}",
                serde_json::json!({"client_version": client_version, "skipped": true})
            ),
            Format::Text => writeln!(
                self.out,
                "changeset at client version {client_version}: skipped, integrated before\n"
            ),
        }
        .map_err(write_err)
    }

    fn summary(self) -> Result<(), String> {
        if self.args.format == Format::Text {
            writeln!(
                self.out,
                "{}: {}, {}",
                count(self.judged, "changeset"),
                count(self.accepted, "write accepted"),
                count(self.rejected, "object reverted")
            )
            .map_err(write_err)?;
        }
        Ok(())
    }
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

fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
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
