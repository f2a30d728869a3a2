//! Conversion of a constant to the type of the other side of a comparison ("hint" typing,
//! rql.md §3.3).
//!
//! The error texts are realm-core's own, word for word, because clients and tests match them.

use super::numeric;
use super::{Decimal128, RealmType, Value};

/// A constant that cannot be used against the hinted type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CoerceError {
    /// An infinite double against an int or a non-numeric type, or an infinite float against
    /// an int.
    #[error("Infinity not supported for {0}")]
    Infinity(RealmType),
    /// A NaN float against an int.
    #[error("NaN not supported for {0}")]
    NaN(RealmType),
}

/// Where a constant came from, which matters for doubles meeting a decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin<'t> {
    /// A literal, with its source text: a double literal against a decimal is re-read from this
    /// text as a decimal, keeping every digit (`0.1` is exactly 0.1).
    Literal(&'t str),
    /// An argument: a double becomes a decimal through its binary value, rounded to 15
    /// significant digits.
    Argument,
}

/// Whether `d` converts to an int without loss (realm-core: the value survives a round trip
/// through `int64_t`). Values outside the int range never do.
fn exact_int(d: f64) -> Option<i64> {
    const BOUND: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if !(-BOUND..BOUND).contains(&d) {
        return None;
    }
    let i = d as i64;
    (i as f64 == d).then_some(i)
}

/// Converts a constant for comparison against a value of type `hint` (realm-core's rules):
/// ints become exact decimals for a decimal; doubles become floats for a float, decimals for a
/// decimal (see [`Origin`]) and ints for an int when integral; integral floats become ints for
/// an int; strings become numbers for a numeric type when they read as one. Everything else,
/// and every value against `mixed`, is returned unchanged.
pub(crate) fn coerce(
    value: Value,
    hint: RealmType,
    origin: Origin<'_>,
) -> Result<Value, CoerceError> {
    Ok(match value {
        Value::Int(i) if hint == RealmType::Decimal => Value::Decimal(Decimal128::from_i64(i)),
        Value::Double(d) => {
            if d.is_infinite() && (!hint.is_numeric() || hint == RealmType::Int) {
                return Err(CoerceError::Infinity(hint));
            }
            match hint {
                RealmType::Float => Value::Float(d as f32),
                RealmType::Decimal => Value::Decimal(match origin {
                    Origin::Literal(text) => {
                        Decimal128::parse(text).unwrap_or_else(|| Decimal128::from_f64(d))
                    }
                    Origin::Argument => Decimal128::from_f64(d),
                }),
                RealmType::Int => exact_int(d).map_or(Value::Double(d), Value::Int),
                _ => Value::Double(d),
            }
        }
        Value::Float(f) if hint == RealmType::Int => {
            if f.is_infinite() {
                return Err(CoerceError::Infinity(hint));
            }
            if f.is_nan() {
                return Err(CoerceError::NaN(hint));
            }
            exact_int(f64::from(f)).map_or(Value::Float(f), Value::Int)
        }
        Value::String(s) => {
            let text = std::str::from_utf8(&s).ok();
            let converted = text.and_then(|t| match hint {
                RealmType::Int => numeric::string_to_int(t).map(Value::Int),
                RealmType::Float => numeric::string_to_float(t).map(Value::Float),
                RealmType::Double => numeric::string_to_double(t).map(Value::Double),
                RealmType::Decimal => numeric::string_to_decimal(t).map(Value::Decimal),
                _ => None,
            });
            converted.unwrap_or(Value::String(s))
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infinity_and_nan_errors_name_the_hint() {
        let inf = Value::Double(f64::INFINITY);
        let err = coerce(inf.clone(), RealmType::Int, Origin::Argument).unwrap_err();
        assert_eq!(err.to_string(), "Infinity not supported for int");
        let err = coerce(inf.clone(), RealmType::String, Origin::Argument).unwrap_err();
        assert_eq!(err.to_string(), "Infinity not supported for string");
        assert!(coerce(inf.clone(), RealmType::Mixed, Origin::Argument).is_ok());
        assert!(coerce(inf, RealmType::Double, Origin::Argument).is_ok());
        let err = coerce(Value::Float(f32::NAN), RealmType::Int, Origin::Argument).unwrap_err();
        assert_eq!(err.to_string(), "NaN not supported for int");
    }

    #[test]
    fn conversions() {
        let lit = |v, hint, text| coerce(v, hint, Origin::Literal(text)).unwrap();
        assert!(matches!(lit(Value::Double(3.0), RealmType::Int, "3.0"), Value::Int(3)));
        assert!(matches!(lit(Value::Double(3.1), RealmType::Int, "3.1"), Value::Double(_)));
        assert!(matches!(
            lit(
                Value::Double(9_223_372_036_854_775_808.0),
                RealmType::Int,
                "9223372036854775808.0"
            ),
            Value::Double(_)
        ));
        let Value::Decimal(d) = lit(Value::Double(0.1), RealmType::Decimal, "0.1") else {
            panic!()
        };
        assert_eq!(d.to_string(), "0.1");
        let Value::Decimal(d) =
            coerce(Value::Double(0.1), RealmType::Decimal, Origin::Argument).unwrap()
        else {
            panic!()
        };
        assert_eq!(d.to_string(), "0.100000000000000");
        assert!(
            matches!(lit(Value::Double(0.1), RealmType::Float, "0.1"), Value::Float(f) if f == 0.1f32)
        );
        assert!(matches!(
            lit(Value::String(b"12abc".to_vec()), RealmType::Int, ""),
            Value::Int(12)
        ));
        assert!(matches!(
            lit(Value::String(b"abc".to_vec()), RealmType::Int, ""),
            Value::String(_)
        ));
        assert!(matches!(
            lit(Value::String(b"5".to_vec()), RealmType::Mixed, ""),
            Value::String(_)
        ));
        assert!(matches!(lit(Value::Int(5), RealmType::Decimal, "5"), Value::Decimal(_)));
    }
}
