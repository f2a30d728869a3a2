//! Running a test file: one session per test, judged as a server judges, compared with what the
//! test expects.
//!
//! Every object a changeset writes must be named by an expectation; an object written but not
//! named is a failure of its own, so a test cannot pass by saying too little. A failing write
//! carries its explanation ([`Session::explain`]): the role, the filters with the values they
//! read, the field permissions and the query view, which is what a rules author needs to see.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::coverage::Coverage;
use super::file::{Body, Expectation, Step, TestCase, TestFile};
use crate::judge::{Key, Rejection, Session, Style, Verdict, WriteExplanation};
use crate::rules::{Bindings, RoleChoice};

/// The result of one test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// The test file.
    pub file: PathBuf,
    /// The test's name.
    pub name: String,
    /// Why the test failed; empty when it passed.
    pub failures: Vec<Failure>,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The 0-based changeset of the test the failure is about; `None` for the subscriptions.
    pub changeset: Option<usize>,
    /// The server wording the expectation was written in.
    pub style: Style,
    /// What differs.
    pub kind: FailureKind,
    /// Why the object got its verdict, for failures about a written object.
    pub explanation: Option<WriteExplanation>,
}

/// Which reason an expectation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// `client_reason`: what the client receives.
    Client,
    /// `log_reason`: what the App Services log shows.
    Log,
}

/// What differs between an expectation and what the session did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The verdict differs.
    Verdict {
        /// The object's table.
        table: String,
        /// The object's primary key.
        pk: Key,
        /// Whether the test expected the object accepted.
        expected_accepted: bool,
        /// What the session decided.
        actual: Verdict,
    },
    /// The object was rejected as expected, with another reason.
    Reason {
        /// The object's table.
        table: String,
        /// The object's primary key.
        pk: Key,
        /// Which reason.
        audience: Audience,
        /// The reason the test expected.
        expected: String,
        /// The reason the session gave.
        actual: String,
    },
    /// Another role (or none) was chosen for the object's table.
    Role {
        /// The object's table.
        table: String,
        /// The object's primary key.
        pk: Key,
        /// The role expected; `None` for "no role applies".
        expected: Option<String>,
        /// The role chosen; `None` when no role applies.
        actual: Option<String>,
    },
    /// The changeset writes an object no expectation names.
    Unexpected {
        /// The object's table.
        table: String,
        /// The object's primary key.
        pk: Key,
        /// What the session decided.
        actual: Verdict,
    },
    /// An expectation names an object the changeset does not write.
    NotWritten {
        /// The object's table.
        table: String,
        /// The object's primary key.
        pk: Key,
    },
    /// The subscriptions were refused, with another message or when none was expected.
    SubscriptionRefused {
        /// The message expected, when the test expected a refusal.
        expected: Option<String>,
        /// The message the server sends.
        actual: String,
    },
    /// The test expected the subscriptions to be refused, and they were accepted.
    SubscriptionAccepted {
        /// The message expected.
        expected: String,
    },
}

impl TestFile {
    /// Runs every test of the file, in order; `coverage`, when given, counts what the tests
    /// exercised.
    pub fn run(&self, mut coverage: Option<&mut Coverage>) -> Vec<TestResult> {
        if let Some(c) = coverage.as_deref_mut() {
            c.add_app(&self.app_dir, &self.app);
        }
        self.tests
            .iter()
            .map(|test| TestResult {
                file: self.path.clone(),
                name: test.name.clone(),
                failures: self.run_test(test, coverage.as_deref_mut()),
            })
            .collect()
    }

    fn run_test(&self, test: &TestCase, mut coverage: Option<&mut Coverage>) -> Vec<Failure> {
        let fail = |kind| Failure { changeset: None, style: test.style, kind, explanation: None };
        let bindings = Bindings::new(test.user.clone());
        let session = Session::new(&self.app, &bindings, &test.subscriptions);
        let steps = match (session.as_ref(), &test.body) {
            (Err(e), Body::SubscriptionError(expected)) => {
                let actual = e.server_message(test.style);
                if actual == *expected {
                    return Vec::new();
                }
                return vec![fail(FailureKind::SubscriptionRefused {
                    expected: Some(expected.clone()),
                    actual,
                })];
            }
            (Err(e), Body::Changesets(_)) => {
                let actual = e.server_message(test.style);
                return vec![fail(FailureKind::SubscriptionRefused { expected: None, actual })];
            }
            (Ok(_), Body::SubscriptionError(expected)) => {
                return vec![fail(FailureKind::SubscriptionAccepted {
                    expected: expected.clone(),
                })];
            }
            (Ok(_), Body::Changesets(steps)) => steps,
        };
        let Ok(session) = session else { return Vec::new() };
        let mut session = session.with_state(test.state.clone());
        if let Some(c) = coverage.as_deref_mut() {
            c.add_session(&self.app_dir, &self.app, &bindings, &test.subscriptions);
        }
        let mut failures = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            let explained = session.explain(&step.changeset);
            let outcome = session.judge(&step.changeset);
            if let Some(c) = coverage.as_deref_mut() {
                c.add_explanations(&self.app_dir, &session, &test.subscriptions, &explained);
            }
            let judged = Judged { rejected: &outcome.rejected, explained, style: test.style };
            compare(&session, index, step, judged, &mut failures);
        }
        failures
    }
}

/// What judging one changeset gave, in the test's server style.
struct Judged<'o> {
    rejected: &'o [Rejection],
    explained: Vec<WriteExplanation>,
    style: Style,
}

/// Compares the verdicts of one changeset with its expectations, adding a failure for each
/// difference, in the order the objects were written.
fn compare(
    session: &Session,
    index: usize,
    step: &Step,
    judged: Judged<'_>,
    failures: &mut Vec<Failure>,
) {
    let Judged { rejected, explained, style } = judged;
    let mut expected: BTreeMap<(String, Key), &Expectation> =
        step.expect.iter().map(|e| ((e.table.clone(), e.pk.clone()), e)).collect();
    for explanation in explained {
        let actual = rejected
            .iter()
            .find(|r| r.table == explanation.table && r.pk == explanation.pk)
            .map_or(Verdict::Accepted, |r| Verdict::Rejected(r.clone()));
        let (table, pk) = (explanation.table.clone(), explanation.pk.clone());
        let Some(e) = expected.remove(&(table.clone(), pk.clone())) else {
            failures.push(Failure {
                changeset: Some(index),
                style,
                kind: FailureKind::Unexpected { table, pk, actual },
                explanation: Some(explanation),
            });
            continue;
        };
        let kinds = differences(session, e, &actual);
        let mut explanation = Some(explanation);
        for kind in kinds {
            failures.push(Failure {
                changeset: Some(index),
                style: e.style,
                kind,
                explanation: explanation.take(),
            });
        }
    }
    for e in expected.into_values() {
        failures.push(Failure {
            changeset: Some(index),
            style: e.style,
            kind: FailureKind::NotWritten { table: e.table.clone(), pk: e.pk.clone() },
            explanation: None,
        });
    }
}

/// How one object's verdict differs from its expectation.
fn differences(session: &Session, e: &Expectation, actual: &Verdict) -> Vec<FailureKind> {
    let mut out = Vec::new();
    let (table, pk) = (e.table.clone(), e.pk.clone());
    match actual {
        Verdict::Rejected(r) if !e.accepted => {
            let reasons = [
                (Audience::Log, &e.log_reason, r.log_reason(e.style)),
                (Audience::Client, &e.client_reason, r.client_reason(e.style)),
            ];
            for (audience, want, got) in reasons {
                if let Some(want) = want
                    && *want != got
                {
                    out.push(FailureKind::Reason {
                        table: table.clone(),
                        pk: pk.clone(),
                        audience,
                        expected: want.clone(),
                        actual: got,
                    });
                }
            }
        }
        Verdict::Accepted if e.accepted => {}
        _ => out.push(FailureKind::Verdict {
            table: table.clone(),
            pk: pk.clone(),
            expected_accepted: e.accepted,
            actual: actual.clone(),
        }),
    }
    if let Some(want) = &e.role {
        let got = match session.role_choice(&e.table) {
            Some(RoleChoice::Role(role)) => Some(role.name().to_owned()),
            Some(RoleChoice::Incompatible { role, .. }) => Some(role.clone()),
            Some(RoleChoice::NoRole) | None => None,
        };
        if got != *want {
            out.push(FailureKind::Role { table, pk, expected: want.clone(), actual: got });
        }
    }
    out
}
