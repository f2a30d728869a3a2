//! Integrating an uploaded changeset into the server's objects, the way realm's server applies
//! one (sync-protocol.md §1c), so that the judge can decide its writes.
//!
//! The instructions of a decoded [`protocol::Changeset`] are applied, in order, to copies of the
//! top-level objects they touch, with the checks of realm-core's `InstructionApplier`:
//! `CreateObject` of an existing key is create-or-get, `EraseObject` removes, `Update` writes a
//! field, an embedded object's field, a list element or a dictionary value (a dictionary value
//! written `Erased` is removed), `AddInteger` adds (and leaves a null alone), list instructions
//! check their index and the list's prior size, values are checked against the property's type
//! and nullability. Schema instructions are checked against the app's schema instead of being
//! applied: a client declares the schema it shares with the server, and may not change it.
//!
//! What comes out is one judge [`Changeset`] whose writes leave each touched object with its
//! post-image, and mark as changed the top-level fields the instructions wrote, so that the
//! judge decides an UPLOAD exactly as it decides the same writes given as JSON. Any failure is
//! an [`IntegrateError`]: protocol error 212, `bad_changeset`, for the whole changeset.

use std::collections::HashMap;
use std::fmt;

use bson::spec::BinarySubtype;
use bson::{Binary, Bson, Document};

use super::input::{Changeset, Write};
use super::pk::Key;
use super::session::State;
use crate::app::App;
use crate::protocol::{
    self, CollectionType, Instruction, PathElement, PathInstr, Payload, PrimaryKey, StrId,
    TableType, UpdateTail,
};
use crate::schema::{Collection, ObjectType, Property, PropertyType, Table};

/// The app's object types as a changeset names them: top-level tables by their name, embedded
/// object types by their schema `title`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schemas {
    tables: Vec<Table>,
    embedded: Vec<ObjectType>,
}

impl Schemas {
    /// The schemas of every collection of `app` that has one.
    pub(crate) fn of(app: &App) -> Schemas {
        let tables: Vec<Table> =
            app.collections().iter().filter_map(|c| c.schema()).cloned().collect();
        // Walked with an explicit stack: the schema loader already bounded the nesting.
        let mut embedded = Vec::new();
        let mut stack: Vec<&ObjectType> = tables.iter().map(Table::object).collect();
        while let Some(object) = stack.pop() {
            for p in object.properties() {
                if let Some(inner) = p.object() {
                    if inner.title().is_some() {
                        embedded.push(inner.clone());
                    }
                    stack.push(inner);
                }
            }
        }
        Schemas { tables, embedded }
    }

    fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name() == name)
    }

    fn embedded(&self, title: &str) -> Option<&ObjectType> {
        self.embedded.iter().find(|o| o.title() == Some(title))
    }
}

/// A changeset the server cannot integrate: which instruction, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrateError {
    instruction: usize,
    name: &'static str,
    kind: IntegrateErrorKind,
}

/// What is wrong with an instruction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrateErrorKind {
    /// A table the app's schema does not have.
    #[error("table `{0}` is not in the app's schema")]
    UnknownTable(String),
    /// A field the app's schema does not have.
    #[error("field `{0}` is not in the app's schema")]
    UnknownField(String),
    /// A table or column declared differently from the app's schema.
    #[error("`{at}` is {app} in the app's schema, the changeset declares {changeset}")]
    SchemaMismatch {
        /// The table or `table.column`.
        at: String,
        /// What the app's schema says.
        app: String,
        /// What the changeset declares.
        changeset: String,
    },
    /// `EraseTable` or `EraseColumn`: a client cannot remove what the app's schema defines.
    #[error("`{0}` cannot be erased: the app's schema is not changed by clients")]
    SchemaErase(String),
    /// A primary key of another type than the table's `_id`.
    #[error("table `{table}` has {app} primary keys, the changeset gives {changeset}")]
    KeyType {
        /// The table.
        table: String,
        /// The type of `_id` in the app's schema.
        app: String,
        /// The key's type in the changeset.
        changeset: &'static str,
    },
    /// A value of another type than the property's.
    #[error("`{at}` holds {app} values, the changeset writes {changeset}")]
    TypeMismatch {
        /// The place written.
        at: String,
        /// The property's type.
        app: String,
        /// The payload's type.
        changeset: &'static str,
    },
    /// Null written where the schema requires a value.
    #[error("`{0}` is required and cannot be null")]
    Null(String),
    /// A path that does not lead where the instruction needs (a scalar stepped into, a null
    /// embedded object, a missing dictionary key, a list where a set is needed, …).
    #[error("`{at}` {problem}")]
    BadPath {
        /// The place.
        at: String,
        /// What is wrong there.
        problem: &'static str,
    },
    /// A list instruction whose prior size is not the list's size.
    #[error("`{at}` has {size} elements, the changeset says {prior_size}")]
    PriorSize {
        /// The list.
        at: String,
        /// The size the instruction gives.
        prior_size: u32,
        /// The list's actual size.
        size: usize,
    },
    /// A list index out of bounds.
    #[error("index {index} is out of bounds for `{at}` of {size} elements")]
    Index {
        /// The list.
        at: String,
        /// The index.
        index: u32,
        /// The list's size.
        size: usize,
    },
}

impl IntegrateError {
    /// The protocol error a server answers with: 212, `bad_changeset`.
    pub const CODE: u16 = 212;

    /// The position of the instruction at fault among the changeset's instructions (interned
    /// strings not counted), as in `flexrules decode`'s `instructions` array.
    pub fn instruction(&self) -> usize {
        self.instruction
    }

    /// The JSON pointer of the instruction at fault in `flexrules decode`'s output for the
    /// changeset: `/instructions/<n>`.
    pub fn pointer(&self) -> String {
        format!("/instructions/{}", self.instruction)
    }

    /// What is wrong.
    pub fn kind(&self) -> &IntegrateErrorKind {
        &self.kind
    }
}

impl fmt::Display for IntegrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {} ({}): {}", self.pointer(), self.name, self.kind)
    }
}

impl std::error::Error for IntegrateError {}

/// A changeset turned into judge writes, with the pre-image of every object it touches (so that
/// a failed UPLOAD can be undone).
#[derive(Debug)]
pub(crate) struct Integrated {
    pub(crate) changeset: Changeset,
    pub(crate) pre_images: Vec<(String, Key, Option<Document>)>,
}

/// What is wrong, before the place is named.
enum Fault {
    UnknownField(String),
    TypeMismatch { app: String, changeset: &'static str },
    Null,
    BadPath(&'static str),
    PriorSize { prior_size: u32, size: usize },
    Index { index: u32, size: usize },
}

/// One top-level object as the changeset leaves it.
struct Object<'a> {
    table: &'a str,
    key: Key,
    pre: Option<Document>,
    post: Option<Document>,
    /// Top-level fields written, in first-written order.
    touched: Vec<&'a str>,
    created: bool,
    /// An instruction other than `CreateObject` found no object.
    missing: bool,
}

impl<'a> Object<'a> {
    fn touch(&mut self, field: &'a str) {
        if !self.touched.contains(&field) {
            self.touched.push(field);
        }
    }
}

/// Applies `cs` to copies of the objects of `state` it touches and returns the writes that
/// leave them so.
pub(crate) fn integrate(
    cs: &protocol::Changeset,
    client_version: i64,
    schemas: &Schemas,
    state: &State,
) -> Result<Integrated, IntegrateError> {
    let mut run =
        Run { cs, schemas, state, objects: Vec::new(), index: HashMap::with_capacity(16) };
    for (n, instruction) in cs.instructions().enumerate() {
        run.apply(instruction).map_err(|kind| IntegrateError {
            instruction: n,
            name: instruction_name(instruction),
            kind,
        })?;
    }
    let mut writes = Vec::with_capacity(run.objects.len());
    let mut pre_images = Vec::with_capacity(run.objects.len());
    for mut o in run.objects {
        let pre = o.pre.clone();
        let (table, key) = (o.table.to_owned(), o.key.clone());
        writes_of(&mut o, &mut writes);
        pre_images.push((table, key, pre));
    }
    Ok(Integrated {
        changeset: Changeset { client_version, server_version: None, writes },
        pre_images,
    })
}

/// The judge writes that take an object from its pre-image to its post-image, marking the
/// touched fields as changed.
fn writes_of(o: &mut Object<'_>, out: &mut Vec<Write>) {
    let table = o.table.to_owned();
    let pk = o.key.clone();
    let update = |set: Document, unset: Vec<String>| Write::Update {
        table: o.table.to_owned(),
        pk: o.key.clone(),
        set,
        unset,
    };
    if o.missing {
        // Writes to an object the server does not hold: the judge reverts them as it does the
        // same writes given as JSON.
        if o.pre.is_some() {
            out.push(Write::Delete { table: table.clone(), pk: pk.clone() });
        }
        out.push(update(Document::new(), Vec::new()));
        return;
    }
    if o.pre.is_none()
        && let Some(post) = o.post.take()
    {
        out.push(Write::Insert { table, pk, object: post });
        return;
    }
    match (&o.pre, &o.post) {
        (None, Some(_)) => {}
        (Some(pre), Some(post)) => {
            let mut set = Document::new();
            for (k, v) in post {
                if k != "_id" && (o.touched.contains(&k.as_str()) || pre.get(k) != Some(v)) {
                    set.insert(k.clone(), v.clone());
                }
            }
            let unset = pre
                .keys()
                .map(String::as_str)
                .chain(o.touched.iter().copied())
                .filter(|k| !post.contains_key(k))
                .fold(Vec::new(), |mut acc: Vec<String>, k| {
                    if !acc.iter().any(|a| a == k) {
                        acc.push(k.to_owned());
                    }
                    acc
                });
            out.push(update(set, unset));
        }
        (Some(_), None) => {
            if !o.touched.is_empty() {
                // Fields written before the erase still need permission to write.
                let unset = o.touched.iter().map(|t| (*t).to_owned()).collect();
                out.push(update(Document::new(), unset));
            }
            out.push(Write::Delete { table, pk });
        }
        (None, None) => {
            if o.created {
                let mut object = Document::new();
                object.insert("_id", pk.to_bson());
                out.push(Write::Insert { table: table.clone(), pk: pk.clone(), object });
            }
            out.push(Write::Delete { table, pk });
        }
    }
}

struct Run<'a> {
    cs: &'a protocol::Changeset,
    schemas: &'a Schemas,
    state: &'a State,
    objects: Vec<Object<'a>>,
    index: HashMap<(StrId, PrimaryKey), usize>,
}

impl<'a> Run<'a> {
    fn string(&self, id: StrId) -> &'a str {
        // The decoder refuses references to strings not interned before them.
        self.cs.string(id).unwrap_or_default()
    }

    fn apply(&mut self, instruction: &Instruction) -> Result<(), IntegrateErrorKind> {
        match instruction {
            Instruction::AddTable { table, table_type, pk } => {
                self.add_table(*table, *table_type, pk.as_ref())
            }
            Instruction::AddColumn {
                table,
                field,
                ty,
                nullable,
                collection,
                link_target,
                key_type: _,
            } => self.add_column(*table, *field, *ty, *nullable, *collection, *link_target),
            Instruction::EraseTable { table } => {
                Err(IntegrateErrorKind::SchemaErase(self.string(*table).to_owned()))
            }
            Instruction::EraseColumn { table, field } => Err(IntegrateErrorKind::SchemaErase(
                format!("{}.{}", self.string(*table), self.string(*field)),
            )),
            Instruction::CreateObject { table, object } => {
                let o = self.object(*table, object)?;
                if o.post.is_none() {
                    let mut doc = Document::new();
                    doc.insert("_id", o.key.to_bson());
                    o.post = Some(doc);
                    o.created = true;
                }
                Ok(())
            }
            Instruction::EraseObject { table, object } => {
                let o = self.object(*table, object)?;
                if o.post.take().is_none() && !o.created {
                    o.missing = true;
                }
                Ok(())
            }
            Instruction::Update { at, value, tail } => self.path_op(at, Op::Update(value, *tail)),
            Instruction::AddInteger { at, value } => self.path_op(at, Op::AddInteger(*value)),
            Instruction::ArrayInsert { at, value, prior_size } => {
                self.path_op(at, Op::ArrayInsert(value, *prior_size))
            }
            Instruction::ArrayMove { at, ndx_2, prior_size } => {
                self.path_op(at, Op::ArrayMove(*ndx_2, *prior_size))
            }
            Instruction::ArrayErase { at, prior_size } => {
                self.path_op(at, Op::ArrayErase(*prior_size))
            }
            Instruction::Clear { at, collection } => self.path_op(at, Op::Clear(*collection)),
            Instruction::SetInsert { at, value } => self.path_op(at, Op::SetInsert(value)),
            Instruction::SetErase { at, value } => self.path_op(at, Op::SetErase(value)),
            // `Instruction` may grow; an instruction this stage does not know is refused.
            #[allow(unreachable_patterns, reason = "Instruction is non_exhaustive")]
            _ => Err(IntegrateErrorKind::BadPath {
                at: String::new(),
                problem: "is written by an instruction this server does not integrate",
            }),
        }
    }

    fn add_table(
        &self,
        table: StrId,
        table_type: TableType,
        pk: Option<&protocol::PrimaryKeySpec>,
    ) -> Result<(), IntegrateErrorKind> {
        let name = self.string(table);
        let mismatch = |app: &str, changeset: &str| IntegrateErrorKind::SchemaMismatch {
            at: name.to_owned(),
            app: app.to_owned(),
            changeset: changeset.to_owned(),
        };
        if table_type == TableType::Embedded {
            if self.schemas.embedded(name).is_some() {
                return Ok(());
            }
            return Err(match self.schemas.table(name) {
                Some(_) => mismatch("a top-level table", "an embedded table"),
                None => IntegrateErrorKind::UnknownTable(name.to_owned()),
            });
        }
        let Some(t) = self.schemas.table(name) else {
            return Err(match self.schemas.embedded(name) {
                Some(_) => mismatch("an embedded table", "a top-level table"),
                None => IntegrateErrorKind::UnknownTable(name.to_owned()),
            });
        };
        let (Some(spec), Some(key)) = (pk, t.primary_key()) else {
            return Err(mismatch("a table with an `_id` primary key", "no primary key"));
        };
        let field = self.string(spec.field);
        let declared = tag_name(spec.ty);
        let same_type = tag_type(spec.ty).as_ref() == Some(key.ty());
        if field != key.name() || !same_type || spec.nullable != key.nullable() {
            return Err(mismatch(
                &format!(
                    "keyed by `{}` ({}{})",
                    key.name(),
                    key.ty().realm_name(),
                    q(key.nullable())
                ),
                &format!("`{field}` ({declared}{})", q(spec.nullable)),
            ));
        }
        Ok(())
    }

    fn object_type(&self, name: &str) -> Option<&ObjectType> {
        self.schemas.table(name).map(Table::object).or_else(|| self.schemas.embedded(name))
    }

    fn add_column(
        &self,
        table: StrId,
        field: StrId,
        ty: i64,
        nullable: bool,
        collection: CollectionType,
        link_target: Option<StrId>,
    ) -> Result<(), IntegrateErrorKind> {
        let table = self.string(table);
        let field = self.string(field);
        let object = self
            .object_type(table)
            .ok_or_else(|| IntegrateErrorKind::UnknownTable(table.to_owned()))?;
        let at = format!("{table}.{field}");
        let p =
            object.property(field).ok_or_else(|| IntegrateErrorKind::UnknownField(at.clone()))?;
        let app_collection = match p.collection() {
            Collection::Single => CollectionType::Single,
            Collection::List => CollectionType::List,
            Collection::Set => CollectionType::Set,
            Collection::Dictionary => CollectionType::Dictionary,
        };
        let app_target = p.object().and_then(ObjectType::title);
        let target = link_target.map(|t| self.string(t));
        let same_type = match p.ty() {
            PropertyType::Object(_) => ty == 9 && app_target == target,
            app => tag_type(ty).as_ref() == Some(app),
        };
        let same = same_type
            && app_collection == collection
            // A link to an embedded object is always nullable in realm.
            && (nullable == p.nullable() || matches!(p.ty(), PropertyType::Object(_)));
        if same {
            return Ok(());
        }
        let show = |name: &str, target: Option<&str>, nullable: bool, c: CollectionType| {
            let name = match target {
                Some(t) => format!("link to `{t}`"),
                None => name.to_owned(),
            };
            let q = q(nullable);
            match c {
                CollectionType::Single => format!("{name}{q}"),
                CollectionType::List => format!("list<{name}{q}>"),
                CollectionType::Set => format!("set<{name}{q}>"),
                CollectionType::Dictionary => format!("dictionary<string, {name}{q}>"),
            }
        };
        Err(IntegrateErrorKind::SchemaMismatch {
            at,
            app: show(p.ty().realm_name(), app_target, p.nullable(), app_collection),
            changeset: show(tag_name(ty), target, nullable, collection),
        })
    }

    /// The working copy of an object, loaded from the state on first use.
    fn object(
        &mut self,
        table: StrId,
        pk: &PrimaryKey,
    ) -> Result<&mut Object<'a>, IntegrateErrorKind> {
        let at = match self.index.get(&(table, pk.clone())) {
            Some(&at) => at,
            None => {
                let name = self.string(table);
                let schema = self
                    .schemas
                    .table(name)
                    .ok_or_else(|| IntegrateErrorKind::UnknownTable(name.to_owned()))?;
                let key = self.key(name, schema, pk)?;
                let pre = self.state.get(name, &key).cloned();
                let object = Object {
                    table: name,
                    key,
                    post: pre.clone(),
                    pre,
                    touched: Vec::new(),
                    created: false,
                    missing: false,
                };
                self.objects.push(object);
                self.index.insert((table, pk.clone()), self.objects.len() - 1);
                self.objects.len() - 1
            }
        };
        self.objects.get_mut(at).ok_or(IntegrateErrorKind::UnknownTable(String::new()))
    }

    /// The key of an object of `table`, checked against the type of the table's `_id`.
    fn key(&self, table: &str, schema: &Table, pk: &PrimaryKey) -> Result<Key, IntegrateErrorKind> {
        let (key, ty): (Key, Option<PropertyType>) = match pk {
            PrimaryKey::Null => (Key::Null, None),
            PrimaryKey::Int(i) => (Key::Int(*i), Some(PropertyType::Int)),
            PrimaryKey::String(s) => {
                (Key::String(self.string(*s).to_owned()), Some(PropertyType::String))
            }
            PrimaryKey::ObjectId(b) => (Key::ObjectId(*b), Some(PropertyType::ObjectId)),
            PrimaryKey::Uuid(b) => (Key::Uuid(*b), Some(PropertyType::Uuid)),
            PrimaryKey::GlobalKey { .. } => (Key::Null, None),
        };
        let found = match pk {
            PrimaryKey::Null => "null",
            PrimaryKey::GlobalKey { .. } => "global-key (no primary key)",
            _ => ty.as_ref().map_or("null", PropertyType::realm_name),
        };
        let Some(id) = schema.primary_key() else {
            return Err(IntegrateErrorKind::KeyType {
                table: table.to_owned(),
                app: "no".to_owned(),
                changeset: found,
            });
        };
        let fits = match (&ty, pk) {
            (_, PrimaryKey::GlobalKey { .. }) => false,
            (None, _) => id.nullable(),
            (Some(t), _) => t == id.ty(),
        };
        if fits {
            Ok(key)
        } else {
            Err(IntegrateErrorKind::KeyType {
                table: table.to_owned(),
                app: format!("{}{}", id.ty().realm_name(), q(id.nullable())),
                changeset: found,
            })
        }
    }

    fn path_op(&mut self, at: &PathInstr, op: Op<'_>) -> Result<(), IntegrateErrorKind> {
        let cs = self.cs;
        let table_name = self.string(at.table);
        let field = self.string(at.field);
        let schemas = self.schemas;
        let schema = schemas
            .table(table_name)
            .ok_or_else(|| IntegrateErrorKind::UnknownTable(table_name.to_owned()))?;
        if schema.object().property(field).is_none() || field == "_id" {
            return Err(IntegrateErrorKind::UnknownField(format!("{table_name}.{field}")));
        }
        let steps: Vec<Step<'_>> = at
            .path
            .iter()
            .map(|e| match e {
                PathElement::Index(i) => Step::Index(*i),
                PathElement::Key(k) => Step::Key(cs.string(*k).unwrap_or_default()),
            })
            .collect();
        let o = self.object(at.table, &at.object)?;
        let Some(doc) = o.post.as_mut() else {
            o.missing = true;
            o.touch(field);
            return Ok(());
        };
        let place = || describe(table_name, field, &steps);
        let existed = o.pre.is_some();
        let written = apply_op(doc, schema.object(), field, &steps, op, existed, cs)
            .map_err(|f| named(f, place))?;
        if written {
            o.touch(field);
        }
        Ok(())
    }
}

/// `?` for a nullable type, as realm-core prints types.
fn q(nullable: bool) -> &'static str {
    if nullable { "?" } else { "" }
}

/// The fault with the place it happened.
fn named(fault: Fault, place: impl Fn() -> String) -> IntegrateErrorKind {
    match fault {
        Fault::UnknownField(at) => IntegrateErrorKind::UnknownField(at),
        Fault::TypeMismatch { app, changeset } => {
            IntegrateErrorKind::TypeMismatch { at: place(), app, changeset }
        }
        Fault::Null => IntegrateErrorKind::Null(place()),
        Fault::BadPath(problem) => IntegrateErrorKind::BadPath { at: place(), problem },
        Fault::PriorSize { prior_size, size } => {
            IntegrateErrorKind::PriorSize { at: place(), prior_size, size }
        }
        Fault::Index { index, size } => IntegrateErrorKind::Index { at: place(), index, size },
    }
}

/// `Car.tags[1]`, `Car.engine.horsepower`, `Car.features.color`.
fn describe(table: &str, field: &str, steps: &[Step<'_>]) -> String {
    let mut s = format!("{table}.{field}");
    for step in steps {
        match step {
            Step::Index(i) => s.push_str(&format!("[{i}]")),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
        }
    }
    s
}

fn instruction_name(i: &Instruction) -> &'static str {
    match i {
        Instruction::AddTable { .. } => "AddTable",
        Instruction::EraseTable { .. } => "EraseTable",
        Instruction::CreateObject { .. } => "CreateObject",
        Instruction::EraseObject { .. } => "EraseObject",
        Instruction::Update { .. } => "Update",
        Instruction::AddInteger { .. } => "AddInteger",
        Instruction::AddColumn { .. } => "AddColumn",
        Instruction::EraseColumn { .. } => "EraseColumn",
        Instruction::ArrayInsert { .. } => "ArrayInsert",
        Instruction::ArrayMove { .. } => "ArrayMove",
        Instruction::ArrayErase { .. } => "ArrayErase",
        Instruction::Clear { .. } => "Clear",
        Instruction::SetInsert { .. } => "SetInsert",
        Instruction::SetErase { .. } => "SetErase",
        #[allow(unreachable_patterns, reason = "Instruction is non_exhaustive")]
        _ => "instruction",
    }
}

/// The property type a value type tag stands for (sync-protocol.md §1b; 0 is `mixed` in
/// `AddColumn`). Links (9) have no type of their own: their target decides.
fn tag_type(tag: i64) -> Option<PropertyType> {
    Some(match tag {
        0 => PropertyType::Mixed,
        1 => PropertyType::Int,
        2 => PropertyType::Bool,
        3 => PropertyType::String,
        4 => PropertyType::Binary,
        5 => PropertyType::Timestamp,
        6 => PropertyType::Float,
        7 => PropertyType::Double,
        8 => PropertyType::Decimal,
        10 => PropertyType::ObjectId,
        11 => PropertyType::Uuid,
        _ => return None,
    })
}

/// A type tag's name, as the schema's types are printed.
fn tag_name(tag: i64) -> &'static str {
    match (tag, tag_type(tag)) {
        (_, Some(t)) => t.realm_name(),
        (9, None) => "link",
        _ => "an unknown type",
    }
}

/// One step below the top-level field.
#[derive(Debug, Clone, Copy)]
enum Step<'c> {
    Key(&'c str),
    Index(u32),
}

/// What the schema says about a place.
#[derive(Debug, Clone, Copy)]
enum Shape<'s> {
    /// An (embedded or top-level) object of this type.
    Object(&'s ObjectType),
    /// A property's whole value.
    Field(&'s Property),
    /// One element of a collection property.
    Element(&'s Property),
    /// Inside a `mixed` value: anything.
    Any,
}

impl<'s> Shape<'s> {
    /// The shape one step down.
    fn child(self, step: Step<'_>) -> Result<Shape<'s>, Fault> {
        match (self, step) {
            (Shape::Object(o), Step::Key(k)) => o
                .property(k)
                .map(Shape::Field)
                .ok_or_else(|| Fault::UnknownField(format!("{}.{k}", o.name()))),
            (Shape::Field(p), step) => match (p.collection(), step) {
                (Collection::Single, step) => Shape::value_of(p).child(step),
                (Collection::List | Collection::Set, Step::Index(_))
                | (Collection::Dictionary, Step::Key(_)) => Ok(Shape::Element(p)),
                _ => Err(Fault::BadPath("is not addressed that way")),
            },
            (Shape::Element(p), step) => Shape::value_of(p).child(step),
            (Shape::Any, _) => Ok(Shape::Any),
            (Shape::Object(_), Step::Index(_)) => Err(Fault::BadPath("is an object, not a list")),
        }
    }

    /// The shape of one value of `p`: an object for embedded objects, anything for `mixed`.
    fn value_of(p: &'s Property) -> Shape<'s> {
        match p.ty() {
            PropertyType::Object(o) => Shape::Object(o),
            PropertyType::Mixed => Shape::Any,
            _ => Shape::Element(p),
        }
    }

    /// The type and nullability a value written here must have; `None` inside `mixed`.
    fn value_type(self) -> Result<Option<(&'s PropertyType, bool)>, Fault> {
        match self {
            Shape::Field(p) if p.collection() != Collection::Single => {
                Err(Fault::BadPath("is a collection and cannot be replaced"))
            }
            Shape::Field(p) | Shape::Element(p) => match p.ty() {
                PropertyType::Mixed => Ok(None),
                ty => Ok(Some((ty, p.nullable()))),
            },
            Shape::Any => Ok(None),
            Shape::Object(_) => Err(Fault::BadPath("is an object")),
        }
    }

    /// The empty value a property holds when a document does not list it.
    fn default_value(self) -> Bson {
        match self {
            Shape::Field(p) => match p.collection() {
                Collection::List | Collection::Set => Bson::Array(Vec::new()),
                Collection::Dictionary => Bson::Document(Document::new()),
                Collection::Single => Bson::Null,
            },
            _ => Bson::Null,
        }
    }
}

/// A container one step above the place an instruction writes.
enum Parent<'d> {
    Doc(&'d mut Document),
    Arr(&'d mut Vec<Bson>),
}

impl<'d> Parent<'d> {
    /// The value at `step`; a property a document does not list is created empty.
    fn child(self, step: Step<'_>, shape: Shape<'_>) -> Result<&'d mut Bson, Fault> {
        match (self, step) {
            (Parent::Doc(d), Step::Key(k)) => {
                if !d.contains_key(k) {
                    if !matches!(shape, Shape::Field(_)) {
                        return Err(Fault::BadPath("does not exist"));
                    }
                    d.insert(k, shape.default_value());
                }
                d.get_mut(k).ok_or(Fault::BadPath("does not exist"))
            }
            (Parent::Arr(a), Step::Index(i)) => {
                let size = a.len();
                a.get_mut(i as usize).ok_or(Fault::Index { index: i, size })
            }
            _ => Err(Fault::BadPath("is not addressed that way")),
        }
    }
}

/// What a path instruction does at its place.
enum Op<'c> {
    Update(&'c Payload, UpdateTail),
    AddInteger(i64),
    ArrayInsert(&'c Payload, u32),
    ArrayMove(u32, u32),
    ArrayErase(u32),
    Clear(CollectionType),
    SetInsert(&'c Payload),
    SetErase(&'c Payload),
}

/// Walks to the parent of the place `field` + `steps` names, creating empty collections the
/// document does not list yet; returns the parent, the last step and the place's shape.
fn locate<'d, 's, 'c>(
    doc: &'d mut Document,
    object: &'s ObjectType,
    field: &'c str,
    steps: &[Step<'c>],
) -> Result<(Parent<'d>, Step<'c>, Shape<'s>), Fault> {
    // The schema first: a field the app does not have is named as such, whatever the data.
    let mut check = Shape::Object(object).child(Step::Key(field))?;
    for &step in steps {
        check = check.child(step)?;
    }
    let mut shape = Shape::Object(object);
    let mut parent = Parent::Doc(doc);
    let mut last = Step::Key(field);
    for &step in steps {
        let child_shape = shape.child(last)?;
        parent = match parent.child(last, child_shape)? {
            Bson::Document(d) => Parent::Doc(d),
            Bson::Array(a) => Parent::Arr(a),
            Bson::Null => return Err(Fault::BadPath("is null")),
            _ => return Err(Fault::BadPath("is a value, not an object or a collection")),
        };
        shape = child_shape;
        last = step;
    }
    let child_shape = shape.child(last)?;
    Ok((parent, last, child_shape))
}

/// Applies one path instruction to `doc`; returns whether it wrote (a default value over an
/// existing one does not).
fn apply_op(
    doc: &mut Document,
    object: &ObjectType,
    field: &str,
    steps: &[Step<'_>],
    op: Op<'_>,
    existed: bool,
    cs: &protocol::Changeset,
) -> Result<bool, Fault> {
    if let (Op::Update(_, UpdateTail::IsDefault(true)), true, true) =
        (&op, steps.is_empty(), existed)
        && doc.get(field).is_some_and(|v| *v != Bson::Null)
    {
        // A default loses to the value the server holds, as OT makes it lose to a
        // non-default write (transform.cpp): the object was not new to the server.
        return Ok(false);
    }
    let (parent, last, shape) = locate(doc, object, field, steps)?;
    match op {
        Op::Update(value, tail) => match (parent, last) {
            (Parent::Doc(d), Step::Key(k)) => {
                if matches!(value, Payload::Erased) {
                    let in_dictionary = match shape {
                        Shape::Element(p) => p.collection() == Collection::Dictionary,
                        Shape::Any => true,
                        _ => false,
                    };
                    if !in_dictionary {
                        return Err(Fault::BadPath(
                            "is not a dictionary value and cannot be erased",
                        ));
                    }
                    d.remove(k);
                } else {
                    d.insert(k, convert(value, shape, cs)?);
                }
            }
            (Parent::Arr(a), Step::Index(i)) => {
                let UpdateTail::PriorSize(prior_size) = tail else {
                    return Err(Fault::BadPath("is a list element written without a prior size"));
                };
                check_size(a, prior_size)?;
                let v = convert(value, shape, cs)?;
                let size = a.len();
                *a.get_mut(i as usize).ok_or(Fault::Index { index: i, size })? = v;
            }
            _ => return Err(Fault::BadPath("is not addressed that way")),
        },
        Op::AddInteger(by) => {
            if let Ok(Some((ty, _))) = shape.value_type()
                && *ty != PropertyType::Int
            {
                return Err(Fault::TypeMismatch {
                    app: ty.realm_name().to_owned(),
                    changeset: "AddInteger",
                });
            }
            let v = parent.child(last, shape)?;
            *v = match &*v {
                // realm-core leaves a null alone (instruction_applier.cpp, AddInteger).
                Bson::Null => Bson::Null,
                Bson::Int64(x) => Bson::Int64(x.wrapping_add(by)),
                Bson::Int32(x) => Bson::Int64(i64::from(*x).wrapping_add(by)),
                _ => {
                    return Err(Fault::TypeMismatch {
                        app: "a non-integer value".into(),
                        changeset: "AddInteger",
                    });
                }
            };
        }
        Op::ArrayInsert(value, prior_size) => {
            let (Parent::Arr(a), Step::Index(i)) = (parent, last) else {
                return Err(Fault::BadPath("is not a list element"));
            };
            check_size(a, prior_size)?;
            if i as usize > a.len() {
                return Err(Fault::Index { index: i, size: a.len() });
            }
            let v = convert(value, shape, cs)?;
            a.insert(i as usize, v);
        }
        Op::ArrayMove(to, prior_size) => {
            let (Parent::Arr(a), Step::Index(from)) = (parent, last) else {
                return Err(Fault::BadPath("is not a list element"));
            };
            check_size(a, prior_size)?;
            let size = a.len();
            for i in [from, to] {
                if i as usize >= size {
                    return Err(Fault::Index { index: i, size });
                }
            }
            if from == to {
                return Err(Fault::BadPath("is moved to where it is"));
            }
            let v = a.remove(from as usize);
            a.insert(to as usize, v);
        }
        Op::ArrayErase(prior_size) => {
            let (Parent::Arr(a), Step::Index(i)) = (parent, last) else {
                return Err(Fault::BadPath("is not a list element"));
            };
            check_size(a, prior_size)?;
            if i as usize >= a.len() {
                return Err(Fault::Index { index: i, size: a.len() });
            }
            a.remove(i as usize);
        }
        Op::Clear(kind) => {
            let is_collection = match shape {
                Shape::Field(p) => {
                    p.collection() != Collection::Single || *p.ty() == PropertyType::Mixed
                }
                Shape::Element(p) => *p.ty() == PropertyType::Mixed,
                Shape::Any => true,
                Shape::Object(_) => false,
            };
            if !is_collection {
                return Err(Fault::BadPath("is not a collection"));
            }
            // Clients before realm-core 14.6 write 0 (`Single`) as the collection type; the
            // collection found decides.
            match parent.child(last, shape)? {
                Bson::Array(a) => a.clear(),
                Bson::Document(d) => d.clear(),
                other => {
                    *other = match kind {
                        CollectionType::Dictionary => Bson::Document(Document::new()),
                        _ => Bson::Array(Vec::new()),
                    }
                }
            }
        }
        Op::SetInsert(value) | Op::SetErase(value) => {
            let Shape::Field(p) = shape else {
                return Err(Fault::BadPath("is not a set"));
            };
            if p.collection() != Collection::Set {
                return Err(Fault::BadPath("is not a set"));
            }
            let v = convert(value, Shape::Element(p), cs)?;
            let Bson::Array(a) = parent.child(last, shape)? else {
                return Err(Fault::BadPath("is not a set"));
            };
            if matches!(op, Op::SetInsert(_)) {
                if !a.contains(&v) {
                    a.push(v);
                }
            } else {
                a.retain(|x| *x != v);
            }
        }
    }
    Ok(true)
}

fn check_size(a: &[Bson], prior_size: u32) -> Result<(), Fault> {
    if a.len() == prior_size as usize {
        Ok(())
    } else {
        Err(Fault::PriorSize { prior_size, size: a.len() })
    }
}

/// A payload as the BSON value the server stores, checked against the place's type.
fn convert(value: &Payload, shape: Shape<'_>, cs: &protocol::Changeset) -> Result<Bson, Fault> {
    let found = payload_name(value);
    let mismatch = |app: &str| Fault::TypeMismatch { app: app.to_owned(), changeset: found };
    match shape.value_type()? {
        None => {
            if matches!(value, Payload::ObjectValue | Payload::Erased) {
                return Err(mismatch("mixed"));
            }
        }
        Some((ty, nullable)) => {
            if matches!(value, Payload::Null) {
                return if nullable || matches!(ty, PropertyType::Object(_)) {
                    Ok(Bson::Null)
                } else {
                    Err(Fault::Null)
                };
            }
            let fits = match value {
                Payload::ObjectValue => matches!(ty, PropertyType::Object(_)),
                Payload::Link { .. }
                | Payload::Erased
                | Payload::Dictionary
                | Payload::List
                | Payload::Set => false,
                scalar => tag_type(scalar.type_code()).as_ref() == Some(ty),
            };
            if !fits {
                return Err(mismatch(ty.realm_name()));
            }
        }
    }
    Ok(match value {
        Payload::Null | Payload::Erased => Bson::Null,
        Payload::Int(i) => Bson::Int64(*i),
        Payload::Bool(b) => Bson::Boolean(*b),
        Payload::String(s) => Bson::String(s.clone()),
        Payload::Binary(b) => {
            Bson::Binary(Binary { subtype: BinarySubtype::Generic, bytes: b.clone() })
        }
        Payload::Timestamp { seconds, nanoseconds } => Bson::DateTime(bson::DateTime::from_millis(
            seconds.saturating_mul(1000).saturating_add(nanoseconds / 1_000_000),
        )),
        Payload::Float(f) => Bson::Double(f64::from(*f)),
        Payload::Double(d) => Bson::Double(*d),
        Payload::Decimal(d) => Bson::Decimal128(d.to_bson()),
        Payload::Link { key, .. } => link_key(key, cs),
        Payload::ObjectId(b) => Bson::ObjectId(bson::oid::ObjectId::from_bytes(*b)),
        Payload::Uuid(b) => {
            Bson::Binary(Binary { subtype: BinarySubtype::Uuid, bytes: b.to_vec() })
        }
        Payload::ObjectValue | Payload::Dictionary => Bson::Document(Document::new()),
        Payload::List | Payload::Set => Bson::Array(Vec::new()),
    })
}

/// A link in a `mixed` value, stored as the target's primary key.
fn link_key(key: &PrimaryKey, cs: &protocol::Changeset) -> Bson {
    match key {
        PrimaryKey::Null | PrimaryKey::GlobalKey { .. } => Bson::Null,
        PrimaryKey::Int(i) => Bson::Int64(*i),
        PrimaryKey::String(s) => Bson::String(cs.string(*s).unwrap_or_default().to_owned()),
        PrimaryKey::ObjectId(b) => Bson::ObjectId(bson::oid::ObjectId::from_bytes(*b)),
        PrimaryKey::Uuid(b) => {
            Bson::Binary(Binary { subtype: BinarySubtype::Uuid, bytes: b.to_vec() })
        }
    }
}

fn payload_name(p: &Payload) -> &'static str {
    match p {
        Payload::Null => "null",
        Payload::Erased => "erased",
        Payload::ObjectValue => "an embedded object",
        Payload::Dictionary => "a dictionary",
        Payload::List => "a list",
        Payload::Set => "a set",
        scalar => tag_name(scalar.type_code()),
    }
}
