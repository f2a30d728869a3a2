//! Table-driven checks of the value semantics against fixtures/value/*.tsv.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "fixture readers: a malformed fixture row must stop the test loudly"
)]

use std::cmp::Ordering;
use std::path::Path;

use crate::value::CmpOp;
use crate::value::numeric::{self, Number};
use crate::value::string::{self, CaseFold, Folded};
use crate::value::{Decimal128, Timestamp, TimestampError, ValueRef};

/// The data rows of a fixture (comments and blank lines skipped), split on tabs, with the line
/// number for messages.
fn rows(name: &str) -> Vec<(usize, Vec<String>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/value").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rows: Vec<_> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split('\t').map(str::to_owned).collect::<Vec<_>>()))
        .collect();
    assert!(!rows.is_empty(), "{name} has no rows");
    rows
}

fn flag(s: &str) -> bool {
    match s {
        "1" => true,
        "0" => false,
        other => panic!("expected 1 or 0, got {other:?}"),
    }
}

fn nullable(s: &str) -> Option<&[u8]> {
    (s != "\\N").then_some(s.as_bytes())
}

#[test]
fn like_table() {
    for (line, r) in rows("like.tsv") {
        let [text, pattern, mode, expected] = r.as_slice() else { panic!("like.tsv:{line}") };
        let (t, p) = (text.as_bytes(), pattern.as_bytes());
        let got = match mode.as_str() {
            "cs" => string::like(t, p),
            "ci" => {
                let pre = string::like_ins(t, &CaseFold::new(p));
                assert_eq!(pre, string::like_ins(t, &Folded::new(p)), "like.tsv:{line}");
                pre
            }
            other => panic!("like.tsv:{line}: mode {other}"),
        };
        assert_eq!(got, flag(expected), "like.tsv:{line}: {text:?} LIKE {pattern:?} ({mode})");
    }
}

fn op_of(name: &str) -> Option<CmpOp> {
    Some(match name {
        "beginswith" => CmpOp::BeginsWith,
        "endswith" => CmpOp::EndsWith,
        "contains" => CmpOp::Contains,
        "like" => CmpOp::Like,
        "eq" => return None,
        other => panic!("unknown op {other}"),
    })
}

#[test]
fn string_operator_table() {
    for (line, r) in rows("string_ops.tsv") {
        let [level, op, text, pattern, mode, expected] = r.as_slice() else {
            panic!("string_ops.tsv:{line}")
        };
        let ci = mode == "ci";
        let (t, p) = (nullable(text), nullable(pattern));
        let got = match (level.as_str(), op_of(op)) {
            ("direct", None) => match (t, p) {
                (Some(t), Some(p)) if ci => string::equals_ins(t, &CaseFold::new(p)),
                (t, p) => t == p,
            },
            ("direct", Some(op)) => string::direct_null_rule(op, t, p, ci, false)
                .unwrap_or_else(|| string::apply(op, t.unwrap(), p.unwrap(), ci)),
            ("value", Some(op)) => {
                let s = |v: Option<&'static [u8]>| v.map_or(ValueRef::Null, ValueRef::String);
                let (t, p) = (nullable_static(text), nullable_static(pattern));
                let via_scalar = crate::value::string_op(op, &s(t), &s(p), ci);
                if let Some(rule) = string::value_null_rule(op, t, p) {
                    assert_eq!(rule, via_scalar, "string_ops.tsv:{line}: null rules disagree");
                }
                via_scalar
            }
            other => panic!("string_ops.tsv:{line}: {other:?}"),
        };
        assert_eq!(got, flag(expected), "string_ops.tsv:{line}: {r:?}");
    }
}

fn nullable_static(s: &str) -> Option<&'static [u8]> {
    nullable(s).map(|b| &*Box::leak(b.to_vec().into_boxed_slice()))
}

fn number(spec: &str) -> Number {
    let (kind, text) = spec.split_once(':').unwrap_or_else(|| panic!("bad number {spec}"));
    let double = |t: &str| match t {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        t => t.parse().unwrap(),
    };
    match kind {
        "int" => Number::Int(text.parse().unwrap()),
        "float" => Number::Float(double(text) as f32),
        "double" => Number::Double(double(text)),
        "decimal" => Number::Decimal(Decimal128::parse(text).unwrap()),
        other => panic!("bad kind {other}"),
    }
}

fn ordering(s: &str) -> Option<Ordering> {
    match s {
        "<" => Some(Ordering::Less),
        "=" => Some(Ordering::Equal),
        ">" => Some(Ordering::Greater),
        "u" => None,
        other => panic!("bad ordering {other}"),
    }
}

#[test]
fn numeric_comparison_table() {
    for (line, r) in rows("numeric.tsv") {
        let [a, b, total, ieee] = r.as_slice() else { panic!("numeric.tsv:{line}") };
        let (x, y) = (number(a), number(b));
        assert_eq!(
            Some(numeric::compare_total(x, y)),
            ordering(total),
            "numeric.tsv:{line}: total {a} vs {b}"
        );
        assert_eq!(
            Some(numeric::compare_total(y, x)),
            ordering(total).map(Ordering::reverse),
            "numeric.tsv:{line}: total {b} vs {a}"
        );
        assert_eq!(numeric::compare_ieee(x, y), ordering(ieee), "numeric.tsv:{line}: ieee");
    }
}

fn dec(s: &str) -> Decimal128 {
    Decimal128::parse(s).unwrap_or_else(|| panic!("`{s}` should parse"))
}

#[test]
fn decimal_table() {
    for (line, r) in rows("decimal.tsv") {
        let [op, a, b, expected] = r.as_slice() else { panic!("decimal.tsv:{line}") };
        let at = format!("decimal.tsv:{line}: {r:?}");
        match op.as_str() {
            "parse" => {
                let got = Decimal128::parse(a).map_or("invalid".to_owned(), |d| d.to_string());
                assert_eq!(&got, expected, "{at}");
                if let Some(d) = Decimal128::parse(a) {
                    // The bson crate reads our bytes back to the same text.
                    assert_eq!(&d.to_bson().to_string(), expected, "{at}");
                }
            }
            "cmp" => {
                let (x, y) = (dec(a), dec(b));
                assert_eq!(Some(x.total_cmp(y)), ordering(expected), "{at}");
                assert_eq!(Some(y.total_cmp(x)), ordering(expected).map(Ordering::reverse), "{at}");
                assert_eq!(x == y, expected == "=", "{at}");
            }
            "add" => assert_eq!(&(dec(a) + dec(b)).to_string(), expected, "{at}"),
            "sub" => assert_eq!(&(dec(a) - dec(b)).to_string(), expected, "{at}"),
            "mul" => assert_eq!(&(dec(a) * dec(b)).to_string(), expected, "{at}"),
            "div" => assert_eq!(&(dec(a) / dec(b)).to_string(), expected, "{at}"),
            "f64" => {
                let v: f64 = if a == "nan" { f64::NAN } else { a.parse().unwrap() };
                assert_eq!(&Decimal128::from_f64(v).to_string(), expected, "{at}");
            }
            "f32" => {
                let v: f32 = a.parse().unwrap();
                assert_eq!(&Decimal128::from_f32(v).to_string(), expected, "{at}");
            }
            other => panic!("{at}: unknown op {other}"),
        }
    }
}

#[test]
fn date_literal_table() {
    for (line, r) in rows("dates.tsv") {
        let [fields @ .., expected] = r.as_slice() else { panic!("dates.tsv:{line}") };
        let f: Vec<i64> = fields.iter().map(|s| s.parse().unwrap()).collect();
        let [y, mo, d, h, mi, s, ns] = f.as_slice() else { panic!("dates.tsv:{line}") };
        let got = Timestamp::from_date(*y, *mo, *d, *h, *mi, *s, *ns);
        let want = match expected.split_once(':') {
            Some((secs, nanos)) => {
                Ok(Timestamp::new(secs.parse().unwrap(), nanos.parse().unwrap()).unwrap())
            }
            None => Err(match expected.as_str() {
                "Before1900" => TimestampError::Before1900,
                "NegativeNanos" => TimestampError::NegativeNanos,
                "NanosOutOfRange" => TimestampError::NanosOutOfRange,
                other => panic!("dates.tsv:{line}: {other}"),
            }),
        };
        assert_eq!(got, want, "dates.tsv:{line}");
    }
}

#[test]
fn string_to_number_table() {
    for (line, r) in rows("coercion.tsv") {
        let [hint, input, expected] = r.as_slice() else { panic!("coercion.tsv:{line}") };
        let at = format!("coercion.tsv:{line}: {r:?}");
        let none = expected == "none";
        match hint.as_str() {
            "int" => {
                let want = (!none).then(|| expected.parse::<i64>().unwrap());
                assert_eq!(numeric::string_to_int(input), want, "{at}");
            }
            "double" | "float" => {
                let got = if hint == "double" {
                    numeric::string_to_double(input)
                } else {
                    numeric::string_to_float(input).map(f64::from)
                };
                match (got, none) {
                    (None, true) => {}
                    (Some(v), false) if expected == "NaN" => assert!(v.is_nan(), "{at}"),
                    (Some(v), false) => {
                        let w: f64 = expected.parse().unwrap();
                        let w = if hint == "float" { f64::from(w as f32) } else { w };
                        assert_eq!(v, w, "{at}");
                    }
                    _ => panic!("{at}: got {got:?}"),
                }
            }
            "decimal" => {
                let got = numeric::string_to_decimal(input).map(|d| d.to_string());
                assert_eq!(got, (!none).then(|| expected.clone()), "{at}");
            }
            other => panic!("{at}: unknown hint {other}"),
        }
    }
}
