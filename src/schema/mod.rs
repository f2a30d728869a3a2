//! Object schemas, read from App Services JSON Schema.
//!
//! A [`Table`] is what realm-core's binder resolves key paths against: named properties with a
//! realm type, optionality, and a collection kind. App Services exports one JSON Schema per
//! collection (`{"title": "Car", "bsonType": "object", "required": [...], "properties": {...}}`);
//! [`Table::from_json`] reads one. Embedded objects become nested [`ObjectType`]s (a to-one link
//! in realm-core's terms; an array of them is a to-many link).
//!
//! Every error names the JSON pointer of the offending schema node, so the caller can add the
//! file name and report `schema.json#/properties/miles/bsonType: …`.

mod error;

pub use error::{SchemaError, SchemaErrorKind};

use serde_json::{Map, Value as Json};

use crate::json::Pointer;
use crate::limits::Limits;

/// One collection's schema: a named object type with a primary key.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    name: String,
    object: ObjectType,
    primary_key: Option<usize>,
}

/// The properties of a top-level or embedded object type.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectType {
    name: String,
    title: Option<String>,
    properties: Vec<Property>,
}

/// A property of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    name: String,
    ty: PropertyType,
    nullable: bool,
    collection: Collection,
}

/// Whether a property holds one value or a collection of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collection {
    /// A single value.
    Single,
    /// An ordered list (`"bsonType": "array"`).
    List,
    /// A set (`"bsonType": "array", "uniqueItems": true`).
    Set,
    /// A dictionary with string keys (`"bsonType": "object"` with `additionalProperties`).
    Dictionary,
}

/// The realm type of a property (of its elements, for collections).
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyType {
    /// 64-bit integer (`long`, `int`).
    Int,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// `binData`
    Binary,
    /// `date`: a realm timestamp.
    Timestamp,
    /// `float`: 32-bit; BSON stores it as a double.
    Float,
    /// `double`
    Double,
    /// `decimal`: IEEE-754 decimal128.
    Decimal,
    /// `objectId`
    ObjectId,
    /// `uuid`
    Uuid,
    /// `mixed`: any value.
    Mixed,
    /// An embedded object: a link to an object with no primary key of its own.
    Object(Box<ObjectType>),
}

impl PropertyType {
    /// The type's name as realm-core prints it in error messages (`int`, `timestamp`, `link`, …).
    pub fn realm_name(&self) -> &'static str {
        match self {
            PropertyType::Int => "int",
            PropertyType::Bool => "bool",
            PropertyType::String => "string",
            PropertyType::Binary => "binary",
            PropertyType::Timestamp => "timestamp",
            PropertyType::Float => "float",
            PropertyType::Double => "double",
            PropertyType::Decimal => "decimal128",
            PropertyType::ObjectId => "objectId",
            PropertyType::Uuid => "uuid",
            PropertyType::Mixed => "mixed",
            PropertyType::Object(_) => "link",
        }
    }
}

impl Table {
    /// Reads an App Services JSON Schema for one collection.
    ///
    /// The table is named by `title`. Properties not listed in `required` are optional; lists,
    /// sets and dictionaries are never null themselves, and their elements are nullable only when
    /// `items` says `[T, "null"]`. `_id`, when present, is the primary key.
    pub fn from_json(schema: &Json) -> Result<Table, SchemaError> {
        Table::from_json_with(schema, &Limits::default())
    }

    /// [`Table::from_json`] with explicit limits on embedded-object nesting.
    pub fn from_json_with(schema: &Json, limits: &Limits) -> Result<Table, SchemaError> {
        let root =
            schema.as_object().ok_or_else(|| SchemaError::new(SchemaErrorKind::NotAnObject, ""))?;
        let name = match root.get("title") {
            Some(Json::String(title)) if !title.is_empty() => title.clone(),
            Some(_) => return Err(SchemaError::new(SchemaErrorKind::BadTitle, "/title")),
            None => return Err(SchemaError::new(SchemaErrorKind::MissingTitle, "")),
        };
        let object = read_object(&name, root, &Pointer::root(), 0, limits)?;
        let primary_key = object.properties.iter().position(|p| p.name == "_id");
        Ok(Table { name, object, primary_key })
    }

    /// Reads a schema from JSON text.
    pub fn from_json_str(text: &str) -> Result<Table, SchemaError> {
        let json: Json = serde_json::from_str(text).map_err(|e| {
            SchemaError::new(
                SchemaErrorKind::Json {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                },
                "",
            )
        })?;
        Table::from_json(&json)
    }

    /// The table (object type) name: the schema's `title`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table's properties.
    pub fn object(&self) -> &ObjectType {
        &self.object
    }

    /// The primary-key property (`_id`), if the schema has one.
    pub fn primary_key(&self) -> Option<&Property> {
        self.primary_key.and_then(|i| self.object.properties.get(i))
    }
}

impl ObjectType {
    /// The object type's name: the table name, or `Table.path.to.field` for an embedded object.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema's `title`: for an embedded object, the class name a sync client gives its
    /// embedded table (`Engine`), which changesets name in `AddTable` and `AddColumn`.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// Properties in schema order.
    pub fn properties(&self) -> &[Property] {
        &self.properties
    }

    /// The property with this exact name.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }
}

impl Property {
    /// The property name (the BSON field name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The type of the value, or of each element for collections.
    pub fn ty(&self) -> &PropertyType {
        &self.ty
    }

    /// For a single value: it may be null. For a collection: its elements may be null.
    pub fn nullable(&self) -> bool {
        self.nullable
    }

    /// Single value or which kind of collection.
    pub fn collection(&self) -> Collection {
        self.collection
    }

    /// The embedded object type, when the property is (a collection of) embedded objects.
    pub fn object(&self) -> Option<&ObjectType> {
        match &self.ty {
            PropertyType::Object(object) => Some(object),
            _ => None,
        }
    }
}

fn read_object(
    name: &str,
    node: &Map<String, Json>,
    pointer: &Pointer,
    depth: u32,
    limits: &Limits,
) -> Result<ObjectType, SchemaError> {
    if depth > limits.max_rule_depth {
        return Err(SchemaError::new(SchemaErrorKind::TooDeep, pointer));
    }
    let required: Vec<&str> = match node.get("required") {
        None => Vec::new(),
        Some(Json::Array(items)) => {
            let mut names = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Json::String(s) => names.push(s.as_str()),
                    _ => {
                        return Err(SchemaError::new(
                            SchemaErrorKind::BadRequired,
                            pointer.child("required").index(i),
                        ));
                    }
                }
            }
            names
        }
        Some(_) => {
            return Err(SchemaError::new(SchemaErrorKind::BadRequired, pointer.child("required")));
        }
    };
    let mut properties = Vec::new();
    match node.get("properties") {
        None => {}
        Some(Json::Object(props)) => {
            for (prop_name, prop) in props {
                let prop_pointer = pointer.child("properties").child(prop_name);
                let required = required.contains(&prop_name.as_str());
                properties.push(read_property(
                    name,
                    prop_name,
                    prop,
                    required,
                    &prop_pointer,
                    depth,
                    limits,
                )?);
            }
        }
        Some(_) => {
            return Err(SchemaError::new(
                SchemaErrorKind::NotAnObject,
                pointer.child("properties"),
            ));
        }
    }
    let title = node.get("title").and_then(Json::as_str).map(str::to_owned);
    Ok(ObjectType { name: name.to_owned(), title, properties })
}

fn read_property(
    owner: &str,
    name: &str,
    node: &Json,
    required: bool,
    pointer: &Pointer,
    depth: u32,
    limits: &Limits,
) -> Result<Property, SchemaError> {
    let node =
        node.as_object().ok_or_else(|| SchemaError::new(SchemaErrorKind::NotAnObject, pointer))?;
    let (type_name, null_allowed) = bson_type(node, pointer)?;
    let child_name = format!("{owner}.{name}");
    match type_name {
        "array" => {
            let items_pointer = pointer.child("items");
            let items = match node.get("items") {
                Some(Json::Object(items)) => items,
                Some(_) => {
                    return Err(SchemaError::new(SchemaErrorKind::NotAnObject, items_pointer));
                }
                None => return Err(SchemaError::new(SchemaErrorKind::MissingItems, pointer)),
            };
            let (item_type, item_nullable) = bson_type(items, &items_pointer)?;
            if item_type == "array" {
                return Err(SchemaError::new(SchemaErrorKind::NestedArray, items_pointer));
            }
            let ty = element_type(&child_name, item_type, items, &items_pointer, depth, limits)?;
            let collection = match node.get("uniqueItems") {
                Some(Json::Bool(true)) => Collection::Set,
                Some(Json::Bool(false)) | None => Collection::List,
                Some(_) => {
                    return Err(SchemaError::new(
                        SchemaErrorKind::BadUniqueItems,
                        pointer.child("uniqueItems"),
                    ));
                }
            };
            // Embedded objects inside a list are never null in realm.
            let nullable = item_nullable && !matches!(ty, PropertyType::Object(_));
            Ok(Property { name: name.to_owned(), ty, nullable, collection })
        }
        "object"
            if node.contains_key("additionalProperties") && !node.contains_key("properties") =>
        {
            let values_pointer = pointer.child("additionalProperties");
            let values = match node.get("additionalProperties") {
                Some(Json::Object(values)) => values,
                _ => return Err(SchemaError::new(SchemaErrorKind::NotAnObject, values_pointer)),
            };
            let (value_type, value_nullable) = bson_type(values, &values_pointer)?;
            let ty = element_type(&child_name, value_type, values, &values_pointer, depth, limits)?;
            Ok(Property {
                name: name.to_owned(),
                ty,
                nullable: value_nullable,
                collection: Collection::Dictionary,
            })
        }
        other => {
            let ty = element_type(&child_name, other, node, pointer, depth, limits)?;
            // A link to an embedded object can always be null; a scalar is nullable unless required.
            let nullable = matches!(ty, PropertyType::Object(_)) || !required || null_allowed;
            Ok(Property { name: name.to_owned(), ty, nullable, collection: Collection::Single })
        }
    }
}

fn element_type(
    name: &str,
    bson_type: &str,
    node: &Map<String, Json>,
    pointer: &Pointer,
    depth: u32,
    limits: &Limits,
) -> Result<PropertyType, SchemaError> {
    Ok(match bson_type {
        "string" => PropertyType::String,
        "long" | "int" => PropertyType::Int,
        "double" => PropertyType::Double,
        "float" => PropertyType::Float,
        "decimal" => PropertyType::Decimal,
        "bool" => PropertyType::Bool,
        "date" => PropertyType::Timestamp,
        "objectId" => PropertyType::ObjectId,
        "uuid" => PropertyType::Uuid,
        "binData" => PropertyType::Binary,
        "mixed" => PropertyType::Mixed,
        "object" => {
            PropertyType::Object(Box::new(read_object(name, node, pointer, depth + 1, limits)?))
        }
        other => {
            return Err(SchemaError::new(
                SchemaErrorKind::UnknownType(other.to_owned()),
                pointer.child("bsonType"),
            ));
        }
    })
}

/// Reads `bsonType`, which is a type name or `[name, "null"]`; returns the name and whether
/// null was listed.
fn bson_type<'a>(
    node: &'a Map<String, Json>,
    pointer: &Pointer,
) -> Result<(&'a str, bool), SchemaError> {
    let type_pointer = pointer.child("bsonType");
    match node.get("bsonType") {
        Some(Json::String(name)) => Ok((name.as_str(), false)),
        Some(Json::Array(names)) => {
            let mut found = None;
            let mut null = false;
            for (i, entry) in names.iter().enumerate() {
                match entry {
                    Json::String(n) if n == "null" => null = true,
                    Json::String(n) if found.is_none() => found = Some(n.as_str()),
                    _ => {
                        return Err(SchemaError::new(
                            SchemaErrorKind::BadBsonType,
                            type_pointer.index(i),
                        ));
                    }
                }
            }
            found
                .map(|name| (name, null))
                .ok_or_else(|| SchemaError::new(SchemaErrorKind::BadBsonType, type_pointer))
        }
        Some(_) => Err(SchemaError::new(SchemaErrorKind::BadBsonType, type_pointer)),
        None => Err(SchemaError::new(SchemaErrorKind::MissingBsonType, pointer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn car() -> Table {
        Table::from_json(&json!({
            "title": "Car", "bsonType": "object", "required": ["_id", "ownerId", "make"],
            "properties": {
                "_id": {"bsonType": "objectId"}, "ownerId": {"bsonType": "string"},
                "make": {"bsonType": "string"}, "model": {"bsonType": "string"},
                "miles": {"bsonType": "long"},
                "tags": {"bsonType": "array", "items": {"bsonType": ["string", "null"]}},
                "ids": {"bsonType": "array", "uniqueItems": true, "items": {"bsonType": "int"}},
                "extras": {"bsonType": "object", "additionalProperties": {"bsonType": "double"}},
                "engine": {"bsonType": "object", "properties": {"hp": {"bsonType": "int"}}, "required": ["hp"]},
                "owners": {"bsonType": "array", "items": {"bsonType": "object", "properties": {"name": {"bsonType": "string"}}}}
            }
        }))
        .unwrap()
    }

    #[test]
    fn reads_types_optionality_and_collections() {
        let t = car();
        assert_eq!(t.name(), "Car");
        assert_eq!(t.primary_key().map(Property::name), Some("_id"));
        let p = |n: &str| t.object().property(n).unwrap().clone();
        assert!(!p("make").nullable());
        assert!(p("model").nullable());
        assert_eq!(p("miles").ty(), &PropertyType::Int);
        assert_eq!((p("tags").collection(), p("tags").nullable()), (Collection::List, true));
        assert_eq!(p("ids").collection(), Collection::Set);
        assert_eq!(
            (p("extras").collection(), p("extras").ty()),
            (Collection::Dictionary, &PropertyType::Double)
        );
        let engine = p("engine");
        assert!(engine.nullable());
        assert_eq!(engine.object().unwrap().name(), "Car.engine");
        assert!(!engine.object().unwrap().property("hp").unwrap().nullable());
        assert_eq!(p("owners").collection(), Collection::List);
        assert_eq!(p("owners").ty().realm_name(), "link");
    }

    #[test]
    fn errors_name_the_json_pointer() {
        let err =
            Table::from_json(&json!({"title": "T", "properties": {"a/b": {"bsonType": "money"}}}))
                .unwrap_err();
        assert_eq!(err.pointer(), "/properties/a~1b/bsonType");
        assert_eq!(err.to_string(), "/properties/a~1b/bsonType: unknown bsonType `money`");
        let err = Table::from_json(&json!({"properties": {}})).unwrap_err();
        assert_eq!(err.kind(), &SchemaErrorKind::MissingTitle);
        let err =
            Table::from_json(&json!({"title": "T", "properties": {"l": {"bsonType": "array"}}}))
                .unwrap_err();
        assert_eq!(err.pointer(), "/properties/l");
    }

    #[test]
    fn deep_embedded_objects_are_refused_not_overflowed() {
        let mut node = json!({"bsonType": "string"});
        for _ in 0..500 {
            node = json!({"bsonType": "object", "properties": {"x": node}});
        }
        let err = Table::from_json(&json!({"title": "T", "properties": {"x": node}})).unwrap_err();
        assert_eq!(err.kind(), &SchemaErrorKind::TooDeep);
    }
}
