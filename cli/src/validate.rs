//! `flexrules validate --app DIR`: lists every reason a role cannot serve Flexible Sync.
//!
//! One line per problem on `out`, `FILE#POINTER: message` with FILE relative to the app
//! directory. Exit code 1 when the app cannot be loaded (the error, naming its file, goes to
//! `err`) or when any role is unusable; warnings alone (an ignored unknown key) exit 0.

use std::io::Write;
use std::path::Path;

use flexrules::app::App;

/// Runs the subcommand and returns its exit code.
pub(crate) fn run(app_dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let app = match App::load(app_dir) {
        Ok(app) => app,
        Err(e) => {
            // The error names a file inside the app directory (or the directory itself).
            let shown = app_dir.display().to_string();
            let line = if e.file() == shown { e.to_string() } else { format!("{shown}/{e}") };
            // Nothing more can be reported if stderr itself fails.
            let _ = writeln!(err, "{line}");
            return 1;
        }
    };
    let problems = app.problems();
    for problem in &problems {
        if writeln!(out, "{problem}").is_err() {
            return 1;
        }
    }
    u8::from(problems.iter().any(|p| p.is_error()))
}
