//! `flexrules test`: runs rules test files and reports each test, optionally with coverage.
//!
//! Every file is read and checked before any test runs, and every unusable file is reported
//! (exit 1, naming the file, the line and the JSON pointer). Then every test runs; the last line
//! of the text output is `N passed, M failed`. Exit 0 when every test passed, 3 when one failed.

use std::path::PathBuf;

use flexrules::testing::{Coverage, Report, TestFile, discover};

/// The exit code when a test failed (0 and 1 keep the meanings they have for every command).
pub(crate) const FAILED: u8 = 3;

/// Output format of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One line per test, details under a failure, `N passed, M failed` last.
    Text,
    /// One JSON document.
    Json,
    /// JUnit XML, as CI systems read it.
    Junit,
}

/// Arguments of `flexrules test`.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// Test files, or directories whose `*.test.json` files are run.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Report which roles, filter clauses, field permissions and subscription sub-predicates
    /// the tests exercised, and first what they never did.
    #[arg(long)]
    coverage: bool,
}

/// Runs the subcommand; returns the exit code.
pub(crate) fn run(
    args: &TestArgs,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    let files = match discover(&args.paths) {
        Ok(files) => files,
        Err(e) => {
            let _ = writeln!(err, "flexrules: {e}");
            return 1;
        }
    };
    let mut loaded = Vec::with_capacity(files.len());
    let mut unusable = false;
    for path in &files {
        match TestFile::load(path) {
            Ok(file) => loaded.push(file),
            Err(e) => {
                let _ = writeln!(err, "flexrules: {e}");
                unusable = true;
            }
        }
    }
    if unusable {
        return 1;
    }
    let mut coverage = args.coverage.then(Coverage::new);
    let mut results = Vec::new();
    for file in &loaded {
        results.extend(file.run(coverage.as_mut()));
    }
    let report = Report::new(results, coverage);
    let written = match args.format {
        Format::Text => write!(out, "{}", report.to_text()),
        Format::Json => writeln!(out, "{}", report.to_json()),
        Format::Junit => write!(out, "{}", report.to_junit()),
    };
    if let Err(e) = written {
        let _ = writeln!(err, "flexrules: cannot write the output: {e}");
        return 1;
    }
    if report.passed() { 0 } else { FAILED }
}
