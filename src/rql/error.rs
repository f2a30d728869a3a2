//! Errors of the RQL parsing stage.
//!
//! Every failure to turn query text into a [`Query`](super::ast::Query) is a [`ParseError`]: a
//! kind plus the byte span of the offending input. pest's own error type never leaves this
//! module: grammar rule names are translated into words through one exhaustive table, so a
//! message says "expected a comparison operator", never the name of a rule.

use std::fmt;

use pest::error::{ErrorVariant, InputLocation};

use super::grammar::Rule;
use super::to_ast::token_length;
use crate::span::Span;

/// A query that could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    span: Span,
}

/// What went wrong while parsing a query.
///
/// Each variant's documentation gives an input that triggers it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text does not follow the grammar: `a -1 > 0`, `a ==`, `a=b SORT(p)`.
    #[error("syntax error: {}found {found}", expected_words(expected))]
    Syntax {
        /// What would have been accepted at that point, in words (`"a comparison operator"`),
        /// without duplicates.
        expected: Vec<&'static str>,
        /// What was there instead: a token in backticks, or `end of input`.
        found: String,
    },
    /// A character that starts no token: `stone#age = 5`, an unterminated string `a == 'x`.
    #[error("invalid character `{character}`")]
    InvalidCharacter {
        /// The character.
        character: char,
    },
    /// A `T<seconds>:<nanoseconds>` literal whose parts disagree: `T-1:1`, `T0:1000000000`.
    #[error("invalid timestamp `{literal}`: {problem}")]
    InvalidTimestamp {
        /// The literal as written.
        literal: String,
        /// Which rule it breaks.
        problem: TimestampProblem,
    },
    /// A backlink step followed by something other than a name: `@links[0] == 1`.
    #[error("expected a class or property name after `@links`")]
    BacklinkWithoutName,
    /// The query text is longer than [`Limits::max_query_bytes`](crate::Limits).
    #[error("query is {length} bytes long, more than the limit of {limit}")]
    TooLong {
        /// Length of the text in bytes.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// Parentheses, braces, brackets, `NOT`s, subqueries or arithmetic operators nest deeper
    /// than [`Limits::max_depth`](crate::Limits): 200 nested `(`.
    #[error("query nests deeper than the limit of {limit}")]
    TooDeep {
        /// The limit.
        limit: u32,
    },
    /// A list literal with more elements than [`Limits::max_list_len`](crate::Limits).
    #[error("list has more than {limit} elements")]
    ListTooLong {
        /// The limit.
        limit: usize,
    },
    /// More comparisons than [`Limits::max_terms`](crate::Limits).
    #[error("query has more than {limit} comparisons")]
    TooManyTerms {
        /// The limit.
        limit: usize,
    },
    /// An argument index (`$n`, `$Kn`) above [`Limits::max_arguments`](crate::Limits): `$5000`.
    #[error("argument `{argument}` is beyond the limit of {limit} arguments")]
    ArgumentIndexTooLarge {
        /// The argument as written.
        argument: String,
        /// The limit.
        limit: u32,
    },
    /// The parser met a shape its own grammar should not produce. This is a bug in the
    /// parser, never a property of the input.
    #[error("internal parser error while reading {what}")]
    Internal {
        /// The construct being read.
        what: &'static str,
    },
}

impl ParseErrorKind {
    /// A stable, lowercase name for the kind (`syntax`, `too-deep`, …), for machines and test
    /// fixtures: it does not change when the human message is reworded.
    pub fn name(&self) -> &'static str {
        match self {
            ParseErrorKind::Syntax { .. } => "syntax",
            ParseErrorKind::InvalidCharacter { .. } => "invalid-character",
            ParseErrorKind::InvalidTimestamp { .. } => "invalid-timestamp",
            ParseErrorKind::BacklinkWithoutName => "backlink",
            ParseErrorKind::TooLong { .. } => "too-long",
            ParseErrorKind::TooDeep { .. } => "too-deep",
            ParseErrorKind::ListTooLong { .. } => "list-too-long",
            ParseErrorKind::TooManyTerms { .. } => "too-many-terms",
            ParseErrorKind::ArgumentIndexTooLarge { .. } => "argument-index",
            ParseErrorKind::Internal { .. } => "internal",
        }
    }
}

/// The ways a `T<seconds>:<nanoseconds>` literal can be malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampProblem {
    /// One part is negative and the other positive (`T-1:1`).
    OppositeSigns,
    /// The nanoseconds are a whole second or more (`T0:1000000000`).
    NanosOutOfRange,
}

impl fmt::Display for TimestampProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampProblem::OppositeSigns => "seconds and nanoseconds have opposite signs",
            TimestampProblem::NanosOutOfRange => "nanoseconds must be less than one second",
        })
    }
}

fn expected_words(expected: &[&'static str]) -> String {
    let mut out = String::new();
    let count = expected.len();
    for (i, word) in expected.iter().enumerate() {
        if i == 0 {
            out.push_str("expected ");
        } else if i + 1 == count {
            out.push_str(" or ");
        } else {
            out.push_str(", ");
        }
        out.push_str(word);
    }
    if !out.is_empty() {
        out.push_str(", ");
    }
    out
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, span: Span) -> Self {
        ParseError { kind, span }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// The bytes of the query the error is about (empty at the point where something was
    /// expected but the input ended).
    pub fn span(&self) -> Span {
        self.span
    }

    /// The error as shown to a person: `line:col: message`, then the offending line of `query`
    /// with carets under the span. `query` must be the text that was parsed; other text gives a
    /// meaningless picture but never fails.
    pub fn render(&self, query: &str) -> String {
        format!("{}: {self}\n{}", self.span.line_col(query), self.span.caret(query))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for ParseError {}

/// Converts pest's failure into a [`ParseError`], naming what was found by re-reading the token
/// at the failure point with realm-core's longest-match rule. A position where no token starts
/// is reported as an invalid character, as realm-core's scanner does.
pub(super) fn from_pest(error: &pest::error::Error<Rule>, text: &str) -> ParseError {
    let pos = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let mut expected: Vec<&'static str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            let word = rule_name(*rule);
            if !expected.contains(&word) {
                expected.push(word);
            }
        }
    }
    unexpected_at(text, pos, expected)
}

/// A syntax error at byte `pos` of `text`: names the token found there (or reports an invalid
/// character if no token starts there, as realm-core's scanner does).
pub(super) fn unexpected_at(text: &str, pos: usize, expected: Vec<&'static str>) -> ParseError {
    let rest = text.get(pos..).unwrap_or_default();
    let Some(first) = rest.chars().next() else {
        return ParseError::new(
            ParseErrorKind::Syntax { expected, found: "end of input".to_owned() },
            Span::point(pos),
        );
    };
    match token_length(rest) {
        Some(len) => {
            let token = rest.get(..len).unwrap_or(rest);
            ParseError::new(
                ParseErrorKind::Syntax { expected, found: quoted(token) },
                Span::new(pos, pos + len),
            )
        }
        None => ParseError::new(
            ParseErrorKind::InvalidCharacter { character: first },
            Span::new(pos, pos + first.len_utf8()),
        ),
    }
}

/// Input text in backticks, shortened if long, for "found …" descriptions.
pub(super) fn quoted(text: &str) -> String {
    if text.chars().count() > 40 {
        let short: String = text.chars().take(37).collect();
        format!("`{short}...`")
    } else {
        format!("`{text}`")
    }
}

/// The words used for a grammar rule in "expected …" messages.
///
/// Exhaustive on purpose: a new rule does not compile until it has a name people can read.
pub(super) fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of input",
        Rule::query | Rule::predicate | Rule::conjunction | Rule::negation | Rule::atom => {
            "a condition"
        }
        Rule::comparison => "a comparison operator",
        Rule::expr | Rule::term | Rule::factor | Rule::value => "a value",
        Rule::property | Rule::path | Rule::sort_path => "a property",
        Rule::post_op => "`.@count`, `.@size`, `.@type` or `[SIZE]`",
        Rule::aggregate => "an aggregate like `.@max`",
        Rule::subquery => "`SUBQUERY`",
        Rule::index => "an index such as `0`, `FIRST`, `LAST`, `*`, `'key'` or `$0`",
        Rule::id | Rule::identifier | Rule::word => "a property name",
        Rule::list => "a list like `{1, 2}`",
        Rule::constant => "a literal",
        Rule::primary_key => "a primary key",
        Rule::object_literal => "`obj(...)`",
        Rule::binary_literal => "`bin(...)`",
        Rule::geo_shape => "`geoBox`, `geoCircle` or `geoPolygon`",
        Rule::geo_box => "`geoBox`",
        Rule::geo_circle => "`geoCircle`",
        Rule::geo_polygon => "`geoPolygon`",
        Rule::geo_loop => "a ring like `{[0, 0], [1, 0], [1, 1], [0, 0]}`",
        Rule::geo_point => "a point like `[1.5, 2]`",
        Rule::coordinate => "a coordinate",
        Rule::sort_clause => "`SORT(...)`",
        Rule::sort_key => "a sort key like `name ASC`",
        Rule::distinct_clause => "`DISTINCT(...)`",
        Rule::limit_clause => "`LIMIT(...)`",
        Rule::op_add | Rule::op_sub | Rule::op_mul | Rule::op_div => "an arithmetic operator",
        Rule::op_eq
        | Rule::op_ne
        | Rule::op_in
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::kw_beginswith
        | Rule::kw_endswith
        | Rule::kw_contains
        | Rule::kw_like
        | Rule::kw_text
        | Rule::kw_between
        | Rule::kw_geowithin => "a comparison operator",
        Rule::op_and => "`AND`",
        Rule::op_or => "`OR`",
        Rule::op_not => "`NOT`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::comma => "`,`",
        Rule::dot => "`.`",
        Rule::star => "`*`",
        Rule::case_flag => "`[c]`",
        Rule::kw_any | Rule::kw_all | Rule::kw_none => "`ANY`, `ALL` or `NONE`",
        Rule::kw_truepredicate => "`TRUEPREDICATE`",
        Rule::kw_falsepredicate => "`FALSEPREDICATE`",
        Rule::kw_sort => "`SORT`",
        Rule::kw_distinct => "`DISTINCT`",
        Rule::kw_limit => "`LIMIT`",
        Rule::kw_binary => "`bin`",
        Rule::kw_obj => "`obj`",
        Rule::kw_ascending => "`ASC`",
        Rule::kw_descending => "`DESC`",
        Rule::kw_subquery => "`SUBQUERY`",
        Rule::kw_geobox => "`geoBox`",
        Rule::kw_geopolygon => "`geoPolygon`",
        Rule::kw_geocircle => "`geoCircle`",
        Rule::kw_first => "`FIRST`",
        Rule::kw_last => "`LAST`",
        Rule::kw_index_size => "`SIZE`",
        Rule::kw_true | Rule::kw_false => "`true` or `false`",
        Rule::kw_null => "`null`",
        Rule::kw_size => "`@count` or `@size`",
        Rule::kw_max | Rule::kw_min | Rule::kw_sum | Rule::kw_avg => {
            "`@max`, `@min`, `@sum` or `@avg`"
        }
        Rule::kw_links => "`@links`",
        Rule::kw_type => "`@type`",
        Rule::kw_keys | Rule::kw_values => "`@keys` or `@values`",
        Rule::infinity => "`infinity`",
        Rule::nan => "`nan`",
        Rule::float => "a decimal number",
        Rule::hex_int | Rule::signed_int => "an integer",
        Rule::natural => "an unsigned integer",
        Rule::argument => "an argument like `$0`",
        Rule::kp_arg => "a key path argument like `$K0`",
        Rule::link => "an object key like `O5`",
        Rule::typed_link => "a typed link like `L1:5`",
        Rule::uuid => "a uuid like `uuid(…)`",
        Rule::oid => "an object id like `oid(…)`",
        Rule::timestamp | Rule::timestamp_epoch | Rule::timestamp_date => "a timestamp",
        Rule::ts_signed | Rule::ts_field => "a timestamp field",
        Rule::string => "a string",
        Rule::base64 => "a base64 string like `B64\"...\"`",
        // Silent rules never appear in errors; they are named for completeness.
        Rule::WHITESPACE => "a blank",
        Rule::equality_op | Rule::relational_op | Rule::string_op => "a comparison operator",
        Rule::aggregate_op => "`@max`, `@min`, `@sum` or `@avg`",
        Rule::quantifier => "`ANY`, `ALL` or `NONE`",
        Rule::path_step => "`.` or `[`",
        Rule::post_clause => "`SORT`, `DISTINCT` or `LIMIT`",
        Rule::utf8 | Rule::ident_start | Rule::ident_continue | Rule::kw_end => "a name character",
        Rule::reserved_word | Rule::reserved_start => "a keyword",
        Rule::constant_start => "a literal",
        Rule::sign_follow | Rule::digits | Rule::hex_digit | Rule::sign | Rule::exponent => {
            "a number"
        }
        Rule::escape => "an escape sequence",
    }
}
