//! Conversion of pest's parse tree into the typed syntax tree.
//!
//! This is the only module that reads pest `Pair`s. There is one function per grammar rule, named
//! after it, except that the rules shared by conditions and operands (`predicate` down to
//! `factor`) all enter through [`Builder::node`], which decides what each group turned out to be.
//! The functions walk children by rule, never by blind position: a child of an
//! unexpected rule, or a missing one, becomes [`ParseErrorKind::Internal`] through [`Children`]
//! instead of a panic, so a grammar edit that breaks an assumption here shows up as a failing
//! test, not a crash.
//!
//! Literal semantics that realm-core applies while parsing are applied here too: integers are
//! read with C `strtoll` rules, `T<s>:<ns>` timestamps are checked, `oid(…)`/`uuid(…)` become
//! bytes, identifier escapes are decoded and `@links.Class.property` steps are fused. Everything
//! that depends on a schema or on argument values is left to the binder.
//!
//! Recursion is bounded: each nested parenthesis, `NOT` and arithmetic operator takes one level
//! of [`Limits::max_depth`] and each subquery two, checked before descending. The pre-scan has
//! already refused text that nests too deeply, so this counter is a second line of defence that
//! also covers arithmetic chains (`a + a + … + a`), which build a deep tree from flat text, and
//! subqueries, whose extra level keeps the stack used per level within what a 2 MiB thread has
//! even in unoptimised builds.

use pest::Parser;
use pest::iterators::{Pair, Pairs};

use super::ast::{
    Aggregate, AggregateOp, ArithOp, BinaryLiteral, CmpOp, CompareOp, Comparison, Constant,
    ConstantExpr, Expr, ExprKind, GeoCoordinate, GeoPoint, GeoShape, IndexStep, ListValue, Path,
    PathElement, PathElementKind, PathValue, PostClause, PostOp, Predicate, PredicateKind,
    Quantifier, Query, SizeSpelling, SortKey, Subquery, TimestampLiteral, Value,
};
use super::error::{ParseError, ParseErrorKind, TimestampProblem, quoted, unexpected_at};
use super::grammar::{RqlParser, Rule};
use super::literal::{decimal, hex_bytes, strtoll};
use super::path_builder::PathBuilder;
use crate::Limits;
use crate::span::{Loc, Span};

type Result<T> = std::result::Result<T, ParseError>;

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    Span::new(span.start(), span.end())
}

fn loc_of(pair: &Pair<'_, Rule>) -> Loc {
    Loc(span_of(pair))
}

fn internal(what: &'static str, span: Span) -> ParseError {
    ParseError::new(ParseErrorKind::Internal { what }, span)
}

/// Punctuation carries no meaning once the tree shape is known; the builders never see it.
fn is_punctuation(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lparen
            | Rule::rparen
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbracket
            | Rule::rbracket
            | Rule::comma
            | Rule::dot
            | Rule::EOI
    )
}

/// Runs the grammar over `text` (already pre-scanned) and builds the syntax tree.
pub(super) fn parse(text: &str, limits: &Limits) -> Result<Query> {
    let mut pairs =
        RqlParser::parse(Rule::query, text).map_err(|e| super::error::from_pest(&e, text))?;
    let query = pairs.next().ok_or_else(|| internal("a query", Span::point(0)))?;
    Builder::new(text, limits).query(query)
}

/// Children of a pair with the punctuation filtered out.
type Meaningful<'i> =
    std::iter::Peekable<std::iter::Filter<Pairs<'i, Rule>, fn(&Pair<'i, Rule>) -> bool>>;

/// The meaningful children of one pair, with errors that name the construct being read.
struct Children<'i> {
    inner: Meaningful<'i>,
    what: &'static str,
    span: Span,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>, what: &'static str) -> Self {
        let span = span_of(&pair);
        let keep: fn(&Pair<'i, Rule>) -> bool = |p| !is_punctuation(p.as_rule());
        Children { inner: pair.into_inner().filter(keep).peekable(), what, span }
    }

    /// The next child, which must exist.
    fn next(&mut self) -> Result<Pair<'i, Rule>> {
        self.inner.next().ok_or_else(|| internal(self.what, self.span))
    }

    /// The next child if it is of `rule`.
    fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.inner.next_if(|p| p.as_rule() == rule)
    }

    /// The next child if it is of one of `rules`.
    fn next_if_any(&mut self, rules: &[Rule]) -> Option<Pair<'i, Rule>> {
        self.inner.next_if(|p| rules.contains(&p.as_rule()))
    }

    fn error(&self) -> ParseError {
        internal(self.what, self.span)
    }
}

/// What a piece of the shared condition/operand grammar turned out to be.
enum Node {
    /// Something true or false: a comparison, a logical operator, a group of those.
    Condition(Predicate),
    /// Something with a value: a value, arithmetic, a group of those.
    Operand(Operand),
}

/// An operand, and whether it is a single value written without parentheses (the only operand
/// the string operators, TEXT, BETWEEN and GEOWITHIN accept).
struct Operand {
    expr: Expr,
    bare: bool,
}

/// Per-parse state: the text, the limits and the counters checked against them.
struct Builder<'t> {
    text: &'t str,
    limits: &'t Limits,
    depth: u32,
    terms: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, limits: &'t Limits) -> Self {
        Builder { text, limits, depth: 0, terms: 0 }
    }

    /// Takes `levels` levels of depth for the construct at `span`; give them back with
    /// [`Builder::leave`].
    fn enter(&mut self, levels: u32, span: Span) -> Result<()> {
        let depth = self.depth.saturating_add(levels);
        if depth > self.limits.max_depth {
            return Err(ParseError::new(
                ParseErrorKind::TooDeep { limit: self.limits.max_depth },
                span,
            ));
        }
        self.depth = depth;
        Ok(())
    }

    fn leave(&mut self, levels: u32) {
        self.depth = self.depth.saturating_sub(levels);
    }

    /// The error for an operand standing where a condition must: `a + 1`, `(a) AND b == 1`.
    /// realm-core reports the token after the operand, where it expected a comparison operator.
    fn operand_is_not_a_condition(&self, operand: &Operand) -> ParseError {
        unexpected_at(self.text, operand.expr.loc.0.end(), vec!["a comparison operator"])
    }

    /// The error for an operand that is not of the shape an operator takes.
    fn wrong_operand(&self, span: Span, expected: &'static str) -> ParseError {
        let found = quoted(self.text.get(span.start()..span.end()).unwrap_or_default());
        ParseError::new(ParseErrorKind::Syntax { expected: vec![expected], found }, span)
    }

    fn condition(&self, node: Node) -> Result<Predicate> {
        match node {
            Node::Condition(predicate) => Ok(predicate),
            Node::Operand(operand) => Err(self.operand_is_not_a_condition(&operand)),
        }
    }

    fn operand(&self, node: Node) -> Result<Operand> {
        match node {
            Node::Operand(operand) => Ok(operand),
            Node::Condition(predicate) => Err(self.wrong_operand(predicate.loc.0, "a value")),
        }
    }

    fn bare_operand(&self, node: Node, expected: &'static str) -> Result<Expr> {
        let operand = self.operand(node)?;
        if operand.bare {
            Ok(operand.expr)
        } else {
            Err(self.wrong_operand(operand.expr.loc.0, expected))
        }
    }

    fn query(&mut self, pair: Pair<'_, Rule>) -> Result<Query> {
        let loc = loc_of(&pair);
        let mut children = Children::of(pair, "a query");
        let node = self.node(children.next()?)?;
        let predicate = self.condition(node)?;
        let mut post = Vec::new();
        while let Some(clause) = children.inner.next() {
            post.push(match clause.as_rule() {
                Rule::sort_clause => self.sort_clause(clause)?,
                Rule::distinct_clause => self.distinct_clause(clause)?,
                Rule::limit_clause => self.limit_clause(clause)?,
                _ => return Err(children.error()),
            });
        }
        Ok(Query { predicate, post, loc })
    }

    /// Converts any pair of the shared condition/operand grammar (`predicate` down to `factor`).
    ///
    /// Chains of single children (a group that only holds another group, an OR of one AND of
    /// one operand, …) are walked in a loop rather than by recursion, so that plain nesting such
    /// as `((((a))))` costs no native stack per level; only levels that hold real structure
    /// recurse.
    fn node(&mut self, pair: Pair<'_, Rule>) -> Result<Node> {
        let mut pair = pair;
        // The outermost parenthesised group walked through, and how many levels were taken.
        let mut group: Option<Span> = None;
        let mut levels = 0;
        let result = loop {
            let rule = pair.as_rule();
            let span = span_of(&pair);
            let mut children = Children::of(pair.clone(), "a condition");
            let Some(first) = children.inner.next() else {
                break Err(children.error());
            };
            let single = children.inner.peek().is_none();
            match rule {
                Rule::predicate | Rule::conjunction | Rule::expr | Rule::term if single => {
                    pair = first;
                }
                Rule::predicate => break self.logical(pair, PredicateKind::Or),
                Rule::conjunction => break self.logical(pair, PredicateKind::And),
                Rule::expr | Rule::term => break self.arithmetic_chain(pair),
                Rule::negation if first.as_rule() == Rule::op_not => break self.negation(pair),
                Rule::negation => pair = first,
                Rule::atom if single && first.as_rule() == Rule::expr => pair = first,
                Rule::atom => break self.atom(pair),
                Rule::factor if first.as_rule() == Rule::predicate => {
                    if let Err(e) = self.enter(1, span) {
                        break Err(e);
                    }
                    levels += 1;
                    group.get_or_insert(span);
                    pair = first;
                }
                Rule::factor => {
                    break self.value(first).map(|value| {
                        let expr = Expr { kind: ExprKind::Value(value), loc: Loc(span) };
                        Node::Operand(Operand { expr, bare: true })
                    });
                }
                _ => break Err(children.error()),
            }
        };
        self.leave(levels);
        let node = result?;
        // A group's location includes its parentheses; a parenthesised value is no longer bare.
        Ok(match (group, node) {
            (None, node) => node,
            (Some(span), Node::Condition(inner)) => {
                Node::Condition(Predicate { kind: inner.kind, loc: Loc(span) })
            }
            (Some(span), Node::Operand(inner)) => Node::Operand(Operand {
                expr: Expr { kind: inner.expr.kind, loc: Loc(span) },
                bare: false,
            }),
        })
    }

    /// `a OR b OR …` or `a AND b AND …` with at least two operands, all of them conditions.
    fn logical(
        &mut self,
        pair: Pair<'_, Rule>,
        make: fn(Vec<Predicate>) -> PredicateKind,
    ) -> Result<Node> {
        let loc = loc_of(&pair);
        let mut operands = Vec::new();
        for child in Children::of(pair, "a condition").inner {
            if matches!(child.as_rule(), Rule::op_or | Rule::op_and) {
                continue;
            }
            let node = self.node(child)?;
            operands.push(self.condition(node)?);
        }
        Ok(Node::Condition(Predicate { kind: make(operands), loc }))
    }

    /// One or more `NOT`s and the atom they apply to.
    fn negation(&mut self, pair: Pair<'_, Rule>) -> Result<Node> {
        let mut children = Children::of(pair, "a negation");
        // Each NOT wraps everything after it, so its location runs from itself to the end.
        let mut nots = Vec::new();
        while let Some(not) = children.next_if(Rule::op_not) {
            nots.push(span_of(&not));
        }
        let levels = u32::try_from(nots.len()).unwrap_or(u32::MAX);
        let first = nots.first().copied().unwrap_or_default();
        self.enter(levels, first)?;
        let atom = children.next().and_then(|atom| self.node(atom));
        self.leave(levels);
        let mut predicate = self.condition(atom?)?;
        let end = predicate.loc.0.end();
        for not in nots.into_iter().rev() {
            predicate = Predicate {
                kind: PredicateKind::Not(Box::new(predicate)),
                loc: Loc(Span::new(not.start(), end)),
            };
        }
        Ok(Node::Condition(predicate))
    }

    /// `TRUEPREDICATE`, `FALSEPREDICATE`, or an operand followed by a comparison.
    fn atom(&mut self, pair: Pair<'_, Rule>) -> Result<Node> {
        let span = span_of(&pair);
        let mut children = Children::of(pair, "a condition");
        let child = children.next()?;
        let kind = match child.as_rule() {
            Rule::kw_truepredicate => PredicateKind::True,
            Rule::kw_falsepredicate => PredicateKind::False,
            Rule::expr => {
                let left = self.node(child)?;
                let Some(tail) = children.next_if(Rule::comparison) else {
                    return Ok(left);
                };
                PredicateKind::Comparison(Box::new(self.comparison(left, tail, span)?))
            }
            _ => return Err(children.error()),
        };
        Ok(Node::Condition(Predicate { kind, loc: Loc(span) }))
    }

    /// A comparison from its left side and the rest (`== 5`, `BEGINSWITH[c] 'a'`, …).
    fn comparison(&mut self, left: Node, tail: Pair<'_, Rule>, span: Span) -> Result<Comparison> {
        self.terms += 1;
        if self.terms > self.limits.max_terms {
            return Err(ParseError::new(
                ParseErrorKind::TooManyTerms { limit: self.limits.max_terms },
                span,
            ));
        }
        let mut children = Children::of(tail, "a comparison");
        let op = match children.next()?.as_rule() {
            Rule::op_eq => CompareOp::Cmp(CmpOp::Eq),
            Rule::op_ne => CompareOp::Cmp(CmpOp::Ne),
            Rule::op_in => CompareOp::In,
            Rule::op_lt => CompareOp::Cmp(CmpOp::Lt),
            Rule::op_le => CompareOp::Cmp(CmpOp::Le),
            Rule::op_gt => CompareOp::Cmp(CmpOp::Gt),
            Rule::op_ge => CompareOp::Cmp(CmpOp::Ge),
            Rule::kw_beginswith => CompareOp::Cmp(CmpOp::BeginsWith),
            Rule::kw_endswith => CompareOp::Cmp(CmpOp::EndsWith),
            Rule::kw_contains => CompareOp::Cmp(CmpOp::Contains),
            Rule::kw_like => CompareOp::Cmp(CmpOp::Like),
            Rule::kw_text => CompareOp::Text,
            Rule::kw_between => CompareOp::Between,
            Rule::kw_geowithin => CompareOp::GeoWithin,
            _ => return Err(children.error()),
        };
        let case_insensitive = children.next_if(Rule::case_flag).is_some();
        let right_pair = children.next()?;
        let right_loc = loc_of(&right_pair);
        let constant_right = |value: Value| Expr { kind: ExprKind::Value(value), loc: right_loc };
        let (left, right) = match op {
            CompareOp::Cmp(CmpOp::Eq)
            | CompareOp::Cmp(CmpOp::Ne)
            | CompareOp::In
            | CompareOp::Cmp(CmpOp::Lt)
            | CompareOp::Cmp(CmpOp::Le)
            | CompareOp::Cmp(CmpOp::Gt)
            | CompareOp::Cmp(CmpOp::Ge) => {
                let right = self.node(right_pair)?;
                (self.operand(left)?.expr, self.operand(right)?.expr)
            }
            CompareOp::Cmp(CmpOp::BeginsWith)
            | CompareOp::Cmp(CmpOp::EndsWith)
            | CompareOp::Cmp(CmpOp::Contains)
            | CompareOp::Cmp(CmpOp::Like)
            | CompareOp::Text => {
                let left = self.bare_operand(left, "a single value")?;
                let right = self.node(right_pair)?;
                (left, self.bare_operand(right, "a single value")?)
            }
            CompareOp::Between => {
                let left = self.bare_operand(left, "a single value")?;
                (left, constant_right(Value::List(self.list(right_pair)?)))
            }
            CompareOp::GeoWithin => {
                let left = self.bare_operand(left, "a property")?;
                if !matches!(left.kind, ExprKind::Value(Value::Path(_))) {
                    return Err(self.wrong_operand(left.loc.0, "a property"));
                }
                let right = match right_pair.as_rule() {
                    Rule::geo_shape => Value::Geo(self.geo_shape(right_pair)?),
                    Rule::argument => Value::Constant(self.argument(&right_pair, None)?),
                    _ => return Err(children.error()),
                };
                (left, constant_right(right))
            }
        };
        Ok(Comparison { left, op, case_insensitive, right, loc: Loc(span) })
    }

    /// `expr` and `term` with at least one operator: a left-associative chain of operands.
    fn arithmetic_chain(&mut self, pair: Pair<'_, Rule>) -> Result<Node> {
        let span = span_of(&pair);
        let parts: Vec<Pair<'_, Rule>> = Children::of(pair, "an expression").inner.collect();
        // A chain of k operators is a tree k levels deep; take the levels before building it.
        let operators = u32::try_from(parts.len() / 2).unwrap_or(u32::MAX);
        self.enter(operators, span)?;
        let result = self.fold_chain(parts, span);
        self.leave(operators);
        Ok(Node::Operand(Operand { expr: result?, bare: false }))
    }

    fn fold_chain(&mut self, parts: Vec<Pair<'_, Rule>>, span: Span) -> Result<Expr> {
        let mut parts = parts.into_iter();
        let first = parts.next().ok_or_else(|| internal("an expression", span))?;
        let first = self.node(first)?;
        let mut left = self.operand(first)?.expr;
        while let Some(op_pair) = parts.next() {
            let op = match op_pair.as_rule() {
                Rule::op_add => ArithOp::Add,
                Rule::op_sub => ArithOp::Subtract,
                Rule::op_mul => ArithOp::Multiply,
                Rule::op_div => ArithOp::Divide,
                _ => return Err(internal("an arithmetic operator", span_of(&op_pair))),
            };
            let right_pair = parts.next().ok_or_else(|| internal("an expression", span))?;
            let right = self.node(right_pair)?;
            let right = self.operand(right)?.expr;
            let loc = Loc(left.loc.0.join(right.loc.0));
            left = Expr {
                kind: ExprKind::Arithmetic { op, left: Box::new(left), right: Box::new(right) },
                loc,
            };
        }
        Ok(left)
    }

    fn value(&mut self, pair: Pair<'_, Rule>) -> Result<Value> {
        let mut children = Children::of(pair, "a value");
        let child = children.next()?;
        Ok(match child.as_rule() {
            Rule::constant => Value::Constant(self.constant(child)?),
            Rule::list => Value::List(self.list(child)?),
            Rule::subquery => Value::Subquery(Box::new(self.subquery(child)?)),
            Rule::aggregate => Value::Aggregate(self.aggregate(child)?),
            Rule::property => Value::Path(self.property(child)?),
            _ => return Err(children.error()),
        })
    }

    fn property(&mut self, pair: Pair<'_, Rule>) -> Result<PathValue> {
        let mut children = Children::of(pair, "a property");
        let quantifier = children
            .next_if_any(&[Rule::kw_any, Rule::kw_all, Rule::kw_none])
            .map(|q| quantifier(&q));
        let path = self.path(children.next()?)?;
        let post = match children.next_if(Rule::post_op) {
            Some(post) => Some(post_op(post)?),
            None => None,
        };
        Ok(PathValue { quantifier, path, post })
    }

    fn aggregate(&mut self, pair: Pair<'_, Rule>) -> Result<Aggregate> {
        let mut children = Children::of(pair, "an aggregate");
        let path = self.path(children.next()?)?;
        let op = match children.next()?.as_rule() {
            Rule::kw_min => AggregateOp::Min,
            Rule::kw_max => AggregateOp::Max,
            Rule::kw_sum => AggregateOp::Sum,
            Rule::kw_avg => AggregateOp::Avg,
            _ => return Err(children.error()),
        };
        let property = match children.next_if(Rule::id) {
            Some(id) => Some(id_text(id)?),
            None => None,
        };
        Ok(Aggregate { path, op, property })
    }

    fn subquery(&mut self, pair: Pair<'_, Rule>) -> Result<Subquery> {
        let span = span_of(&pair);
        let mut children = Children::of(pair, "a subquery");
        children.next_if(Rule::kw_subquery);
        let collection = self.path(children.next()?)?;
        let variable = id_text(children.next()?)?;
        let predicate_pair = children.next()?;
        // A subquery opens a whole predicate inside an operand inside a comparison, which takes
        // far more stack (here and in every later stage) than a parenthesised group, so it
        // counts as two levels.
        self.enter(2, span)?;
        let node = self.node(predicate_pair);
        self.leave(2);
        let node = node?;
        let predicate = self.condition(node)?;
        let size = size_spelling(&children.next()?);
        Ok(Subquery { collection, variable, predicate, size })
    }

    fn path(&mut self, pair: Pair<'_, Rule>) -> Result<Path> {
        let loc = loc_of(&pair);
        let mut builder = PathBuilder::default();
        let mut children = Children::of(pair, "a property");
        while let Some(child) = children.inner.next() {
            let element_loc = loc_of(&child);
            let kind = match child.as_rule() {
                Rule::kp_arg => PathElementKind::KeyPathArgument(self.argument_index(&child, 2)?),
                Rule::id => id_element(child)?,
                Rule::index => PathElementKind::Index(self.index(child)?),
                Rule::string => PathElementKind::Index(IndexStep::Key(string_body(&child))),
                _ => return Err(children.error()),
            };
            builder.push(PathElement { kind, loc: element_loc })?;
        }
        let elements = builder.finish();
        if elements.is_empty() {
            return Err(children.error());
        }
        Ok(Path { elements, loc })
    }

    fn index(&mut self, pair: Pair<'_, Rule>) -> Result<IndexStep> {
        let mut children = Children::of(pair, "an index");
        let child = children.next()?;
        Ok(match child.as_rule() {
            Rule::natural => IndexStep::Position(strtoll(child.as_str()).unsigned_abs()),
            Rule::kw_first => IndexStep::First,
            Rule::kw_last => IndexStep::Last,
            Rule::star => IndexStep::All,
            Rule::string => IndexStep::Key(string_body(&child)),
            Rule::argument => IndexStep::Argument(self.argument_index(&child, 1)?),
            _ => return Err(children.error()),
        })
    }

    fn list(&mut self, pair: Pair<'_, Rule>) -> Result<ListValue> {
        let span = span_of(&pair);
        let mut children = Children::of(pair, "a list");
        let quantifier = children
            .next_if_any(&[Rule::kw_any, Rule::kw_all, Rule::kw_none])
            .map(|q| quantifier(&q));
        let mut elements = Vec::new();
        for child in children.inner.by_ref() {
            if elements.len() >= self.limits.max_list_len {
                return Err(ParseError::new(
                    ParseErrorKind::ListTooLong { limit: self.limits.max_list_len },
                    span,
                ));
            }
            let loc = loc_of(&child);
            elements.push(ConstantExpr { value: self.constant(child)?, loc });
        }
        Ok(ListValue { quantifier, elements })
    }

    fn constant(&mut self, pair: Pair<'_, Rule>) -> Result<Constant> {
        let mut children = Children::of(pair, "a literal");
        let child = children.next()?;
        let span = span_of(&child);
        let text = child.as_str();
        Ok(match child.as_rule() {
            Rule::kw_any | Rule::kw_all | Rule::kw_none => {
                let quantifier = quantifier(&child);
                self.argument(&children.next()?, Some(quantifier))?
            }
            Rule::object_literal => self.object_literal(child)?,
            Rule::binary_literal => binary_literal(child)?,
            Rule::timestamp => Constant::Timestamp(timestamp(child)?),
            Rule::typed_link => {
                let (table, object) =
                    text.get(1..).unwrap_or_default().split_once(':').unwrap_or_default();
                Constant::TypedLink {
                    table: strtoll(table).unsigned_abs(),
                    object: strtoll(object).unsigned_abs(),
                }
            }
            Rule::link => {
                Constant::ObjectKey(strtoll(text.get(1..).unwrap_or_default()).unsigned_abs())
            }
            Rule::kw_true => Constant::Bool(true),
            Rule::kw_false => Constant::Bool(false),
            Rule::kw_null => Constant::Null,
            Rule::infinity => Constant::Infinity { negative: text.starts_with('-') },
            Rule::nan => Constant::NaN,
            Rule::float => Constant::Float(text.to_owned()),
            Rule::base64 => Constant::Base64(base64_body(&child)),
            Rule::hex_int
            | Rule::natural
            | Rule::signed_int
            | Rule::string
            | Rule::uuid
            | Rule::oid
            | Rule::argument => self.primary_key_token(&child)?,
            _ => return Err(internal("a literal", span)),
        })
    }

    /// The tokens allowed as the key of `obj(…)`, which are also plain constants.
    fn primary_key_token(&mut self, pair: &Pair<'_, Rule>) -> Result<Constant> {
        let span = span_of(pair);
        let text = pair.as_str();
        Ok(match pair.as_rule() {
            Rule::hex_int | Rule::natural | Rule::signed_int => Constant::Int(strtoll(text)),
            Rule::string => Constant::String(string_body(pair)),
            Rule::uuid => Constant::Uuid(
                hex_bytes(inside_parens(text)).ok_or_else(|| internal("a uuid", span))?,
            ),
            Rule::oid => Constant::ObjectId(
                hex_bytes(inside_parens(text)).ok_or_else(|| internal("an object id", span))?,
            ),
            Rule::argument => self.argument(pair, None)?,
            _ => return Err(internal("a primary key", span)),
        })
    }

    fn object_literal(&mut self, pair: Pair<'_, Rule>) -> Result<Constant> {
        let mut children = Children::of(pair, "an object literal");
        children.next_if(Rule::kw_obj);
        let class = string_body(&children.next()?);
        let mut key_children = Children::of(children.next()?, "a primary key");
        let key = self.primary_key_token(&key_children.next()?)?;
        Ok(Constant::Object { class, key: Box::new(key) })
    }

    fn argument(
        &mut self,
        pair: &Pair<'_, Rule>,
        quantifier: Option<Quantifier>,
    ) -> Result<Constant> {
        if pair.as_rule() != Rule::argument {
            return Err(internal("an argument", span_of(pair)));
        }
        Ok(Constant::Argument { index: self.argument_index(pair, 1)?, quantifier })
    }

    /// The decimal index after a `$` (`prefix` = 1) or `$K` (`prefix` = 2).
    fn argument_index(&self, pair: &Pair<'_, Rule>, prefix: usize) -> Result<u32> {
        let text = pair.as_str();
        let index = decimal(text.get(prefix..).unwrap_or_default());
        match u32::try_from(index) {
            Ok(index) if index < self.limits.max_arguments => Ok(index),
            _ => Err(ParseError::new(
                ParseErrorKind::ArgumentIndexTooLarge {
                    argument: text.to_owned(),
                    limit: self.limits.max_arguments,
                },
                span_of(pair),
            )),
        }
    }

    fn geo_shape(&mut self, pair: Pair<'_, Rule>) -> Result<GeoShape> {
        let mut children = Children::of(pair, "a geospatial shape");
        let shape = children.next()?;
        let rule = shape.as_rule();
        let mut parts = Children::of(shape, "a geospatial shape");
        parts.next_if_any(&[Rule::kw_geobox, Rule::kw_geocircle, Rule::kw_geopolygon]);
        match rule {
            Rule::geo_box => {
                let bottom_left = self.geo_point(parts.next()?)?;
                let top_right = self.geo_point(parts.next()?)?;
                Ok(GeoShape::Box { bottom_left, top_right })
            }
            Rule::geo_circle => {
                let center = self.geo_point(parts.next()?)?;
                let radius = self.coordinate(parts.next()?)?;
                Ok(GeoShape::Circle { center, radius })
            }
            Rule::geo_polygon => {
                let mut rings = Vec::new();
                for ring in parts.inner.by_ref() {
                    let mut points = Vec::new();
                    for point in Children::of(ring, "a ring").inner {
                        points.push(self.geo_point(point)?);
                    }
                    rings.push(points);
                }
                Ok(GeoShape::Polygon { rings })
            }
            _ => Err(children.error()),
        }
    }

    fn geo_point(&mut self, pair: Pair<'_, Rule>) -> Result<GeoPoint> {
        let mut children = Children::of(pair, "a point");
        let longitude = self.coordinate(children.next()?)?;
        let latitude = self.coordinate(children.next()?)?;
        let altitude = children.next_if(Rule::float).map(|f| f.as_str().to_owned());
        Ok(GeoPoint { longitude, latitude, altitude })
    }

    fn coordinate(&mut self, pair: Pair<'_, Rule>) -> Result<GeoCoordinate> {
        let mut children = Children::of(pair, "a coordinate");
        let child = children.next()?;
        match child.as_rule() {
            Rule::float | Rule::natural => Ok(GeoCoordinate::Number(child.as_str().to_owned())),
            Rule::argument => Ok(GeoCoordinate::Argument(self.argument_index(&child, 1)?)),
            _ => Err(children.error()),
        }
    }

    fn sort_clause(&mut self, pair: Pair<'_, Rule>) -> Result<PostClause> {
        let mut children = Children::of(pair, "a SORT clause");
        children.next_if(Rule::kw_sort);
        let mut keys = Vec::new();
        for key in children.inner.by_ref() {
            let mut parts = Children::of(key, "a sort key");
            let path = self.path(parts.next()?)?;
            let ascending = match parts.next()?.as_rule() {
                Rule::kw_ascending => true,
                Rule::kw_descending => false,
                _ => return Err(parts.error()),
            };
            keys.push(SortKey { path, ascending });
        }
        Ok(PostClause::Sort(keys))
    }

    fn distinct_clause(&mut self, pair: Pair<'_, Rule>) -> Result<PostClause> {
        let mut children = Children::of(pair, "a DISTINCT clause");
        children.next_if(Rule::kw_distinct);
        let mut paths = Vec::new();
        for path in children.inner.by_ref() {
            paths.push(self.path(path)?);
        }
        Ok(PostClause::Distinct(paths))
    }

    fn limit_clause(&mut self, pair: Pair<'_, Rule>) -> Result<PostClause> {
        let mut children = Children::of(pair, "a LIMIT clause");
        children.next_if(Rule::kw_limit);
        let count = children.next()?;
        Ok(PostClause::Limit(strtoll(count.as_str()).unsigned_abs()))
    }
}

fn quantifier(pair: &Pair<'_, Rule>) -> Quantifier {
    match pair.as_rule() {
        Rule::kw_all => Quantifier::All,
        Rule::kw_none => Quantifier::None,
        _ => Quantifier::Any,
    }
}

fn size_spelling(pair: &Pair<'_, Rule>) -> SizeSpelling {
    match pair.as_str() {
        "@count" => SizeSpelling::Count,
        "SIZE" => SizeSpelling::IndexUpper,
        "size" => SizeSpelling::IndexLower,
        _ => SizeSpelling::Size,
    }
}

fn post_op(pair: Pair<'_, Rule>) -> Result<PostOp> {
    let mut children = Children::of(pair, "a post operator");
    let child = children.next()?;
    match child.as_rule() {
        Rule::kw_size | Rule::kw_index_size => Ok(PostOp::Size(size_spelling(&child))),
        Rule::kw_type => Ok(PostOp::Type),
        _ => Err(children.error()),
    }
}

/// What an `id` names: a property, or one of the `@` words that have their own path elements.
fn id_element(pair: Pair<'_, Rule>) -> Result<PathElementKind> {
    let mut children = Children::of(pair, "a property name");
    let child = children.next()?;
    Ok(match child.as_rule() {
        Rule::kw_links => PathElementKind::AllBacklinks,
        Rule::kw_keys => PathElementKind::Keys,
        Rule::kw_values => PathElementKind::Values,
        Rule::identifier => PathElementKind::Name(decode_identifier(child.as_str())),
        _ => PathElementKind::Name(child.as_str().to_owned()),
    })
}

/// The text an `id` stands for (a subquery variable, an aggregated property).
fn id_text(pair: Pair<'_, Rule>) -> Result<String> {
    let mut children = Children::of(pair, "a property name");
    let child = children.next()?;
    Ok(match child.as_rule() {
        Rule::identifier => decode_identifier(child.as_str()),
        _ => child.as_str().to_owned(),
    })
}

/// Decodes the four identifier escapes: `\ ` (space), `\t`, `\r`, `\n`. The grammar admits no
/// other backslash in an identifier.
fn decode_identifier(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The raw text between the quotes of a string token, escapes untouched.
fn string_body(pair: &Pair<'_, Rule>) -> String {
    let text = pair.as_str();
    text.get(1..text.len().saturating_sub(1)).unwrap_or_default().to_owned()
}

/// The base64 text of a `B64"…"` token.
fn base64_body(pair: &Pair<'_, Rule>) -> String {
    let text = pair.as_str();
    text.get(4..text.len().saturating_sub(1)).unwrap_or_default().to_owned()
}

/// The text between the parentheses of `uuid(…)` / `oid(…)`.
fn inside_parens(text: &str) -> &str {
    let start = text.find('(').map_or(0, |i| i + 1);
    let end = text.rfind(')').unwrap_or(text.len());
    text.get(start..end).unwrap_or_default()
}

fn binary_literal(pair: Pair<'_, Rule>) -> Result<Constant> {
    let mut children = Children::of(pair, "a binary literal");
    children.next_if(Rule::kw_binary);
    let body = children.next()?;
    Ok(Constant::Binary(match body.as_rule() {
        Rule::string => BinaryLiteral::Text(string_body(&body)),
        Rule::base64 => BinaryLiteral::Base64(base64_body(&body)),
        _ => return Err(children.error()),
    }))
}

fn timestamp(pair: Pair<'_, Rule>) -> Result<TimestampLiteral> {
    let literal = pair.as_str().to_owned();
    let span = span_of(&pair);
    let mut children = Children::of(pair, "a timestamp");
    let form = children.next()?;
    let rule = form.as_rule();
    let fields: Vec<&str> = form.into_inner().map(|p| p.as_str()).collect();
    match (rule, fields.as_slice()) {
        (Rule::timestamp_epoch, [seconds, nanos]) => {
            let seconds = strtoll(seconds);
            let nanos = strtoll(nanos);
            let problem = if (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0) {
                Some(TimestampProblem::OppositeSigns)
            } else if nanos.unsigned_abs() >= 1_000_000_000 {
                Some(TimestampProblem::NanosOutOfRange)
            } else {
                None
            };
            match problem {
                Some(problem) => Err(ParseError::new(
                    ParseErrorKind::InvalidTimestamp { literal, problem },
                    span,
                )),
                None => Ok(TimestampLiteral::Epoch { seconds, nanos }),
            }
        }
        (Rule::timestamp_date, [year, month, day, hour, minute, second, rest @ ..]) => {
            let field = |text: &str| i64::try_from(decimal(text)).unwrap_or(i64::MAX);
            let nanos = match rest {
                [] => None,
                [nanos] => Some(field(nanos)),
                _ => return Err(internal("a timestamp", span)),
            };
            Ok(TimestampLiteral::Date {
                year: field(year),
                month: field(month),
                day: field(day),
                hour: field(hour),
                minute: field(minute),
                second: field(second),
                nanos,
            })
        }
        _ => Err(internal("a timestamp", span)),
    }
}

/// Length of the longest token at the start of `rest`, if any token starts there: realm-core's
/// scanner rule, used to name what an error found.
pub(super) fn token_length(rest: &str) -> Option<usize> {
    const TOKENS: &[Rule] = &[
        Rule::op_add,
        Rule::op_sub,
        Rule::op_mul,
        Rule::op_div,
        Rule::op_eq,
        Rule::op_ne,
        Rule::op_le,
        Rule::op_ge,
        Rule::op_lt,
        Rule::op_gt,
        Rule::op_and,
        Rule::op_or,
        Rule::op_not,
        Rule::lparen,
        Rule::rparen,
        Rule::lbrace,
        Rule::rbrace,
        Rule::lbracket,
        Rule::rbracket,
        Rule::comma,
        Rule::dot,
        Rule::case_flag,
        Rule::kw_size,
        Rule::kw_max,
        Rule::kw_min,
        Rule::kw_sum,
        Rule::kw_avg,
        Rule::kw_links,
        Rule::kw_type,
        Rule::kw_keys,
        Rule::kw_values,
        Rule::uuid,
        Rule::oid,
        Rule::timestamp,
        Rule::typed_link,
        Rule::infinity,
        Rule::nan,
        Rule::float,
        Rule::hex_int,
        Rule::natural,
        Rule::signed_int,
        Rule::base64,
        Rule::string,
        Rule::argument,
        Rule::kp_arg,
        Rule::link,
        Rule::word,
    ];
    TOKENS
        .iter()
        .filter_map(|rule| {
            RqlParser::parse(*rule, rest)
                .ok()
                .and_then(|mut pairs| pairs.next())
                .map(|pair| pair.as_span().end())
        })
        .filter(|len| *len > 0)
        .max()
}

#[cfg(test)]
mod tests;
