//! `flexrules query`: evaluate one query, or a batch of them, over a file of objects.

use std::io::Write;
use std::path::{Path, PathBuf};

use bson::{Bson, Document};
use serde_json::Value as Json;

use flexrules::api::output;
use flexrules::limits::Limits;
use flexrules::schema::Table;
use flexrules::value::ejson;
use flexrules::{CompiledQuery, compile};

/// Arguments of `flexrules query`.
#[derive(Debug, clap::Args)]
pub(crate) struct QueryArgs {
    /// App Services JSON Schema of the collection.
    #[arg(long)]
    schema: PathBuf,
    /// NDJSON file of Extended JSON objects.
    #[arg(long)]
    objects: PathBuf,
    /// An argument `$0`, `$1`, … as Extended JSON (repeatable).
    #[arg(long = "arg", value_name = "EJSON")]
    args: Vec<String>,
    /// NDJSON file of `{"query": "...", "args": [...]}` lines.
    #[arg(long, conflicts_with = "query")]
    batch: Option<PathBuf>,
    /// The query.
    #[arg(required_unless_present = "batch")]
    query: Option<String>,
}

/// Runs the subcommand; returns the exit code.
pub(crate) fn run(args: &QueryArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run_inner(args, out) {
        Ok(()) => 0,
        Err(message) => {
            let _ = writeln!(err, "flexrules: {message}");
            1
        }
    }
}

fn run_inner(args: &QueryArgs, out: &mut dyn Write) -> Result<(), String> {
    let limits = Limits::default();
    let schema_text = read(&args.schema)?;
    let table =
        Table::from_json_str(&schema_text).map_err(|e| format!("{}#{e}", args.schema.display()))?;
    let objects = read_objects(&args.objects)?;
    let keys: Vec<Json> = objects.iter().map(|d| output::object_key(d, &limits)).collect();
    let write_err = |e: std::io::Error| format!("cannot write the output: {e}");
    if let Some(batch) = &args.batch {
        // Read as bytes: a line that is not UTF-8 gets its own error answer, and the other
        // lines are still answered.
        let bytes =
            std::fs::read(batch).map_err(|e| format!("{}: cannot read: {e}", batch.display()))?;
        for (n, line) in lines(&bytes).enumerate() {
            let answer = match std::str::from_utf8(line)
                .map_err(|_| BatchError::Line("invalid UTF-8".to_owned()))
                .and_then(|line| batch_line(line, &table, &objects, &keys, &limits))
            {
                Ok(matches) => output::batch_matches(matches),
                Err(BatchError::Query(m)) => output::batch_error(&m),
                Err(BatchError::Line(m)) => {
                    output::batch_error(&format!("{}:{}: {m}", batch.display(), n + 1))
                }
            };
            writeln!(out, "{answer}").map_err(write_err)?;
        }
        return Ok(());
    }
    let query = args.query.as_deref().unwrap_or_default();
    let mut bargs = Vec::with_capacity(args.args.len());
    for (i, a) in args.args.iter().enumerate() {
        let json: Json =
            serde_json::from_str(a).map_err(|e| format!("--arg {i}: malformed JSON: {e}"))?;
        bargs.push(ejson::from_json(json).map_err(|e| format!("--arg {i}: {e}"))?);
    }
    // A person reads this error: the query with a caret under the part at fault, and the
    // nearest property name for an unknown one.
    let ast = flexrules::rql::parse_with(query, &limits).map_err(|e| e.render(query))?;
    let compiled = compile(&ast, &table, &bargs, &limits).map_err(|e| e.render(query))?;
    for i in compiled.run(objects.as_slice()) {
        if let Some(k) = keys.get(i) {
            writeln!(out, "{k}").map_err(write_err)?;
        }
    }
    Ok(())
}

/// The lines of `bytes` as `str::lines` splits text: on `\n`, without a final empty line, and
/// with one trailing `\r` removed from each.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let empty = bytes.is_empty();
    body.split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

enum BatchError {
    /// The query did not parse or bind: realm-core's message.
    Query(String),
    /// The input line itself is unusable.
    Line(String),
}

fn batch_line(
    line: &str,
    table: &Table,
    objects: &[Document],
    keys: &[Json],
    limits: &Limits,
) -> Result<Vec<Json>, BatchError> {
    let json: Json =
        serde_json::from_str(line).map_err(|e| BatchError::Line(format!("malformed JSON: {e}")))?;
    let Some(query) = json.get("query").and_then(Json::as_str) else {
        return Err(BatchError::Line("missing string `query`".to_owned()));
    };
    let mut args = Vec::new();
    match json.get("args") {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            for item in items {
                args.push(
                    ejson::from_json(item.clone())
                        .map_err(|e| BatchError::Line(format!("bad argument: {e}")))?,
                );
            }
        }
        Some(_) => return Err(BatchError::Line("`args` must be an array".to_owned())),
    }
    let compiled = compile_query(query, table, &args, limits).map_err(BatchError::Query)?;
    Ok(compiled.run(objects).into_iter().filter_map(|i| keys.get(i).cloned()).collect())
}

/// Compiles a batch line's query; the error is the bare message, as the batch output's
/// contract (and the oracle comparing it with realm-core) wants.
fn compile_query(
    query: &str,
    table: &Table,
    args: &[Bson],
    limits: &Limits,
) -> Result<CompiledQuery, String> {
    let ast = flexrules::rql::parse_with(query, limits).map_err(|e| e.to_string())?;
    compile(&ast, table, args, limits).map_err(|e| e.realm_message())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

fn read_objects(path: &Path) -> Result<Vec<Document>, String> {
    let text = read(path)?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = |m: String| format!("{}:{}: {m}", path.display(), n + 1);
        let json: Json =
            serde_json::from_str(line).map_err(|e| at(format!("malformed JSON: {e}")))?;
        match ejson::from_json(json).map_err(|e| at(e.to_string()))? {
            Bson::Document(d) => out.push(d),
            _ => return Err(at("expected a JSON object".to_owned())),
        }
    }
    Ok(out)
}
