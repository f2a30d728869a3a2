//! Conversion of pest's parse tree into the typed syntax tree.
//!
//! This is the only module that reads pest `Pair`s. There is one function per grammar rule, named
//! after it. The functions walk children by rule, never by blind position: a child of an
//! unexpected rule, or a missing one, becomes [`ParseErrorKind::Internal`] through [`Children`]
//! instead of a panic, so a grammar edit that breaks an assumption here shows up as a failing
//! test, not a crash.
//!
//! Literal semantics that realm-core applies while parsing are applied here too: integers are
//! read with C `strtoll` rules, `T<s>:<ns>` timestamps are checked, `oid(…)`/`uuid(…)` become
//! bytes, identifier escapes are decoded and `@links.Class.property` steps are fused. Everything
//! that depends on a schema or on argument values is left to the binder.
//!
//! Recursion is bounded: each nested parenthesis, `NOT`, subquery and arithmetic operator takes
//! one level of [`Limits::max_depth`], checked before descending. The pre-scan has already
//! refused text that nests too deeply, so this counter is a second line of defence that also
//! covers arithmetic chains (`a + a + … + a`), which build a deep tree from flat text.

use pest::iterators::{Pair, Pairs};

use super::ast::{
    Aggregate, AggregateOp, ArithOp, BinaryLiteral, CompareOp, Comparison, Constant, ConstantExpr,
    Expr, ExprKind, GeoCoordinate, GeoPoint, GeoShape, IndexStep, ListValue, Path, PathElement,
    PathElementKind, PathValue, PostClause, PostOp, Predicate, PredicateKind, Quantifier, Query,
    SizeSpelling, SortKey, Subquery, TimestampLiteral, Value,
};
use super::error::{ParseError, ParseErrorKind, TimestampProblem};
use super::grammar::Rule;
use super::literal::{decimal, hex_bytes, strtoll};
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

/// Per-parse state: the limits and the counters checked against them.
pub(super) struct Builder<'l> {
    limits: &'l Limits,
    depth: u32,
    terms: usize,
}

impl<'l> Builder<'l> {
    pub(super) fn new(limits: &'l Limits) -> Self {
        Builder { limits, depth: 0, terms: 0 }
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

    /// Runs `f` one level deeper.
    fn nested<T>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.enter(1, span)?;
        let result = f(self);
        self.leave(1);
        result
    }

    pub(super) fn query(&mut self, pair: Pair<'_, Rule>) -> Result<Query> {
        let loc = loc_of(&pair);
        let mut children = Children::of(pair, "a query");
        let predicate = self.predicate(children.next()?)?;
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

    fn predicate(&mut self, pair: Pair<'_, Rule>) -> Result<Predicate> {
        let loc = loc_of(&pair);
        let mut operands = Vec::new();
        let mut children = Children::of(pair, "a condition");
        while let Some(child) = children.inner.next() {
            match child.as_rule() {
                Rule::conjunction => operands.push(self.conjunction(child)?),
                Rule::op_or => {}
                _ => return Err(children.error()),
            }
        }
        n_ary(operands, loc, PredicateKind::Or).ok_or_else(|| children.error())
    }

    fn conjunction(&mut self, pair: Pair<'_, Rule>) -> Result<Predicate> {
        let loc = loc_of(&pair);
        let mut operands = Vec::new();
        let mut children = Children::of(pair, "a condition");
        while let Some(child) = children.inner.next() {
            match child.as_rule() {
                Rule::negation => operands.push(self.negation(child)?),
                Rule::op_and => {}
                _ => return Err(children.error()),
            }
        }
        n_ary(operands, loc, PredicateKind::And).ok_or_else(|| children.error())
    }

    fn negation(&mut self, pair: Pair<'_, Rule>) -> Result<Predicate> {
        let mut children = Children::of(pair, "a negation");
        // Each NOT wraps everything after it, so its location runs from itself to the end.
        let mut nots = Vec::new();
        while let Some(not) = children.next_if(Rule::op_not) {
            nots.push(span_of(&not));
        }
        let levels = u32::try_from(nots.len()).unwrap_or(u32::MAX);
        let first = nots.first().copied().unwrap_or_default();
        self.enter(levels, first)?;
        let atom = children.next().and_then(|atom| self.atom(atom));
        self.leave(levels);
        let mut predicate = atom?;
        let end = predicate.loc.0.end();
        for not in nots.into_iter().rev() {
            predicate = Predicate {
                kind: PredicateKind::Not(Box::new(predicate)),
                loc: Loc(Span::new(not.start(), end)),
            };
        }
        Ok(predicate)
    }

    fn atom(&mut self, pair: Pair<'_, Rule>) -> Result<Predicate> {
        let span = span_of(&pair);
        let mut children = Children::of(pair, "a condition");
        let child = children.next()?;
        let kind = match child.as_rule() {
            Rule::predicate => {
                let inner = self.nested(span, |b| b.predicate(child))?;
                // The parentheses belong to the group's location.
                return Ok(Predicate { kind: inner.kind, loc: Loc(span) });
            }
            Rule::kw_truepredicate => PredicateKind::True,
            Rule::kw_falsepredicate => PredicateKind::False,
            Rule::comparison => PredicateKind::Comparison(Box::new(self.comparison(child)?)),
            _ => return Err(children.error()),
        };
        Ok(Predicate { kind, loc: Loc(span) })
    }

    fn comparison(&mut self, pair: Pair<'_, Rule>) -> Result<Comparison> {
        let span = span_of(&pair);
        self.terms += 1;
        if self.terms > self.limits.max_terms {
            return Err(ParseError::new(
                ParseErrorKind::TooManyTerms { limit: self.limits.max_terms },
                span,
            ));
        }
        let mut children = Children::of(pair, "a comparison");
        let left = self.operand(children.next()?)?;
        let op_pair = children.next()?;
        let op = match op_pair.as_rule() {
            Rule::op_eq => CompareOp::Equal,
            Rule::op_ne => CompareOp::NotEqual,
            Rule::op_in => CompareOp::In,
            Rule::op_lt => CompareOp::Less,
            Rule::op_le => CompareOp::LessEqual,
            Rule::op_gt => CompareOp::Greater,
            Rule::op_ge => CompareOp::GreaterEqual,
            Rule::kw_beginswith => CompareOp::BeginsWith,
            Rule::kw_endswith => CompareOp::EndsWith,
            Rule::kw_contains => CompareOp::Contains,
            Rule::kw_like => CompareOp::Like,
            Rule::kw_text => CompareOp::Text,
            Rule::kw_between => CompareOp::Between,
            Rule::kw_geowithin => CompareOp::GeoWithin,
            _ => return Err(children.error()),
        };
        let case_insensitive = children.next_if(Rule::case_flag).is_some();
        let right = self.operand(children.next()?)?;
        Ok(Comparison { left, op, case_insensitive, right, loc: Loc(span) })
    }

    /// Either side of a comparison: whatever the grammar allows there becomes an [`Expr`].
    fn operand(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let loc = loc_of(&pair);
        let value = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::value => self.value(pair)?,
            Rule::property => Value::Path(self.property(pair)?),
            Rule::list => Value::List(self.list(pair)?),
            Rule::geo_shape => Value::Geo(self.geo_shape(pair)?),
            Rule::argument => Value::Constant(self.argument(&pair, None)?),
            _ => return Err(internal("a comparison operand", loc.0)),
        };
        Ok(Expr { kind: ExprKind::Value(value), loc })
    }

    /// `expr` and `term` share this: a left-associative chain of operands and operators.
    fn arithmetic_chain(
        &mut self,
        pair: Pair<'_, Rule>,
        operand: fn(&mut Self, Pair<'_, Rule>) -> Result<Expr>,
    ) -> Result<Expr> {
        let span = span_of(&pair);
        let parts: Vec<Pair<'_, Rule>> = Children::of(pair, "an expression").inner.collect();
        // A chain of k operators is a tree k levels deep; take the levels before building it.
        let operators = u32::try_from(parts.len() / 2).unwrap_or(u32::MAX);
        self.enter(operators, span)?;
        let result = self.fold_chain(parts, operand, span);
        self.leave(operators);
        result
    }

    fn fold_chain(
        &mut self,
        parts: Vec<Pair<'_, Rule>>,
        operand: fn(&mut Self, Pair<'_, Rule>) -> Result<Expr>,
        span: Span,
    ) -> Result<Expr> {
        let mut parts = parts.into_iter();
        let first = parts.next().ok_or_else(|| internal("an expression", span))?;
        let mut left = operand(self, first)?;
        while let Some(op_pair) = parts.next() {
            let op = match op_pair.as_rule() {
                Rule::op_add => ArithOp::Add,
                Rule::op_sub => ArithOp::Subtract,
                Rule::op_mul => ArithOp::Multiply,
                Rule::op_div => ArithOp::Divide,
                _ => return Err(internal("an arithmetic operator", span_of(&op_pair))),
            };
            let right_pair = parts.next().ok_or_else(|| internal("an expression", span))?;
            let right = operand(self, right_pair)?;
            let loc = Loc(left.loc.0.join(right.loc.0));
            left = Expr {
                kind: ExprKind::Arithmetic { op, left: Box::new(left), right: Box::new(right) },
                loc,
            };
        }
        Ok(left)
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        self.arithmetic_chain(pair, Self::term)
    }

    fn term(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        self.arithmetic_chain(pair, Self::factor)
    }

    fn factor(&mut self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(&pair);
        let mut children = Children::of(pair, "a value");
        let child = children.next()?;
        match child.as_rule() {
            Rule::value => Ok(Expr { kind: ExprKind::Value(self.value(child)?), loc: Loc(span) }),
            Rule::expr => {
                let inner = self.nested(span, |b| b.expr(child))?;
                Ok(Expr { kind: inner.kind, loc: Loc(span) })
            }
            _ => Err(children.error()),
        }
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
        let predicate = self.nested(span, |b| b.predicate(predicate_pair))?;
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

/// Builds an n-ary node, or returns the single operand unchanged.
fn n_ary(
    mut operands: Vec<Predicate>,
    loc: Loc,
    make: fn(Vec<Predicate>) -> PredicateKind,
) -> Option<Predicate> {
    match operands.len() {
        0 => None,
        1 => operands.pop(),
        _ => Some(Predicate { kind: make(operands), loc }),
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

/// Fuses `@links` with the two names after it, as realm-core's path builder does.
///
/// `@links` alone (at the end of a path) means every incoming link. `@links.Class` with nothing
/// after it is what realm-core reads as class `Class` and property `Class`, so it becomes exactly
/// that. A `['key']` step counts as a name here, and `['@links']` starts a backlink like `@links`.
#[derive(Default)]
struct PathBuilder {
    elements: Vec<PathElement>,
    /// After `@links`: where it started and the class, once read.
    backlink: Option<(Span, Option<String>)>,
}

impl PathBuilder {
    fn push(&mut self, element: PathElement) -> Result<()> {
        let span = element.loc.0;
        match self.backlink.take() {
            Some((start, class)) => {
                let name = match element.kind {
                    PathElementKind::Name(name) | PathElementKind::Index(IndexStep::Key(name)) => {
                        name
                    }
                    PathElementKind::AllBacklinks => "@links".to_owned(),
                    PathElementKind::Keys => "@keys".to_owned(),
                    PathElementKind::Values => "@values".to_owned(),
                    _ => {
                        return Err(ParseError::new(ParseErrorKind::BacklinkWithoutName, span));
                    }
                };
                match class {
                    None => self.backlink = Some((start, Some(name))),
                    Some(class) => self.elements.push(PathElement {
                        kind: PathElementKind::Backlinks { class, property: name },
                        loc: Loc(start.join(span)),
                    }),
                }
            }
            None => match element.kind {
                PathElementKind::AllBacklinks => self.backlink = Some((span, None)),
                PathElementKind::Index(IndexStep::Key(ref key)) if key == "@links" => {
                    self.backlink = Some((span, None));
                }
                _ => self.elements.push(element),
            },
        }
        Ok(())
    }

    fn finish(mut self) -> Vec<PathElement> {
        if let Some((start, class)) = self.backlink.take() {
            let kind = match class {
                None => PathElementKind::AllBacklinks,
                Some(class) => PathElementKind::Backlinks { property: class.clone(), class },
            };
            self.elements.push(PathElement { kind, loc: Loc(start) });
        }
        self.elements
    }
}
