//! Binding a parsed query to a table schema and its arguments (realm-core's "bind" step).
//!
//! Key paths become field slots and walking steps, constants are typed by the other side of
//! their comparison ("hint" typing) and converted once, and realm-core's bind-time errors are
//! raised with their data. Recursion is bounded by `Limits::max_depth`, whatever the parser let
//! through.

use bson::Bson;

use super::error::{CompileError, CompileErrorKind as K};
use super::post::{CompiledQuery, PostStep};
use super::val::{self, Level, Op, Ts, TypeSet};
use super::{
    AggOp, Arith, Compare, CompareKind, Cond, Const, Expand, First, Index, Operand, OperandKind,
    PathExpr, Predicate, SizeKind, Step, SubqueryExpr, Term,
};
use crate::limits::Limits;
use crate::rql::ast::{
    self, AggregateOp, ArithOp, BinaryLiteral, CompareOp, Constant, ExprKind, IndexStep,
    PathElementKind, PostOp, PredicateKind, Quantifier, SizeSpelling, TimestampLiteral, Value,
};
use crate::schema::{Collection, ObjectType, Property, PropertyType, Table};
use crate::span::Span;
use crate::value::{CoerceError, Decimal128, Origin, RealmType, Value as RValue, coerce};

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

/// The static type of one side of a comparison: the value layer's realm types, where `null` is
/// the type of a null constant and `@type` the type of a `.@type` expression.
type Ty = RealmType;

impl Ty {
    fn of_property(t: &PropertyType) -> Ty {
        match t {
            PropertyType::Int => Ty::Int,
            PropertyType::Bool => Ty::Bool,
            PropertyType::String => Ty::String,
            PropertyType::Binary => Ty::Binary,
            PropertyType::Timestamp => Ty::Timestamp,
            PropertyType::Float => Ty::Float,
            PropertyType::Double => Ty::Double,
            PropertyType::Decimal => Ty::Decimal,
            PropertyType::ObjectId => Ty::ObjectId,
            PropertyType::Uuid => Ty::Uuid,
            PropertyType::Mixed => Ty::Mixed,
            PropertyType::Object(_) => Ty::Link,
        }
    }

    fn of_const(c: &Const) -> Ty {
        match c {
            Const::Null => Ty::Null,
            Const::Bool(_) => Ty::Bool,
            Const::Int(_) => Ty::Int,
            Const::Float(_) => Ty::Float,
            Const::Double(_) => Ty::Double,
            Const::Decimal(_) => Ty::Decimal,
            Const::Str(_) => Ty::String,
            Const::Bin(_) => Ty::Binary,
            Const::Ts(_) => Ty::Timestamp,
            Const::Oid(_) => Ty::ObjectId,
            Const::Uuid(_) => Ty::Uuid,
            Const::Type(_) => Ty::TypeOfValue,
        }
    }
}

/// What compilation knows about one side.
struct Side {
    operand: Operand,
    ty: Ty,
    constant: bool,
    /// A scalar constant (not a list literal or list argument), after conversion.
    scalar_const: Option<Const>,
    /// Came from an argument (scalar arguments are checked when converted).
    argument: bool,
    /// An own, single-valued, non-link property of the queried table.
    own_scalar: bool,
    /// The path ends on a primitive collection (list, set, dictionary values).
    primitive_list: bool,
    /// The path ends on a list of embedded objects.
    link_list: bool,
    /// The path crossed a list of embedded objects.
    to_many: bool,
    /// `@type` of a non-mixed property: a constant type.
    const_type: bool,
    /// The side as realm-core describes it in messages.
    desc: String,
}

impl Side {
    fn constant(c: Const, argument: bool, desc: String) -> Side {
        Side {
            ty: Ty::of_const(&c),
            operand: Operand { kind: OperandKind::Const(c.clone()), list: false, quantifier: None },
            constant: true,
            scalar_const: Some(c),
            argument,
            own_scalar: false,
            primitive_list: false,
            link_list: false,
            to_many: false,
            const_type: false,
            desc,
        }
    }
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
        ExprKind::Value(Value::Constant(_) | Value::List(_)) => true,
        ExprKind::Value(_) => false,
        ExprKind::Arithmetic { left, right, .. } => {
            budget > 0 && is_constant(left, budget - 1) && is_constant(right, budget - 1)
        }
    }
}

fn op_of(op: CompareOp) -> Option<Op> {
    Some(match op {
        CompareOp::Equal | CompareOp::In => Op::Eq,
        CompareOp::NotEqual => Op::Ne,
        CompareOp::Less => Op::Lt,
        CompareOp::LessEqual => Op::Le,
        CompareOp::Greater => Op::Gt,
        CompareOp::GreaterEqual => Op::Ge,
        CompareOp::BeginsWith => Op::BeginsWith,
        CompareOp::EndsWith => Op::EndsWith,
        CompareOp::Contains => Op::Contains,
        CompareOp::Like => Op::Like,
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
        let same_type = |c: &Const| matches!(c, Const::Null) || Ty::of_const(c) == left.ty;
        let column_consts = match &right.operand.kind {
            OperandKind::Const(c) => same_type(c),
            OperandKind::Consts(cs) => cs.iter().all(same_type),
            _ => false,
        };
        // QUIRK (quirk_column_in_list_skips_other_types): an own property compared with a list
        // of constants takes realm-core's column path, where elements of another type than the
        // property never match (`weight IN {0.012, 0}` does not match `0.0`).
        let mut right = right;
        if left.own_scalar
            && left.ty != Ty::Mixed
            && let OperandKind::Consts(cs) = &mut right.operand.kind
        {
            let kept: Vec<Const> = cs.iter().filter(|c| same_type(c)).cloned().collect();
            *cs = kept.into_boxed_slice();
        }
        let column_consts = column_consts || matches!(right.operand.kind, OperandKind::Consts(_));
        let level = if left.own_scalar && right.constant && column_consts {
            Level::Column
        } else {
            Level::Value
        };
        let ci = c.case_insensitive;
        // QUIRK (quirk_case_flag_ignored_on_direct_in_list): a direct string property compared
        // with `==[c]`/`IN[c]` against a non-empty constant list is case-sensitive in realm-core.
        let ci = ci
            && !(left.own_scalar
                && matches!(op, Op::Eq)
                && matches!(&right.operand.kind, OperandKind::Consts(cs) if !cs.is_empty()));
        let folded = match (&right.operand.kind, ci) {
            (OperandKind::Const(Const::Str(s) | Const::Bin(s)), true) => {
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

    /// realm-core's static checks for one comparison (§3.5–3.7 of the specification).
    fn check(
        &self,
        c: &ast::Comparison,
        op: Op,
        left: &Side,
        right: &Side,
    ) -> Result<(), CompileError> {
        let span = c.loc.0;
        let right_is_null = matches!(right.scalar_const, Some(Const::Null));
        let left_is_null = matches!(left.scalar_const, Some(Const::Null));
        if (left.const_type && (right.const_type || right.constant))
            || (right.const_type && left.constant)
        {
            return err(
                K::TwoConstantTypes { left: left.desc.clone(), right: right.desc.clone() },
                span,
            );
        }
        if (left.link_list && right_is_null) || (right.link_list && left_is_null) {
            let path = if left.link_list { &left.desc } else { &right.desc };
            return err(K::LinkListNull { path: path.clone() }, span);
        }
        if left.primitive_list
            && right.primitive_list
            && !left.to_many
            && !right.to_many
            && left.ty.comparable(right.ty)
        {
            return err(K::TwoLists { left: left.desc.clone(), right: right.desc.clone() }, span);
        }
        if c.op == CompareOp::In && !right.operand.list {
            return err(K::InNeedsList { found: right.desc.clone() }, span);
        }
        let lists = matches!(left.operand.kind, OperandKind::Consts(_))
            || matches!(right.operand.kind, OperandKind::Consts(_));
        if (left.ty == Ty::TypeOfValue || right.ty == Ty::TypeOfValue) && !lists {
            let other = if left.ty == Ty::TypeOfValue { right } else { left };
            if other.ty != Ty::TypeOfValue && other.ty != Ty::Null && other.constant {
                return err(K::TypeComparison { ty: other.ty.name() }, span);
            }
        }
        if op_is_string(op) {
            let rt = right.ty;
            if !matches!(rt, Ty::String | Ty::Binary | Ty::Mixed | Ty::Null) && !lists {
                return err(
                    K::StringOperator { op: string_op_name(c.op).to_owned(), ty: rt.name() },
                    span,
                );
            }
            return Ok(());
        }
        if matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge)
            && matches!(left.ty, Ty::Link | Ty::TypeOfValue)
        {
            return err(K::OnlyEquality { op: relational_name(op) }, span);
        }
        if left.ty == Ty::Link || right.ty == Ty::Link {
            let (link, other) = if left.ty == Ty::Link { (left, right) } else { (right, left) };
            if other.constant && other.ty != Ty::Null && !lists {
                return err(
                    K::LinkComparison { path: link.desc.clone(), ty: other.ty.name() },
                    span,
                );
            }
        }
        if !lists && !left.argument && !right.argument && !left.ty.comparable(right.ty) {
            return err(
                K::UnsupportedComparison { left: left.ty.name(), right: right.ty.name() },
                span,
            );
        }
        if c.case_insensitive && matches!(op, Op::Eq | Op::Ne) {
            let plain = (left.own_scalar && right.scalar_const.is_some()) || lists;
            if !plain && !matches!(right.ty, Ty::String | Ty::Binary | Ty::Mixed | Ty::Null) {
                let name = match c.op {
                    CompareOp::NotEqual => "!=[c]",
                    CompareOp::In => "in[c]",
                    _ => "=[c]",
                };
                return err(K::StringOperator { op: name.to_owned(), ty: right.ty.name() }, span);
            }
        }
        Ok(())
    }

    fn between(
        &mut self,
        c: &ast::Comparison,
        left: Side,
        right: Side,
    ) -> Result<Cond, CompileError> {
        let span = c.loc.0;
        let OperandKind::Consts(bounds) = &right.operand.kind else {
            return err(K::BetweenArity, span);
        };
        if bounds.len() != 2 {
            return err(K::BetweenArity, span);
        }
        if left.primitive_list && left.operand.quantifier != Some(Quantifier::All) {
            return err(K::BetweenNeedsAll, span);
        }
        for b in bounds.iter() {
            let t = Ty::of_const(b);
            if !left.ty.comparable(t) {
                return err(
                    K::UnsupportedComparison { left: left.ty.name(), right: t.name() },
                    span,
                );
            }
        }
        let kind = if left.to_many && !left.primitive_list {
            CompareKind::BetweenSplit
        } else {
            CompareKind::Between
        };
        let level = if left.own_scalar { Level::Column } else { Level::Value };
        Ok(Cond::Rql(Box::new(Compare {
            left: left.operand,
            op: Op::Ge,
            right: right.operand,
            case_insensitive: false,
            level,
            folded: None,
            kind,
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
                    constant: false,
                    scalar_const: None,
                    argument: false,
                    own_scalar: false,
                    primitive_list: false,
                    link_list: false,
                    to_many: l.to_many || r.to_many,
                    const_type: false,
                    desc: e.to_string(),
                })
            }
        }
    }

    /// Folds constant arithmetic, each constant typed by `hint`.
    fn fold(&mut self, e: &ast::Expr, hint: Ty, depth: u32) -> Result<Const, CompileError> {
        if depth > self.limits.max_depth {
            return err(K::TooDeep { limit: self.limits.max_depth }, e.loc.0);
        }
        match &e.kind {
            ExprKind::Value(Value::Constant(c)) => {
                let (c, _) = self.constant(c, hint, e.loc.0)?;
                match c {
                    ConstOrList::One(c) => Ok(c),
                    ConstOrList::List(_) => err(K::TwoListArithmetic, e.loc.0),
                }
            }
            ExprKind::Value(_) => err(K::TwoListArithmetic, e.loc.0),
            ExprKind::Arithmetic { op, left, right } => {
                let l = self.fold(left, hint, depth + 1)?;
                let r = self.fold(right, hint, depth + 1)?;
                let (lt, rt) = (Ty::of_const(&l), Ty::of_const(&r));
                if !(lt.is_numeric() || lt == Ty::Null) || !(rt.is_numeric() || rt == Ty::Null) {
                    let symbol = match op {
                        ArithOp::Add => '+',
                        ArithOp::Subtract => '-',
                        ArithOp::Multiply => '*',
                        ArithOp::Divide => '/',
                    };
                    return err(
                        K::Arithmetic {
                            op: symbol,
                            left: left.to_string(),
                            right: right.to_string(),
                        },
                        e.loc.0,
                    );
                }
                let v = super::eval::arith(*op, &l.val(), &r.val());
                Ok(const_of(&v))
            }
        }
    }

    fn value(
        &mut self,
        v: &Value,
        hint: Option<Ty>,
        span: Span,
        depth: u32,
    ) -> Result<Side, CompileError> {
        let h = hint.unwrap_or(Ty::Mixed);
        match v {
            Value::Constant(c) => {
                let quantifier = match c {
                    Constant::Argument { quantifier, .. } => *quantifier,
                    _ => None,
                };
                let (conv, argument) = self.constant(c, h, span)?;
                let desc = match c {
                    Constant::String(s) => format!("\"{s}\""),
                    _ => v.to_string(),
                };
                match conv {
                    ConstOrList::One(one) => {
                        if let (Some(_), Constant::Argument { index, .. }) = (quantifier, c) {
                            return err(K::QuantifiedScalarArgument { index: *index }, span);
                        }
                        Ok(Side::constant(one, argument, desc))
                    }
                    ConstOrList::List(items) => Ok(Side {
                        ty: h,
                        operand: Operand {
                            kind: OperandKind::Consts(items.into_boxed_slice()),
                            list: true,
                            quantifier,
                        },
                        constant: true,
                        scalar_const: None,
                        argument: true,
                        own_scalar: false,
                        primitive_list: false,
                        link_list: false,
                        to_many: false,
                        const_type: false,
                        desc,
                    }),
                }
            }
            Value::List(list) => {
                if list.elements.len() > self.limits.max_list_len {
                    return err(K::TooManyTerms { limit: self.limits.max_list_len }, span);
                }
                let mut items = Vec::with_capacity(list.elements.len());
                for el in &list.elements {
                    let (c, argument) = self.constant(&el.value, h, el.loc.0)?;
                    match c {
                        ConstOrList::One(one) => {
                            if argument && hint.is_some() {
                                self.check_argument(&el.value, &one, h, el.loc.0)?;
                            }
                            items.push(one);
                        }
                        ConstOrList::List(more) => items.extend(more),
                    }
                }
                Ok(Side {
                    ty: h,
                    operand: Operand {
                        kind: OperandKind::Consts(items.into_boxed_slice()),
                        list: true,
                        quantifier: list.quantifier,
                    },
                    constant: true,
                    scalar_const: None,
                    argument: false,
                    own_scalar: false,
                    primitive_list: false,
                    link_list: false,
                    to_many: false,
                    const_type: false,
                    desc: v.to_string(),
                })
            }
            Value::Path(pv) => self.path_value(pv, span),
            Value::Aggregate(a) => self.aggregate(a, span),
            Value::Subquery(s) => self.subquery(s, span, depth),
            Value::Geo(_) => err(K::Geospatial, span),
        }
    }

    /// A constant converted with `hint`; the flag says it came from an argument.
    fn constant(
        &mut self,
        c: &Constant,
        hint: Ty,
        span: Span,
    ) -> Result<(ConstOrList, bool), CompileError> {
        let one = |c: Const| Ok((ConstOrList::One(c), false));
        match c {
            Constant::Int(i) => one(match hint {
                Ty::Decimal => Const::Decimal(Decimal128::from_i64(*i)),
                _ => Const::Int(*i),
            }),
            Constant::Float(text) => {
                let (body, f32_suffix) = match text.strip_suffix('f') {
                    Some(b) => (b, true),
                    None => (text.as_str(), false),
                };
                let body = body.strip_prefix('+').unwrap_or(body);
                let d: f64 = body.parse().unwrap_or(f64::NAN);
                let c = if f32_suffix {
                    #[expect(
                        clippy::cast_possible_truncation,
                        reason = "an `f` literal is a float"
                    )]
                    Const::Float(d as f32)
                } else {
                    Const::Double(d)
                };
                Ok((ConstOrList::One(convert(c, hint, Origin::Literal(body), span)?), false))
            }
            Constant::Infinity { negative } => {
                let d = if *negative { f64::NEG_INFINITY } else { f64::INFINITY };
                let text = if *negative { "-inf" } else { "inf" };
                Ok((
                    ConstOrList::One(convert(Const::Double(d), hint, Origin::Literal(text), span)?),
                    false,
                ))
            }
            Constant::NaN => {
                let nan = Const::Double(f64::NAN);
                Ok((ConstOrList::One(convert(nan, hint, Origin::Literal("nan"), span)?), false))
            }
            Constant::String(s) => Ok((
                ConstOrList::One(convert(
                    Const::Str(s.as_bytes().into()),
                    hint,
                    Origin::Argument,
                    span,
                )?),
                false,
            )),
            Constant::Base64(b) => {
                let bytes = base64_decode(b).ok_or_else(|| CompileError::new(K::Base64, span))?;
                Ok((
                    ConstOrList::One(convert(
                        Const::Str(bytes.into_boxed_slice()),
                        hint,
                        Origin::Argument,
                        span,
                    )?),
                    false,
                ))
            }
            Constant::Binary(BinaryLiteral::Text(t)) => one(Const::Bin(t.as_bytes().into())),
            Constant::Binary(BinaryLiteral::Base64(b)) => {
                let bytes = base64_decode(b).ok_or_else(|| CompileError::new(K::Base64, span))?;
                one(Const::Bin(bytes.into_boxed_slice()))
            }
            Constant::Timestamp(t) => one(Const::Ts(timestamp(t, span)?)),
            Constant::ObjectId(o) => one(Const::Oid(*o)),
            Constant::Uuid(u) => one(Const::Uuid(*u)),
            Constant::Bool(b) => one(Const::Bool(*b)),
            Constant::Null => one(Const::Null),
            Constant::Argument { index, .. } => {
                let arg = self.argument(*index, span)?;
                let r = match arg {
                    Bson::Array(items) => {
                        if items.len() > self.limits.max_list_len {
                            return err(K::TooManyTerms { limit: self.limits.max_list_len }, span);
                        }
                        let mut out = Vec::with_capacity(items.len());
                        for item in items {
                            let c = bson_const(item).ok_or_else(|| {
                                CompileError::new(K::ArgumentValue { index: *index }, span)
                            })?;
                            out.push(convert(c, hint, Origin::Argument, span)?);
                        }
                        ConstOrList::List(out)
                    }
                    other => {
                        let c = bson_const(other).ok_or_else(|| {
                            CompileError::new(K::ArgumentValue { index: *index }, span)
                        })?;
                        let c = convert(c, hint, Origin::Argument, span)?;
                        self.check_argument(
                            &Constant::Argument { index: *index, quantifier: None },
                            &c,
                            hint,
                            span,
                        )?;
                        ConstOrList::One(c)
                    }
                };
                Ok((r, true))
            }
            Constant::Object { .. } => {
                err(K::MultiTable { what: "an object literal `obj(…)`" }, span)
            }
            Constant::ObjectKey(_) => err(K::MultiTable { what: "an object key literal" }, span),
            Constant::TypedLink { .. } => err(K::MultiTable { what: "a typed link literal" }, span),
        }
    }

    fn argument(&self, index: u32, span: Span) -> Result<&'t Bson, CompileError> {
        let args: &'t [Bson] = self.args;
        usize::try_from(index)
            .ok()
            .and_then(|i| args.get(i))
            .ok_or_else(|| CompileError::new(K::ArgumentIndex { index, count: args.len() }, span))
    }

    /// A scalar argument must be comparable with the other side's type.
    fn check_argument(
        &self,
        c: &Constant,
        value: &Const,
        hint: Ty,
        span: Span,
    ) -> Result<(), CompileError> {
        let Constant::Argument { index, .. } = c else { return Ok(()) };
        let t = Ty::of_const(value);
        if t == Ty::Null || t.comparable(hint) || (hint == Ty::TypeOfValue && t == Ty::TypeOfValue)
        {
            return Ok(());
        }
        let explain = format!("argument ${index} with value '{}'", describe_const(value));
        err(K::ArgumentType { explain, ty: hint.name() }, span)
    }

    fn slot(&mut self, name: &str) -> First {
        if !self.scopes.is_empty() {
            return First::Element(name.into());
        }
        let i = match self.fields.iter().position(|f| **f == *name) {
            Some(i) => i,
            None => {
                self.fields.push(name.into());
                self.fields.len() - 1
            }
        };
        First::Slot(i)
    }

    fn path_value(&mut self, pv: &ast::PathValue, span: Span) -> Result<Side, CompileError> {
        let r = self.resolve(&pv.path)?;
        let desc = path_text(&pv.path);
        let prop_ty = Ty::of_property(r.property.ty());
        let mut term = Term::Value;
        let mut ty = prop_ty;
        let mut list = r.to_many || r.expand.is_some();
        let mut const_type = false;
        let mut primitive_list = r.expand.is_some() && r.property.object().is_none();
        let mut link_list = r.property.object().is_some() && (r.to_many || r.expand.is_some());
        match pv.post {
            None => {
                if let Some(e) = r.expand {
                    term = if r.lengths { Term::Lengths(e) } else { Term::Expand(e) };
                }
                if r.lengths {
                    ty = Ty::Int;
                }
                if r.keys {
                    ty = Ty::String;
                }
            }
            Some(PostOp::Size(spelling)) => {
                let kind = if r.collection_terminal {
                    SizeKind::Collection
                } else {
                    match r.property.ty() {
                        PropertyType::String | PropertyType::Binary => SizeKind::Text,
                        PropertyType::Mixed => SizeKind::Mixed,
                        PropertyType::Object(_) => SizeKind::Link,
                        other => {
                            return err(
                                K::PostOpType {
                                    op: size_name(spelling).to_owned(),
                                    ty: other.realm_name(),
                                },
                                span,
                            );
                        }
                    }
                };
                term = Term::Size(kind);
                ty = Ty::Int;
                list = r.to_many && !r.per_instance;
                primitive_list = false;
                link_list = false;
            }
            Some(PostOp::Type) => {
                if r.property.object().is_some() && !r.collection_terminal {
                    const_type = !r.to_many;
                } else if *r.property.ty() != PropertyType::Mixed {
                    if r.collection_terminal {
                        return err(
                            K::PostOpType {
                                op: "@type".to_owned(),
                                ty: r.property.ty().realm_name(),
                            },
                            span,
                        );
                    }
                    const_type = !r.to_many;
                }
                term = Term::Type(r.expand);
                ty = Ty::TypeOfValue;
                primitive_list = false;
                link_list = false;
            }
        }
        if const_type {
            let bits = match r.property.ty() {
                PropertyType::Object(_) => TypeSet::LINK,
                other => TypeSet::parse(other.realm_name().as_bytes()).map_or(0, |t| t.0),
            };
            let mut s = Side::constant(
                Const::Type(TypeSet(bits)),
                false,
                format!("\"{}\"", type_display(r.property.ty())),
            );
            s.constant = false;
            s.const_type = true;
            return Ok(s);
        }
        if let Some(q) = pv.quantifier
            && !list
        {
            return err(K::QuantifierNeedsList { quantifier: quantifier_name(q) }, span);
        }
        let own_scalar = r.steps.is_empty()
            && r.expand.is_none()
            && r.property.collection() == Collection::Single
            && r.property.object().is_none()
            && *r.property.ty() != PropertyType::Mixed
            && matches!(term, Term::Value)
            && self.scopes.is_empty();
        let link = r.property.object().is_some() && matches!(term, Term::Value);
        Ok(Side {
            operand: Operand {
                kind: OperandKind::Path(PathExpr {
                    first: r.first,
                    steps: r.steps.into_boxed_slice(),
                    term,
                    per_instance: r.per_instance,
                    float: *r.property.ty() == PropertyType::Float,
                    link,
                }),
                list: if r.per_instance {
                    r.expand.is_some()
                        && matches!(term, Term::Expand(_) | Term::Lengths(_) | Term::Type(Some(_)))
                } else {
                    list
                },
                quantifier: pv.quantifier,
            },
            ty,
            constant: false,
            scalar_const: None,
            argument: false,
            own_scalar,
            primitive_list,
            link_list,
            to_many: r.to_many,
            const_type: false,
            desc,
        })
    }

    fn aggregate(&mut self, a: &ast::Aggregate, span: Span) -> Result<Side, CompileError> {
        let op = match a.op {
            AggregateOp::Min => AggOp::Min,
            AggregateOp::Max => AggOp::Max,
            AggregateOp::Sum => AggOp::Sum,
            AggregateOp::Avg => AggOp::Avg,
        };
        let name = match a.op {
            AggregateOp::Min => ".@min",
            AggregateOp::Max => ".@max",
            AggregateOp::Sum => ".@sum",
            AggregateOp::Avg => ".@avg",
        };
        let r = self.resolve(&a.path)?;
        let mut steps = r.steps;
        let (elem_ty, expand) = match &a.property {
            None => {
                if r.property.object().is_some() || !r.collection_terminal {
                    return err(K::AggregateType { op: name }, span);
                }
                (r.property.ty().clone(), r.expand)
            }
            Some(prop) => {
                let Some(target) = r.property.object().filter(|_| r.to_many || r.expand.is_some())
                else {
                    return err(
                        K::AggregateNotList { op: name, property: r.property.name().to_owned() },
                        span,
                    );
                };
                let Some(p) = target.property(prop) else {
                    return err(
                        K::NoProperty { class: target.name().to_owned(), property: prop.clone() },
                        span,
                    );
                };
                if r.expand.is_some() {
                    steps.push(if r.keys_or_values_dict { Step::Values } else { Step::Each });
                }
                steps.push(Step::Field(prop.as_str().into()));
                if p.collection() != Collection::Single {
                    return err(K::AggregatePropertyType { ty: p.ty().realm_name() }, span);
                }
                (p.ty().clone(), None)
            }
        };
        let ok = match &elem_ty {
            PropertyType::Int
            | PropertyType::Float
            | PropertyType::Double
            | PropertyType::Decimal
            | PropertyType::Mixed => true,
            PropertyType::Timestamp => {
                a.property.is_some() && matches!(op, AggOp::Min | AggOp::Max)
            }
            other => {
                if a.property.is_some() && *other != PropertyType::Timestamp {
                    return err(K::AggregatePropertyType { ty: other.realm_name() }, span);
                }
                false
            }
        };
        if !ok {
            return err(K::AggregateType { op: name }, span);
        }
        let ty = match (op, &elem_ty) {
            (AggOp::Avg, PropertyType::Int | PropertyType::Float | PropertyType::Double) => {
                Ty::Double
            }
            (AggOp::Sum, PropertyType::Float) => Ty::Double,
            (AggOp::Sum | AggOp::Avg, PropertyType::Mixed) => Ty::Decimal,
            (_, t) => Ty::of_property(t),
        };
        let per_instance = r.per_instance && a.property.is_none();
        Ok(Side {
            operand: Operand {
                kind: OperandKind::Path(PathExpr {
                    first: r.first,
                    steps: steps.into_boxed_slice(),
                    term: Term::Agg(op, expand, Ty::of_property(&elem_ty)),
                    per_instance,
                    float: elem_ty == PropertyType::Float,
                    link: false,
                }),
                list: false,
                quantifier: None,
            },
            ty,
            constant: false,
            scalar_const: None,
            argument: false,
            own_scalar: false,
            primitive_list: false,
            link_list: false,
            to_many: false,
            const_type: false,
            desc: format!("{}{name}", path_text(&a.path)),
        })
    }

    fn subquery(
        &mut self,
        s: &ast::Subquery,
        span: Span,
        depth: u32,
    ) -> Result<Side, CompileError> {
        let r = self.resolve(&s.collection)?;
        let Some(object) = r.property.object() else {
            if r.property.collection() != Collection::Single {
                return err(K::SubqueryPrimitive { property: r.property.name().to_owned() }, span);
            }
            return err(
                K::SubqueryNotList {
                    property: r.property.name().to_owned(),
                    ty: r.property.ty().realm_name(),
                },
                span,
            );
        };
        if r.property.collection() != Collection::List || r.expand.is_none() {
            return err(
                K::SubqueryNotList { property: r.property.name().to_owned(), ty: "link" },
                span,
            );
        }
        if self.scopes.iter().any(|sc| sc.variable == s.variable && std::ptr::eq(sc.object, object))
        {
            return err(K::SubqueryVariable { variable: s.variable.clone() }, span);
        }
        let mut steps = r.steps;
        steps.push(Step::Each);
        let path = PathExpr {
            first: r.first,
            steps: steps.into_boxed_slice(),
            term: Term::Value,
            per_instance: false,
            float: false,
            link: false,
        };
        self.scopes.push(Scope { object, variable: s.variable.clone() });
        let cond = self.cond(&s.predicate, depth + 1);
        self.scopes.pop();
        let cond = cond?;
        Ok(Side {
            operand: Operand {
                kind: OperandKind::Subquery(Box::new(SubqueryExpr { path, cond })),
                list: false,
                quantifier: None,
            },
            ty: Ty::Int,
            constant: false,
            scalar_const: None,
            argument: false,
            own_scalar: false,
            primitive_list: false,
            link_list: false,
            to_many: false,
            const_type: false,
            desc: "SUBQUERY".to_owned(),
        })
    }

    /// Resolves a key path against the current object type.
    fn resolve(&mut self, path: &ast::Path) -> Result<Resolved<'t>, CompileError> {
        let span = path.loc.0;
        if path.elements.len() > self.limits.max_depth as usize {
            return err(K::TooDeep { limit: self.limits.max_depth }, span);
        }
        // A key-path argument replaces the whole path.
        let mut names: Vec<(PathElementKind, Span)> = Vec::with_capacity(path.elements.len());
        for (i, el) in path.elements.iter().enumerate() {
            if let PathElementKind::KeyPathArgument(n) = &el.kind {
                if path.elements.len() > 1 || i > 0 {
                    return err(K::KeyPathArgumentMixed, el.loc.0);
                }
                let arg = self.argument(*n, el.loc.0)?;
                match arg {
                    Bson::String(s) => {
                        for part in s.split('.') {
                            names.push((PathElementKind::Name(part.to_owned()), el.loc.0));
                        }
                    }
                    Bson::Null | Bson::Array(_) => {
                        return err(K::KeyPathArgumentNull { index: *n }, el.loc.0);
                    }
                    other => {
                        let ty = bson_const(other).map_or("mixed", |c| Ty::of_const(&c).name());
                        return err(K::KeyPathArgumentType { index: *n, ty }, el.loc.0);
                    }
                }
            } else {
                names.push((el.kind.clone(), el.loc.0));
            }
        }
        let table: &'t Table = self.table;
        let mut object: &'t ObjectType = match self.scopes.last() {
            Some(s) => s.object,
            None => table.object(),
        };
        let variable = self.scopes.last().map(|s| s.variable.clone());
        let mut first: Option<First> = None;
        let mut steps: Vec<Step> = Vec::new();
        let mut to_many = false;
        let mut iter = names.into_iter().peekable();
        let terminal: &'t Property = loop {
            let Some((el, el_span)) = iter.next() else {
                return err(
                    K::NoProperty { class: object.name().to_owned(), property: String::new() },
                    span,
                );
            };
            match el {
                PathElementKind::Name(n)
                    if variable.as_deref() == Some(n.as_str())
                        && first.is_none()
                        && steps.is_empty() =>
                {
                    continue;
                }
                PathElementKind::Name(n) => {
                    let Some(prop) = object.property(&n) else {
                        return err(
                            K::NoProperty { class: class_name(object), property: n },
                            el_span,
                        );
                    };
                    if first.is_none() {
                        first = Some(self.slot(&n));
                    } else {
                        steps.push(if to_many {
                            Step::FieldAfterList(n.as_str().into())
                        } else {
                            Step::Field(n.as_str().into())
                        });
                    }
                    match (prop.object(), prop.collection()) {
                        (Some(target), Collection::Single) if iter.peek().is_some() => {
                            if let Some((PathElementKind::Index(ix), _)) = iter.peek() {
                                return err(K::IndexAfterLink { index: index_text(ix) }, el_span);
                            }
                            object = target;
                        }
                        (Some(target), Collection::List | Collection::Set)
                            if iter.peek().is_some() =>
                        {
                            if let Some((PathElementKind::Index(ix), _)) = iter.peek() {
                                return err(
                                    K::BadIndex {
                                        class: class_name(object),
                                        property: prop.name().to_owned(),
                                        index: index_text(ix),
                                    },
                                    el_span,
                                );
                            }
                            steps.push(Step::Each);
                            to_many = true;
                            object = target;
                        }
                        (Some(target), Collection::Dictionary) if iter.peek().is_some() => {
                            match iter.next() {
                                Some((
                                    PathElementKind::Values
                                    | PathElementKind::Index(IndexStep::All),
                                    _,
                                )) => {
                                    steps.push(Step::Values);
                                    to_many = true;
                                }
                                Some((
                                    PathElementKind::Name(k)
                                    | PathElementKind::Index(IndexStep::Key(k)),
                                    _,
                                )) => {
                                    steps.push(Step::Key(k.as_str().into()));
                                }
                                Some((other, s)) => {
                                    return err(
                                        K::BadIndex {
                                            class: class_name(object),
                                            property: prop.name().to_owned(),
                                            index: element_text(&other),
                                        },
                                        s,
                                    );
                                }
                                None => {}
                            }
                            object = target;
                            if iter.peek().is_none() {
                                return err(
                                    K::NoProperty {
                                        class: class_name(object),
                                        property: String::new(),
                                    },
                                    el_span,
                                );
                            }
                        }
                        _ => break prop,
                    }
                }
                PathElementKind::Backlinks { .. } | PathElementKind::AllBacklinks => {
                    return err(K::MultiTable { what: "`@links`" }, el_span);
                }
                PathElementKind::KeyPathArgument(_) => {
                    return err(K::KeyPathArgumentMixed, el_span);
                }
                other => {
                    return err(
                        K::NoProperty { class: class_name(object), property: element_text(&other) },
                        el_span,
                    );
                }
            }
        };
        let Some(first) = first else {
            return err(K::NoProperty { class: class_name(object), property: String::new() }, span);
        };
        // Steps after the terminal property.
        let class = class_name(object);
        let pname = terminal.name().to_owned();
        let mut expand: Option<Expand> = None;
        let mut keys = false;
        // `list.length`: the byte length of each string or binary element.
        let mut lengths = false;
        let mut collection_terminal = terminal.collection() != Collection::Single;
        let mut indexed = 0usize;
        let mixed = *terminal.ty() == PropertyType::Mixed;
        for (el, el_span) in iter {
            indexed += 1;
            if indexed > 1 && !mixed {
                return err(K::NestedCollections, el_span);
            }
            if expand.is_some() && !mixed {
                return err(K::NestedCollections, el_span);
            }
            let bad_index = |ix: String| {
                err(
                    K::BadIndex { class: class.clone(), property: pname.clone(), index: ix },
                    el_span,
                )
            };
            match (terminal.collection(), el) {
                (
                    Collection::Dictionary,
                    PathElementKind::Name(k) | PathElementKind::Index(IndexStep::Key(k)),
                ) => {
                    steps.push(Step::Key(k.as_str().into()));
                    collection_terminal = false;
                }
                (Collection::Dictionary, PathElementKind::Index(IndexStep::Argument(n))) => {
                    match self.argument(n, el_span)? {
                        Bson::String(k) => steps.push(Step::Key(k.as_str().into())),
                        _ => return err(K::IndexArgumentType, el_span),
                    }
                    collection_terminal = false;
                }
                (Collection::Dictionary, PathElementKind::Keys) => {
                    expand = Some(Expand::Keys);
                    keys = true;
                }
                (
                    Collection::Dictionary,
                    PathElementKind::Values | PathElementKind::Index(IndexStep::All),
                ) => {
                    expand = Some(Expand::Values);
                }
                (Collection::Dictionary, PathElementKind::Index(ix)) => {
                    return bad_index(index_text(&ix));
                }
                (Collection::List, PathElementKind::Index(IndexStep::First)) => {
                    steps.push(Step::Index(Index::First));
                    collection_terminal = false;
                }
                (Collection::List, PathElementKind::Index(IndexStep::Last)) => {
                    steps.push(Step::Index(Index::Last));
                    collection_terminal = false;
                }
                (Collection::List, PathElementKind::Index(IndexStep::Position(n))) => {
                    steps.push(Step::Index(Index::At(n)));
                    collection_terminal = false;
                }
                (Collection::List | Collection::Set, PathElementKind::Index(IndexStep::All)) => {
                    expand = Some(Expand::Elements);
                }
                (Collection::List | Collection::Set, PathElementKind::Values) => {
                    return err(K::ValuesNotDictionary, el_span);
                }
                (_, PathElementKind::Index(ix))
                    if !mixed || terminal.collection() != Collection::Single =>
                {
                    return bad_index(index_text(&ix));
                }
                (Collection::Single, PathElementKind::Index(IndexStep::First)) => {
                    steps.push(Step::Index(Index::First))
                }
                (Collection::Single, PathElementKind::Index(IndexStep::Last)) => {
                    steps.push(Step::Index(Index::Last))
                }
                (Collection::Single, PathElementKind::Index(IndexStep::Position(n))) => {
                    steps.push(Step::Index(Index::At(n)))
                }
                (
                    Collection::Single,
                    PathElementKind::Index(IndexStep::Key(k)) | PathElementKind::Name(k),
                ) if mixed => {
                    steps.push(Step::Key(k.as_str().into()));
                }
                (
                    Collection::Single,
                    PathElementKind::Index(IndexStep::All) | PathElementKind::Values,
                ) if mixed => {
                    expand = Some(Expand::Values);
                }
                (Collection::Single, PathElementKind::Keys) if mixed => {
                    expand = Some(Expand::Keys);
                    keys = true;
                }
                (_, PathElementKind::Values) => return err(K::ValuesNotDictionary, el_span),
                (Collection::List | Collection::Set, PathElementKind::Name(n))
                    if n.eq_ignore_ascii_case("length")
                        && matches!(
                            terminal.ty(),
                            PropertyType::String | PropertyType::Binary | PropertyType::Mixed
                        ) =>
                {
                    lengths = true;
                }
                (_, PathElementKind::Name(n)) => {
                    return err(
                        K::NoNestedProperty {
                            class: class.clone(),
                            property: pname.clone(),
                            name: n,
                        },
                        el_span,
                    );
                }
                (_, other) => return bad_index(element_text(&other)),
            }
        }
        if collection_terminal && expand.is_none() {
            expand = Some(match terminal.collection() {
                Collection::Dictionary => Expand::Values,
                _ => Expand::Elements,
            });
        }
        let per_instance = to_many && expand.is_some() && terminal.object().is_none();
        Ok(Resolved {
            first,
            steps,
            property: terminal,
            to_many,
            expand: if terminal.object().is_some() && terminal.collection() != Collection::Single {
                expand.or(Some(Expand::Elements))
            } else {
                expand
            },
            keys,
            collection_terminal: collection_terminal && !keys,
            per_instance,
            keys_or_values_dict: terminal.collection() == Collection::Dictionary,
            lengths,
        })
    }

    fn post_clause(
        &mut self,
        clause: &ast::PostClause,
        span: Span,
    ) -> Result<PostStep, CompileError> {
        match clause {
            ast::PostClause::Limit(n) => {
                Ok(PostStep::Limit(usize::try_from(*n).unwrap_or(usize::MAX)))
            }
            ast::PostClause::Sort(keys) => {
                let mut out = Vec::with_capacity(keys.len());
                for k in keys {
                    out.push((self.key_path(&k.path, "sort", span)?, k.ascending));
                }
                Ok(PostStep::Sort(out))
            }
            ast::PostClause::Distinct(paths) => {
                let mut out = Vec::with_capacity(paths.len());
                for p in paths {
                    out.push(self.key_path(p, "distinct", span)?);
                }
                Ok(PostStep::Distinct(out))
            }
        }
    }

    /// A SORT/DISTINCT key: a property reached through embedded objects, or a dictionary key.
    fn key_path(
        &mut self,
        path: &ast::Path,
        clause: &'static str,
        span: Span,
    ) -> Result<PathExpr, CompileError> {
        let table: &'t Table = self.table;
        let mut object = table.object();
        let mut names = Vec::new();
        for el in &path.elements {
            match &el.kind {
                PathElementKind::Name(n) | PathElementKind::Index(IndexStep::Key(n)) => {
                    names.push(n.as_str())
                }
                _ => {
                    return err(
                        K::SortProperty {
                            class: class_name(object),
                            property: path_text(path),
                            clause,
                        },
                        span,
                    );
                }
            }
        }
        let mut it = names.into_iter();
        let Some(head) = it.next() else {
            return err(
                K::SortProperty { class: class_name(object), property: String::new(), clause },
                span,
            );
        };
        let Some(mut prop) = object.property(head) else {
            return err(
                K::SortProperty { class: class_name(object), property: head.to_owned(), clause },
                span,
            );
        };
        let mut steps = Vec::new();
        for n in it {
            match (prop.object(), prop.collection()) {
                (Some(target), Collection::Single) => {
                    object = target;
                    let Some(p) = object.property(n) else {
                        return err(
                            K::SortProperty {
                                class: class_name(object),
                                property: n.to_owned(),
                                clause,
                            },
                            span,
                        );
                    };
                    steps.push(Step::Field(n.into()));
                    prop = p;
                }
                (None, Collection::Dictionary) => steps.push(Step::Key(n.into())),
                (None, Collection::Single) if *prop.ty() == PropertyType::Mixed => {
                    steps.push(Step::Key(n.into()))
                }
                _ => {
                    return err(
                        K::SortProperty {
                            class: class_name(object),
                            property: n.to_owned(),
                            clause,
                        },
                        span,
                    );
                }
            }
        }
        Ok(PathExpr {
            first: First::Element(head.into()),
            steps: steps.into_boxed_slice(),
            term: Term::Value,
            per_instance: false,
            float: *prop.ty() == PropertyType::Float,
            link: prop.object().is_some(),
        })
    }
}

/// The result of resolving a key path.
struct Resolved<'t> {
    first: First,
    steps: Vec<Step>,
    property: &'t Property,
    to_many: bool,
    expand: Option<Expand>,
    keys: bool,
    collection_terminal: bool,
    per_instance: bool,
    keys_or_values_dict: bool,
    lengths: bool,
}

enum ConstOrList {
    One(Const),
    List(Vec<Const>),
}

fn op_is_string(op: Op) -> bool {
    matches!(op, Op::BeginsWith | Op::EndsWith | Op::Contains | Op::Like)
}

fn string_op_name(op: CompareOp) -> &'static str {
    match op {
        CompareOp::BeginsWith => "beginswith",
        CompareOp::EndsWith => "endswith",
        CompareOp::Contains => "contains",
        CompareOp::Like => "like",
        _ => "text",
    }
}

fn relational_name(op: Op) -> &'static str {
    match op {
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        _ => ">=",
    }
}

fn size_name(s: SizeSpelling) -> &'static str {
    match s {
        SizeSpelling::Count => "@count",
        SizeSpelling::Size => "@size",
        SizeSpelling::IndexUpper => "SIZE",
        SizeSpelling::IndexLower => "size",
    }
}

fn class_name(o: &ObjectType) -> String {
    o.name().to_owned()
}

fn type_display(t: &PropertyType) -> &'static str {
    match t {
        PropertyType::Object(_) => "object",
        other => other.realm_name(),
    }
}

fn index_text(ix: &IndexStep) -> String {
    match ix {
        IndexStep::Position(n) => n.to_string(),
        IndexStep::First => "FIRST".to_owned(),
        IndexStep::Last => "LAST".to_owned(),
        IndexStep::All => "*".to_owned(),
        IndexStep::Key(k) => format!("'{k}'"),
        IndexStep::Argument(n) => format!("${n}"),
    }
}

fn element_text(el: &PathElementKind) -> String {
    match el {
        PathElementKind::Name(n) => n.clone(),
        PathElementKind::KeyPathArgument(n) => format!("$K{n}"),
        PathElementKind::Backlinks { class, property } => format!("@links.{class}.{property}"),
        PathElementKind::AllBacklinks => "@links".to_owned(),
        PathElementKind::Keys => "@keys".to_owned(),
        PathElementKind::Values => "@values".to_owned(),
        PathElementKind::Index(ix) => index_text(ix),
    }
}

fn path_text(p: &ast::Path) -> String {
    let mut out = String::new();
    for el in &p.elements {
        match &el.kind {
            PathElementKind::Index(ix) => {
                out.push('[');
                out.push_str(&index_text(ix));
                out.push(']');
            }
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&element_text(other));
            }
        }
    }
    out
}

fn describe_const(c: &Const) -> String {
    match c {
        Const::Null => "null".to_owned(),
        Const::Bool(b) => b.to_string(),
        Const::Int(i) => i.to_string(),
        Const::Float(f) => f.to_string(),
        Const::Double(d) => d.to_string(),
        Const::Decimal(d) => d.to_string(),
        Const::Str(s) => format!("\"{}\"", String::from_utf8_lossy(s)),
        Const::Bin(b) => format!("\"{}\"", String::from_utf8_lossy(b)),
        Const::Ts(t) => {
            format!("T{}:{}", t.seconds(), t.nanos())
        }
        Const::Oid(o) => o.iter().map(|b| format!("{b:02x}")).collect(),
        Const::Uuid(u) => crate::value::ejson::uuid_text(u),
        Const::Type(_) => "@type".to_owned(),
    }
}

fn const_of(v: &val::Val<'_>) -> Const {
    use val::Val as V;
    match v {
        V::Bool(b) => Const::Bool(*b),
        V::Int(i) => Const::Int(*i),
        V::Float(f) => Const::Float(*f),
        V::Double(d) => Const::Double(*d),
        V::Decimal(d) => Const::Decimal(*d),
        V::Str(s) => Const::Str((*s).into()),
        V::Bin(b) => Const::Bin((*b).into()),
        V::Ts(t) => Const::Ts(*t),
        V::Oid(o) => Const::Oid(*o),
        V::Uuid(u) => Const::Uuid(*u),
        V::Type(t) => Const::Type(*t),
        _ => Const::Null,
    }
}

/// A BSON argument as a constant; `None` for values a query cannot hold (documents, regexes…).
fn bson_const(b: &Bson) -> Option<Const> {
    Some(match b {
        Bson::Null | Bson::Undefined => Const::Null,
        Bson::Boolean(b) => Const::Bool(*b),
        Bson::Int32(i) => Const::Int(i64::from(*i)),
        Bson::Int64(i) => Const::Int(*i),
        Bson::Double(d) => Const::Double(*d),
        Bson::Decimal128(d) => Const::Decimal(Decimal128::from_bson(*d)),
        Bson::String(s) => Const::Str(s.as_bytes().into()),
        Bson::Binary(bin) => {
            if bin.subtype == bson::spec::BinarySubtype::Uuid
                && let Ok(u) = <[u8; 16]>::try_from(bin.bytes.as_slice())
            {
                return Some(Const::Uuid(u));
            }
            Const::Bin(bin.bytes.as_slice().into())
        }
        Bson::DateTime(d) => Const::Ts(Ts::from_millis(d.timestamp_millis())),
        Bson::ObjectId(o) => Const::Oid(o.bytes()),
        _ => return None,
    })
}

fn to_value(c: Const) -> Result<RValue, Const> {
    Ok(match c {
        Const::Null => RValue::Null,
        Const::Bool(b) => RValue::Bool(b),
        Const::Int(i) => RValue::Int(i),
        Const::Float(f) => RValue::Float(f),
        Const::Double(d) => RValue::Double(d),
        Const::Decimal(d) => RValue::Decimal(d),
        Const::Str(s) => RValue::String(s.into_vec()),
        Const::Bin(b) => RValue::Binary(b.into_vec()),
        Const::Ts(t) => RValue::Timestamp(t),
        Const::Oid(o) => RValue::ObjectId(o),
        Const::Uuid(u) => RValue::Uuid(u),
        other @ Const::Type(_) => return Err(other),
    })
}

fn from_value(v: RValue) -> Const {
    match v {
        RValue::Null => Const::Null,
        RValue::Bool(b) => Const::Bool(b),
        RValue::Int(i) => Const::Int(i),
        RValue::Float(f) => Const::Float(f),
        RValue::Double(d) => Const::Double(d),
        RValue::Decimal(d) => Const::Decimal(d),
        RValue::String(s) => Const::Str(s.into_boxed_slice()),
        RValue::Binary(b) => Const::Bin(b.into_boxed_slice()),
        RValue::Timestamp(t) => Const::Ts(t),
        RValue::ObjectId(o) => Const::Oid(o),
        RValue::Uuid(u) => Const::Uuid(u),
    }
}

/// Converts a constant to the other side's type (the value layer's hint rules, §3.3); a string
/// against `@type` is read as a set of type names.
fn convert(c: Const, hint: Ty, origin: Origin<'_>, span: Span) -> Result<Const, CompileError> {
    if hint == Ty::TypeOfValue
        && let Const::Str(bytes) = &c
    {
        return match TypeSet::parse(bytes) {
            Some(t) => Ok(Const::Type(t)),
            None => err(K::TypeName { name: String::from_utf8_lossy(bytes).into_owned() }, span),
        };
    }
    let value = match to_value(c) {
        Ok(v) => v,
        Err(c) => return Ok(c),
    };
    match coerce(value, hint, origin) {
        Ok(v) => Ok(from_value(v)),
        Err(CoerceError::Infinity(_)) => err(K::Infinity { ty: hint.name() }, span),
        Err(CoerceError::NaN(_)) => err(K::NaN { ty: hint.name() }, span),
    }
}

fn timestamp(t: &TimestampLiteral, span: Span) -> Result<Ts, CompileError> {
    match t {
        TimestampLiteral::Epoch { seconds, nanos } => {
            Ts::new(*seconds, *nanos).or_else(|_| err(K::InvalidTimestamp, span))
        }
        TimestampLiteral::Date { year, month, day, hour, minute, second, nanos } => {
            match crate::value::timestamp::Timestamp::from_date(
                *year,
                *month,
                *day,
                *hour,
                *minute,
                *second,
                nanos.unwrap_or(0),
            ) {
                Ok(ts) => Ok(ts),
                Err(crate::value::timestamp::TimestampError::Before1900) => {
                    err(K::DateBefore1900, span)
                }
                Err(_) => err(K::InvalidTimestamp, span),
            }
        }
    }
}

/// Standard base64 (`A–Z a–z 0–9 + /`, `=` padding); `None` when malformed.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    if text.len() - trimmed.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in trimmed.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table::from_json(
            &serde_json::json!({"title": "T", "properties": {"a": {"bsonType": "long"}}}),
        )
        .unwrap()
    }

    fn nots(n: usize) -> ast::Query {
        let loc = crate::span::Loc::default();
        let mut p = ast::Predicate { kind: PredicateKind::True, loc };
        for _ in 0..n {
            p = ast::Predicate { kind: PredicateKind::Not(Box::new(p)), loc };
        }
        ast::Query { predicate: p, post: Vec::new(), loc }
    }

    #[test]
    fn nesting_is_bounded_by_the_depth_limit_whatever_the_parser_allowed() {
        let limits = Limits::default();
        let depth = limits.max_depth as usize;
        assert!(compile(&nots(depth), &table(), &[], &limits).is_ok());
        let e = compile(&nots(depth + 1), &table(), &[], &limits).unwrap_err();
        assert_eq!(e.kind(), &K::TooDeep { limit: limits.max_depth });
        assert!(compile(&nots(5_000), &table(), &[], &limits).is_err());
    }

    #[test]
    fn deep_arithmetic_is_refused_without_deep_recursion() {
        let loc = crate::span::Loc::default();
        let leaf = |v: Value| ast::Expr { kind: ExprKind::Value(v), loc };
        let mut e = leaf(Value::Constant(Constant::Int(1)));
        for _ in 0..5_000 {
            e = ast::Expr {
                kind: ExprKind::Arithmetic {
                    op: ArithOp::Add,
                    left: Box::new(e),
                    right: Box::new(leaf(Value::Constant(Constant::Int(1)))),
                },
                loc,
            };
        }
        let path = ast::Path {
            elements: vec![ast::PathElement { kind: PathElementKind::Name("a".into()), loc }],
            loc,
        };
        let left = leaf(Value::Path(ast::PathValue { quantifier: None, path, post: None }));
        let cmp =
            ast::Comparison { left, op: CompareOp::Equal, case_insensitive: false, right: e, loc };
        let q = ast::Query {
            predicate: ast::Predicate { kind: PredicateKind::Comparison(Box::new(cmp)), loc },
            post: Vec::new(),
            loc,
        };
        let e = compile(&q, &table(), &[], &Limits::default()).unwrap_err();
        assert!(matches!(e.kind(), K::TooDeep { .. }), "{e:?}");
    }

    #[test]
    fn term_count_is_bounded() {
        let limits = Limits { max_terms: 10, ..Limits::default() };
        let q = crate::rql::parse(&["a == 1"; 11].join(" OR ")).unwrap();
        assert!(matches!(
            compile(&q, &table(), &[], &limits).unwrap_err().kind(),
            K::TooManyTerms { .. }
        ));
        let q = crate::rql::parse(&["a == 1"; 10].join(" OR ")).unwrap();
        assert!(compile(&q, &table(), &[], &limits).is_ok());
    }

    #[test]
    fn features_needing_several_tables_are_refused_with_their_own_error() {
        let limits = Limits::default();
        for q in [
            "@links.Person.a > 1",
            "a == obj('T', 1)",
            "a == O5",
            "a GEOWITHIN geoCircle([0.1, 0.1], 0.1)",
        ] {
            let ast = crate::rql::parse(q).unwrap();
            let e = compile(&ast, &table(), &[], &limits).unwrap_err();
            assert!(matches!(e.kind(), K::MultiTable { .. } | K::Geospatial), "{q}: {e:?}");
        }
    }

    #[test]
    fn base64_decodes_standard_alphabet() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("@@").is_none());
    }
}
