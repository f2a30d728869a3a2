//! The JSON the command line prints with `--format json` and the API answers in `result`: one
//! serialisation for both, so the two cannot drift apart.
//!
//! Each function turns a typed result of the engine into its JSON form; the command line writes
//! it as a line, the API embeds it in a response.

use bson::{Bson, Document};
use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::Limits;
use crate::diagnostic::Diagnostic;
use crate::judge::WriteExplanation;
use crate::judge::{Body, CompensatingWrite, ErrorContext, Outcome, Rejection, Style, Verdict};
use crate::protocol::{Changeset, Message, ProtocolError, changeset_json};
use crate::rules::Problem;
use crate::value::ejson;

/// Depth allowed when writing a primary key as Extended JSON: keys are scalars.
const KEY_DEPTH: u32 = 4;

/// The `--format json` line of one judged changeset (cli.md `check`): `client_version`,
/// `accepted`, `rejected` (table, pk, reason, log_reason) and `error` (the 231 message or null).
/// Serialise it with serde; fields keep the order of cli.md.
#[derive(Debug, Serialize)]
pub struct CheckLine<'a> {
    client_version: i64,
    accepted: usize,
    rejected: Vec<RejectedLine>,
    error: Option<ErrorLine<'a>>,
}

#[derive(Debug, Serialize)]
struct RejectedLine {
    table: String,
    pk: Json,
    reason: String,
    log_reason: String,
}

#[derive(Debug, Serialize)]
struct ErrorLine<'a> {
    error_code: u16,
    message: &'static str,
    body: Body<'a>,
    wire: String,
    log: String,
}

fn rejected_line(r: &Rejection, style: Style) -> RejectedLine {
    RejectedLine {
        table: r.table.clone(),
        pk: ejson::to_json(&r.pk.to_bson(), KEY_DEPTH).unwrap_or(Json::Null),
        reason: r.client_reason(style),
        log_reason: r.log_reason(style),
    }
}

/// The line of `check --format json` for one changeset's outcome.
pub fn check_line<'a>(outcome: &Outcome, style: Style, ctx: &'a ErrorContext) -> CheckLine<'a> {
    CheckLine {
        client_version: outcome.client_version,
        accepted: outcome.accepted,
        rejected: outcome.rejected.iter().map(|r| rejected_line(r, style)).collect(),
        error: outcome.error.as_ref().map(|e| ErrorLine {
            error_code: CompensatingWrite::CODE,
            message: style.compensating_write_message(),
            body: e.body_fields(style, ctx),
            wire: e.wire(style, ctx),
            log: e.log_entry(style),
        }),
    }
}

/// The line of `check --explain --format json` (and `explain --format json`): the check line
/// with an `explanations` array, one entry per object written.
pub fn explained_check_line(
    outcome: &Outcome,
    style: Style,
    ctx: &ErrorContext,
    explained: &[WriteExplanation],
) -> Json {
    let mut line = serde_json::to_value(check_line(outcome, style, ctx)).unwrap_or(Json::Null);
    if let Json::Object(m) = &mut line {
        let list = explained.iter().map(|e| e.to_json(style)).collect();
        m.insert("explanations".into(), Json::Array(list));
    }
    line
}

/// A single write's verdict: `{"accepted": true}`, or `{"accepted": false}` with the table,
/// primary key and both wordings of the reason, as in a check line's `rejected` entries.
pub fn verdict(verdict: &Verdict, style: Style) -> Json {
    match verdict {
        Verdict::Accepted => json!({"accepted": true}),
        Verdict::Rejected(r) => {
            let line = rejected_line(r, style);
            json!({"accepted": false, "table": line.table, "pk": line.pk,
                   "reason": line.reason, "log_reason": line.log_reason})
        }
    }
}

/// The primary key (`_id`) of an object as `query` prints it: Extended JSON, null when absent.
pub fn object_key(object: &Document, limits: &Limits) -> Json {
    object
        .get("_id")
        .map_or(Json::Null, |v| ejson::to_json(v, limits.max_document_depth).unwrap_or(Json::Null))
}

/// One answer of `query --batch`: the keys of the matching objects.
pub fn batch_matches(keys: Vec<Json>) -> Json {
    json!({ "matches": keys })
}

/// One answer of `query --batch` for a line that could not be answered.
pub fn batch_error(message: &str) -> Json {
    json!({ "error": message })
}

/// The MongoDB filter `translate` prints, as relaxed Extended JSON.
pub fn filter(filter: &Document, limits: &Limits) -> Result<Json, String> {
    ejson::to_json(&Bson::Document(filter.clone()), limits.max_document_depth)
        .map_err(|e| format!("the filter cannot be written as Extended JSON: {e}"))
}

/// One problem `validate` reports: the file and pointer, the role, whether it makes the role
/// unusable (`"error"`) or is a `"warning"`, the message, and the line `validate` prints.
pub fn problem(problem: &Problem) -> Json {
    json!({
        "code": problem.kind().code().code(),
        "name": problem.kind().code().name(),
        "file": problem.file(),
        "pointer": problem.pointer(),
        "role": problem.role(),
        "severity": if problem.is_error() { "error" } else { "warning" },
        "message": problem.kind().to_string(),
        "text": problem.to_string(),
    })
}

/// One diagnostic as the command line prints it with `--format json`: `code`, `name`,
/// `severity`, `file`, `pointer`, `line`, `column`, `role`, `message`, `hint`, absent parts
/// `null`, so that every diagnostic has the same members.
pub fn diagnostic(d: &Diagnostic) -> Json {
    json!({
        "code": d.code.code(),
        "name": d.code.name(),
        "severity": d.severity().as_str(),
        "file": d.file,
        "pointer": d.pointer,
        "line": d.position.map(|p| p.line),
        "column": d.position.map(|p| p.column),
        "role": d.role,
        "message": d.message,
        "hint": d.hint,
    })
}

/// What `decode --format json` prints for protocol bytes: a message (UPLOAD, QUERY, IDENT, BIND)
/// with its changesets, or one bare changeset marked `"message": "changeset"`.
pub fn decoded(bytes: &[u8], limits: &Limits) -> Result<Json, ProtocolError> {
    // A message starts with its lowercase type and a space; a changeset starts with a type code.
    let is_message = bytes.iter().take_while(|b| b.is_ascii_lowercase() || **b == b'_').count() > 0
        && bytes.contains(&b'\n');
    if is_message {
        Ok(Message::decode(bytes, limits)?.to_json())
    } else {
        let c = Changeset::decode(bytes, limits)?;
        let mut json = changeset_json(&c);
        if let Json::Object(m) = &mut json {
            m.insert("message".into(), Json::from("changeset"));
        }
        Ok(json)
    }
}

/// The `--format json` answer of `impact`: per table the primary keys entering and leaving the
/// view, the subscriptions refused after (and before) the change with their error 226 message,
/// and the role chosen per table before and after (`{"name", "usable"}`, null for no role).
pub fn impact(
    impact: &crate::fanout::Impact,
    subscriptions: &[crate::judge::Subscription],
    style: Style,
) -> ImpactLine {
    let keys = |ks: &[crate::judge::Key]| -> Vec<Json> {
        ks.iter().map(|k| ejson::to_json(&k.to_bson(), KEY_DEPTH).unwrap_or(Json::Null)).collect()
    };
    let invalid = |errors: &[crate::judge::SubscriptionError]| -> Vec<Json> {
        errors
            .iter()
            .map(|e| {
                let sub = subscriptions.get(e.index());
                json!({"index": e.index(), "name": sub.and_then(|s| s.name.clone()),
                       "table": e.table(), "query": sub.map(|s| s.query.clone()),
                       "error_code": 226, "message": e.server_message(style)})
            })
            .collect()
    };
    let mut tables = serde_json::Map::new();
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    for (name, t) in &impact.tables {
        tables.insert(name.clone(), json!({"enter": keys(&t.enter), "leave": keys(&t.leave)}));
        before.insert(name.clone(), role(&t.role_before));
        after.insert(name.clone(), role(&t.role_after));
    }
    ImpactLine {
        tables,
        subscriptions_invalid: invalid(&impact.invalid_after),
        subscriptions_invalid_before: invalid(&impact.invalid_before),
        role_before: before,
        role_after: after,
    }
}

/// The `impact` answer; serialise it with serde, fields keep the order the command line
/// documents.
#[derive(Debug, Serialize)]
pub struct ImpactLine {
    tables: serde_json::Map<String, Json>,
    subscriptions_invalid: Vec<Json>,
    subscriptions_invalid_before: Vec<Json>,
    role_before: serde_json::Map<String, Json>,
    role_after: serde_json::Map<String, Json>,
}

/// A role choice as `impact` prints it.
fn role(choice: &crate::rules::RoleChoice) -> Json {
    use crate::rules::RoleChoice;
    match choice {
        RoleChoice::Role(r) => json!({"name": r.name(), "usable": true}),
        RoleChoice::Incompatible { role, .. } => json!({"name": role, "usable": false}),
        RoleChoice::NoRole => Json::Null,
    }
}
