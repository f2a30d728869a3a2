//! Reading subscriptions, server state and uploaded changesets from their JSON forms (cli.md).
//!
//! Values are MongoDB Extended JSON. Every refusal names the JSON pointer of the node at fault,
//! so the command line can add the file and line.

use std::collections::BTreeMap;

use bson::{Bson, Document};
use serde_json::Value as Json;

use super::pk::Key;

/// One subscription of a session: a named or unnamed query on one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// The subscription's name, if it has one.
    pub name: Option<String>,
    /// The subscribed table.
    pub table: String,
    /// The RQL query text.
    pub query: String,
    /// The values of `$0`, `$1`, ….
    pub args: Vec<Bson>,
}

/// One write of an uploaded changeset, at the granularity of a top-level object.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Creates an object (or, if the server already holds its key, sets every given field).
    Insert {
        /// The table.
        table: String,
        /// The object's primary key (its `_id`).
        pk: Key,
        /// The whole object, `_id` included.
        object: Document,
    },
    /// Sets and clears fields of an existing object.
    Update {
        /// The table.
        table: String,
        /// The object's primary key.
        pk: Key,
        /// Top-level fields set to new values.
        set: Document,
        /// Top-level fields cleared.
        unset: Vec<String>,
    },
    /// Removes an object.
    Delete {
        /// The table.
        table: String,
        /// The object's primary key.
        pk: Key,
    },
}

impl Write {
    /// The table written to.
    pub fn table(&self) -> &str {
        match self {
            Write::Insert { table, .. }
            | Write::Update { table, .. }
            | Write::Delete { table, .. } => table,
        }
    }

    /// The primary key of the object written to.
    pub fn pk(&self) -> &Key {
        match self {
            Write::Insert { pk, .. } | Write::Update { pk, .. } | Write::Delete { pk, .. } => pk,
        }
    }
}

/// One uploaded changeset: a client write transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Changeset {
    /// The client version the changeset was uploaded at.
    pub client_version: i64,
    /// The server version to give a compensating changeset, when the input pins it; otherwise
    /// the session numbers server versions itself.
    pub server_version: Option<i64>,
    /// The writes, in order.
    pub writes: Vec<Write>,
}

impl Changeset {
    /// The writes grouped by the object they write, in the order each object is first written:
    /// a server decides each object once, on the result of all its writes, in that order.
    pub(crate) fn by_object(&self) -> Vec<(&str, &Key, Vec<&Write>)> {
        let mut groups: Vec<(&str, &Key, Vec<&Write>)> = Vec::new();
        let mut position: BTreeMap<(&str, &Key), usize> = BTreeMap::new();
        for w in &self.writes {
            let at = *position.entry((w.table(), w.pk())).or_insert(groups.len());
            match groups.get_mut(at) {
                Some((_, _, list)) => list.push(w),
                None => groups.push((w.table(), w.pk(), vec![w])),
            }
        }
        groups
    }
}

/// An input node that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at `{pointer}`: {kind}")]
pub struct InputError {
    pointer: String,
    kind: InputErrorKind,
}

impl InputError {
    /// JSON pointer of the node at fault (empty for the whole value).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// What is wrong.
    pub fn kind(&self) -> &InputErrorKind {
        &self.kind
    }
}

/// What is wrong with an input node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// A required member is absent.
    #[error("missing `{0}`")]
    Missing(&'static str),
    /// A member has the wrong JSON type.
    #[error("expected {0}")]
    Type(&'static str),
    /// Not valid Extended JSON.
    #[error("{0}")]
    Ejson(String),
    /// A value that cannot be a primary key.
    #[error("`{0}` cannot be a primary key")]
    Key(String),
    /// An `op` other than insert, update and delete.
    #[error("unknown op `{0}`")]
    Op(String),
    /// An update that sets or clears `_id`.
    #[error("an update cannot change the primary key `_id`")]
    ChangesKey,
}

fn err(pointer: impl Into<String>, kind: InputErrorKind) -> InputError {
    InputError { pointer: pointer.into(), kind }
}

fn member<'a>(json: &'a Json, at: &str, name: &'static str) -> Result<&'a Json, InputError> {
    json.get(name).ok_or_else(|| err(at, InputErrorKind::Missing(name)))
}

fn string(json: &Json, at: &str, name: &'static str) -> Result<String, InputError> {
    member(json, at, name)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| err(format!("{at}/{name}"), InputErrorKind::Type("a string")))
}

fn ejson(json: &Json, at: &str) -> Result<Bson, InputError> {
    crate::value::ejson::from_json(json.clone())
        .map_err(|e| err(at, InputErrorKind::Ejson(e.to_string())))
}

fn document(json: &Json, at: &str) -> Result<Document, InputError> {
    match ejson(json, at)? {
        Bson::Document(d) => Ok(d),
        _ => Err(err(at, InputErrorKind::Type("an object"))),
    }
}

fn key(value: &Bson, at: &str) -> Result<Key, InputError> {
    Key::from_bson(value).ok_or_else(|| err(at, InputErrorKind::Key(value.to_string())))
}

impl Subscription {
    /// Reads `{"name"?, "table", "query", "args"?}`; `at` is its JSON pointer.
    pub fn from_json(json: &Json, at: &str) -> Result<Subscription, InputError> {
        if !json.is_object() {
            return Err(err(at, InputErrorKind::Type("an object")));
        }
        let name = match json.get("name") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => return Err(err(format!("{at}/name"), InputErrorKind::Type("a string"))),
        };
        let mut args = Vec::new();
        match json.get("args") {
            None | Some(Json::Null) => {}
            Some(Json::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    args.push(ejson(item, &format!("{at}/args/{i}"))?);
                }
            }
            Some(_) => return Err(err(format!("{at}/args"), InputErrorKind::Type("an array"))),
        }
        Ok(Subscription {
            name,
            table: string(json, at, "table")?,
            query: string(json, at, "query")?,
            args,
        })
    }

    /// Reads a JSON array of subscriptions.
    pub fn list_from_json(json: &Json) -> Result<Vec<Subscription>, InputError> {
        let items = json.as_array().ok_or_else(|| err("", InputErrorKind::Type("an array")))?;
        items
            .iter()
            .enumerate()
            .map(|(i, s)| Subscription::from_json(s, &format!("/{i}")))
            .collect()
    }
}

impl Changeset {
    /// Reads `{"client_version", "server_version"?, "writes": [...]}` (cli.md).
    pub fn from_json(json: &Json) -> Result<Changeset, InputError> {
        let client_version = member(json, "", "client_version")?
            .as_i64()
            .ok_or_else(|| err("/client_version", InputErrorKind::Type("an integer")))?;
        let server_version = match json.get("server_version") {
            None | Some(Json::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .ok_or_else(|| err("/server_version", InputErrorKind::Type("an integer")))?,
            ),
        };
        let items = member(json, "", "writes")?
            .as_array()
            .ok_or_else(|| err("/writes", InputErrorKind::Type("an array")))?;
        let writes = items
            .iter()
            .enumerate()
            .map(|(i, w)| Write::from_json(w, &format!("/writes/{i}")))
            .collect::<Result<_, _>>()?;
        Ok(Changeset { client_version, server_version, writes })
    }
}

impl Write {
    /// Reads one `{"op": "insert"|"update"|"delete", "table", …}` write.
    pub fn from_json(json: &Json, at: &str) -> Result<Write, InputError> {
        let op = string(json, at, "op")?;
        let table = string(json, at, "table")?;
        let pk_of = |json: &Json| -> Result<Key, InputError> {
            let p = format!("{at}/pk");
            key(&ejson(member(json, at, "pk")?, &p)?, &p)
        };
        match op.as_str() {
            "insert" => {
                let p = format!("{at}/object");
                let object = document(member(json, at, "object")?, &p)?;
                let id =
                    object.get("_id").ok_or_else(|| err(&p, InputErrorKind::Missing("_id")))?;
                let pk = key(id, &format!("{p}/_id"))?;
                Ok(Write::Insert { table, pk, object })
            }
            "update" => {
                let pk = pk_of(json)?;
                let set = match json.get("set") {
                    None | Some(Json::Null) => Document::new(),
                    Some(v) => document(v, &format!("{at}/set"))?,
                };
                let mut unset = Vec::new();
                match json.get("unset") {
                    None | Some(Json::Null) => {}
                    Some(Json::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            let name = item.as_str().ok_or_else(|| {
                                err(format!("{at}/unset/{i}"), InputErrorKind::Type("a string"))
                            })?;
                            unset.push(name.to_owned());
                        }
                    }
                    Some(_) => {
                        return Err(err(format!("{at}/unset"), InputErrorKind::Type("an array")));
                    }
                }
                if set.contains_key("_id") || unset.iter().any(|u| u == "_id") {
                    return Err(err(at, InputErrorKind::ChangesKey));
                }
                Ok(Write::Update { table, pk, set, unset })
            }
            "delete" => Ok(Write::Delete { table, pk: pk_of(json)? }),
            other => Err(err(format!("{at}/op"), InputErrorKind::Op(other.to_owned()))),
        }
    }
}

/// Reads one server-state line `{"table": …, "object": {…}}`.
pub fn state_entry_from_json(json: &Json) -> Result<(String, Key, Document), InputError> {
    let table = string(json, "", "table")?;
    let object = document(member(json, "", "object")?, "/object")?;
    let id = object.get("_id").ok_or_else(|| err("/object", InputErrorKind::Missing("_id")))?;
    let pk = key(id, "/object/_id")?;
    Ok((table, pk, object))
}
