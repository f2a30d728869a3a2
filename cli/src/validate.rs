//! `flexrules validate --app DIR`: lists every reason a role cannot serve Flexible Sync, and
//! the warnings a rules author needs.
//!
//! Text (the default): one line per problem on `out`, `FILE#POINTER: message` with FILE relative
//! to the app directory; a load error goes to `err`. JSON: one document on `out`,
//! `{"app", "errors", "warnings", "diagnostics": [...]}`, each diagnostic with its stable code,
//! file, pointer, line and column (docs/diagnostics.md); a load error is its only diagnostic.
//! Exit code 1 when the app cannot be loaded or any role is unusable; warnings alone exit 0.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use flexrules::api::output;
use flexrules::app::App;
use flexrules::diagnostic::{Diagnostic, Severity, locate_all};

use crate::check::Format;

/// Arguments of `flexrules validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// The exported app directory.
    #[arg(long, value_name = "DIR")]
    app: PathBuf,
    /// Output format: `text` lines for people, or one JSON document with stable codes.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Runs the subcommand and returns its exit code.
pub(crate) fn run(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let app_dir = &args.app;
    let json = args.format == Format::Json;
    let app = match App::load(app_dir) {
        Ok(app) => app,
        Err(e) => {
            // The error names a file inside the app directory (or the directory itself).
            let shown = app_dir.display().to_string();
            if json {
                let mut d = Diagnostic::from_app_error(&e);
                if d.position.is_none()
                    && let Some(pointer) = &d.pointer
                {
                    d.position =
                        crate::diagnostics::position_in_file(&app_dir.join(e.file()), pointer);
                }
                return print_json(app_dir, &[d], out);
            }
            let line = if e.file() == shown { e.to_string() } else { format!("{shown}/{e}") };
            // Nothing more can be reported if stderr itself fails.
            let _ = writeln!(err, "{line}");
            return 1;
        }
    };
    let problems = app.problems();
    let failed = u8::from(problems.iter().any(|p| p.is_error()));
    if json {
        // Every file is read and scanned once, however many problems it has.
        let mut by_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in problems.iter().enumerate() {
            by_file.entry(p.file()).or_default().push(i);
        }
        let mut positions = vec![None; problems.len()];
        for (file, indices) in by_file {
            let Ok(text) = std::fs::read_to_string(app_dir.join(file)) else { continue };
            let pointers: Vec<&str> =
                indices.iter().filter_map(|&i| problems.get(i)).map(|p| p.pointer()).collect();
            for (&i, position) in indices.iter().zip(locate_all(&text, &pointers)) {
                if let Some(slot) = positions.get_mut(i) {
                    *slot = position;
                }
            }
        }
        let diagnostics: Vec<Diagnostic> = problems
            .iter()
            .zip(positions)
            .map(|(p, position)| Diagnostic::from_problem(p).with_position(position))
            .collect();
        return print_json(app_dir, &diagnostics, out).max(failed);
    }
    for problem in &problems {
        if writeln!(out, "{problem}").is_err() {
            return 1;
        }
    }
    failed
}

/// Prints the JSON document; returns 1 if any diagnostic is an error or writing fails.
fn print_json(app_dir: &Path, diagnostics: &[Diagnostic], out: &mut dyn Write) -> u8 {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity() == s).count();
    let errors = count(Severity::Error);
    let document: Json = json!({
        "app": app_dir.display().to_string(),
        "errors": errors,
        "warnings": count(Severity::Warning),
        "diagnostics": diagnostics.iter().map(output::diagnostic).collect::<Vec<_>>(),
    });
    if writeln!(out, "{document}").is_err() {
        return 1;
    }
    u8::from(errors > 0)
}
