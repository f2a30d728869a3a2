//! `flexrules check`: judges uploaded changesets the way a Flexible Sync server does.
//!
//! Every input is read and checked before anything is judged, so a malformed line stops the
//! command (exit 1, naming `FILE:LINE`) before any verdict is printed. Verdicts, rejections and
//! the compensating-write errors they produce are results: the command exits 0.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use flexrules::api::output;
use flexrules::app::{App, AppError};
use flexrules::diagnostic::{Code, Diagnostic, locate, locate_in_string};
use flexrules::judge::{
    Changeset, ErrorContext, InputError, Outcome, QueryErrorKind, Session, State, Style,
    Subscription, WriteExplanation, state_entry_from_json,
};
use flexrules::protocol::{Message, Upload};
use flexrules::rules::{Bindings, User, UserErrorKind};
use flexrules::span::LineCol;

use crate::diagnostics::{Failure, position_in_file, position_in_line};

/// Output format of `check` and `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One block per changeset, for people.
    Text,
    /// One JSON line per changeset (`validate`: one JSON document); an input that cannot be
    /// used is reported as one JSON diagnostic line on stderr.
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
    exit_code(run_inner(args, out), args.format == Format::Json, err)
}

/// The exit code of a command's outcome: 0, or 1 with the failure on `err` (as a JSON
/// diagnostic when `json`).
pub(crate) fn exit_code(
    outcome: Result<(), Failure>,
    json: bool,
    err: &mut dyn std::io::Write,
) -> u8 {
    match outcome {
        Ok(()) => 0,
        Err(failure) => {
            failure.report(json, err);
            1
        }
    }
}

fn run_inner(args: &CheckArgs, out: &mut dyn std::io::Write) -> Result<(), Failure> {
    let style = Style::from(args.server_style);
    let app = load_app(&args.app)?;
    let user = load_user(&args.user)?;
    let bindings = Bindings::new(user);
    let subscriptions = match &args.subscriptions {
        Some(subs_path) => {
            let (subs_text, subs) = load_subscriptions(subs_path)?;
            Some((subs_path, subs_text, subs))
        }
        None => None,
    };
    let state = match &args.state {
        Some(path) => load_state(path)?,
        None => State::new(),
    };
    let source = match &args.changesets {
        Some(path) => {
            let mut changesets = Vec::new();
            for (line, text, json) in ndjson(path)? {
                changesets.push(
                    Changeset::from_json(&json)
                        .map_err(|e| input_failure(path, line, &text, &e))?,
                );
            }
            Source::Json(changesets)
        }
        None => {
            if args.explain {
                return Err(arguments_failure(
                    "--explain reads --changesets; it does not take --upload yet",
                ));
            }
            let mut uploads = Vec::new();
            for path in &args.upload {
                let bytes = read_bytes(path)?;
                match Message::decode(&bytes, app.limits()) {
                    Ok(Message::Upload(u)) => uploads.push((path, u)),
                    Ok(_) => return Err(message_failure(path, "not an upload message".into())),
                    Err(e) => return Err(message_failure(path, e.to_string())),
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
                let text = format!(
                    "{}: {e} (the server answers `{}`)",
                    path.display(),
                    String::from_utf8_lossy(head)
                );
                let code = match e.kind() {
                    QueryErrorKind::Subscription(s) => s.kind().code(),
                    _ => Code::BadMessage,
                };
                Failure::new(text, Diagnostic::new(code, shown(path), e.to_string()))
            })?
        }
        (None, Some((subs_path, subs_text, subs))) => {
            Session::new(&app, &bindings, &subs).map_err(|e| {
                let pointer = format!("/{}/query", e.index());
                let message = e.server_message(style);
                // Where the part of the query at fault is, or else where the query is.
                let position = e
                    .span()
                    .and_then(|span| locate_in_string(&subs_text, &pointer, span.start()))
                    .or_else(|| locate(&subs_text, &pointer));
                let d = Diagnostic::new(e.kind().code(), shown(subs_path), message.clone())
                    .with_pointer(&pointer)
                    .with_position(position)
                    .with_hint(e.suggestion().map(|s| format!("did you mean '{s}'?")));
                Failure::new(format!("{}#/{}: {message}", subs_path.display(), e.index()), d)
            })?
        }
        (None, None) => {
            return Err(arguments_failure("one of --subscriptions and --query is needed"));
        }
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
                    let mut failure = message_failure(path, e.to_string());
                    failure.text.push_str(&format!(" (the server answers error {})", e.code()));
                    failure
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

fn write_err(e: std::io::Error) -> Failure {
    let message = format!("cannot write the output: {e}");
    Failure::new(message.clone(), Diagnostic::new(Code::OutputNotWritten, "", message))
}

impl Printer<'_> {
    fn outcome(
        &mut self,
        outcome: &Outcome,
        explained: &[WriteExplanation],
    ) -> Result<(), Failure> {
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
    fn skipped(&mut self, client_version: u64) -> Result<(), Failure> {
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

    fn summary(self) -> Result<(), Failure> {
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
pub(crate) fn load_app(dir: &Path) -> Result<App, Failure> {
    App::load(dir).map_err(|e| app_failure(dir, &e))
}

/// A `--user` file.
pub(crate) fn load_user(path: &Path) -> Result<User, Failure> {
    User::from_json_str(&read(path)?).map_err(|e| {
        let d = Diagnostic::new(e.kind().code(), shown(path), e.kind().to_string());
        let d = match e.kind() {
            UserErrorKind::Json { line, column, .. } => {
                d.with_position(Some(LineCol { line: *line, column: *column }))
            }
            _ => {
                let position = position_in_file(path, e.pointer());
                d.with_pointer(e.pointer()).with_position(position)
            }
        };
        Failure::new(format!("{}: {e}", path.display()), d)
    })
}

/// A `--subscriptions` file, with its text (refusals are located in it); errors name the JSON
/// pointer.
pub(crate) fn load_subscriptions(path: &Path) -> Result<(String, Vec<Subscription>), Failure> {
    let text = read(path)?;
    let json: Json = serde_json::from_str(&text).map_err(|e| {
        let d = Diagnostic::new(Code::MalformedJson, shown(path), format!("malformed JSON: {e}"))
            .with_position(Some(LineCol { line: e.line(), column: e.column() }));
        Failure::new(format!("{}: malformed JSON: {e}", path.display()), d)
    })?;
    let subs = Subscription::list_from_json(&json).map_err(|e| {
        let d = Diagnostic::new(e.kind().code(), shown(path), e.kind().to_string())
            .with_pointer(e.pointer())
            .with_position(locate(&text, e.pointer()));
        Failure::new(format!("{}#{}: {}", path.display(), e.pointer(), e.kind()), d)
    })?;
    Ok((text, subs))
}

/// A `--state` file; errors name the line.
pub(crate) fn load_state(path: &Path) -> Result<State, Failure> {
    let mut state = State::new();
    for (line, text, json) in ndjson(path)? {
        let (table, pk, object) =
            state_entry_from_json(&json).map_err(|e| input_failure(path, line, &text, &e))?;
        state.put(&table, pk, object);
    }
    Ok(state)
}

/// A failure to write the command's output.
pub(crate) fn output_failure(e: impl std::fmt::Display) -> Failure {
    let message = format!("cannot write the output: {e}");
    Failure::new(message.clone(), Diagnostic::new(Code::OutputNotWritten, "", message))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| unreadable(path, &e))
}

/// A file that cannot be read, text or bytes alike.
fn unreadable(path: &Path, e: &std::io::Error) -> Failure {
    let message = format!("cannot read: {e}");
    Failure::new(
        format!("{}: {message}", path.display()),
        Diagnostic::new(Code::UnreadableFile, shown(path), message),
    )
}

/// A sync-protocol message file (`--upload`, `--query`) the server refuses as a whole.
fn message_failure(path: &Path, message: String) -> Failure {
    Failure::new(
        format!("{}: {message}", path.display()),
        Diagnostic::new(Code::BadMessage, shown(path), message),
    )
}

/// Arguments that parse but do not go together.
fn arguments_failure(message: &str) -> Failure {
    Failure::new(message, Diagnostic::new(Code::InvalidArguments, "", message))
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// The failure of an app that cannot be loaded: the text names the file inside the app
/// directory (or the directory itself).
pub(crate) fn app_failure(app_dir: &Path, e: &AppError) -> Failure {
    let dir = shown(app_dir);
    let text = if e.file() == dir { e.to_string() } else { format!("{dir}/{e}") };
    let mut d = Diagnostic::from_app_error(e);
    if d.position.is_none()
        && let Some(pointer) = &d.pointer
    {
        d.position = position_in_file(&app_dir.join(e.file()), pointer);
    }
    if e.file() != dir {
        d.file = format!("{dir}/{}", e.file());
    }
    Failure::new(text, d)
}

/// A line of an NDJSON input that is not a usable subscription, state entry or changeset.
fn input_failure(path: &Path, line: usize, text: &str, e: &InputError) -> Failure {
    let d = Diagnostic::new(e.kind().code(), shown(path), e.kind().to_string())
        .with_pointer(e.pointer())
        .with_position(Some(position_in_line(text, line, e.pointer())));
    Failure::new(format!("{}:{line}: {e}", path.display()), d)
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| unreadable(path, &e))
}

/// The non-blank lines of an NDJSON file, each with its 1-based line number, its text and its
/// parsed value.
fn ndjson(path: &Path) -> Result<Vec<(usize, String, Json)>, Failure> {
    let text = read(path)?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let json: Json = serde_json::from_str(line).map_err(|e| {
            let message = format!("malformed JSON: {e}");
            let d = Diagnostic::new(Code::MalformedJson, shown(path), message.clone())
                .with_position(Some(LineCol { line: n + 1, column: e.column() }));
            Failure::new(format!("{}:{}: {message}", path.display(), n + 1), d)
        })?;
        out.push((n + 1, line.to_owned(), json));
    }
    Ok(out)
}
