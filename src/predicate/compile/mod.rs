//! Binding a parsed query to a table schema and its arguments (realm-core's "bind" step).
//!
//! Key paths become field slots and walking steps, constants are typed by the other side of
//! their comparison ("hint" typing) and converted once, and realm-core's bind-time errors are
//! raised with their data. Recursion is bounded by `Limits::max_depth`, whatever the parser let
//! through.

mod aggregates;
mod checks;
mod clauses;
mod constants;
mod describe;
mod paths;
mod shape;
mod subqueries;
#[cfg(test)]
mod tests;

use bson::Bson;

use self::shape::{Ends, Shape, Side, Ty};
use super::error::{CompileError, CompileErrorKind as K};
use super::post::CompiledQuery;
use super::val::Level;
use super::{Arith, Compare, CompareKind, Cond, Operand, OperandKind, Predicate};
use crate::limits::Limits;
use crate::rql::ast::{self, ArithOp, CompareOp, ExprKind, PredicateKind, Quantifier};
use crate::schema::{ObjectType, Table};
use crate::span::Span;
use crate::value::CmpOp;
use crate::value::Value;

/// Binds `query` to `table` and `args`: the predicate plus its SORT/DISTINCT/LIMIT clauses.
///
/// Arguments are BSON values (read from Extended JSON by the caller); a BSON array is a list
/// argument. Every error realm-core raises at bind time for a one-table schema is raised here,
/// before any object is looked at.
pub fn compile(
    query: &ast::Query,
    table: &Table,
    args: &[Bson],
    limits: &Limits,
) -> Result<CompiledQuery, CompileError> {
    let mut c = Compiler { table, args, limits, fields: Vec::new(), scopes: Vec::new(), terms: 0 };
    let root = c.cond(&query.predicate, 0)?;
    let mut post = Vec::with_capacity(query.post.len());
    for clause in &query.post {
        post.push(c.post_clause(clause, query.loc.0)?);
    }
    let fields = crate::document::FieldSet::new(&c.fields);
    let predicate = Predicate { root, fields, names: c.fields.into_boxed_slice() };
    Ok(CompiledQuery::new(predicate, post))
}

struct Scope<'t> {
    object: &'t ObjectType,
    variable: String,
}

struct Compiler<'t> {
    table: &'t Table,
    args: &'t [Bson],
    limits: &'t Limits,
    fields: Vec<Box<str>>,
    scopes: Vec<Scope<'t>>,
    terms: usize,
}

fn err<T>(kind: K, span: Span) -> Result<T, CompileError> {
    Err(CompileError::new(kind, span))
}

/// Whether an expression reads nothing from the object. Expressions nested deeper than
/// `budget` count as reading something, so that compiling them reaches the depth limit and
/// fails there instead of this walk recursing without bound.
fn is_constant(e: &ast::Expr, budget: u32) -> bool {
    match &e.kind {
        ExprKind::Value(ast::Value::Constant(_) | ast::Value::List(_)) => true,
        ExprKind::Value(_) => false,
        ExprKind::Arithmetic { left, right, .. } => {
            budget > 0 && is_constant(left, budget - 1) && is_constant(right, budget - 1)
        }
    }
}

fn op_of(op: CompareOp) -> Option<CmpOp> {
    Some(match op {
        CompareOp::Cmp(op) => op,
        CompareOp::In => CmpOp::Eq,
        CompareOp::Text | CompareOp::Between | CompareOp::GeoWithin => return None,
    })
}

fn quantifier_name(q: Quantifier) -> &'static str {
    match q {
        Quantifier::Any => "ANY",
        Quantifier::All => "ALL",
        Quantifier::None => "NONE",
    }
}

impl<'t> Compiler<'t> {
    fn cond(&mut self, p: &ast::Predicate, depth: u32) -> Result<Cond, CompileError> {
        if depth > self.limits.max_depth {
            return err(K::TooDeep { limit: self.limits.max_depth }, p.loc.0);
        }
        Ok(match &p.kind {
            PredicateKind::True => Cond::True,
            PredicateKind::False => Cond::False,
            PredicateKind::Not(inner) => Cond::not(self.cond(inner, depth + 1)?),
            PredicateKind::And(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.cond(i, depth + 1)?);
                }
                Cond::and(out)
            }
            PredicateKind::Or(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.cond(i, depth + 1)?);
                }
                Cond::or(out)
            }
            // A comparison takes no level of its own and is the one thing counted as a term,
            // as in the parser, so that every query the parser accepts within `Limits` compiles.
            PredicateKind::Comparison(c) => {
                self.terms += 1;
                if self.terms > self.limits.max_terms {
                    return err(K::TooManyTerms { limit: self.limits.max_terms }, p.loc.0);
                }
                self.comparison(c, depth)?
            }
        })
    }

    fn comparison(&mut self, c: &ast::Comparison, depth: u32) -> Result<Cond, CompileError> {
        let span = c.loc.0;
        match c.op {
            CompareOp::GeoWithin => return err(K::Geospatial, span),
            CompareOp::Text => return err(K::NoFullTextIndex, span),
            _ => {}
        }
        let budget = self.limits.max_depth.saturating_sub(depth);
        let (lc, rc) = (is_constant(&c.left, budget), is_constant(&c.right, budget));
        if lc && rc {
            return err(K::TwoConstants, span);
        }
        // The non-constant side is bound first; the constant side takes its type as the hint.
        let (left, right) = if lc {
            let right = self.side(&c.right, None, depth)?;
            let left = self.side(&c.left, Some(right.ty), depth)?;
            (left, right)
        } else {
            let left = self.side(&c.left, None, depth)?;
            let right = self.side(&c.right, Some(left.ty), depth)?;
            (left, right)
        };
        if c.op == CompareOp::Between {
            return self.between(c, left, right);
        }
        let Some(op) = op_of(c.op) else { return err(K::Geospatial, span) };
        self.check(c, op, &left, &right)?;
        // realm-core uses its column nodes (IEEE NaN rules, null strings ordered first) only for
        // an own property compared with constants of exactly its type (or null); anything else
        // goes through its generic value comparison.
        let same_type = |c: &Value| matches!(c, Value::Null) || Ty::of_const(c) == left.ty;
        let column_consts = match &right.operand.kind {
            OperandKind::Const(c) => same_type(c),
            OperandKind::Consts(cs) => cs.iter().all(same_type),
            _ => false,
        };
        // QUIRK (quirk_column_in_list_skips_other_types): an own property compared with a list
        // of constants takes realm-core's column path, where elements of another type than the
        // property never match (`weight IN {0.012, 0}` does not match `0.0`).
        let mut right = right;
        if left.is_own_scalar()
            && left.ty != Ty::Mixed
            && let OperandKind::Consts(cs) = &mut right.operand.kind
        {
            let kept: Vec<Value> = cs.iter().filter(|c| same_type(c)).cloned().collect();
            *cs = kept.into_boxed_slice();
        }
        let column_consts = column_consts || matches!(right.operand.kind, OperandKind::Consts(_));
        let level = if left.is_own_scalar() && right.is_constant() && column_consts {
            Level::Column
        } else {
            Level::Value
        };
        let ci = c.case_insensitive;
        // QUIRK (quirk_case_flag_ignored_on_direct_in_list): a direct string property compared
        // with `==[c]`/`IN[c]` against a non-empty constant list is case-sensitive in realm-core.
        let ci = ci
            && !(left.is_own_scalar()
                && matches!(op, CmpOp::Eq)
                && matches!(&right.operand.kind, OperandKind::Consts(cs) if !cs.is_empty()));
        let folded = match (&right.operand.kind, ci) {
            (OperandKind::Const(Value::String(s) | Value::Binary(s)), true) => {
                Some(crate::value::CaseFold::new(s))
            }
            _ => None,
        };
        Ok(Cond::Rql(Box::new(Compare {
            left: left.operand,
            op,
            right: right.operand,
            case_insensitive: ci,
            level,
            folded,
            kind: CompareKind::Plain,
        })))
    }

    /// One side of a comparison; `hint` is the other side's type when this side is constant.
    fn side(&mut self, e: &ast::Expr, hint: Option<Ty>, depth: u32) -> Result<Side, CompileError> {
        if depth > self.limits.max_depth {
            return err(K::TooDeep { limit: self.limits.max_depth }, e.loc.0);
        }
        let span = e.loc.0;
        match &e.kind {
            ExprKind::Value(v) => self.value(v, hint, span, depth),
            ExprKind::Arithmetic { op, left, right } => {
                let budget = self.limits.max_depth.saturating_sub(depth);
                if is_constant(e, budget) {
                    let c = self.fold(e, hint.unwrap_or(Ty::Mixed), depth)?;
                    return Ok(Side::constant(c, false, e.to_string()));
                }
                let (l, r) = if is_constant(left, budget) {
                    let r = self.side(right, None, depth + 1)?;
                    (self.side(left, Some(r.ty), depth + 1)?, r)
                } else {
                    let l = self.side(left, None, depth + 1)?;
                    let r = self.side(right, Some(l.ty), depth + 1)?;
                    (l, r)
                };
                let symbol = match op {
                    ArithOp::Add => '+',
                    ArithOp::Subtract => '-',
                    ArithOp::Multiply => '*',
                    ArithOp::Divide => '/',
                };
                if !l.ty.is_numeric() && l.ty != Ty::Null || !r.ty.is_numeric() && r.ty != Ty::Null
                {
                    return err(K::Arithmetic { op: symbol, left: l.desc, right: r.desc }, span);
                }
                if l.operand.list && r.operand.list {
                    return err(K::TwoListArithmetic, span);
                }
                let ty = [Ty::Mixed, Ty::Decimal, Ty::Double, Ty::Float, Ty::Int]
                    .into_iter()
                    .find(|t| l.ty == *t || r.ty == *t)
                    .unwrap_or(Ty::Int);
                let list = l.operand.list || r.operand.list;
                let to_many = l.to_many() || r.to_many();
                let quantifier = l.operand.quantifier.or(r.operand.quantifier);
                Ok(Side {
                    operand: Operand {
                        kind: OperandKind::Arith(Box::new(Arith {
                            op: *op,
                            left: l.operand,
                            right: r.operand,
                        })),
                        list,
                        quantifier,
                    },
                    ty,
                    shape: Shape::Read { ends: Ends::Value, to_many },
                    desc: e.to_string(),
                })
            }
        }
    }
}
