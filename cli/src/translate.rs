//! `flexrules translate`: print the MongoDB filter a query becomes.

use std::io::Write;
use std::path::PathBuf;

use serde_json::Value as Json;

use flexrules::limits::Limits;
use flexrules::schema::Table;
use flexrules::value::ejson;

/// Arguments of `flexrules translate`.
#[derive(Debug, clap::Args)]
pub(crate) struct TranslateArgs {
    /// App Services JSON Schema of the collection.
    #[arg(long)]
    schema: PathBuf,
    /// An argument `$0`, `$1`, … as Extended JSON (repeatable).
    #[arg(long = "arg", value_name = "EJSON")]
    args: Vec<String>,
    /// The query.
    query: String,
}

/// Runs the subcommand; returns the exit code (1 when the query has no exact filter).
pub(crate) fn run(args: &TranslateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run_inner(args, out) {
        Ok(()) => 0,
        Err(message) => {
            let _ = writeln!(err, "flexrules: {message}");
            1
        }
    }
}

fn run_inner(args: &TranslateArgs, out: &mut dyn Write) -> Result<(), String> {
    let limits = Limits::default();
    let schema_text = std::fs::read_to_string(&args.schema)
        .map_err(|e| format!("{}: cannot read: {e}", args.schema.display()))?;
    let table =
        Table::from_json_str(&schema_text).map_err(|e| format!("{}#{e}", args.schema.display()))?;
    let mut bargs = Vec::with_capacity(args.args.len());
    for (i, a) in args.args.iter().enumerate() {
        let json: Json =
            serde_json::from_str(a).map_err(|e| format!("--arg {i}: malformed JSON: {e}"))?;
        bargs.push(ejson::from_json(json).map_err(|e| format!("--arg {i}: {e}"))?);
    }
    let ast = flexrules::rql::parse_with(&args.query, &limits).map_err(|e| e.to_string())?;
    let filter =
        flexrules::translate::translate(&ast, &table, &bargs, &limits).map_err(|e| {
            match e.kind() {
                flexrules::translate::TranslateErrorKind::Compile(c) => c.realm_message(),
                _ => e.to_string(),
            }
        })?;
    let json = flexrules::api::output::filter(&filter, &limits)?;
    writeln!(out, "{json}").map_err(|e| format!("cannot write the output: {e}"))
}
