//! realm-core's static type checks of a comparison, and `BETWEEN`: what it refuses at bind time
//! depends on the type and the [`Shape`](super::shape::Shape) of each side.

use super::shape::{Side, Ty};
use super::{Compiler, err};
use crate::predicate::error::{CompileError, CompileErrorKind as K};
use crate::predicate::val::Level;
use crate::predicate::{Compare, CompareKind, Cond, OperandKind};
use crate::rql::ast::{self, CompareOp, Quantifier};
use crate::value::CmpOp;

impl<'t> Compiler<'t> {
    /// realm-core's static checks for one comparison (§3.5–3.7 of the specification).
    pub(super) fn check(
        &self,
        c: &ast::Comparison,
        op: CmpOp,
        left: &Side,
        right: &Side,
    ) -> Result<(), CompileError> {
        let span = c.loc.0;
        let right_is_null = right.is_null_constant();
        let left_is_null = left.is_null_constant();
        if (left.is_const_type() && (right.is_const_type() || right.is_constant()))
            || (right.is_const_type() && left.is_constant())
        {
            return err(
                K::TwoConstantTypes { left: left.desc.clone(), right: right.desc.clone() },
                span,
            );
        }
        if (left.is_link_list() && right_is_null) || (right.is_link_list() && left_is_null) {
            let path = if left.is_link_list() { &left.desc } else { &right.desc };
            return err(K::LinkListNull { path: path.clone() }, span);
        }
        if left.is_primitive_list()
            && right.is_primitive_list()
            && !left.to_many()
            && !right.to_many()
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
            if other.ty != Ty::TypeOfValue && other.ty != Ty::Null && other.is_constant() {
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
        if matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
            && matches!(left.ty, Ty::Link | Ty::TypeOfValue)
        {
            return err(K::OnlyEquality { op: relational_name(op) }, span);
        }
        if left.ty == Ty::Link || right.ty == Ty::Link {
            let (link, other) = if left.ty == Ty::Link { (left, right) } else { (right, left) };
            if other.is_constant() && other.ty != Ty::Null && !lists {
                return err(
                    K::LinkComparison { path: link.desc.clone(), ty: other.ty.name() },
                    span,
                );
            }
        }
        if !lists && !left.is_argument() && !right.is_argument() && !left.ty.comparable(right.ty) {
            return err(
                K::UnsupportedComparison { left: left.ty.name(), right: right.ty.name() },
                span,
            );
        }
        if c.case_insensitive && matches!(op, CmpOp::Eq | CmpOp::Ne) {
            let plain = (left.is_own_scalar() && right.scalar_const().is_some()) || lists;
            if !plain && !matches!(right.ty, Ty::String | Ty::Binary | Ty::Mixed | Ty::Null) {
                let name = match c.op {
                    CompareOp::Cmp(CmpOp::Ne) => "!=[c]",
                    CompareOp::In => "in[c]",
                    _ => "=[c]",
                };
                return err(K::StringOperator { op: name.to_owned(), ty: right.ty.name() }, span);
            }
        }
        Ok(())
    }

    pub(super) fn between(
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
        if left.is_primitive_list() && left.operand.quantifier != Some(Quantifier::All) {
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
        let kind = if left.to_many() && !left.is_primitive_list() {
            CompareKind::BetweenSplit
        } else {
            CompareKind::Between
        };
        let level = if left.is_own_scalar() { Level::Column } else { Level::Value };
        Ok(Cond::Rql(Box::new(Compare {
            left: left.operand,
            op: CmpOp::Ge,
            right: right.operand,
            case_insensitive: false,
            level,
            folded: None,
            kind,
        })))
    }
}

pub(super) fn op_is_string(op: CmpOp) -> bool {
    matches!(op, CmpOp::BeginsWith | CmpOp::EndsWith | CmpOp::Contains | CmpOp::Like)
}

pub(super) fn string_op_name(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Cmp(CmpOp::BeginsWith) => "beginswith",
        CompareOp::Cmp(CmpOp::EndsWith) => "endswith",
        CompareOp::Cmp(CmpOp::Contains) => "contains",
        CompareOp::Cmp(CmpOp::Like) => "like",
        _ => "text",
    }
}

pub(super) fn relational_name(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        _ => ">=",
    }
}
