//! The Flexible Sync subset of RQL (rql.md §4.2) and the bad-query error (code 226).
//!
//! A server accepts a subscription only if it reads top-level queryable fields directly: no
//! sorting or limiting clauses, no link or embedded traversal, no backlinks, subqueries or
//! aggregates (except a size of a queryable array), no key-path arguments, no list compared with
//! a list, at most 256 kB of text, and, when the app has an indexed queryable field, an equality
//! on it AND-ed with the rest. The checks run on the syntax tree, before compilation, and stop
//! at the first violation, which is reported with the span of the offending node.

use std::fmt;

use bson::Bson;

use super::Style;
use super::pk::quote;
use crate::predicate::CompileError;
use crate::rql::ParseError;
use crate::rql::ast::{
    CmpOp, CompareOp, Constant, Expr, ExprKind, Path, PathElementKind, PostClause, Predicate,
    PredicateKind, Query, Value,
};
use crate::schema::{Collection, Table};
use crate::span::Span;

/// Longest subscription query a Flexible Sync server accepts, in bytes.
pub(crate) const MAX_SUBSCRIPTION_BYTES: usize = 256 * 1024;

/// A subscription the server refuses (protocol error 226, `bad_query`).
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionError {
    index: usize,
    table: String,
    span: Option<Span>,
    kind: SubscriptionErrorKind,
    suggestion: Option<String>,
}

/// The rule a refused subscription breaks.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SubscriptionErrorKind {
    /// The app has no schema for the table.
    UnknownTable,
    /// The query does not parse.
    Syntax(Box<ParseError>),
    /// The query does not bind to the schema (its `realm_message` is what the server says).
    Bind(Box<CompileError>),
    /// `SORT`, `DISTINCT` or `LIMIT` (named as the server's parser names the token).
    PostClause(&'static str),
    /// A field not configured as queryable.
    NotQueryable(String),
    /// A dotted or indexed key path (link, embedded object or collection element).
    Traversal(String),
    /// `@links`, `@keys`, `@values` or a `$K` key-path argument.
    UnsupportedPath(String),
    /// `SUBQUERY(…)`.
    Subquery,
    /// `@min`, `@max`, `@sum`, `@avg`.
    Aggregate(&'static str),
    /// `@count`/`@size` on something other than a queryable array field.
    SizeOfNonArray(String),
    /// A list literal or list argument compared with an array field.
    ListVsList(String),
    /// More than 256 kB of text.
    TooLong(usize),
    /// The indexed queryable field is not constrained by `==`/`IN` AND-ed with the rest.
    IndexedField(String),
    /// The query nests deeper than the configured limit.
    TooDeep,
}

impl SubscriptionError {
    pub(crate) fn new(
        index: usize,
        table: String,
        span: Option<Span>,
        kind: SubscriptionErrorKind,
    ) -> SubscriptionError {
        SubscriptionError { index, table, span, kind, suggestion: None }
    }

    pub(crate) fn with_suggestion(mut self, suggestion: Option<String>) -> SubscriptionError {
        self.suggestion = suggestion;
        self
    }

    /// For a property the table does not have, the nearest queryable one (`ownerId` for
    /// `ownerid`). It is kept apart from [`SubscriptionError::server_message`], which is the
    /// server's wording.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }

    /// The same error for the subscription at `index` of a larger set.
    pub(crate) fn at(mut self, index: usize) -> SubscriptionError {
        self.index = index;
        self
    }

    /// Position of the subscription in the set.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The subscription's table.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Where in the query text, when one node is at fault.
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// Which rule the subscription breaks.
    pub fn kind(&self) -> &SubscriptionErrorKind {
        &self.kind
    }

    /// The message a server of `style` sends with error 226 (rules.md §2.7, rql.md §4.1):
    /// `Invalid query: …` (2024) or `Client provided query with bad syntax: …` (2023), then
    /// `unsupported query for table "<T>": …` for subset violations, or
    /// `invalid RQL for table "<T>": …` for text the server's parser refuses.
    pub fn server_message(&self, style: Style) -> String {
        let prefix = match style {
            Style::Y2023 => "Client provided query with bad syntax",
            Style::Y2024 => "Invalid query",
        };
        format!("{prefix}: {}", self.body())
    }

    /// The message without the style's prefix.
    fn body(&self) -> String {
        let t = quote(&self.table);
        match &self.kind {
            SubscriptionErrorKind::UnknownTable => format!("no such table {t}"),
            SubscriptionErrorKind::Syntax(e) => format!("invalid RQL for table {t}: {e}"),
            SubscriptionErrorKind::Bind(e) => {
                format!("invalid RQL for table {t}: {}", e.realm_message())
            }
            SubscriptionErrorKind::PostClause(token) => format!(
                "invalid RQL for table {t}: syntax error: unexpected {token}, expecting Or or RightParenthesis"
            ),
            SubscriptionErrorKind::TooLong(n) => {
                format!("query for table {t} is {n} bytes, more than the limit of 256 kB")
            }
            SubscriptionErrorKind::NotQueryable(k) => {
                format!(
                    "unsupported query for table {t}: key {} is not a queryable field",
                    quote(k)
                )
            }
            SubscriptionErrorKind::Traversal(k) => format!(
                "unsupported query for table {t}: key path {} traverses a link, embedded object or collection",
                quote(k)
            ),
            SubscriptionErrorKind::UnsupportedPath(k) => {
                format!("unsupported query for table {t}: key path {} is not supported", quote(k))
            }
            SubscriptionErrorKind::Subquery => {
                format!("unsupported query for table {t}: SUBQUERY is not supported")
            }
            SubscriptionErrorKind::Aggregate(op) => {
                format!("unsupported query for table {t}: aggregate {op} is not supported")
            }
            SubscriptionErrorKind::SizeOfNonArray(k) => format!(
                "unsupported query for table {t}: @count and @size are only supported on a queryable array field, not on {}",
                quote(k)
            ),
            SubscriptionErrorKind::ListVsList(k) => format!(
                "unsupported query for table {t}: comparing a list with the array field {} is not supported",
                quote(k)
            ),
            SubscriptionErrorKind::IndexedField(k) => format!(
                "unsupported query for table {t}: the query must compare the indexed queryable field {} with == or IN against a constant, AND-ed with the rest of the query",
                quote(k)
            ),
            SubscriptionErrorKind::TooDeep => {
                format!("unsupported query for table {t}: the query nests too deeply")
            }
        }
    }
}

impl fmt::Display for SubscriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "subscription {} on table `{}` is refused: {}",
            self.index,
            self.table,
            self.body()
        )
    }
}

impl std::error::Error for SubscriptionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            SubscriptionErrorKind::Syntax(e) => Some(e.as_ref()),
            SubscriptionErrorKind::Bind(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// What the subset checks need to know about the subscribed table.
pub(crate) struct Subset<'a> {
    pub(crate) table: &'a Table,
    pub(crate) queryable: &'a dyn Fn(&str) -> bool,
    pub(crate) indexed: Option<&'a str>,
    pub(crate) args: &'a [Bson],
    pub(crate) max_depth: u32,
}

type Fail = (Option<Span>, SubscriptionErrorKind);

impl Subset<'_> {
    /// Checks a parsed query against every rule of the subset.
    pub(crate) fn check(&self, text: &str, query: &Query) -> Result<(), Fail> {
        if text.len() > MAX_SUBSCRIPTION_BYTES {
            return Err((None, SubscriptionErrorKind::TooLong(text.len())));
        }
        if let Some(clause) = query.post.first() {
            let token = match clause {
                PostClause::Sort(_) => "Sort",
                PostClause::Distinct(_) => "Distinct",
                PostClause::Limit(_) => "Limit",
            };
            return Err((Some(query.loc.0), SubscriptionErrorKind::PostClause(token)));
        }
        self.predicate(&query.predicate, 0)?;
        if let Some(field) = self.indexed
            && !constrains_indexed(&query.predicate, field)
        {
            return Err((Some(query.loc.0), SubscriptionErrorKind::IndexedField(field.to_owned())));
        }
        Ok(())
    }

    fn predicate(&self, p: &Predicate, depth: u32) -> Result<(), Fail> {
        if depth > self.max_depth {
            return Err((Some(p.loc.0), SubscriptionErrorKind::TooDeep));
        }
        match &p.kind {
            PredicateKind::Or(items) | PredicateKind::And(items) => {
                items.iter().try_for_each(|i| self.predicate(i, depth + 1))
            }
            PredicateKind::Not(inner) => self.predicate(inner, depth + 1),
            PredicateKind::True | PredicateKind::False => Ok(()),
            PredicateKind::Comparison(c) => {
                self.expr(&c.left, depth + 1)?;
                self.expr(&c.right, depth + 1)?;
                self.list_vs_list(&c.left, &c.right)?;
                self.list_vs_list(&c.right, &c.left)
            }
        }
    }

    fn expr(&self, e: &Expr, depth: u32) -> Result<(), Fail> {
        if depth > self.max_depth {
            return Err((Some(e.loc.0), SubscriptionErrorKind::TooDeep));
        }
        match &e.kind {
            ExprKind::Arithmetic { left, right, .. } => {
                self.expr(left, depth + 1)?;
                self.expr(right, depth + 1)
            }
            ExprKind::Value(v) => match v {
                Value::Constant(_) | Value::List(_) | Value::Geo(_) => Ok(()),
                Value::Subquery(_) => Err((Some(e.loc.0), SubscriptionErrorKind::Subquery)),
                Value::Aggregate(a) => {
                    let op = match a.op {
                        crate::rql::ast::AggregateOp::Min => "@min",
                        crate::rql::ast::AggregateOp::Max => "@max",
                        crate::rql::ast::AggregateOp::Sum => "@sum",
                        crate::rql::ast::AggregateOp::Avg => "@avg",
                    };
                    Err((Some(e.loc.0), SubscriptionErrorKind::Aggregate(op)))
                }
                Value::Path(p) => {
                    let name = self.path(&p.path)?;
                    if matches!(p.post, Some(crate::rql::ast::PostOp::Size(_)))
                        && !self.is_array(name)
                    {
                        return Err((
                            Some(e.loc.0),
                            SubscriptionErrorKind::SizeOfNonArray(name.to_owned()),
                        ));
                    }
                    Ok(())
                }
            },
        }
    }

    /// The single queryable field a path names.
    fn path<'p>(&self, path: &'p Path) -> Result<&'p str, Fail> {
        let at = Some(path.loc.0);
        let mut elements = path.elements.iter();
        let first = elements.next().map(|e| &e.kind);
        let name = match first {
            Some(PathElementKind::Name(n)) => n.as_str(),
            Some(PathElementKind::KeyPathArgument(i)) => {
                return Err((at, SubscriptionErrorKind::UnsupportedPath(format!("$K{i}"))));
            }
            Some(PathElementKind::Backlinks { class, property }) => {
                let text = format!("@links.{class}.{property}");
                return Err((at, SubscriptionErrorKind::UnsupportedPath(text)));
            }
            Some(PathElementKind::AllBacklinks) => {
                return Err((at, SubscriptionErrorKind::UnsupportedPath("@links".to_owned())));
            }
            Some(PathElementKind::Keys) => {
                return Err((at, SubscriptionErrorKind::UnsupportedPath("@keys".to_owned())));
            }
            Some(PathElementKind::Values) => {
                return Err((at, SubscriptionErrorKind::UnsupportedPath("@values".to_owned())));
            }
            Some(PathElementKind::Index(_)) | None => {
                return Err((at, SubscriptionErrorKind::UnsupportedPath(path_text(path))));
            }
        };
        if name != "_id" && !(self.queryable)(name) {
            return Err((at, SubscriptionErrorKind::NotQueryable(name.to_owned())));
        }
        if elements.next().is_some() {
            return Err((at, SubscriptionErrorKind::Traversal(path_text(path))));
        }
        Ok(name)
    }

    fn is_array(&self, name: &str) -> bool {
        self.table.object().property(name).is_some_and(|p| {
            matches!(p.collection(), Collection::List | Collection::Set) && p.object().is_none()
        })
    }

    /// Refuses `list` (a list literal or a list-valued argument) compared with an array field.
    fn list_vs_list(&self, list: &Expr, other: &Expr) -> Result<(), Fail> {
        let is_list = match &list.kind {
            ExprKind::Value(Value::List(_)) => true,
            ExprKind::Value(Value::Constant(Constant::Argument { index, .. })) => {
                matches!(self.args.get(*index as usize), Some(Bson::Array(_)))
            }
            _ => false,
        };
        if let ExprKind::Value(Value::Path(p)) = &other.kind
            && is_list
            && let Some(PathElementKind::Name(name)) = p.path.elements.first().map(|e| &e.kind)
            && p.post.is_none()
            && self.is_array(name)
        {
            return Err((Some(list.loc.0), SubscriptionErrorKind::ListVsList(name.clone())));
        }
        Ok(())
    }
}

/// Whether `p` is, or is an AND with, an equality or `IN` of `field` against a constant.
fn constrains_indexed(p: &Predicate, field: &str) -> bool {
    let direct = |c: &Predicate| match &c.kind {
        PredicateKind::Comparison(c)
            if matches!(c.op, CompareOp::Cmp(CmpOp::Eq) | CompareOp::In) =>
        {
            let is_field = |e: &Expr| match &e.kind {
                ExprKind::Value(Value::Path(p)) => {
                    p.quantifier.is_none()
                        && p.post.is_none()
                        && p.path.elements.len() == 1
                        && matches!(p.path.elements.first().map(|e| &e.kind),
                            Some(PathElementKind::Name(n)) if n == field)
                }
                _ => false,
            };
            let is_const =
                |e: &Expr| matches!(&e.kind, ExprKind::Value(Value::Constant(_) | Value::List(_)));
            (is_field(&c.left) && is_const(&c.right))
                || (c.op == CompareOp::Cmp(CmpOp::Eq) && is_const(&c.left) && is_field(&c.right))
        }
        _ => false,
    };
    match &p.kind {
        PredicateKind::And(items) => items.iter().any(direct),
        _ => direct(p),
    }
}

fn path_text(path: &Path) -> String {
    let mut out = String::new();
    for (i, e) in path.elements.iter().enumerate() {
        match &e.kind {
            PathElementKind::Name(n) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(n);
            }
            PathElementKind::Index(_) => out.push_str("[…]"),
            PathElementKind::KeyPathArgument(k) => out.push_str(&format!("$K{k}")),
            PathElementKind::Backlinks { class, property } => {
                out.push_str(&format!("@links.{class}.{property}"));
            }
            PathElementKind::AllBacklinks => out.push_str("@links"),
            PathElementKind::Keys => out.push_str(".@keys"),
            PathElementKind::Values => out.push_str(".@values"),
        }
    }
    out
}
