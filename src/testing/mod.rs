//! Rules as code: test files that state what the server must decide, run offline.
//!
//! The people who write App Services rules learn of a mistake when a user's object disappears.
//! A test file (`*.test.json`, docs/testing.md) names an app, and for each test a user, the
//! subscriptions, the objects the server holds, the changesets the client uploads and the
//! verdict expected for every object written, or the error a refused subscription gets. Running
//! it judges each changeset with the same [`Session`](crate::judge::Session) a server embedding
//! this crate uses, so a passing test says what the server will do, in the server's words.
//!
//! The stage has three parts: [`TestFile::load`] reads a file (a [`TestFileError`] names the
//! file, the line and the JSON pointer), [`TestFile::run`] gives one typed [`TestResult`] per
//! test, and a [`Coverage`] gathered while running says which roles, filter clauses, field
//! permissions and subscription sub-predicates the tests exercised, and which they never did.
//! Results are rendered only at the edge: [`Report`] as text, JSON or JUnit XML.
//!
//! ```
//! use flexrules::testing::{Report, TestFile};
//!
//! let file = TestFile::load(std::path::Path::new("fixtures/tests/car.test.json"))?;
//! let results = file.run(None);
//! let report = Report::new(results, None);
//! assert!(report.passed());
//! assert!(report.to_text().ends_with(" passed, 0 failed\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod coverage;
mod error;
mod file;
mod render;
mod run;

pub use coverage::{Coverage, Gap, Never};
pub use error::{TestFileError, TestFileErrorKind};
pub use file::{TestFile, discover};
pub use render::Report;
pub use run::{Audience, Failure, FailureKind, TestResult};
