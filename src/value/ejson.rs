//! MongoDB Extended JSON in and out.
//!
//! Input accepts both the relaxed and the canonical form (the `bson` crate's parser). Output is
//! the relaxed form the command line promises: strings, numbers and booleans plain,
//! `{"$oid": …}`, `{"$uuid": …}` for 16-byte binaries of subtype 4, `{"$date": …}`,
//! `{"$numberDecimal": …}`, `{"$binary": …}`, and non-finite doubles as `{"$numberDouble": …}`
//! because JSON has no literal for them.

use bson::spec::BinarySubtype;
use bson::{Binary, Bson};
use serde_json::{Map, Value as Json, json};

use super::Decimal128;

/// Why Extended JSON could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EjsonError {
    /// The JSON is not valid Extended JSON (`{"$oid": 5}`, say).
    #[error("invalid extended JSON: {0}")]
    Invalid(String),
    /// Arrays and documents nest deeper than the configured limit.
    #[error("value nests deeper than {0} levels")]
    TooDeep(u32),
}

/// Reads one Extended JSON value (relaxed or canonical).
pub fn from_json(json: Json) -> Result<Bson, EjsonError> {
    Bson::try_from(json).map_err(|e| EjsonError::Invalid(e.to_string()))
}

/// Writes a BSON value as relaxed Extended JSON; arrays and documents may nest `max_depth`
/// levels (see [`crate::Limits::max_document_depth`]).
pub fn to_json(value: &Bson, max_depth: u32) -> Result<Json, EjsonError> {
    write(value, max_depth, 0)
}

fn write(value: &Bson, max_depth: u32, depth: u32) -> Result<Json, EjsonError> {
    Ok(match value {
        Bson::Null => Json::Null,
        Bson::Boolean(b) => Json::Bool(*b),
        Bson::Int32(i) => json!(i),
        Bson::Int64(i) => json!(i),
        Bson::Double(d) => double(*d),
        Bson::String(s) => Json::String(s.clone()),
        Bson::ObjectId(oid) => json!({ "$oid": oid.to_hex() }),
        Bson::Decimal128(d) => json!({ "$numberDecimal": Decimal128::from_bson(*d).to_string() }),
        Bson::Binary(b) => binary(b.subtype, &b.bytes),
        Bson::Array(items) => {
            let depth = deeper(depth, max_depth)?;
            Json::Array(items.iter().map(|v| write(v, max_depth, depth)).collect::<Result<_, _>>()?)
        }
        Bson::Document(doc) => {
            let depth = deeper(depth, max_depth)?;
            let mut map = Map::new();
            for (k, v) in doc {
                map.insert(k.clone(), write(v, max_depth, depth)?);
            }
            Json::Object(map)
        }
        // Dates, and the BSON types realm has no counterpart for, in bson's own relaxed form.
        other => other.clone().into_relaxed_extjson(),
    })
}

fn deeper(depth: u32, max: u32) -> Result<u32, EjsonError> {
    if depth >= max { Err(EjsonError::TooDeep(max)) } else { Ok(depth + 1) }
}

fn double(d: f64) -> Json {
    if d.is_finite() {
        json!(d)
    } else if d.is_nan() {
        json!({ "$numberDouble": "NaN" })
    } else if d > 0.0 {
        json!({ "$numberDouble": "Infinity" })
    } else {
        json!({ "$numberDouble": "-Infinity" })
    }
}

fn binary(subtype: BinarySubtype, bytes: &[u8]) -> Json {
    if let (BinarySubtype::Uuid, Ok(raw)) = (subtype, <[u8; 16]>::try_from(bytes)) {
        return json!({ "$uuid": uuid_text(&raw) });
    }
    Bson::Binary(Binary { subtype, bytes: bytes.to_vec() }).into_relaxed_extjson()
}

/// The canonical 8-4-4-4-12 lower-case form of a UUID.
pub fn uuid_text(raw: &[u8; 16]) -> String {
    bson::Uuid::from_bytes(*raw).to_string()
}

/// An ObjectId as 24 lowercase hex digits.
pub fn oid_hex(raw: &[u8; 12]) -> String {
    bson::oid::ObjectId::from_bytes(*raw).to_hex()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn round(text: &str) -> String {
        let json: Json = serde_json::from_str(text).unwrap();
        to_json(&from_json(json).unwrap(), 100).unwrap().to_string()
    }

    #[test]
    fn relaxed_output_forms() {
        assert_eq!(round(r#"{"$numberLong": "5"}"#), "5");
        assert_eq!(round(r#"{"$numberInt": "5"}"#), "5");
        assert_eq!(round(r#"{"$numberDouble": "NaN"}"#), r#"{"$numberDouble":"NaN"}"#);
        assert_eq!(round(r#"{"$numberDouble": "-Infinity"}"#), r#"{"$numberDouble":"-Infinity"}"#);
        assert_eq!(round(r#"{"$numberDecimal": "1.50"}"#), r#"{"$numberDecimal":"1.50"}"#);
        assert_eq!(
            round(r#"{"$oid": "5f0f1e2d3c4b5a6978877665"}"#),
            r#"{"$oid":"5f0f1e2d3c4b5a6978877665"}"#
        );
        assert_eq!(
            round(r#"{"$binary": {"base64": "AAECAwQFBgcICQoLDA0ODw==", "subType": "04"}}"#),
            r#"{"$uuid":"00010203-0405-0607-0809-0a0b0c0d0e0f"}"#
        );
        assert_eq!(
            round(r#"{"$uuid": "00010203-0405-0607-0809-0a0b0c0d0e0f"}"#),
            r#"{"$uuid":"00010203-0405-0607-0809-0a0b0c0d0e0f"}"#
        );
        assert_eq!(
            round(r#"{"$date": {"$numberLong": "0"}}"#),
            r#"{"$date":"1970-01-01T00:00:00Z"}"#
        );
        assert_eq!(
            round(r#"{"$binary": {"base64": "AQI=", "subType": "00"}}"#),
            r#"{"$binary":{"base64":"AQI=","subType":"00"}}"#
        );
        assert_eq!(round(r#"{"a": [1, "x", true, null, 2.5]}"#), r#"{"a":[1,"x",true,null,2.5]}"#);
    }

    #[test]
    fn depth_is_bounded() {
        let json: Json = serde_json::from_str("[[[1]]]").unwrap();
        let b = from_json(json).unwrap();
        assert_eq!(to_json(&b, 2), Err(EjsonError::TooDeep(2)));
        assert!(to_json(&b, 3).is_ok());
    }

    #[test]
    fn scalars_cross_the_bridge() {
        let json: Json = serde_json::from_str(r#"{"$date": {"$numberLong": "-1500"}}"#).unwrap();
        let v = Value::from_bson(&from_json(json).unwrap()).unwrap();
        let Value::Timestamp(t) = v else { panic!("{v:?}") };
        assert_eq!((t.seconds(), t.nanos()), (-1, -500_000_000));
        let back = Value::Timestamp(t).to_bson().unwrap();
        assert_eq!(to_json(&back, 1).unwrap().to_string(), r#"{"$date":{"$numberLong":"-1500"}}"#);
    }
}
