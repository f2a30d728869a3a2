//! Decoded changesets as JSON, in the shape realm-core's own parse of the samples has
//! (`fixtures/realm-sync/*/…json`, `parsed_by_realm_core`): what `flexrules decode` prints, and
//! what outside tools compare field for field.

use serde_json::{Map, Value as Json, json};

use super::changeset::{
    Changeset, CollectionType, Instruction, PathElement, PathInstr, Payload, PrimaryKey, StrId,
    TableType, UpdateTail, type_tag_name,
};

/// `{"interned_strings": [...], "instructions": [...]}`.
pub fn changeset_json(c: &Changeset) -> Json {
    let instructions: Vec<Json> = c.instructions().map(|i| instruction(c, i)).collect();
    json!({"interned_strings": c.strings(), "instructions": instructions})
}

fn s(c: &Changeset, id: StrId) -> Json {
    Json::from(c.string(id).unwrap_or_default())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn uuid(b: &[u8; 16]) -> String {
    let h = hex(b);
    let part = |r: std::ops::Range<usize>| h.get(r).unwrap_or_default().to_owned();
    format!("{}-{}-{}-{}-{}", part(0..8), part(8..12), part(12..16), part(16..20), part(20..32))
}

/// A type tag's name, with 0 read as `Mixed` for a column or key type; an undefined tag as its
/// number.
fn type_name(tag: i64) -> Json {
    match tag {
        0 => Json::from("Mixed"),
        t => type_tag_name(t).map_or(Json::from(t), Json::from),
    }
}

fn key(c: &Changeset, k: &PrimaryKey) -> Json {
    match k {
        PrimaryKey::Null => json!({"type": "Null"}),
        PrimaryKey::Int(v) => json!({"type": "Int", "value": v}),
        PrimaryKey::String(id) => {
            json!({"type": "String", "intern_index": id.0, "value": s(c, *id)})
        }
        PrimaryKey::GlobalKey { hi, lo } => json!({"type": "GlobalKey", "hi": hi, "lo": lo}),
        PrimaryKey::ObjectId(b) => json!({"type": "ObjectId", "value": hex(b)}),
        PrimaryKey::Uuid(b) => json!({"type": "UUID", "value": uuid(b)}),
    }
}

fn payload(c: &Changeset, p: &Payload) -> Json {
    let code = p.type_code();
    let mut m = Map::new();
    m.insert("type".into(), json!(type_tag_name(code).unwrap_or_default()));
    m.insert("type_code".into(), json!(code));
    let mut value = |v: Json| m.insert("value".into(), v);
    match p {
        Payload::Int(v) => value(json!(v)),
        Payload::Bool(b) => value(json!(b)),
        Payload::String(t) => value(json!(t)),
        Payload::Float(f) => value(json!(f64::from(*f))),
        Payload::Double(d) => value(json!(d)),
        Payload::Decimal(d) => value(json!(d.to_string())),
        Payload::ObjectId(b) => value(json!(hex(b))),
        Payload::Uuid(b) => value(json!(uuid(b))),
        Payload::Binary(b) => m.insert("hex".into(), json!(hex(b))),
        Payload::Timestamp { seconds, nanoseconds } => {
            m.insert("seconds".into(), json!(seconds));
            m.insert("nanoseconds".into(), json!(nanoseconds))
        }
        Payload::Link { table, key: k } => {
            m.insert("target_table".into(), s(c, *table));
            m.insert("target".into(), key(c, k))
        }
        Payload::Null
        | Payload::ObjectValue
        | Payload::Dictionary
        | Payload::Erased
        | Payload::List
        | Payload::Set => None,
    };
    Json::Object(m)
}

fn collection(t: CollectionType) -> &'static str {
    match t {
        CollectionType::Single => "Single",
        CollectionType::List => "List",
        CollectionType::Dictionary => "Dictionary",
        CollectionType::Set => "Set",
    }
}

fn head(name: &str, code: i64) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("instruction".into(), json!(name));
    m.insert("type_code".into(), json!(code));
    m
}

fn path_instr(c: &Changeset, m: &mut Map<String, Json>, at: &PathInstr) {
    m.insert("table".into(), s(c, at.table));
    m.insert("object".into(), key(c, &at.object));
    m.insert("field".into(), s(c, at.field));
    let path: Vec<Json> = at
        .path
        .iter()
        .map(|p| match p {
            PathElement::Index(i) => json!(i),
            PathElement::Key(id) => json!({"key": s(c, *id)}),
        })
        .collect();
    m.insert("path".into(), Json::Array(path));
}

fn instruction(c: &Changeset, i: &Instruction) -> Json {
    let mut m;
    match i {
        Instruction::AddTable { table, table_type, pk } => {
            m = head("AddTable", 0);
            m.insert("table".into(), s(c, *table));
            let t = match table_type {
                TableType::TopLevel => "TopLevel",
                TableType::Embedded => "Embedded",
                TableType::TopLevelAsymmetric => "TopLevelAsymmetric",
            };
            m.insert("table_type".into(), json!(t));
            if let Some(pk) = pk {
                m.insert("pk_field".into(), s(c, pk.field));
                m.insert("pk_type".into(), type_name(pk.ty));
                m.insert("pk_nullable".into(), json!(pk.nullable));
            }
        }
        Instruction::EraseTable { table } => {
            m = head("EraseTable", 1);
            m.insert("table".into(), s(c, *table));
        }
        Instruction::CreateObject { table, object }
        | Instruction::EraseObject { table, object } => {
            let (name, code) = if matches!(i, Instruction::CreateObject { .. }) {
                ("CreateObject", 2)
            } else {
                ("EraseObject", 3)
            };
            m = head(name, code);
            m.insert("table".into(), s(c, *table));
            m.insert("object".into(), key(c, object));
        }
        Instruction::Update { at, value, tail } => {
            m = head("Update", 4);
            path_instr(c, &mut m, at);
            m.insert("value".into(), payload(c, value));
            match tail {
                UpdateTail::IsDefault(b) => m.insert("is_default".into(), json!(b)),
                UpdateTail::PriorSize(n) => m.insert("prior_size".into(), json!(n)),
            };
        }
        Instruction::AddInteger { at, value } => {
            m = head("AddInteger", 5);
            path_instr(c, &mut m, at);
            m.insert("value".into(), json!(value));
        }
        Instruction::AddColumn {
            table,
            field,
            ty,
            nullable,
            collection: coll,
            link_target,
            key_type,
        } => {
            m = head("AddColumn", 6);
            m.insert("table".into(), s(c, *table));
            m.insert("field".into(), s(c, *field));
            m.insert("type".into(), type_name(*ty));
            m.insert("nullable".into(), json!(nullable));
            m.insert("collection_type".into(), json!(collection(*coll)));
            if let Some(t) = link_target {
                m.insert("link_target_table".into(), s(c, *t));
            }
            if let Some(k) = key_type {
                m.insert("key_type".into(), type_name(*k));
            }
        }
        Instruction::EraseColumn { table, field } => {
            m = head("EraseColumn", 7);
            m.insert("table".into(), s(c, *table));
            m.insert("field".into(), s(c, *field));
        }
        Instruction::ArrayInsert { at, value, prior_size } => {
            m = head("ArrayInsert", 8);
            path_instr(c, &mut m, at);
            m.insert("value".into(), payload(c, value));
            m.insert("prior_size".into(), json!(prior_size));
        }
        Instruction::ArrayMove { at, ndx_2, prior_size } => {
            m = head("ArrayMove", 9);
            path_instr(c, &mut m, at);
            m.insert("ndx_2".into(), json!(ndx_2));
            m.insert("prior_size".into(), json!(prior_size));
        }
        Instruction::ArrayErase { at, prior_size } => {
            m = head("ArrayErase", 10);
            path_instr(c, &mut m, at);
            m.insert("prior_size".into(), json!(prior_size));
        }
        Instruction::Clear { at, collection: coll } => {
            m = head("Clear", 11);
            path_instr(c, &mut m, at);
            m.insert("collection_type".into(), json!(collection(*coll)));
        }
        Instruction::SetInsert { at, value } | Instruction::SetErase { at, value } => {
            let (name, code) = if matches!(i, Instruction::SetInsert { .. }) {
                ("SetInsert", 12)
            } else {
                ("SetErase", 13)
            };
            m = head(name, code);
            path_instr(c, &mut m, at);
            m.insert("value".into(), payload(c, value));
        }
    }
    Json::Object(m)
}
