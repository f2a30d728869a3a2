//! Diagnostics at the command line's edge: a failure carries its stable-code diagnostic for
//! `--format json` and the exact text line the text format has always printed.

use std::io::Write;
use std::path::Path;

use flexrules::api::output;
use flexrules::diagnostic::{Diagnostic, locate};
use flexrules::span::LineCol;

/// A command that could not run: what to print for people and for machines.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The text form, printed after `flexrules: `.
    pub(crate) text: String,
    /// The machine form (boxed: failures travel in `Result`s that are usually `Ok`).
    pub(crate) diagnostic: Box<Diagnostic>,
}

impl Failure {
    /// A failure whose text is `text` and whose diagnostic is `diagnostic`.
    pub(crate) fn new(text: impl Into<String>, diagnostic: Diagnostic) -> Failure {
        Failure { text: text.into(), diagnostic: Box::new(diagnostic) }
    }

    /// Writes the failure to `err`: `flexrules: TEXT`, or the diagnostic as one JSON line.
    pub(crate) fn report(&self, json: bool, err: &mut dyn Write) {
        // Nothing more can be reported if stderr itself fails.
        let _ = if json {
            writeln!(err, "{}", output::diagnostic(&self.diagnostic))
        } else {
            writeln!(err, "flexrules: {}", self.text)
        };
    }
}

/// Where `pointer` is in the JSON file at `path`, if the file can be read and has the node.
pub(crate) fn position_in_file(path: &Path, pointer: &str) -> Option<LineCol> {
    let text = std::fs::read_to_string(path).ok()?;
    locate(&text, pointer)
}

/// Where `pointer` is within line `line` (1-based) of an NDJSON file whose text is `text`.
pub(crate) fn position_in_line(line_text: &str, line: usize, pointer: &str) -> LineCol {
    let column = locate(line_text, pointer).map_or(1, |p| p.column);
    LineCol { line, column }
}
