//! The `flexrules` command line (the contract is the README's command-line section), a thin layer
//! over the library's public API: it reads files, calls the library and renders its typed results.
//!
//! Exit codes: 0 the command ran, 1 an input could not be used, 2 bad usage (clap's own code);
//! `test` exits 3 when a test failed.

mod check;
mod decode;
mod demo;
mod diagnostics;
mod impact;
mod query;
mod test;
mod translate;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The `flexrules` binary.
#[derive(Debug, Parser)]
#[command(
    name = "flexrules",
    version,
    about = "Realm Query Language and App Services rules engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate Realm Query Language over NDJSON objects.
    Query(query::QueryArgs),
    /// Print the MongoDB filter (Extended JSON) that selects what a Flexible Sync query selects.
    Translate(translate::TranslateArgs),
    /// Check an exported App Services app's rules for Flexible Sync compatibility.
    Validate(validate::ValidateArgs),
    /// Judge uploaded changesets as a Flexible Sync server does: verdicts and compensating writes.
    Check(check::CheckArgs),
    /// Judge uploaded changesets like `check` and explain every verdict: the role, the write
    /// filter with its bound values, the field permissions and the query view, each with the
    /// values read from the object (the same as `check --explain`).
    Explain(check::CheckArgs),
    /// Print what a sync protocol message (UPLOAD, QUERY, IDENT, BIND) or a changeset holds.
    Decode(decode::DecodeArgs),
    /// Which objects enter and leave a user's views, which subscriptions become invalid and
    /// which role applies, when the app's rules or the user change.
    Impact(impact::ImpactArgs),
    /// Replay the Flutter SDK docs' compensating-write scenario with the Car app.
    Demo,
    /// Run rules test files: expected verdicts, reasons and subscription errors, judged as a
    /// server judges them; `--coverage` reports what the tests never exercised.
    Test(test::TestArgs),
}

/// Runs the command line with the process arguments and returns the exit code.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = match cli.command {
        Command::Query(args) => query::run(&args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Translate(args) => translate::run(&args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Validate(args) => validate::run(&args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Check(args) => check::run(&args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Explain(mut args) => {
            args.explain = true;
            check::run(&args, &mut stdout.lock(), &mut stderr.lock())
        }
        Command::Decode(args) => decode::run(&args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Impact(args) => impact::run(&args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Demo => demo::run(&mut stdout.lock(), &mut stderr.lock()),
        Command::Test(args) => test::run(&args, &mut stdout.lock(), &mut stderr.lock()),
    };
    ExitCode::from(code)
}
