//! Compiles a query against the `Thing` test schema, translates it to a MongoDB filter, and
//! evaluates it on a BSON document.
//!
//! Input: query text, a NUL byte, then the bytes of a BSON document. Nothing may panic, and when
//! the bytes are a well-formed document (they re-encode to themselves), the raw and decoded
//! evaluations must agree.
#![no_main]

use bson::{Bson, Document, RawDocument, RawDocumentBuf};
use flexrules::schema::Table;
use flexrules::{Limits, compile, parse};
use libfuzzer_sys::fuzz_target;

static SCHEMA: &str = include_str!("../../fixtures/eval/thing.schema.json");

fuzz_target!(|data: &[u8]| {
    let (query, doc) = match data.iter().position(|&b| b == 0) {
        Some(at) => (data.get(..at).unwrap_or_default(), data.get(at + 1..).unwrap_or_default()),
        None => (data, &[][..]),
    };
    let Ok(query) = std::str::from_utf8(query) else { return };
    let Ok(table) = Table::from_json_str(SCHEMA) else { return };
    let Ok(ast) = parse(query) else { return };
    let args = [Bson::Int64(1), Bson::String("a".into()), Bson::Array(vec![Bson::Null, 2.5.into()])];
    let _ = flexrules::translate(&ast, &table, &args, &Limits::default());
    let Ok(compiled) = compile(&ast, &table, &args, &Limits::default()) else { return };
    let Ok(raw) = RawDocument::from_bytes(doc) else { return };
    let raw_answer = compiled.predicate().matches_raw(raw);
    let Ok(decoded) = Document::try_from(raw) else { return };
    let decoded_answer = compiled.predicate().matches(&decoded);
    if RawDocumentBuf::try_from(&decoded).is_ok_and(|again| again.as_bytes() == doc) {
        assert_eq!(raw_answer, decoded_answer, "raw and decoded disagree on {decoded}");
    }
    let _ = compiled.run(std::slice::from_ref(&decoded));
});
