//! Test files that cannot be used: the file, the line and the JSON pointer of the node at fault.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::app::AppError;
use crate::judge::InputErrorKind;
use crate::rules::UserErrorKind;

/// A test file, or a path given to the runner, that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFileError {
    file: PathBuf,
    line: Option<usize>,
    pointer: String,
    kind: TestFileErrorKind,
}

impl TestFileError {
    pub(crate) fn new(file: &Path, pointer: impl Into<String>, kind: TestFileErrorKind) -> Self {
        TestFileError { file: file.to_path_buf(), line: None, pointer: pointer.into(), kind }
    }

    /// The same error, placed on `line`.
    pub(crate) fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The same error, placed on the line of `text` that holds its node.
    pub(crate) fn located(mut self, text: &str) -> Self {
        if self.line.is_none() {
            self.line = crate::json::line_of(text, &self.pointer);
        }
        self
    }

    /// The file at fault (or the path given, when it holds no test file).
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The 1-based line of the node at fault, when the file is JSON and holds it.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The JSON pointer of the node at fault; empty for the whole file.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// What is wrong.
    pub fn kind(&self) -> &TestFileErrorKind {
        &self.kind
    }
}

impl fmt::Display for TestFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.pointer.is_empty() {
            write!(f, "#{}", self.pointer)?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for TestFileError {}

/// What is wrong with a test file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TestFileErrorKind {
    /// The file or directory cannot be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// A directory given to the runner holds no `*.test.json` file.
    #[error("no `*.test.json` file in this directory")]
    NoTestFiles,
    /// The text is not JSON (the error's line is `line`).
    #[error("malformed JSON at column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A required member is absent.
    #[error("missing `{0}`")]
    Missing(&'static str),
    /// A member has the wrong JSON type.
    #[error("expected {0}")]
    Type(&'static str),
    /// A member the format does not define (a misspelt `expect` would otherwise let a test pass
    /// by saying nothing).
    #[error("unknown member `{0}`")]
    UnknownMember(String),
    /// Two members that cannot be given together.
    #[error("`{0}` and `{1}` cannot both be given")]
    Conflict(&'static str, &'static str),
    /// A test without anything to check.
    #[error("a test needs `changeset`, `changesets` or `expect_subscription_error`")]
    NothingToCheck,
    /// A file without tests.
    #[error("`tests` is empty")]
    NoTests,
    /// Two tests of one file with the same name.
    #[error("a second test named \"{0}\"")]
    DuplicateName(String),
    /// Two expectations for one object of one changeset.
    #[error("a second expectation for {0}")]
    DuplicateExpectation(String),
    /// A verdict other than `accepted` and `rejected`.
    #[error("unknown verdict `{0}`: expected `accepted` or `rejected`")]
    Verdict(String),
    /// A reason expected of an accepted object.
    #[error("an accepted object has no `{0}`")]
    ReasonOfAccepted(&'static str),
    /// A server style other than 2023 and 2024.
    #[error("unknown server style `{0}`: expected \"2023\" or \"2024\"")]
    Style(String),
    /// A subscription, state entry, changeset or primary key the judge's readers refuse.
    #[error("{0}")]
    Input(InputErrorKind),
    /// A user the `--user` reader refuses.
    #[error("{0}")]
    User(UserErrorKind),
    /// The app the file names cannot be loaded.
    #[error("app `{dir}` cannot be loaded: {error}")]
    App {
        /// The app directory, as the runner found it.
        dir: String,
        /// Why it cannot be loaded.
        error: Box<AppError>,
    },
}
