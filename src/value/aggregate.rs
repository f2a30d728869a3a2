//! `@min`, `@max`, `@sum` and `@avg` with realm-core's result types and skipping rules
//! (rql.md §3.10).
//!
//! Skipped values: nulls always; NaN floats, doubles and decimals for typed collections; for
//! `mixed`, nulls, decimal NaNs and (for `@sum`/`@avg`) every non-numeric value. A `mixed`
//! double NaN is not skipped, as in realm-core, and turns a sum or average into NaN.

use std::cmp::Ordering;

use super::{Decimal128, RealmType, ValueRef, total_cmp};

/// An aggregate operator, as written in a query and as evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateOp {
    /// `@min`
    Min,
    /// `@max`
    Max,
    /// `@sum`
    Sum,
    /// `@avg`
    Avg,
}

#[derive(Debug, Clone, Copy)]
enum State<'a> {
    Extreme(Option<ValueRef<'a>>),
    IntSum(i64),
    DoubleSum(f64),
    DecimalSum(Decimal128),
}

/// An aggregate being computed over the elements of one collection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Aggregate<'a> {
    kind: AggregateOp,
    elem: RealmType,
    state: State<'a>,
    count: u64,
}

impl<'a> Aggregate<'a> {
    /// Starts an aggregate over elements of type `elem` (`int`, `float`, `double`,
    /// `decimal128`, `timestamp` for `@min`/`@max`, or `mixed`).
    pub(crate) fn new(kind: AggregateOp, elem: RealmType) -> Aggregate<'a> {
        let state = match (kind, elem) {
            (AggregateOp::Min | AggregateOp::Max, _) => State::Extreme(None),
            (AggregateOp::Sum, RealmType::Int) => State::IntSum(0),
            (_, RealmType::Decimal | RealmType::Mixed) => State::DecimalSum(Decimal128::ZERO),
            _ => State::DoubleSum(0.0),
        };
        Aggregate { kind, elem, state, count: 0 }
    }

    /// Whether realm-core lets `v` take part.
    fn counts(&self, v: &ValueRef<'_>) -> bool {
        match v {
            ValueRef::Null => false,
            ValueRef::Decimal(d) => !d.is_nan(),
            ValueRef::Float(f) => self.elem == RealmType::Mixed || !f.is_nan(),
            ValueRef::Double(d) => self.elem == RealmType::Mixed || !d.is_nan(),
            _ => true,
        }
    }

    /// Adds one element.
    pub(crate) fn push(&mut self, v: ValueRef<'a>) {
        if !self.counts(&v) {
            return;
        }
        let mixed = self.elem == RealmType::Mixed;
        let kind = self.kind;
        match &mut self.state {
            State::Extreme(best) => {
                let better = match best {
                    None => true,
                    Some(b) => {
                        let o = total_cmp(&v, b);
                        if kind == AggregateOp::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        }
                    }
                };
                if better {
                    *best = Some(v);
                }
            }
            State::IntSum(sum) => match v {
                ValueRef::Int(i) => *sum = sum.wrapping_add(i),
                _ => return,
            },
            State::DoubleSum(sum) => match v {
                ValueRef::Int(i) => *sum += i as f64,
                ValueRef::Float(f) => *sum += f64::from(f),
                ValueRef::Double(d) => *sum += d,
                _ => return,
            },
            State::DecimalSum(sum) => {
                let d = match v {
                    ValueRef::Decimal(d) => d,
                    ValueRef::Int(i) if mixed => Decimal128::from_i64(i),
                    ValueRef::Float(f) if mixed => Decimal128::from_f32(f),
                    ValueRef::Double(d) if mixed => Decimal128::from_f64(d),
                    _ => return,
                };
                *sum = *sum + d;
            }
        }
        self.count += 1;
    }

    /// The result: `@min`/`@max` the extreme element (null when none counted), `@sum` the total
    /// (0 when none: int for ints, double for floats and doubles, decimal for decimals and
    /// `mixed`), `@avg` the mean (double, or decimal for decimals and `mixed`; null when none).
    #[cfg(test)]
    pub(crate) fn result(&self) -> super::Value {
        super::Value::from_ref(&self.result_ref()).unwrap_or(super::Value::Null)
    }

    /// [`Aggregate::result`] without copying: the extreme element is returned borrowed from
    /// the collection, so evaluating an aggregate never allocates.
    pub(crate) fn result_ref(&self) -> ValueRef<'a> {
        match (self.kind, self.state) {
            (_, State::Extreme(best)) => best.unwrap_or(ValueRef::Null),
            (AggregateOp::Avg, _) if self.count == 0 => ValueRef::Null,
            (AggregateOp::Avg, State::DoubleSum(s)) => ValueRef::Double(s / self.count as f64),
            (AggregateOp::Avg, State::DecimalSum(s)) => {
                let n = i64::try_from(self.count).unwrap_or(i64::MAX);
                ValueRef::Decimal(s / Decimal128::from_i64(n))
            }
            (_, State::IntSum(s)) => ValueRef::Int(s),
            (_, State::DoubleSum(s)) => ValueRef::Double(s),
            (_, State::DecimalSum(s)) => ValueRef::Decimal(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Timestamp, Value};

    fn run<'a>(kind: AggregateOp, elem: RealmType, values: &[ValueRef<'a>]) -> Value {
        let mut agg = Aggregate::new(kind, elem);
        for v in values {
            agg.push(*v);
        }
        agg.result()
    }

    /// The mixed list of realm-core's test_parser.cpp aggregate test (rql.md §3.10).
    fn mixed_list() -> Vec<ValueRef<'static>> {
        vec![
            ValueRef::String(b"foo"),
            ValueRef::Int(1),
            ValueRef::Timestamp(Timestamp::new(1, 0).unwrap()),
            ValueRef::Decimal(Decimal128::parse("2.5").unwrap()),
            ValueRef::Float(3.7),
            ValueRef::ObjectId([1; 12]),
            ValueRef::Uuid([2; 16]),
            ValueRef::Null,
            ValueRef::Bool(false),
            ValueRef::Bool(true),
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Decimal(Decimal128::NAN),
        ]
    }

    #[test]
    fn mixed_list_aggregates() {
        let l = mixed_list();
        assert!(matches!(run(AggregateOp::Min, RealmType::Mixed, &l), Value::Bool(false)));
        assert!(
            matches!(run(AggregateOp::Max, RealmType::Mixed, &l), Value::Uuid(u) if u == [2; 16])
        );
        let Value::Decimal(sum) = run(AggregateOp::Sum, RealmType::Mixed, &l) else { panic!() };
        assert_eq!(sum, Decimal128::parse("7.2").unwrap());
        let Value::Decimal(avg) = run(AggregateOp::Avg, RealmType::Mixed, &l) else { panic!() };
        assert_eq!(avg, Decimal128::parse("2.4").unwrap());
    }

    #[test]
    fn empty_collections() {
        assert!(matches!(run(AggregateOp::Sum, RealmType::Int, &[]), Value::Int(0)));
        assert!(
            matches!(run(AggregateOp::Sum, RealmType::Double, &[]), Value::Double(v) if v == 0.0)
        );
        assert!(matches!(run(AggregateOp::Min, RealmType::Int, &[]), Value::Null));
        assert!(matches!(run(AggregateOp::Avg, RealmType::Int, &[ValueRef::Null]), Value::Null));
    }

    #[test]
    fn typed_rules() {
        let ints = [ValueRef::Int(i64::MAX), ValueRef::Int(1), ValueRef::Null];
        assert!(matches!(run(AggregateOp::Sum, RealmType::Int, &ints), Value::Int(i64::MIN)));
        let doubles = [ValueRef::Double(1.0), ValueRef::Double(f64::NAN), ValueRef::Double(2.0)];
        assert!(
            matches!(run(AggregateOp::Avg, RealmType::Double, &doubles), Value::Double(v) if v == 1.5)
        );
        assert!(
            matches!(run(AggregateOp::Min, RealmType::Double, &doubles), Value::Double(v) if v == 1.0)
        );
        let ints = [ValueRef::Int(1), ValueRef::Int(2)];
        assert!(
            matches!(run(AggregateOp::Avg, RealmType::Int, &ints), Value::Double(v) if v == 1.5)
        );
    }
}
