//! Constants and arguments: typed by the other side of their comparison ("hint" typing),
//! converted once at bind time with realm-core's conversion errors, constant arithmetic folded.

use bson::Bson;

use super::describe::describe_const;
use super::shape::{Shape, Side, Ty};
use super::{Compiler, err};
use crate::predicate::error::{CompileError, CompileErrorKind as K};
use crate::predicate::{Operand, OperandKind};
use crate::rql::ast::{self, ArithOp, BinaryLiteral, Constant, ExprKind, TimestampLiteral};
use crate::span::Span;
use crate::value::{CoerceError, Decimal128, Origin, Timestamp, TypeSet, Value, coerce};

impl<'t> Compiler<'t> {
    /// Folds constant arithmetic, each constant typed by `hint`.
    pub(super) fn fold(
        &mut self,
        e: &ast::Expr,
        hint: Ty,
        depth: u32,
    ) -> Result<Value, CompileError> {
        if depth > self.limits.max_depth {
            return err(K::TooDeep { limit: self.limits.max_depth }, e.loc.0);
        }
        match &e.kind {
            ExprKind::Value(ast::Value::Constant(c)) => {
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
                let v = crate::predicate::eval::arith(*op, &l.view(), &r.view());
                Ok(Value::from_ref(&v).unwrap_or(Value::Null))
            }
        }
    }

    pub(super) fn value(
        &mut self,
        v: &ast::Value,
        hint: Option<Ty>,
        span: Span,
        depth: u32,
    ) -> Result<Side, CompileError> {
        let h = hint.unwrap_or(Ty::Mixed);
        match v {
            ast::Value::Constant(c) => {
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
                        shape: Shape::Constant { scalar: None, argument: true },
                        desc,
                    }),
                }
            }
            ast::Value::List(list) => {
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
                    shape: Shape::Constant { scalar: None, argument: false },
                    desc: v.to_string(),
                })
            }
            ast::Value::Path(pv) => self.path_value(pv, span),
            ast::Value::Aggregate(a) => self.aggregate(a, span),
            ast::Value::Subquery(s) => self.subquery(s, span, depth),
            ast::Value::Geo(_) => err(K::Geospatial, span),
        }
    }

    /// A constant converted with `hint`; the flag says it came from an argument.
    pub(super) fn constant(
        &mut self,
        c: &Constant,
        hint: Ty,
        span: Span,
    ) -> Result<(ConstOrList, bool), CompileError> {
        let one = |c: Value| Ok((ConstOrList::One(c), false));
        match c {
            Constant::Int(i) => one(match hint {
                Ty::Decimal => Value::Decimal(Decimal128::from_i64(*i)),
                _ => Value::Int(*i),
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
                    Value::Float(d as f32)
                } else {
                    Value::Double(d)
                };
                Ok((ConstOrList::One(convert(c, hint, Origin::Literal(body), span)?), false))
            }
            Constant::Infinity { negative } => {
                let d = if *negative { f64::NEG_INFINITY } else { f64::INFINITY };
                let text = if *negative { "-inf" } else { "inf" };
                Ok((
                    ConstOrList::One(convert(Value::Double(d), hint, Origin::Literal(text), span)?),
                    false,
                ))
            }
            Constant::NaN => {
                let nan = Value::Double(f64::NAN);
                Ok((ConstOrList::One(convert(nan, hint, Origin::Literal("nan"), span)?), false))
            }
            Constant::String(s) => Ok((
                ConstOrList::One(convert(
                    Value::String(s.as_bytes().into()),
                    hint,
                    Origin::Argument,
                    span,
                )?),
                false,
            )),
            Constant::Base64(b) => {
                let bytes = base64_decode(b).ok_or_else(|| CompileError::new(K::Base64, span))?;
                Ok((
                    ConstOrList::One(convert(Value::String(bytes), hint, Origin::Argument, span)?),
                    false,
                ))
            }
            Constant::Binary(BinaryLiteral::Text(t)) => one(Value::Binary(t.as_bytes().into())),
            Constant::Binary(BinaryLiteral::Base64(b)) => {
                let bytes = base64_decode(b).ok_or_else(|| CompileError::new(K::Base64, span))?;
                one(Value::Binary(bytes))
            }
            Constant::Timestamp(t) => one(Value::Timestamp(timestamp(t, span)?)),
            Constant::ObjectId(o) => one(Value::ObjectId(*o)),
            Constant::Uuid(u) => one(Value::Uuid(*u)),
            Constant::Bool(b) => one(Value::Bool(*b)),
            Constant::Null => one(Value::Null),
            Constant::Argument { index, .. } => {
                let arg = self.argument(*index, span)?;
                let r = match arg {
                    Bson::Array(items) => {
                        if items.len() > self.limits.max_list_len {
                            return err(K::TooManyTerms { limit: self.limits.max_list_len }, span);
                        }
                        let mut out = Vec::with_capacity(items.len());
                        for item in items {
                            let c = Value::from_bson(item).ok_or_else(|| {
                                CompileError::new(K::ArgumentValue { index: *index }, span)
                            })?;
                            out.push(convert(c, hint, Origin::Argument, span)?);
                        }
                        ConstOrList::List(out)
                    }
                    other => {
                        let c = Value::from_bson(other).ok_or_else(|| {
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

    pub(super) fn argument(&self, index: u32, span: Span) -> Result<&'t Bson, CompileError> {
        let args: &'t [Bson] = self.args;
        usize::try_from(index)
            .ok()
            .and_then(|i| args.get(i))
            .ok_or_else(|| CompileError::new(K::ArgumentIndex { index, count: args.len() }, span))
    }

    /// A scalar argument must be comparable with the other side's type.
    pub(super) fn check_argument(
        &self,
        c: &Constant,
        value: &Value,
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
}

pub(super) enum ConstOrList {
    One(Value),
    List(Vec<Value>),
}

/// Converts a constant to the other side's type (the value layer's hint rules, §3.3); a string
/// against `@type` is read as a set of type names.
pub(super) fn convert(
    c: Value,
    hint: Ty,
    origin: Origin<'_>,
    span: Span,
) -> Result<Value, CompileError> {
    if hint == Ty::TypeOfValue
        && let Value::String(bytes) = &c
    {
        return match TypeSet::parse(bytes) {
            Some(t) => Ok(Value::Type(t)),
            None => err(K::TypeName { name: String::from_utf8_lossy(bytes).into_owned() }, span),
        };
    }
    match coerce(c, hint, origin) {
        Ok(v) => Ok(v),
        Err(CoerceError::Infinity(_)) => err(K::Infinity { ty: hint.name() }, span),
        Err(CoerceError::NaN(_)) => err(K::NaN { ty: hint.name() }, span),
    }
}

pub(super) fn timestamp(t: &TimestampLiteral, span: Span) -> Result<Timestamp, CompileError> {
    match t {
        TimestampLiteral::Epoch { seconds, nanos } => {
            Timestamp::new(*seconds, *nanos).or_else(|_| err(K::InvalidTimestamp, span))
        }
        TimestampLiteral::Date { year, month, day, hour, minute, second, nanos } => {
            match Timestamp::from_date(
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

/// Standard base64 (`A–Z a–z 0–9 + /`); `None` when malformed. `B64"…"` literals are read as
/// they always were here: `=` padding optional, unused low bits of the last symbol ignored.
pub(super) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    LENIENT.decode(text).ok()
}
