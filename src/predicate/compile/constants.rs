//! Constants and arguments: typed by the other side of their comparison ("hint" typing),
//! converted once at bind time with realm-core's conversion errors, constant arithmetic folded.

use bson::Bson;

use super::describe::describe_const;
use super::shape::{Shape, Side, Ty};
use super::{Compiler, err};
use crate::predicate::error::{CompileError, CompileErrorKind as K};
use crate::predicate::val::{self, Ts, TypeSet};
use crate::predicate::{Const, Operand, OperandKind};
use crate::rql::ast::{self, ArithOp, BinaryLiteral, Constant, ExprKind, TimestampLiteral, Value};
use crate::span::Span;
use crate::value::{CoerceError, Decimal128, Origin, Value as RValue, coerce};

impl<'t> Compiler<'t> {
    /// Folds constant arithmetic, each constant typed by `hint`.
    pub(super) fn fold(
        &mut self,
        e: &ast::Expr,
        hint: Ty,
        depth: u32,
    ) -> Result<Const, CompileError> {
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
                let v = crate::predicate::eval::arith(*op, &l.val(), &r.val());
                Ok(const_of(&v))
            }
        }
    }

    pub(super) fn value(
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
                        shape: Shape::Constant { scalar: None, argument: true },
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
                    shape: Shape::Constant { scalar: None, argument: false },
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
    pub(super) fn constant(
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
}

pub(super) enum ConstOrList {
    One(Const),
    List(Vec<Const>),
}

pub(super) fn const_of(v: &val::Val<'_>) -> Const {
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
pub(super) fn bson_const(b: &Bson) -> Option<Const> {
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

pub(super) fn to_value(c: Const) -> Result<RValue, Const> {
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

pub(super) fn from_value(v: RValue) -> Const {
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
pub(super) fn convert(
    c: Const,
    hint: Ty,
    origin: Origin<'_>,
    span: Span,
) -> Result<Const, CompileError> {
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

pub(super) fn timestamp(t: &TimestampLiteral, span: Span) -> Result<Ts, CompileError> {
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
