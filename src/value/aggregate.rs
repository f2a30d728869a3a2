//! `@min`, `@max`, `@sum` and `@avg` with realm-core's result types and skipping rules
//! (rql.md §3.10).
//!
//! Skipped values: nulls always; NaN floats, doubles and decimals for typed collections; for
//! `mixed`, nulls, decimal NaNs and (for `@sum`/`@avg`) every non-numeric value. A `mixed`
//! double NaN is not skipped, as in realm-core, and turns a sum or average into NaN.

use std::cmp::Ordering;

use super::{Decimal128, RealmType, Scalar, total_cmp};

/// Which aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AggKind {
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
    Extreme(Option<Scalar<'a>>),
    IntSum(i64),
    DoubleSum(f64),
    DecimalSum(Decimal128),
}

/// An aggregate being computed over the elements of one collection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Aggregate<'a> {
    kind: AggKind,
    elem: RealmType,
    state: State<'a>,
    count: u64,
}

impl<'a> Aggregate<'a> {
    /// Starts an aggregate over elements of type `elem` (`int`, `float`, `double`,
    /// `decimal128`, `timestamp` for `@min`/`@max`, or `mixed`).
    pub(crate) fn new(kind: AggKind, elem: RealmType) -> Aggregate<'a> {
        let state = match (kind, elem) {
            (AggKind::Min | AggKind::Max, _) => State::Extreme(None),
            (AggKind::Sum, RealmType::Int) => State::IntSum(0),
            (_, RealmType::Decimal | RealmType::Mixed) => State::DecimalSum(Decimal128::ZERO),
            _ => State::DoubleSum(0.0),
        };
        Aggregate { kind, elem, state, count: 0 }
    }

    /// Whether realm-core lets `v` take part.
    fn counts(&self, v: &Scalar<'_>) -> bool {
        match v {
            Scalar::Null => false,
            Scalar::Decimal(d) => !d.is_nan(),
            Scalar::Float(f) => self.elem == RealmType::Mixed || !f.is_nan(),
            Scalar::Double(d) => self.elem == RealmType::Mixed || !d.is_nan(),
            _ => true,
        }
    }

    /// Adds one element.
    pub(crate) fn push(&mut self, v: Scalar<'a>) {
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
                        if kind == AggKind::Min {
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
                Scalar::Int(i) => *sum = sum.wrapping_add(i),
                _ => return,
            },
            State::DoubleSum(sum) => match v {
                Scalar::Int(i) => *sum += i as f64,
                Scalar::Float(f) => *sum += f64::from(f),
                Scalar::Double(d) => *sum += d,
                _ => return,
            },
            State::DecimalSum(sum) => {
                let d = match v {
                    Scalar::Decimal(d) => d,
                    Scalar::Int(i) if mixed => Decimal128::from_i64(i),
                    Scalar::Float(f) if mixed => Decimal128::from_f32(f),
                    Scalar::Double(d) if mixed => Decimal128::from_f64(d),
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
        super::Value::from_scalar(&self.result_scalar())
    }

    /// [`Aggregate::result`] without copying: the extreme element is returned borrowed from
    /// the collection, so evaluating an aggregate never allocates.
    pub(crate) fn result_scalar(&self) -> Scalar<'a> {
        match (self.kind, self.state) {
            (_, State::Extreme(best)) => best.unwrap_or(Scalar::Null),
            (AggKind::Avg, _) if self.count == 0 => Scalar::Null,
            (AggKind::Avg, State::DoubleSum(s)) => Scalar::Double(s / self.count as f64),
            (AggKind::Avg, State::DecimalSum(s)) => {
                let n = i64::try_from(self.count).unwrap_or(i64::MAX);
                Scalar::Decimal(s / Decimal128::from_i64(n))
            }
            (_, State::IntSum(s)) => Scalar::Int(s),
            (_, State::DoubleSum(s)) => Scalar::Double(s),
            (_, State::DecimalSum(s)) => Scalar::Decimal(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Timestamp, Value};

    fn run<'a>(kind: AggKind, elem: RealmType, values: &[Scalar<'a>]) -> Value {
        let mut agg = Aggregate::new(kind, elem);
        for v in values {
            agg.push(*v);
        }
        agg.result()
    }

    /// The mixed list of realm-core's test_parser.cpp aggregate test (rql.md §3.10).
    fn mixed_list() -> Vec<Scalar<'static>> {
        vec![
            Scalar::String(b"foo"),
            Scalar::Int(1),
            Scalar::Timestamp(Timestamp::new(1, 0).unwrap()),
            Scalar::Decimal(Decimal128::parse("2.5").unwrap()),
            Scalar::Float(3.7),
            Scalar::ObjectId([1; 12]),
            Scalar::Uuid([2; 16]),
            Scalar::Null,
            Scalar::Bool(false),
            Scalar::Bool(true),
            Scalar::Null,
            Scalar::Null,
            Scalar::Null,
            Scalar::Decimal(Decimal128::NAN),
        ]
    }

    #[test]
    fn mixed_list_aggregates() {
        let l = mixed_list();
        assert!(matches!(run(AggKind::Min, RealmType::Mixed, &l), Value::Bool(false)));
        assert!(matches!(run(AggKind::Max, RealmType::Mixed, &l), Value::Uuid(u) if u == [2; 16]));
        let Value::Decimal(sum) = run(AggKind::Sum, RealmType::Mixed, &l) else { panic!() };
        assert_eq!(sum, Decimal128::parse("7.2").unwrap());
        let Value::Decimal(avg) = run(AggKind::Avg, RealmType::Mixed, &l) else { panic!() };
        assert_eq!(avg, Decimal128::parse("2.4").unwrap());
    }

    #[test]
    fn empty_collections() {
        assert!(matches!(run(AggKind::Sum, RealmType::Int, &[]), Value::Int(0)));
        assert!(matches!(run(AggKind::Sum, RealmType::Double, &[]), Value::Double(v) if v == 0.0));
        assert!(matches!(run(AggKind::Min, RealmType::Int, &[]), Value::Null));
        assert!(matches!(run(AggKind::Avg, RealmType::Int, &[Scalar::Null]), Value::Null));
    }

    #[test]
    fn typed_rules() {
        let ints = [Scalar::Int(i64::MAX), Scalar::Int(1), Scalar::Null];
        assert!(matches!(run(AggKind::Sum, RealmType::Int, &ints), Value::Int(i64::MIN)));
        let doubles = [Scalar::Double(1.0), Scalar::Double(f64::NAN), Scalar::Double(2.0)];
        assert!(
            matches!(run(AggKind::Avg, RealmType::Double, &doubles), Value::Double(v) if v == 1.5)
        );
        assert!(
            matches!(run(AggKind::Min, RealmType::Double, &doubles), Value::Double(v) if v == 1.0)
        );
        let ints = [Scalar::Int(1), Scalar::Int(2)];
        assert!(matches!(run(AggKind::Avg, RealmType::Int, &ints), Value::Double(v) if v == 1.5));
    }
}
