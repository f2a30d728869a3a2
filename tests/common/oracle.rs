//! The `Product` table of realm-core's differential corpus (`fixtures/oracle/`) as an App
//! Services schema, built from the spec's column list the way `fixtures/oracle/diff.py` builds it,
//! for the tests that run the corpus through the library.

use bson::{Bson, Document};
use serde_json::{Value, json};

/// The bsonType App Services uses for a column type of the spec.
fn bson_type(t: &str) -> &'static str {
    match t {
        "string" => "string",
        "int" => "long",
        "double" => "double",
        "bool" => "bool",
        "date" => "date",
        "uuid" => "uuid",
        "objectId" => "objectId",
        "decimal" => "decimal",
        "binary" => "binData",
        "float" => "float",
        other => panic!("unknown column type {other}"),
    }
}

/// The App Services schema of one table of the spec: optional columns are left out of
/// `required`, lists of nullable columns have `[T, "null"]` items.
pub(crate) fn schema_of(t: &Value) -> Value {
    let pk = &t["pk"];
    let mut props = serde_json::Map::new();
    let mut required = vec![pk["name"].clone()];
    props.insert(
        pk["name"].as_str().unwrap().to_owned(),
        json!({"bsonType": bson_type(pk["type"].as_str().unwrap())}),
    );
    for c in t["columns"].as_array().unwrap() {
        let b = bson_type(c["type"].as_str().unwrap());
        let nullable = c["nullable"].as_bool().unwrap_or(false);
        let name = c["name"].as_str().unwrap().to_owned();
        if c["list"].as_bool().unwrap_or(false) {
            let items =
                if nullable { json!({"bsonType": [b, "null"]}) } else { json!({"bsonType": b}) };
            props.insert(name.clone(), json!({"bsonType": "array", "items": items}));
            required.push(json!(name));
        } else {
            props.insert(name.clone(), json!({"bsonType": b}));
            if !nullable {
                required.push(json!(name));
            }
        }
    }
    json!({"title": t["table"], "bsonType": "object", "required": required, "properties": props})
}

/// A table's objects as BSON documents.
pub(crate) fn objects_of(table: &Value) -> Vec<Document> {
    table["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| match Bson::try_from(o.clone()).unwrap() {
            Bson::Document(d) => d,
            other => panic!("object is not a document: {other}"),
        })
        .collect()
}

/// A corpus row's arguments (Extended JSON) as BSON values.
pub(crate) fn args_of(row: &Value) -> Vec<Bson> {
    row["args"]
        .as_array()
        .map(|a| a.iter().map(|v| Bson::try_from(v.clone()).unwrap()).collect())
        .unwrap_or_default()
}
