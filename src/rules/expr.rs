//! Rule expressions after lowering: a typed filter tree that still contains expansions.
//!
//! An [`Expr`] is what a role's `apply_when`, `document_filters.read/write`, `insert` and `delete`
//! say, with every JSON string already classified as a field path, an expansion or a literal, and
//! every operator resolved. Expansions are substituted later, once per session, by
//! [`bind`](super::bind); until then the tree can be inspected by validation, which needs to know
//! which fields, expansions and functions an expression uses and where (JSON pointers).

use crate::value::CmpOp;
use bson::Bson;

/// A rule expression: true when the document (and, for key expansions, the session) satisfies it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// `true`, `false`, or `{}` (true).
    Const(bool),
    /// Several keys in one object, or `$and`: every operand holds.
    And(Vec<Expr>),
    /// `$or`: some operand holds.
    Or(Vec<Expr>),
    /// `$nor`: no operand holds.
    Nor(Vec<Expr>),
    /// `{"<field path>": <condition>}`: a condition on a document field.
    Field {
        /// The dotted path split at dots, e.g. `owner_id` or `address.city`.
        path: Vec<String>,
        /// What the field's value must satisfy.
        cond: Vec<Test>,
        /// Pointer of the key, for validation.
        pointer: String,
    },
    /// `{"%%user.id": <condition>}`: a condition on an expansion's value (the key expansion form).
    Key {
        /// The value the condition is applied to.
        key: Operand,
        /// What the value must satisfy.
        cond: Vec<Test>,
    },
}

/// One operator applied to a value (a field's or a key expansion's).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    /// Plain equality (`{"f": v}`) or `$eq`.
    Eq(Operand),
    /// `$ne`: the negation of [`Test::Eq`], so it matches a missing field.
    Ne(Operand),
    /// `$gt`, `$gte`, `$lt`, `$lte`.
    Cmp(CmpOp, Operand),
    /// `$in` with a list (elements may be expansions) or an expansion yielding a list.
    In(Operand),
    /// `$nin`: the negation of [`Test::In`].
    Nin(Operand),
    /// `$all`: every listed value is equal to the value or one of its elements.
    All(Operand),
    /// `$exists`.
    Exists(bool),
    /// `$not`: none of the nested tests (taken together) holds.
    Not(Vec<Test>),
    /// `$regex` (with its `$options`): a string value, or a string element of an array, matches.
    Regex(Pattern),
    /// `$elemMatch` with operator conditions: some element of an array satisfies all of them.
    ElemMatch(Vec<Test>),
    /// `$size`: an array with exactly this many elements.
    Size(u64),
}

/// A compiled `$regex` with the text and options it was written with.
///
/// Options follow MongoDB: `i` (case-insensitive), `m` (`^`/`$` at line breaks), `s` (`.` matches
/// a line break), `x` (whitespace and `#` comments in the pattern are ignored). The pattern is
/// compiled by the `regex` crate, whose syntax agrees with MongoDB's PCRE on literals, classes,
/// anchors (`^`, `$`, `\A`, `\z`), `.`, repetition and groups; PCRE-only constructs
/// (backreferences, lookaround) are refused when the rule is read.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub(crate) source: String,
    pub(crate) options: String,
    pub(crate) regex: regex::bytes::Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source && self.options == other.options
    }
}

impl Pattern {
    /// Compiles `source` with MongoDB `options`; the error says what is wrong, for the user.
    pub(crate) fn new(source: &str, options: &str) -> Result<Pattern, String> {
        let mut b = regex::bytes::RegexBuilder::new(source);
        // Bounds the memory one rule's pattern may take (the default is far larger).
        b.size_limit(1 << 20);
        for o in options.chars() {
            match o {
                'i' => b.case_insensitive(true),
                'm' => b.multi_line(true),
                's' => b.dot_matches_new_line(true),
                'x' => b.ignore_whitespace(true),
                'u' => &mut b,
                other => return Err(format!("unknown `$options` flag `{other}`")),
            };
        }
        let regex = b.build().map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "the pattern is too large".to_owned(),
            _ => format!("`{source}` is not a supported regular expression"),
        })?;
        Ok(Pattern { source: source.to_owned(), options: options.to_owned(), regex })
    }
}

/// A value in a rule: a literal, an expansion, or something computed from them at bind time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// A constant written in the rule.
    Literal(Bson),
    /// `%%user.id` and friends.
    Expansion(Expansion, String),
    /// An array literal whose elements may contain expansions.
    Array(Vec<Operand>),
    /// An embedded document literal whose values may contain expansions.
    Document(Vec<(String, Operand)>),
    /// `%stringToOid`, `%oidToString`, `%stringToUuid`, `%uuidToString`.
    Convert(Conversion, Box<Operand>),
    /// `%function`: an Atlas Function call. Never evaluated here.
    Function {
        /// The function's name (empty when the rule does not name it).
        name: String,
        /// Pointer of the `%function` key.
        pointer: String,
    },
}

/// The conversion operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conversion {
    /// `%stringToOid`
    StringToOid,
    /// `%oidToString`
    OidToString,
    /// `%stringToUuid`
    StringToUuid,
    /// `%uuidToString`
    UuidToString,
}

/// A parsed `%%…` expansion: which object it starts from and the path into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expansion {
    /// The object the expansion names.
    pub(crate) root: ExpansionRoot,
    /// Field names after the root, e.g. `["custom_data", "team"]` for `%%user.custom_data.team`.
    pub(crate) path: Vec<String>,
}

/// The objects an expansion can start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExpansionRoot {
    /// `%%true`
    True,
    /// `%%false`
    False,
    /// `%%user`
    User,
    /// `%%values`
    Values,
    /// `%%environment`
    Environment,
    /// `%%root`: the document after the write (not available to Sync).
    Root,
    /// `%%prevRoot`: the document before the write (not available to Sync).
    PrevRoot,
    /// `%%this` (not available to Sync).
    This,
    /// `%%prev` (not available to Sync).
    Prev,
    /// `%%request` (not available to Sync).
    Request,
    /// `%%partition` (Partition-Based Sync only).
    Partition,
    /// `%%args` (service rules only).
    Args,
}

impl ExpansionRoot {
    /// The expansion's name as written, e.g. `%%prevRoot`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ExpansionRoot::True => "%%true",
            ExpansionRoot::False => "%%false",
            ExpansionRoot::User => "%%user",
            ExpansionRoot::Values => "%%values",
            ExpansionRoot::Environment => "%%environment",
            ExpansionRoot::Root => "%%root",
            ExpansionRoot::PrevRoot => "%%prevRoot",
            ExpansionRoot::This => "%%this",
            ExpansionRoot::Prev => "%%prev",
            ExpansionRoot::Request => "%%request",
            ExpansionRoot::Partition => "%%partition",
            ExpansionRoot::Args => "%%args",
        }
    }

    /// Whether Flexible Sync can expand it at session start (rules.md §2.3).
    pub(crate) fn sync_compatible(self) -> bool {
        matches!(
            self,
            ExpansionRoot::True
                | ExpansionRoot::False
                | ExpansionRoot::User
                | ExpansionRoot::Values
                | ExpansionRoot::Environment
        )
    }
}

impl Expansion {
    /// Reads the text of an expansion (`%%user.custom_data.team`); `None` when it names no known
    /// expansion or a `%%user`/`%%environment` member that does not exist.
    pub(crate) fn parse(text: &str) -> Option<Expansion> {
        let rest = text.strip_prefix("%%")?;
        let mut parts = rest.split('.');
        let root = match parts.next()? {
            "true" => ExpansionRoot::True,
            "false" => ExpansionRoot::False,
            "user" => ExpansionRoot::User,
            "values" => ExpansionRoot::Values,
            "environment" => ExpansionRoot::Environment,
            "root" => ExpansionRoot::Root,
            "prevRoot" => ExpansionRoot::PrevRoot,
            "this" => ExpansionRoot::This,
            "prev" => ExpansionRoot::Prev,
            "request" => ExpansionRoot::Request,
            "partition" => ExpansionRoot::Partition,
            "args" => ExpansionRoot::Args,
            _ => return None,
        };
        let path: Vec<String> = parts.map(str::to_owned).collect();
        if path.iter().any(String::is_empty) {
            return None;
        }
        let first = path.first().map(String::as_str);
        let known = match root {
            ExpansionRoot::True | ExpansionRoot::False | ExpansionRoot::Partition => {
                path.is_empty()
            }
            ExpansionRoot::User => match first {
                None | Some("data" | "custom_data" | "identities") => true,
                Some("id" | "type") => path.len() == 1,
                Some(_) => false,
            },
            ExpansionRoot::Environment => match first {
                None | Some("values") => true,
                Some("tag") => path.len() == 1,
                Some(_) => false,
            },
            ExpansionRoot::Values => !path.is_empty(),
            _ => true,
        };
        known.then_some(Expansion { root, path })
    }
}

impl std::fmt::Display for Expansion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.root.name())?;
        for part in &self.path {
            write!(f, ".{part}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansions_parse_by_root_and_path() {
        let e = Expansion::parse("%%user.custom_data.team").unwrap();
        assert_eq!(e.root, ExpansionRoot::User);
        assert_eq!(e.path, ["custom_data", "team"]);
        assert_eq!(e.to_string(), "%%user.custom_data.team");
        assert_eq!(Expansion::parse("%%prevRoot").unwrap().root, ExpansionRoot::PrevRoot);
        assert_eq!(Expansion::parse("%%environment.values.x").unwrap().path, ["values", "x"]);
    }

    #[test]
    fn unknown_expansions_are_refused() {
        for text in ["%%usr.id", "%%user.name", "%%user.id.x", "%%true.x", "%%values", "%%user..id"]
        {
            assert_eq!(Expansion::parse(text), None, "{text}");
        }
    }
}
