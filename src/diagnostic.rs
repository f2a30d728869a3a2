//! Stable diagnostic codes: one number and one kebab-case name for every problem the crate
//! reports about an app, a subscription or a judging input, so that scripts, editors and CI
//! can match on a problem without parsing its wording, which may still improve.
//!
//! The codes live in one table ([`Code`]); each error kind of the other stages maps to one
//! code here and nowhere else. A code is never renumbered and never reused: a problem that
//! disappears leaves its number retired. `docs/diagnostics.md` lists every code with an input
//! that triggers it (the inputs are `fixtures/diagnostics/<CODE>/`, run by the tests).

use std::fmt;

use crate::app::{AppError, AppErrorKind};
use crate::judge::{InputErrorKind, SubscriptionErrorKind};
use crate::rules::{LowerErrorKind, Problem, ProblemKind, RulesErrorKind, UserErrorKind};
use crate::span::LineCol;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input cannot be used (or, for a role, the role is unusable for Flexible Sync).
    Error,
    /// The input works, but probably not as its author meant; exit codes ignore warnings.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares [`Code`] and its one table of `(code, name, severity)`, so that a variant cannot
/// exist without all three.
macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = ($code:literal, $name:literal, $severity:ident), )*) => {
        /// A stable diagnostic code. `code()` and `name()` never change for a variant.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code, e.g. `FR101`.
            pub fn code(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The kebab-case name, e.g. `unknown-role-key`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity every problem of this code has.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    /// A file named by the command line or inside the app cannot be read.
    UnreadableFile = ("FR001", "unreadable-file", Error),
    /// A file (or an NDJSON line) is not JSON.
    MalformedJson = ("FR002", "malformed-json", Error),
    /// The output cannot be written, e.g. to a closed pipe.
    OutputNotWritten = ("FR003", "output-not-written", Error),
    /// Command-line arguments that parse but do not go together, e.g. `--explain` with
    /// `--upload`.
    InvalidArguments = ("FR004", "invalid-arguments", Error),

    /// A role key App Services does not define, e.g. `document_filter`; it is ignored.
    UnknownRoleKey = ("FR101", "unknown-role-key", Warning),
    /// A role without `document_filters`.
    MissingDocumentFilters = ("FR102", "missing-document-filters", Error),
    /// `document_filters` without `read` or without `write`.
    MissingDocumentFilter = ("FR103", "missing-document-filter", Error),
    /// A document filter, `insert` or `delete` reads a field that is not queryable.
    NonQueryableField = ("FR104", "non-queryable-field", Error),
    /// A document filter, `insert` or `delete` reads an embedded field path.
    NestedField = ("FR105", "nested-field", Error),
    /// `apply_when` reads a document field.
    DocumentFieldInApplyWhen = ("FR106", "document-field-in-apply-when", Error),
    /// An expansion Flexible Sync cannot expand at session start, e.g. `%%root`.
    ExpansionNotAllowed = ("FR107", "expansion-not-allowed", Error),
    /// `%function` in a document filter, `insert` or `delete`.
    FunctionInFilter = ("FR108", "function-in-filter", Error),
    /// `%function` in `apply_when`, which this engine cannot call.
    FunctionUnsupported = ("FR109", "function-unsupported", Error),
    /// A top-level or field-level `read`/`write` that is not a boolean literal.
    PermissionNotBoolean = ("FR110", "permission-not-boolean", Error),
    /// A field rule for `_id`.
    IdFieldRule = ("FR111", "id-field-rule", Error),
    /// An operator the engine does not know, e.g. `$regex`.
    UnknownOperator = ("FR112", "unknown-operator", Error),
    /// A `%%` name that is not an expansion, e.g. `%%user.nmae`.
    UnknownExpansion = ("FR113", "unknown-expansion", Error),
    /// Any other expression that means nothing, e.g. `{"$and": 1}`.
    InvalidExpression = ("FR114", "invalid-expression", Error),
    /// A role after an earlier role of the same list whose `apply_when` always matches.
    ShadowedRole = ("FR120", "shadowed-role", Warning),
    /// A role every user gets that lets every user write every document.
    UnrestrictedWrite = ("FR121", "unrestricted-write", Warning),
    /// A document filter reads `%%user.custom_data`.
    CustomDataInFilter = ("FR122", "custom-data-in-filter", Warning),
    /// An `apply_when` no test user matches (reserved for `flexrules test --coverage`).
    ApplyWhenNeverMatches = ("FR123", "apply-when-never-matches", Warning),

    /// A subscription on a table the app has no schema for.
    UnknownTable = ("FR201", "unknown-table", Error),
    /// Query text that does not parse.
    QuerySyntax = ("FR202", "query-syntax", Error),
    /// A query that does not bind to the table's schema or its arguments.
    QueryBind = ("FR203", "query-bind", Error),
    /// `SORT`, `DISTINCT` or `LIMIT` in a subscription.
    SortDistinctLimit = ("FR204", "sort-distinct-limit", Error),
    /// A subscription reads a field that is not queryable.
    SubscriptionNonQueryableField = ("FR205", "subscription-non-queryable-field", Error),
    /// A subscription follows a link, an embedded object or a collection element.
    KeyPathTraversal = ("FR206", "key-path-traversal", Error),
    /// `@links`, `@keys`, `@values` or a `$K` key-path argument in a subscription.
    UnsupportedKeyPath = ("FR207", "unsupported-key-path", Error),
    /// `SUBQUERY` in a subscription.
    Subquery = ("FR208", "subquery", Error),
    /// `@min`, `@max`, `@sum` or `@avg` in a subscription.
    Aggregate = ("FR209", "aggregate", Error),
    /// `@count`/`@size` on something other than a queryable array field.
    SizeOfNonArray = ("FR210", "size-of-non-array", Error),
    /// A list compared with an array field.
    ListVsList = ("FR211", "list-vs-list", Error),
    /// A subscription longer than 256 kB.
    QueryTooLong = ("FR212", "query-too-long", Error),
    /// The indexed queryable field is not constrained by `==`/`IN` AND-ed with the rest.
    IndexedFieldNotConstrained = ("FR213", "indexed-field-not-constrained", Error),
    /// A subscription nesting deeper than the limit.
    QueryTooDeep = ("FR214", "query-too-deep", Error),

    /// A required member of an input is absent, e.g. a write without `table`.
    MissingMember = ("FR301", "missing-member", Error),
    /// An input member of the wrong JSON type, e.g. `"writes": {}`.
    WrongType = ("FR302", "wrong-type", Error),
    /// A value that is not valid Extended JSON, e.g. `{"$oid": "x"}`.
    InvalidExtendedJson = ("FR303", "invalid-extended-json", Error),
    /// A value that cannot be a primary key, e.g. a double.
    InvalidPrimaryKey = ("FR304", "invalid-primary-key", Error),
    /// A write whose `op` is not insert, update or delete.
    UnknownOp = ("FR305", "unknown-op", Error),
    /// An update that sets or clears `_id`.
    ChangesPrimaryKey = ("FR306", "changes-primary-key", Error),
    /// A user description that cannot be the `%%user` expansion, e.g. one without `id`.
    InvalidUser = ("FR307", "invalid-user", Error),

    /// A `schema.json` that cannot be used, e.g. an unknown `bsonType`.
    InvalidSchema = ("FR401", "invalid-schema", Error),
    /// A node of an app file with the wrong JSON type, e.g. `"roles": {}`.
    AppWrongType = ("FR402", "app-wrong-type", Error),
    /// A role without a name, or with an empty or over-long one.
    InvalidRoleName = ("FR403", "invalid-role-name", Error),
    /// Two roles of one list share a name.
    DuplicateRoleName = ("FR404", "duplicate-role-name", Error),
    /// More than one indexed queryable field.
    TooManyIndexedFields = ("FR405", "too-many-indexed-fields", Error),
    /// Legacy `permissions` next to current-format rule files.
    MixedRuleFormats = ("FR406", "mixed-rule-formats", Error),
    /// Two collections of one name in different databases.
    DuplicateCollection = ("FR407", "duplicate-collection", Error),
    /// Field rules nesting deeper than the limit.
    RulesTooDeep = ("FR408", "rules-too-deep", Error),

    /// A sync-protocol message file (`--upload`, `--query`) that cannot be decoded, is not the
    /// message expected, or that the server refuses as a whole.
    BadMessage = ("FR501", "bad-message", Error),
}

impl fmt::Display for Code {
    /// `FR101 unknown-role-key`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.name())
    }
}

impl Code {
    /// The code whose `code()` is `text` (`FR101`), if any.
    pub fn from_code(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.code() == text)
    }
}

/// A text that names no diagnostic code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a diagnostic code; expected e.g. `FR101`, `unknown-role-key` or `FR101 unknown-role-key`"
)]
pub struct UnknownCode(pub String);

impl std::str::FromStr for Code {
    type Err = UnknownCode;

    /// Reads what `Display` writes (`FR101 unknown-role-key`), or the code or the name alone,
    /// so that a configuration can name a code either way.
    fn from_str(text: &str) -> Result<Code, UnknownCode> {
        let text = text.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.code() == text || c.name() == text || c.to_string() == text)
            .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

impl ProblemKind {
    /// The stable code of this validation problem.
    pub fn code(&self) -> Code {
        match self {
            ProblemKind::MissingDocumentFilters => Code::MissingDocumentFilters,
            ProblemKind::MissingDocumentFilter(_) => Code::MissingDocumentFilter,
            ProblemKind::NotQueryable { .. } => Code::NonQueryableField,
            ProblemKind::NestedField(_) => Code::NestedField,
            ProblemKind::DocumentFieldInApplyWhen(_) => Code::DocumentFieldInApplyWhen,
            ProblemKind::ExpansionNotAllowed(_) => Code::ExpansionNotAllowed,
            ProblemKind::FunctionNotAllowed(_) => Code::FunctionInFilter,
            ProblemKind::FunctionUnsupported(_) => Code::FunctionUnsupported,
            ProblemKind::NotBoolean(_) => Code::PermissionNotBoolean,
            ProblemKind::IdFieldRule => Code::IdFieldRule,
            ProblemKind::Invalid(kind) => kind.code(),
            ProblemKind::UnknownKey { .. } => Code::UnknownRoleKey,
            ProblemKind::Shadowed { .. } => Code::ShadowedRole,
            ProblemKind::UnrestrictedWrite => Code::UnrestrictedWrite,
            ProblemKind::CustomData(_) => Code::CustomDataInFilter,
        }
    }
}

impl LowerErrorKind {
    /// The stable code of this expression error.
    pub fn code(&self) -> Code {
        match self {
            LowerErrorKind::UnknownOperator(_) => Code::UnknownOperator,
            LowerErrorKind::UnknownExpansion(_) => Code::UnknownExpansion,
            _ => Code::InvalidExpression,
        }
    }
}

impl SubscriptionErrorKind {
    /// The stable code of this subscription refusal (every one is error 226 on the wire).
    pub fn code(&self) -> Code {
        match self {
            SubscriptionErrorKind::UnknownTable => Code::UnknownTable,
            SubscriptionErrorKind::Syntax(_) => Code::QuerySyntax,
            SubscriptionErrorKind::Bind(_) => Code::QueryBind,
            SubscriptionErrorKind::PostClause(_) => Code::SortDistinctLimit,
            SubscriptionErrorKind::NotQueryable(_) => Code::SubscriptionNonQueryableField,
            SubscriptionErrorKind::Traversal(_) => Code::KeyPathTraversal,
            SubscriptionErrorKind::UnsupportedPath(_) => Code::UnsupportedKeyPath,
            SubscriptionErrorKind::Subquery => Code::Subquery,
            SubscriptionErrorKind::Aggregate(_) => Code::Aggregate,
            SubscriptionErrorKind::SizeOfNonArray(_) => Code::SizeOfNonArray,
            SubscriptionErrorKind::ListVsList(_) => Code::ListVsList,
            SubscriptionErrorKind::TooLong(_) => Code::QueryTooLong,
            SubscriptionErrorKind::IndexedField(_) => Code::IndexedFieldNotConstrained,
            SubscriptionErrorKind::TooDeep => Code::QueryTooDeep,
        }
    }
}

impl InputErrorKind {
    /// The stable code of this judging-input error.
    pub fn code(&self) -> Code {
        match self {
            InputErrorKind::Missing(_) => Code::MissingMember,
            InputErrorKind::Type(_) => Code::WrongType,
            InputErrorKind::Ejson(_) => Code::InvalidExtendedJson,
            InputErrorKind::Key(_) => Code::InvalidPrimaryKey,
            InputErrorKind::Op(_) => Code::UnknownOp,
            InputErrorKind::ChangesKey => Code::ChangesPrimaryKey,
        }
    }
}

impl UserErrorKind {
    /// The stable code of this user-description error.
    pub fn code(&self) -> Code {
        match self {
            UserErrorKind::Json { .. } => Code::MalformedJson,
            _ => Code::InvalidUser,
        }
    }
}

impl RulesErrorKind {
    /// The stable code of this role-shape error.
    pub fn code(&self) -> Code {
        match self {
            RulesErrorKind::MissingName | RulesErrorKind::BadName(_) => Code::InvalidRoleName,
            RulesErrorKind::DuplicateName(_) => Code::DuplicateRoleName,
            RulesErrorKind::TooDeep => Code::RulesTooDeep,
            _ => Code::AppWrongType,
        }
    }
}

impl AppErrorKind {
    /// The stable code of this app-loading error.
    pub fn code(&self) -> Code {
        match self {
            AppErrorKind::Io(_) => Code::UnreadableFile,
            AppErrorKind::Json { .. } => Code::MalformedJson,
            AppErrorKind::Schema(crate::schema::SchemaErrorKind::Json { .. }) => {
                Code::MalformedJson
            }
            AppErrorKind::Schema(_) => Code::InvalidSchema,
            AppErrorKind::Rules(kind) => kind.code(),
            AppErrorKind::ExpectedObject
            | AppErrorKind::ExpectedNames
            | AppErrorKind::ExpectedString => Code::AppWrongType,
            AppErrorKind::TooManyIndexedFields => Code::TooManyIndexedFields,
            AppErrorKind::MixedFormats => Code::MixedRuleFormats,
            AppErrorKind::DuplicateCollection(_) => Code::DuplicateCollection,
        }
    }
}

/// One problem as reported to a person or a machine: its code, where it is and what it says.
///
/// The typed errors of each stage stay the source of truth; this is their common shape at the
/// edge, where a file name is known and a JSON pointer can be turned into a line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// The file the problem is in, as the user named it (empty when there is none, e.g. a
    /// command-line argument).
    pub file: String,
    /// The JSON pointer of the node at fault, when the file is JSON.
    pub pointer: Option<String>,
    /// The line and column in the file's text, when known.
    pub position: Option<LineCol>,
    /// The role the problem belongs to, for problems of a role.
    pub role: Option<String>,
    /// The message, naming the user's input (lowercase, except where it is a server's or
    /// realm-core's own wording, kept word for word).
    pub message: String,
    /// A suggestion, e.g. the nearest existing property name.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `code` about `file`.
    pub fn new(code: Code, file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            file: file.into(),
            pointer: None,
            position: None,
            role: None,
            message: message.into(),
            hint: None,
        }
    }

    /// The same diagnostic, naming the node at `pointer`.
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Diagnostic {
        self.pointer = Some(pointer.into());
        self
    }

    /// The same diagnostic, at `position` of the file's text.
    pub fn with_position(mut self, position: Option<LineCol>) -> Diagnostic {
        self.position = position;
        self
    }

    /// The same diagnostic, with a suggestion.
    pub fn with_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    /// A validation problem of a role; `file` is relative to the app directory.
    pub fn from_problem(problem: &Problem) -> Diagnostic {
        let mut d =
            Diagnostic::new(problem.kind().code(), problem.file(), problem.kind().to_string())
                .with_pointer(problem.pointer());
        d.role = Some(problem.role().to_owned());
        // The suggestion is part of the message (the text line shows it); machines get it alone.
        if let ProblemKind::UnknownKey { hint, .. } = problem.kind() {
            d.hint = hint.strip_prefix("; ").filter(|h| !h.is_empty()).map(str::to_owned);
        }
        d
    }

    /// An app that cannot be loaded; `file` is relative to the app directory. A JSON syntax
    /// error carries its line and column, every other error its pointer.
    pub fn from_app_error(error: &AppError) -> Diagnostic {
        let d = Diagnostic::new(error.kind().code(), error.file(), error.kind().to_string());
        match error.kind() {
            AppErrorKind::Json { line, column, .. } => {
                d.with_position(Some(LineCol { line: *line, column: *column }))
            }
            _ if error.pointer().is_empty() => d,
            _ => d.with_pointer(error.pointer()),
        }
    }

    /// The severity of the diagnostic's code.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// The candidate nearest to `name` when it is a likely typo of it, for a diagnostic's hint:
/// the same name in another case, or one at most two edits away (one for names of up to four
/// characters) and not the whole name rewritten. Ties go to the first candidate (schema order).
pub(crate) fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let len = name.chars().count();
    let allowed = if len <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = if c.eq_ignore_ascii_case(name) { 0 } else { strsim::damerau_levenshtein(name, c) };
        if d <= allowed && d < len && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

/// Where the nodes at JSON `pointers` start in the JSON `text` (for a member, where its key
/// starts), each `None` when the text has no such node or is not JSON up to it.
///
/// Reading the text again is cheaper than carrying positions through every JSON reader of the
/// crate, and it is done once per file, in one pass, however many diagnostics name it.
pub fn locate_all(text: &str, pointers: &[&str]) -> Vec<Option<LineCol>> {
    let offsets = crate::json::locate_all(text, pointers);
    // One sweep over the text, in offset order, turns every offset into a line and column.
    let mut order: Vec<(usize, usize)> =
        offsets.iter().enumerate().filter_map(|(i, o)| o.map(|o| (o, i))).collect();
    order.sort_unstable();
    let mut out = vec![None; pointers.len()];
    let (mut line, mut column) = (1, 1);
    let mut chars = text.char_indices().peekable();
    for (offset, i) in order {
        while let Some(&(byte, c)) = chars.peek() {
            if byte >= offset {
                break;
            }
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
            chars.next();
        }
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(LineCol { line, column });
        }
    }
    out
}

/// Where byte `offset` of the string at JSON `pointer` is in the JSON `text`: the place of a
/// span inside a string value, such as the bad token of a subscription's query.
pub fn locate_in_string(text: &str, pointer: &str, offset: usize) -> Option<LineCol> {
    crate::json::locate_in_string(text, pointer, offset)
        .map(|o| crate::span::Span::point(o).line_col(text))
}

/// [`locate_all`] for one pointer.
pub fn locate(text: &str, pointer: &str) -> Option<LineCol> {
    locate_all(text, &[pointer]).into_iter().next().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_round_trips_and_each_half_names_the_code() {
        for code in Code::ALL {
            assert_eq!(code.to_string().parse::<Code>(), Ok(*code));
            assert_eq!(code.code().parse::<Code>(), Ok(*code));
            assert_eq!(code.name().parse::<Code>(), Ok(*code));
        }
        assert_eq!("FR999".parse::<Code>(), Err(UnknownCode("FR999".to_owned())));
        assert_eq!("FR101 shadowed-role".parse::<Code>().ok(), None);
    }

    #[test]
    fn positions_agree_with_span_line_col_in_any_order() {
        let text = "{\"a\": 1,\n  \"é\": {\"b\": [true,\n   \"c\"]}}";
        let pointers = ["/\u{e9}/b/1", "/a", "/\u{e9}", "/missing", ""];
        let got = locate_all(text, &pointers);
        for (p, position) in pointers.iter().zip(&got) {
            let offset = crate::json::locate_all(text, &[p]).into_iter().next().flatten();
            let want = offset.map(|o| crate::span::Span::point(o).line_col(text));
            assert_eq!(*position, want, "{p}");
        }
        assert_eq!(got[0], Some(LineCol { line: 3, column: 4 }));
        assert_eq!(got[2], Some(LineCol { line: 2, column: 3 }));
        assert_eq!(got[3], None);
    }
}
