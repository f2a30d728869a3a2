//! `flexrules decode`: what a sync protocol message holds. An UPLOAD prints its header fields
//! and, per changeset, its instructions in the shape of realm-core's own parse; a file holding a
//! bare changeset (no header line) prints that changeset.

use std::io::Write;
use std::path::PathBuf;

use flexrules::Limits;
use flexrules::api::output;
use serde_json::Value as Json;

use crate::check::Format;

/// Arguments of `flexrules decode`.
#[derive(Debug, clap::Args)]
pub(crate) struct DecodeArgs {
    /// A message as a WebSocket binary frame carries it (UPLOAD, QUERY, IDENT, BIND), or one
    /// changeset's bytes.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Runs the subcommand; returns the exit code (1 when the bytes cannot be read).
pub(crate) fn run(args: &DecodeArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match decode(args) {
        Ok(json) => {
            let text = match args.format {
                Format::Json => json.to_string(),
                Format::Text => text(&json),
            };
            let _ = writeln!(out, "{text}");
            0
        }
        Err(message) => {
            let _ = writeln!(err, "flexrules: {message}");
            1
        }
    }
}

fn decode(args: &DecodeArgs) -> Result<Json, String> {
    let name = args.file.display();
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{name}: cannot read: {e}"))?;
    output::decoded(&bytes, &Limits::default()).map_err(|e| format!("{name}: {e}"))
}

/// One line per header field and per instruction.
fn text(json: &Json) -> String {
    let mut out = String::new();
    let Json::Object(m) = json else { return json.to_string() };
    let kind = m.get("message").and_then(Json::as_str).unwrap_or("message");
    out.push_str(kind);
    for (k, v) in m {
        if matches!(k.as_str(), "message" | "changesets" | "instructions" | "interned_strings") {
            continue;
        }
        out.push_str(&format!(" {k}={v}"));
    }
    out.push('\n');
    let changesets: Vec<&Json> = match m.get("changesets") {
        Some(Json::Array(list)) => list.iter().collect(),
        _ => vec![json],
    };
    for c in changesets {
        if let Some(v) = c.get("client_version") {
            out.push_str(&format!("changeset client_version={v}"));
            for k in ["last_integrated_server_version", "origin_timestamp", "origin_file_ident"] {
                out.push_str(&format!(" {k}={}", c.get(k).unwrap_or(&Json::Null)));
            }
            out.push('\n');
        }
        for i in c.get("instructions").and_then(Json::as_array).into_iter().flatten() {
            out.push_str(&format!("  {}\n", instruction_text(i)));
        }
    }
    out.trim_end().to_owned()
}

fn instruction_text(i: &Json) -> String {
    let mut s = i.get("instruction").and_then(Json::as_str).unwrap_or("?").to_owned();
    if let Some(t) = i.get("table").and_then(Json::as_str) {
        s.push_str(&format!(" {t}"));
    }
    if let Some(o) = i.get("object") {
        s.push_str(&format!(" {}", key_text(o)));
    }
    if let Some(f) = i.get("field").and_then(Json::as_str) {
        s.push_str(&format!(".{f}"));
    }
    for step in i.get("path").and_then(Json::as_array).into_iter().flatten() {
        match step.get("key").and_then(Json::as_str) {
            Some(k) => s.push_str(&format!("[{k:?}]")),
            None => s.push_str(&format!("[{step}]")),
        }
    }
    let rest: Vec<String> = i
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "instruction" | "type_code" | "table" | "object" | "field" | "path"
            )
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !rest.is_empty() {
        s.push_str(&format!(" {}", rest.join(" ")));
    }
    s
}

fn key_text(k: &Json) -> String {
    let ty = k.get("type").and_then(Json::as_str).unwrap_or("?");
    match k.get("value") {
        Some(v) => format!("{ty}({v})"),
        None => ty.to_owned(),
    }
}
