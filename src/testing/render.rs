//! The edge of the stage: test results (and coverage) as text, JSON and JUnit XML.
//!
//! The text ends with `N passed, M failed` on a line of its own, the closing line CI systems and
//! people look for; a failure shows expected against actual and then the explanation of the
//! verdict, exactly as `flexrules explain` prints it.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::coverage::Coverage;
use super::run::{Audience, Failure, FailureKind, TestResult};
use crate::judge::{Key, Style, Verdict};

/// Every test's result, and the coverage when it was gathered.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    results: Vec<TestResult>,
    coverage: Option<Coverage>,
}

fn verdict_text(v: &Verdict, style: Style) -> String {
    match v {
        Verdict::Accepted => "accepted".to_owned(),
        Verdict::Rejected(r) => format!("rejected ({})", r.log_reason(style)),
    }
}

fn object(table: &str, pk: &Key, style: Style) -> String {
    format!("{table} {}", pk.render(style))
}

fn optional_role(role: Option<&str>) -> String {
    role.map_or_else(|| "no role".to_owned(), |r| format!("\"{r}\""))
}

impl Failure {
    /// What differs, on one line: where (the changeset, the object), expected and actual.
    pub fn summary(&self) -> String {
        let st = self.style;
        let at = |table: &str, pk: &Key| match self.changeset {
            Some(i) => format!("changeset {}, {}", i + 1, object(table, pk, st)),
            None => object(table, pk, st),
        };
        match &self.kind {
            FailureKind::Verdict { table, pk, expected_accepted, actual } => format!(
                "{}: expected {}, actual {}",
                at(table, pk),
                if *expected_accepted { "accepted" } else { "rejected" },
                verdict_text(actual, st)
            ),
            FailureKind::Reason { table, pk, audience, expected, actual } => {
                let which = match audience {
                    Audience::Client => "client_reason",
                    Audience::Log => "log_reason",
                };
                format!(
                    "{}: {which}\n    expected: {expected}\n    actual:   {actual}",
                    at(table, pk)
                )
            }
            FailureKind::Role { table, pk, expected, actual } => format!(
                "{}: expected role {}, actual {}",
                at(table, pk),
                optional_role(expected.as_deref()),
                optional_role(actual.as_deref())
            ),
            FailureKind::Unexpected { table, pk, actual } => format!(
                "{}: unexpected verdict {}: no expectation names this object",
                at(table, pk),
                verdict_text(actual, st)
            ),
            FailureKind::NotWritten { table, pk } => {
                format!(
                    "{}: expected a verdict, but the changeset does not write it",
                    at(table, pk)
                )
            }
            FailureKind::SubscriptionRefused { expected: Some(expected), actual } => format!(
                "subscriptions: expected error\n    expected: {expected}\n    actual:   {actual}"
            ),
            FailureKind::SubscriptionRefused { expected: None, actual } => {
                format!("subscriptions: refused: {actual}")
            }
            FailureKind::SubscriptionAccepted { expected } => format!(
                "subscriptions: expected error\n    expected: {expected}\n    actual:   accepted"
            ),
        }
    }

    /// The summary, then the explanation of the verdict indented under it.
    pub fn to_text(&self) -> String {
        let mut s = format!("  {}\n", self.summary());
        if let Some(e) = &self.explanation {
            for line in e.to_text(self.style).lines() {
                s.push_str("    ");
                s.push_str(line);
                s.push('\n');
            }
        }
        s
    }

    fn to_json(&self) -> Json {
        let st = self.style;
        let pk_json =
            |pk: &Key| crate::value::ejson::to_json(&pk.to_bson(), 4).unwrap_or(Json::Null);
        let verdict = |v: &Verdict| match v {
            Verdict::Accepted => json!("accepted"),
            Verdict::Rejected(_) => json!("rejected"),
        };
        let mut j = match &self.kind {
            FailureKind::Verdict { table, pk, expected_accepted, actual } => json!({
                "kind": "verdict", "table": table, "pk": pk_json(pk),
                "expected": if *expected_accepted { "accepted" } else { "rejected" },
                "actual": verdict(actual)
            }),
            FailureKind::Reason { table, pk, audience, expected, actual } => json!({
                "kind": match audience { Audience::Client => "client_reason", Audience::Log => "log_reason" },
                "table": table, "pk": pk_json(pk), "expected": expected, "actual": actual
            }),
            FailureKind::Role { table, pk, expected, actual } => json!({
                "kind": "role", "table": table, "pk": pk_json(pk), "expected": expected,
                "actual": actual
            }),
            FailureKind::Unexpected { table, pk, actual } => json!({
                "kind": "unexpected verdict", "table": table, "pk": pk_json(pk),
                "actual": verdict(actual)
            }),
            FailureKind::NotWritten { table, pk } => {
                json!({"kind": "not written", "table": table, "pk": pk_json(pk)})
            }
            FailureKind::SubscriptionRefused { expected, actual } => {
                json!({"kind": "subscription error", "expected": expected, "actual": actual})
            }
            FailureKind::SubscriptionAccepted { expected } => {
                json!({"kind": "subscription error", "expected": expected, "actual": null})
            }
        };
        if let Verdict::Rejected(r) = match &self.kind {
            FailureKind::Verdict { actual, .. } | FailureKind::Unexpected { actual, .. } => actual,
            _ => &Verdict::Accepted,
        } && let Json::Object(m) = &mut j
        {
            m.insert("actual_log_reason".into(), json!(r.log_reason(st)));
        }
        if let Json::Object(m) = &mut j {
            m.insert("message".into(), json!(self.summary()));
            if let Some(i) = self.changeset {
                m.insert("changeset".into(), json!(i + 1));
            }
            if let Some(e) = &self.explanation {
                m.insert("explanation".into(), e.to_json(self.style));
            }
        }
        j
    }
}

impl TestResult {
    /// `ok` or `FAILED`, the file and the test's name, on one line.
    pub fn headline(&self) -> String {
        let status = if self.passed() { "ok    " } else { "FAILED" };
        format!("{status} {}: {}", self.file.display(), self.name)
    }
}

/// Escapes text for an XML attribute or element; characters XML 1.0 cannot hold are dropped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

impl Report {
    /// A report of `results`, with the coverage gathered while running them.
    pub fn new(results: Vec<TestResult>, coverage: Option<Coverage>) -> Report {
        Report { results, coverage }
    }

    /// The results, in the order the tests ran.
    pub fn results(&self) -> &[TestResult] {
        &self.results
    }

    /// How many tests passed.
    pub fn passed_count(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// How many tests failed.
    pub fn failed_count(&self) -> usize {
        self.results.len() - self.passed_count()
    }

    /// Whether every test passed.
    pub fn passed(&self) -> bool {
        self.failed_count() == 0
    }

    /// One line per test, each failure's details under it, the coverage report when gathered,
    /// then `N passed, M failed`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for r in &self.results {
            s.push_str(&r.headline());
            s.push('\n');
            for f in &r.failures {
                s.push_str(&f.to_text());
            }
        }
        if let Some(c) = &self.coverage {
            s.push('\n');
            s.push_str(&c.to_text());
            s.push('\n');
        }
        let _ = writeln!(s, "{} passed, {} failed", self.passed_count(), self.failed_count());
        s
    }

    /// `{"tests": [{"file", "name", "passed", "failures"}], "passed", "failed", "coverage"?}`.
    pub fn to_json(&self) -> Json {
        let tests: Vec<Json> = self
            .results
            .iter()
            .map(|r| {
                let failures: Vec<Json> = r.failures.iter().map(Failure::to_json).collect();
                json!({"file": r.file.display().to_string(), "name": r.name,
                       "passed": r.passed(), "failures": failures})
            })
            .collect();
        let mut j = json!({"tests": tests, "passed": self.passed_count(),
                           "failed": self.failed_count()});
        if let (Json::Object(m), Some(c)) = (&mut j, &self.coverage) {
            m.insert("coverage".into(), c.to_json());
        }
        j
    }

    /// JUnit XML: one `<testsuite>` per test file, one `<testcase>` per test, a `<failure>`
    /// with the text of each failing test. The coverage report, when gathered, is the
    /// `<system-out>` of the whole run.
    pub fn to_junit(&self) -> String {
        let mut files: Vec<(String, Vec<&TestResult>)> = Vec::new();
        for r in &self.results {
            let file = r.file.display().to_string();
            match files.iter_mut().find(|(f, _)| *f == file) {
                Some((_, list)) => list.push(r),
                None => files.push((file, vec![r])),
            }
        }
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            s,
            "<testsuites name=\"flexrules\" tests=\"{}\" failures=\"{}\">",
            self.results.len(),
            self.failed_count()
        );
        for (file, list) in &files {
            let failed = list.iter().filter(|r| !r.passed()).count();
            let _ = writeln!(
                s,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">",
                xml(file),
                list.len()
            );
            for r in list {
                let _ = write!(
                    s,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    xml(file),
                    xml(&r.name)
                );
                if r.passed() {
                    s.push_str("/>\n");
                    continue;
                }
                s.push_str(">\n");
                let first = r.failures.first().map(Failure::summary).unwrap_or_default();
                let first = first.lines().next().unwrap_or_default().to_owned();
                let body: String = r.failures.iter().map(Failure::to_text).collect();
                let _ = writeln!(
                    s,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    xml(&first),
                    if r.failures.len() == 1 { "expectation" } else { "expectations" },
                    xml(&body)
                );
                s.push_str("    </testcase>\n");
            }
            s.push_str("  </testsuite>\n");
        }
        if let Some(c) = &self.coverage {
            let _ = writeln!(s, "  <system-out>{}</system-out>", xml(&c.to_text()));
        }
        s.push_str("</testsuites>\n");
        s
    }
}
