//! How a compiled predicate compares two values.
//!
//! Values are the crate's [`ValueRef`]s, borrowed from the document or from a compiled
//! constant, so reading a value never allocates. Scalars are compared by [`crate::value`]
//! (realm-core's numeric, string, `[c]` and LIKE rules); this module adds how queries compare
//! what only they have (`@type` values, embedded objects as links, nested collections inside
//! `mixed`) and chooses between realm-core's two regimes:
//!
//! - *value level* (lists, embedded objects, `mixed`, aggregates, sorting): NaN sorts below every
//!   number and equals a NaN with the same bits; values of incomparable types are simply unequal;
//! - *column level* (an own scalar property against constants of its type): IEEE rules for NaN,
//!   null strings ordered before every string, and the null rules of realm-core's string column
//!   nodes (§3.7.4 of the specification).

use std::cmp::Ordering;

use crate::value::{self as rv, CaseFold, CmpOp, NanRule, ValueRef, string};

/// How a comparison treats NaN and null strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// An own scalar property against constants of its type: realm-core's column nodes.
    Column,
    /// Everything else: realm-core's Mixed comparisons.
    Value,
}

/// `left op right` for one pair of values. `folded` holds the case variants of a constant
/// right side, for `[c]`.
pub(crate) fn apply(
    op: CmpOp,
    left: &ValueRef<'_>,
    right: &ValueRef<'_>,
    folded: Option<&CaseFold>,
    ci: bool,
    level: Level,
) -> bool {
    let nan = if level == Level::Column { NanRule::Ieee } else { NanRule::Total };
    let cmp = match op {
        CmpOp::Eq => return equal(left, right, folded, ci, nan),
        CmpOp::Ne => return !equal(left, right, folded, ci, nan),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => op,
        CmpOp::BeginsWith | CmpOp::EndsWith | CmpOp::Contains | CmpOp::Like => {
            return string_op(op, left, right, folded, ci, level);
        }
    };
    // A string column orders null below every string (realm-core's column comparison).
    let texty = |v: &ValueRef<'_>| matches!(v, ValueRef::String(_) | ValueRef::Null);
    if level == Level::Column && texty(left) && texty(right) {
        let o = match (left, right) {
            (ValueRef::Null, ValueRef::Null) => Ordering::Equal,
            (ValueRef::Null, _) => Ordering::Less,
            (_, ValueRef::Null) => Ordering::Greater,
            (ValueRef::String(a), ValueRef::String(b)) => string::compare_bytes(a, b),
            _ => Ordering::Equal,
        };
        return match cmp {
            CmpOp::Lt => o.is_lt(),
            CmpOp::Le => o.is_le(),
            CmpOp::Gt => o.is_gt(),
            _ => o.is_ge(),
        };
    }
    left.is_scalar() && right.is_scalar() && rv::compare(cmp, left, right, nan)
}

fn equal(
    left: &ValueRef<'_>,
    right: &ValueRef<'_>,
    folded: Option<&CaseFold>,
    ci: bool,
    nan: NanRule,
) -> bool {
    match (left.is_scalar() && right.is_scalar(), ci, folded) {
        (true, true, Some(f)) => rv::equals_ins_folded(left, right, f),
        (true, true, None) => rv::equals_ins(left, right, nan),
        (true, false, _) => rv::compare(CmpOp::Eq, left, right, nan),
        (false, ..) => rv::compare_kinds(left, right) == Some(Ordering::Equal),
    }
}

fn string_op(
    op: CmpOp,
    left: &ValueRef<'_>,
    right: &ValueRef<'_>,
    folded: Option<&CaseFold>,
    ci: bool,
    level: Level,
) -> bool {
    if level == Level::Column && (left.is_null() || right.is_null()) {
        let binary =
            matches!(left, ValueRef::Binary { .. }) || matches!(right, ValueRef::Binary { .. });
        if let Some(r) = string::direct_null_rule(op, left.as_bytes(), right.as_bytes(), ci, binary)
        {
            return r;
        }
    }
    if !left.is_scalar() || !right.is_scalar() {
        return false;
    }
    if ci && let Some(f) = folded {
        match (left, right) {
            (ValueRef::String(t), ValueRef::String(_))
            | (ValueRef::Binary { bytes: t, .. }, ValueRef::Binary { .. }) => {
                return string::apply_ins(op, t, f);
            }
            _ => {}
        }
    }
    rv::string_op(op, left, right, ci)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::TypeSet;

    #[test]
    fn type_sets_are_equal_when_they_intersect() {
        let numeric = ValueRef::Type(TypeSet::parse(b"numeric").unwrap());
        let int = ValueRef::Int(3).type_of();
        assert!(apply(CmpOp::Eq, &ValueRef::Type(int), &numeric, None, false, Level::Value));
        assert!(!apply(CmpOp::Eq, &ValueRef::String(b"a"), &numeric, None, false, Level::Value));
    }

    #[test]
    fn string_columns_order_null_first() {
        let a = ValueRef::String(b"a");
        assert!(apply(CmpOp::Lt, &ValueRef::Null, &a, None, false, Level::Column));
        assert!(!apply(CmpOp::Lt, &ValueRef::Null, &a, None, false, Level::Value));
    }

    #[test]
    fn nan_follows_ieee_only_in_columns() {
        let nan = ValueRef::Double(f64::NAN);
        assert!(!apply(CmpOp::Lt, &nan, &ValueRef::Double(0.0), None, false, Level::Column));
        assert!(apply(CmpOp::Lt, &nan, &ValueRef::Double(0.0), None, false, Level::Value));
    }
}
