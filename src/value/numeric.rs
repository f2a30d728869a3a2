//! realm-core's numeric group (int, float, double, decimal128): exact cross-type comparison,
//! arithmetic with type promotion, and the conversion of strings to numbers.
//!
//! Two comparison flavours exist because realm-core has two:
//! * [`compare_ieee`] — what a comparison on a numeric column does (`fees == NaN` matches
//!   nothing, `fees != NaN` everything): NaN is unordered and equal to nothing.
//! * [`compare_total`] — realm-core's value-level order, used for values reached through links,
//!   lists, `mixed`, aggregates, sorting and DISTINCT: NaN sorts below every number and equals a
//!   NaN with the identical bit pattern.

use std::cmp::Ordering;

use super::decimal::Decimal128;

/// A number of one of realm-core's four numeric types.
#[derive(Debug, Clone, Copy)]
pub enum Number {
    /// `int` (64-bit).
    Int(i64),
    /// `float` (32-bit).
    Float(f32),
    /// `double` (64-bit).
    Double(f64),
    /// `decimal128`.
    Decimal(Decimal128),
}

/// Compares an int with a double exactly, NaN lowest: ints within ±2^53 convert exactly, doubles
/// at or beyond ±2^63 lie outside every int, and any other double is compared by its integer
/// part, which a fraction cannot turn into equality.
fn int_vs_double(i: i64, d: f64) -> Ordering {
    if d.is_nan() {
        return Ordering::Greater;
    }
    const EXACT: i64 = 1 << 53;
    if (-EXACT..=EXACT).contains(&i) {
        return float_total(i as f64, d);
    }
    const BOUND: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if d >= BOUND {
        return Ordering::Less;
    }
    if d < -BOUND {
        return Ordering::Greater;
    }
    // |i| > 2^53 here. A double with a fraction is smaller than 2^52 in magnitude, so dropping
    // its fraction cannot change the outcome; a larger double is integral and converts exactly.
    i.cmp(&(d as i64))
}

/// realm-core's float order: IEEE for numbers, NaN below all numbers, NaNs by bit pattern.
fn float_total(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, true) => a.to_bits().cmp(&b.to_bits()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

fn float32_total(a: f32, b: f32) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, true) => a.to_bits().cmp(&b.to_bits()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

impl Number {
    /// Whether the value is a NaN (float, double or decimal).
    pub fn is_nan(self) -> bool {
        match self {
            Number::Int(_) => false,
            Number::Float(f) => f.is_nan(),
            Number::Double(d) => d.is_nan(),
            Number::Decimal(d) => d.is_nan(),
        }
    }

    /// The value as a decimal, as realm-core converts: ints exactly, doubles to 15 significant
    /// digits, floats to 7.
    pub fn to_decimal(self) -> Decimal128 {
        match self {
            Number::Int(i) => Decimal128::from_i64(i),
            Number::Float(f) => Decimal128::from_f32(f),
            Number::Double(d) => Decimal128::from_f64(d),
            Number::Decimal(d) => d,
        }
    }

    /// The value as a double (decimals through their text; ints may round).
    pub fn to_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f64::from(f),
            Number::Double(d) => d,
            Number::Decimal(d) => d.to_f64(),
        }
    }

    /// Rank in the promotion order int < float < double < decimal128.
    fn rank(self) -> u8 {
        match self {
            Number::Int(_) => 0,
            Number::Float(_) => 1,
            Number::Double(_) => 2,
            Number::Decimal(_) => 3,
        }
    }
}

/// realm-core's value-level numeric order (total; NaN lowest, identical NaNs equal).
pub(crate) fn compare_total(a: Number, b: Number) -> Ordering {
    use Number::{Decimal, Double, Float, Int};
    match (a, b) {
        (Int(x), Int(y)) => x.cmp(&y),
        (Int(x), Float(y)) => int_vs_double(x, f64::from(y)),
        (Int(x), Double(y)) => int_vs_double(x, y),
        (Float(x), Int(y)) => int_vs_double(y, f64::from(x)).reverse(),
        (Double(x), Int(y)) => int_vs_double(y, x).reverse(),
        (Float(x), Float(y)) => float32_total(x, y),
        (Float(x), Double(y)) => float_total(f64::from(x), y),
        (Double(x), Float(y)) => float_total(x, f64::from(y)),
        (Double(x), Double(y)) => float_total(x, y),
        (Decimal(x), other) => x.total_cmp(other.to_decimal()),
        (other, Decimal(y)) => other.to_decimal().total_cmp(y),
    }
}

/// Numeric comparison with IEEE NaN rules: `None` (unordered, unequal) when either side is NaN.
pub(crate) fn compare_ieee(a: Number, b: Number) -> Option<Ordering> {
    if a.is_nan() || b.is_nan() {
        return None;
    }
    Some(compare_total(a, b))
}

/// An arithmetic operator, as written in a query and as evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
}

/// realm-core arithmetic: the result has the larger operand type in the order int < float <
/// double < decimal128. Int arithmetic wraps; int division truncates and, by zero, yields
/// `i64::MAX` for a non-negative dividend and `i64::MIN` otherwise; floats follow IEEE.
pub(crate) fn arith(op: ArithOp, a: Number, b: Number) -> Number {
    match a.rank().max(b.rank()) {
        0 => {
            let (Number::Int(x), Number::Int(y)) = (a, b) else { return Number::Int(0) };
            Number::Int(match op {
                ArithOp::Add => x.wrapping_add(y),
                ArithOp::Subtract => x.wrapping_sub(y),
                ArithOp::Multiply => x.wrapping_mul(y),
                ArithOp::Divide if y == 0 => {
                    if x >= 0 {
                        i64::MAX
                    } else {
                        i64::MIN
                    }
                }
                ArithOp::Divide => x.wrapping_div(y),
            })
        }
        1 => {
            // Only ints and floats reach here; an int converts in one rounding step.
            let to_f32 = |n: Number| match n {
                Number::Float(f) => f,
                Number::Int(i) => i as f32,
                other => other.to_f64() as f32,
            };
            let (x, y) = (to_f32(a), to_f32(b));
            Number::Float(match op {
                ArithOp::Add => x + y,
                ArithOp::Subtract => x - y,
                ArithOp::Multiply => x * y,
                ArithOp::Divide => x / y,
            })
        }
        2 => {
            let (x, y) = (a.to_f64(), b.to_f64());
            Number::Double(match op {
                ArithOp::Add => x + y,
                ArithOp::Subtract => x - y,
                ArithOp::Multiply => x * y,
                ArithOp::Divide => x / y,
            })
        }
        _ => {
            let (x, y) = (a.to_decimal(), b.to_decimal());
            Number::Decimal(match op {
                ArithOp::Add => x + y,
                ArithOp::Subtract => x - y,
                ArithOp::Multiply => x * y,
                ArithOp::Divide => x / y,
            })
        }
    }
}

/// Splits off the longest prefix a C++ stream would read as a decimal number: optional leading
/// whitespace, sign, digits, and for floating types a fraction and an exponent. Returns the
/// numeric text, or `None` when there is no digit.
fn numeric_prefix(s: &str, floating: bool) -> Option<&str> {
    let trimmed = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let b = trimmed.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut digits = i - int_start;
    if floating {
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            digits += i - frac_start;
        }
        if digits > 0 && matches!(b.get(i), Some(b'e' | b'E')) {
            let mut k = i + 1;
            if matches!(b.get(k), Some(b'+' | b'-')) {
                k += 1;
            }
            let exp_start = k;
            while b.get(k).is_some_and(u8::is_ascii_digit) {
                k += 1;
            }
            if k == exp_start {
                // The stream consumed the `e` and found no exponent: the read fails.
                return None;
            }
            i = k;
        }
    }
    if digits == 0 {
        return None;
    }
    trimmed.get(..i)
}

/// The special names a string may hold for float and double (realm-core's fallback when the
/// stream read fails): `nan`, `+nan`, `-nan`, `inf`, `+inf`, `infinity`, … in any case.
fn special(s: &str) -> Option<f64> {
    let lower = |t: &str| s.eq_ignore_ascii_case(t);
    if lower("nan") || lower("+nan") {
        Some(f64::NAN)
    } else if lower("-nan") {
        Some(-f64::NAN)
    } else if lower("inf") || lower("+inf") || lower("infinity") || lower("+infinity") {
        Some(f64::INFINITY)
    } else if lower("-inf") || lower("-infinity") {
        Some(f64::NEG_INFINITY)
    } else {
        None
    }
}

/// A string constant compared with an int: the leading decimal integer (`'12abc'` → 12,
/// `'1.5'` → 1, `' 7'` → 7); `None` when there is none or it overflows.
pub(crate) fn string_to_int(s: &str) -> Option<i64> {
    numeric_prefix(s, false)?.parse::<i64>().ok()
}

/// A string constant compared with a double: the leading decimal number, or one of the special
/// names; `None` otherwise or on overflow to infinity.
pub(crate) fn string_to_double(s: &str) -> Option<f64> {
    match numeric_prefix(s, true) {
        Some(p) => p.parse::<f64>().ok().filter(|v| v.is_finite()),
        None => special(s),
    }
}

/// A string constant compared with a float: as [`string_to_double`] in single precision.
pub(crate) fn string_to_float(s: &str) -> Option<f32> {
    match numeric_prefix(s, true) {
        Some(p) => p.parse::<f32>().ok().filter(|v| v.is_finite()),
        None => special(s).map(|v| v as f32),
    }
}

/// A string constant compared with a decimal: the whole string must be a decimal number (or an
/// infinity); NaN is refused.
pub(crate) fn string_to_decimal(s: &str) -> Option<Decimal128> {
    Decimal128::parse(s).filter(|d| !d.is_nan())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn int_division_by_zero_saturates() {
        let div = |x, y| match arith(ArithOp::Divide, Number::Int(x), Number::Int(y)) {
            Number::Int(v) => v,
            other => panic!("{other:?}"),
        };
        assert_eq!(div(7, 0), i64::MAX);
        assert_eq!(div(0, 0), i64::MAX);
        assert_eq!(div(-7, 0), i64::MIN);
        assert_eq!(div(-7, 2), -3);
        assert_eq!(div(i64::MIN, -1), i64::MIN);
    }

    #[test]
    fn promotion_order() {
        assert!(
            matches!(arith(ArithOp::Add, Number::Int(1), Number::Float(1.5)), Number::Float(v) if v == 2.5)
        );
        assert!(
            matches!(arith(ArithOp::Add, Number::Float(1.5), Number::Double(1.0)), Number::Double(v) if v == 2.5)
        );
        assert!(
            matches!(arith(ArithOp::Multiply, Number::Double(1.5), Number::Decimal(Decimal128::from_i64(2))), Number::Decimal(d) if d == Decimal128::from_i64(3))
        );
        assert!(matches!(
            arith(ArithOp::Add, Number::Int(i64::MAX), Number::Int(1)),
            Number::Int(i64::MIN)
        ));
    }

    /// Exact comparison of an int with a finite double through 128-bit integers.
    fn exact(i: i64, d: f64) -> Ordering {
        let t = d.trunc();
        if t >= 1.7e38 {
            return Ordering::Less;
        }
        if t <= -1.7e38 {
            return Ordering::Greater;
        }
        let ti = t as i128;
        match i128::from(i).cmp(&ti) {
            Ordering::Equal => 0.0f64.partial_cmp(&(d - t)).unwrap(),
            o => o,
        }
    }

    fn near_boundaries() -> impl Strategy<Value = i64> {
        prop_oneof![
            any::<i64>(),
            (-4i64..4).prop_map(|k| (1i64 << 53) + k),
            (-4i64..4).prop_map(|k| -(1i64 << 53) + k),
            (0i64..4).prop_map(|k| i64::MAX - k),
            (0i64..4).prop_map(|k| i64::MIN + k),
        ]
    }

    proptest! {
        #[test]
        fn int_double_comparison_is_exact(i in near_boundaries(), j in near_boundaries(), frac in -1.0f64..1.0, raw: f64) {
            for d in [j as f64, j as f64 + frac, raw] {
                if d.is_finite() {
                    prop_assert_eq!(compare_total(Number::Int(i), Number::Double(d)), exact(i, d), "{} vs {}", i, d);
                    prop_assert_eq!(compare_total(Number::Double(d), Number::Int(i)), exact(i, d).reverse());
                }
            }
        }
    }

    #[test]
    fn nan_flavours() {
        let nan = Number::Double(f64::NAN);
        assert_eq!(compare_ieee(nan, nan), None);
        assert_eq!(compare_total(nan, nan), Ordering::Equal);
        assert_eq!(compare_total(nan, Number::Double(f64::NEG_INFINITY)), Ordering::Less);
        assert_eq!(compare_total(Number::Int(i64::MIN), nan), Ordering::Greater);
    }
}
