//! The guards of a compiled predicate for the cross-session fan-out index
//! ([`crate::fanout`]): top-level conjuncts `field == constant`, `field IN {…}` and numeric
//! ranges on one field, combined through `AND` (the cheapest conjunct) and `OR` (all branches).
//!
//! This is the only place that turns the IR's constants into fan-out keys.

use super::set::{consts_of, field_of, indexable};
use super::{Compare, CompareKind, Cond, OperandKind, Predicate};
use crate::fanout::guard::{self, Guards, Key};
use crate::value::{CmpOp as Op, Value};

/// The key of an indexable constant.
fn key(c: &Value) -> Option<Key> {
    Some(match c {
        Value::Bool(b) => Key::Bool(*b),
        Value::Int(i) => Key::Num(*i),
        Value::Double(d) => Key::Num(guard::integral(*d)?),
        Value::String(s) => Key::Str(s.as_slice().into()),
        Value::ObjectId(o) => Key::Oid(*o),
        Value::Uuid(u) => Key::Uuid(*u),
        _ => return None,
    })
}

/// The number a constant bound stands for.
fn bound(c: &Value) -> Option<f64> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "rounding is monotonic and range guards are inclusive, so no match is lost"
    )]
    Some(match c {
        Value::Int(i) => *i as f64,
        Value::Double(d) => *d,
        Value::Float(f) => f64::from(*f),
        _ => return None,
    })
}

impl Predicate {
    /// Guards of which every matching document satisfies one (`None`: no narrower guard).
    pub(crate) fn guards(&self) -> Guards {
        cond(&self.root, &self.names)
    }
}

// Recursion follows the compiled tree, whose depth compilation bounded.
fn cond(c: &Cond, names: &[Box<str>]) -> Guards {
    match c {
        Cond::True | Cond::Not(_) => None,
        Cond::False => Some(Vec::new()),
        Cond::And(items) => items.iter().map(|c| cond(c, names)).fold(None, guard::narrower),
        Cond::Or(items) => {
            items.iter().try_fold(Vec::new(), |acc, c| guard::union(Some(acc), cond(c, names)))
        }
        Cond::Rql(cmp) => compare(c, cmp, names),
    }
}

fn compare(c: &Cond, cmp: &Compare, names: &[Box<str>]) -> Guards {
    if let Some((slot, consts)) = indexable(c) {
        return guard::equal(names.get(slot)?, consts.iter().map(key));
    }
    match cmp.kind {
        CompareKind::Plain => {
            let (slot, c, op) = match (field_of(&cmp.left), consts_of(&cmp.right)) {
                (Some(s), Some([c])) => (s, c, cmp.op),
                _ => match (consts_of(&cmp.left), field_of(&cmp.right)) {
                    (Some([c]), Some(s)) => (s, c, flipped(cmp.op)?),
                    _ => return None,
                },
            };
            let (name, x) = (names.get(slot)?, bound(c)?);
            match op {
                Op::Lt | Op::Le => guard::range(name, f64::NEG_INFINITY, x),
                Op::Gt | Op::Ge => guard::range(name, x, f64::INFINITY),
                _ => None,
            }
        }
        CompareKind::Between => {
            let slot = field_of(&cmp.left)?;
            let OperandKind::Consts(bounds) = &cmp.right.kind else { return None };
            let [lo, hi] = &**bounds else { return None };
            guard::range(names.get(slot)?, bound(lo)?, bound(hi)?)
        }
        CompareKind::BetweenSplit => None,
    }
}

/// `c op field` as `field op' c`.
fn flipped(op: Op) -> Option<Op> {
    Some(match op {
        Op::Lt => Op::Gt,
        Op::Le => Op::Ge,
        Op::Gt => Op::Lt,
        Op::Ge => Op::Le,
        Op::Eq => Op::Eq,
        _ => return None,
    })
}

impl Predicate {
    /// The predicate as "field is one of these keys" (`Some(None)`: always), when it is exactly
    /// that for documents whose field value has a key.
    pub(crate) fn keyed(&self) -> Option<guard::AnyOf> {
        match &self.root {
            Cond::True => Some(None),
            Cond::False => Some(Some(Vec::new())),
            c => {
                let (slot, consts) = indexable(c)?;
                let keys: Option<Vec<Key>> = consts.iter().map(key).collect();
                let field = self.names.get(slot)?.clone();
                Some(Some(vec![guard::OneOf { field, keys: keys?.into() }]))
            }
        }
    }
}
