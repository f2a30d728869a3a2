//! realm-core's binary changeset: a bare sequence of instructions with interned strings.
//!
//! The decoded form keeps every instruction and every `InternString` in the order they came, so
//! that encoding gives back the same bytes whichever interning order the producer used (the sync
//! client interns each string just before its first use; `encode_changeset()` writes them all
//! first). Strings are referenced by [`StrId`]; [`Changeset::string`] resolves one.

use super::codec::{Reader, Writer};
use super::error::{ProtocolError, ProtocolErrorKind as K};
use crate::Limits;
use crate::value::Decimal128;

/// The index of an interned string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrId(pub u32);

/// A decoded changeset.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changeset {
    strings: Vec<String>,
    items: Vec<Item>,
}

/// One element of the byte sequence: an interned string's definition or an instruction.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Intern(StrId),
    Instruction(Instruction),
}

/// An object's primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrimaryKey {
    /// A null key.
    Null,
    /// An `int` key.
    Int(i64),
    /// A `string` key (interned).
    String(StrId),
    /// The key of an object in a table without a primary key.
    GlobalKey {
        /// High word.
        hi: i64,
        /// Low word.
        lo: i64,
    },
    /// An `objectId` key.
    ObjectId([u8; 12]),
    /// A `uuid` key.
    Uuid([u8; 16]),
}

/// One step of a path inside an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathElement {
    /// A list index.
    Index(u32),
    /// An embedded object's field name or a dictionary key.
    Key(StrId),
}

/// The object, field and path an instruction writes.
#[derive(Debug, Clone, PartialEq)]
pub struct PathInstr {
    /// The top-level table.
    pub table: StrId,
    /// The top-level object.
    pub object: PrimaryKey,
    /// The top-level field.
    pub field: StrId,
    /// Steps below the field.
    pub path: Vec<PathElement>,
}

/// A value written by an instruction.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// Null.
    Null,
    /// `int`.
    Int(i64),
    /// `bool`.
    Bool(bool),
    /// `string` (inline, not interned).
    String(String),
    /// `binary`.
    Binary(Vec<u8>),
    /// `date`: seconds and nanoseconds since the epoch.
    Timestamp {
        /// Seconds.
        seconds: i64,
        /// Nanoseconds (0 to 2³¹ − 1).
        nanoseconds: i64,
    },
    /// `float`.
    Float(f32),
    /// `double`.
    Double(f64),
    /// `decimal128`.
    Decimal(Decimal128),
    /// A link to an object of another table.
    Link {
        /// The target table.
        table: StrId,
        /// The target object.
        key: PrimaryKey,
    },
    /// `objectId`.
    ObjectId([u8; 12]),
    /// `uuid`.
    Uuid([u8; 16]),
    /// A dictionary value removed.
    Erased,
    /// A new embedded object.
    ObjectValue,
    /// A new dictionary in a `mixed` field.
    Dictionary,
    /// A new list in a `mixed` field.
    List,
    /// A new set in a `mixed` field.
    Set,
}

impl Payload {
    /// The payload's type tag on the wire (sync-protocol.md §1b).
    pub fn type_code(&self) -> i64 {
        match self {
            Payload::Null => 0,
            Payload::Int(_) => 1,
            Payload::Bool(_) => 2,
            Payload::String(_) => 3,
            Payload::Binary(_) => 4,
            Payload::Timestamp { .. } => 5,
            Payload::Float(_) => 6,
            Payload::Double(_) => 7,
            Payload::Decimal(_) => 8,
            Payload::Link { .. } => 9,
            Payload::ObjectId(_) => 10,
            Payload::Uuid(_) => 11,
            Payload::ObjectValue => -2,
            Payload::Dictionary => -3,
            Payload::Erased => -4,
            Payload::List => -5,
            Payload::Set => -6,
        }
    }
}

/// The name realm-core gives a type tag, as a payload (0 is `Null`); `None` for an undefined tag.
pub(crate) fn type_tag_name(tag: i64) -> Option<&'static str> {
    Some(match tag {
        0 => "Null",
        1 => "Int",
        2 => "Bool",
        3 => "String",
        4 => "Binary",
        5 => "Timestamp",
        6 => "Float",
        7 => "Double",
        8 => "Decimal",
        9 => "Link",
        10 => "ObjectId",
        11 => "UUID",
        -1 => "GlobalKey",
        -2 => "ObjectValue",
        -3 => "Dictionary",
        -4 => "Erased",
        -5 => "List",
        -6 => "Set",
        _ => return None,
    })
}

/// What follows an `Update`'s value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateTail {
    /// A field or dictionary value: whether the write set a default.
    IsDefault(bool),
    /// A list element: the list's size before the write.
    PriorSize(u32),
}

/// The kind of table an `AddTable` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableType {
    /// A top-level table.
    TopLevel,
    /// An embedded-object table.
    Embedded,
    /// A top-level asymmetric (Data Ingest) table.
    TopLevelAsymmetric,
}

/// The collection kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionType {
    /// A single value.
    Single,
    /// A list.
    List,
    /// A dictionary.
    Dictionary,
    /// A set.
    Set,
}

/// A table's primary key, as `AddTable` declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimaryKeySpec {
    /// The key's field (empty for tables without one).
    pub field: StrId,
    /// The key's type tag.
    pub ty: i64,
    /// Whether the key may be null.
    pub nullable: bool,
}

/// One instruction (sync-protocol.md §1b).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Instruction {
    /// A new table.
    AddTable {
        /// The table.
        table: StrId,
        /// Its kind.
        table_type: TableType,
        /// Its primary key (not for embedded tables).
        pk: Option<PrimaryKeySpec>,
    },
    /// A table removed.
    EraseTable {
        /// The table.
        table: StrId,
    },
    /// An object created (or found, if it exists).
    CreateObject {
        /// The table.
        table: StrId,
        /// The object.
        object: PrimaryKey,
    },
    /// An object removed.
    EraseObject {
        /// The table.
        table: StrId,
        /// The object.
        object: PrimaryKey,
    },
    /// A field, embedded field, list element or dictionary value set.
    Update {
        /// Where.
        at: PathInstr,
        /// The value.
        value: Payload,
        /// The default flag or the list's prior size.
        tail: UpdateTail,
    },
    /// An integer field incremented.
    AddInteger {
        /// Where.
        at: PathInstr,
        /// By how much.
        value: i64,
    },
    /// A new column.
    AddColumn {
        /// The table.
        table: StrId,
        /// The column.
        field: StrId,
        /// Its type tag (0 is `mixed`).
        ty: i64,
        /// Whether it may be null.
        nullable: bool,
        /// Its collection kind.
        collection: CollectionType,
        /// For links, the target table.
        link_target: Option<StrId>,
        /// For dictionaries, the key type tag.
        key_type: Option<i64>,
    },
    /// A column removed.
    EraseColumn {
        /// The table.
        table: StrId,
        /// The column.
        field: StrId,
    },
    /// A list element inserted (the path ends in its index).
    ArrayInsert {
        /// Where.
        at: PathInstr,
        /// The value.
        value: Payload,
        /// The list's size before.
        prior_size: u32,
    },
    /// A list element moved (the path ends in the index it leaves).
    ArrayMove {
        /// Where.
        at: PathInstr,
        /// The index it moves to.
        ndx_2: u32,
        /// The list's size before.
        prior_size: u32,
    },
    /// A list element removed (the path ends in its index).
    ArrayErase {
        /// Where.
        at: PathInstr,
        /// The list's size before.
        prior_size: u32,
    },
    /// A collection emptied.
    Clear {
        /// The collection.
        at: PathInstr,
        /// Its kind.
        collection: CollectionType,
    },
    /// A value added to a set.
    SetInsert {
        /// The set.
        at: PathInstr,
        /// The value.
        value: Payload,
    },
    /// A value removed from a set.
    SetErase {
        /// The set.
        at: PathInstr,
        /// The value.
        value: Payload,
    },
}

const INTERN_STRING: i64 = 0x3f;

impl Changeset {
    /// Decodes a changeset's bytes (one UPLOAD entry's payload).
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Changeset, ProtocolError> {
        if bytes.len() > limits.max_message_bytes {
            return Err(ProtocolError::new(
                K::TooLarge { what: "changeset", limit: limits.max_message_bytes },
                0,
            ));
        }
        let mut d = Decoder { r: Reader::new(bytes), strings: Vec::new(), limits };
        let mut items = Vec::new();
        while !d.r.is_empty() {
            if items.len() >= limits.max_instructions {
                return Err(d.r.error(K::TooLarge {
                    what: "instruction count",
                    limit: limits.max_instructions,
                }));
            }
            items.push(d.item()?);
        }
        Ok(Changeset { strings: d.strings, items })
    }

    /// Encodes the changeset, interned strings where they were.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for item in &self.items {
            match item {
                Item::Intern(id) => {
                    w.int(INTERN_STRING);
                    w.uint(u64::from(id.0));
                    w.bytes(self.string(*id).unwrap_or_default().as_bytes());
                }
                Item::Instruction(i) => encode_instruction(&mut w, i),
            }
        }
        w.out
    }

    /// An empty changeset, to be built with [`Changeset::intern`] and [`Changeset::push`] (a
    /// server's own changesets, tests, benches).
    pub fn new() -> Changeset {
        Changeset { strings: Vec::new(), items: Vec::new() }
    }

    /// The id of `s`: interned at this point of the changeset when it is new, just before the
    /// instruction that first uses it, as the sync client does.
    pub fn intern(&mut self, s: &str) -> StrId {
        if let Some(i) = self.strings.iter().position(|x| x == s) {
            return StrId(u32::try_from(i).unwrap_or(u32::MAX));
        }
        let id = StrId(u32::try_from(self.strings.len()).unwrap_or(u32::MAX));
        self.strings.push(s.to_owned());
        self.items.push(Item::Intern(id));
        id
    }

    /// Appends an instruction; every string it refers to must come from
    /// [`Changeset::intern`] on this changeset.
    pub fn push(&mut self, instruction: Instruction) {
        self.items.push(Item::Instruction(instruction));
    }

    /// The interned strings, by index.
    pub fn strings(&self) -> &[String] {
        &self.strings
    }

    /// An interned string.
    pub fn string(&self, id: StrId) -> Option<&str> {
        self.strings.get(id.0 as usize).map(String::as_str)
    }

    /// The instructions, in order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|i| match i {
            Item::Instruction(i) => Some(i),
            Item::Intern(_) => None,
        })
    }
}

struct Decoder<'a, 'l> {
    r: Reader<'a>,
    strings: Vec<String>,
    limits: &'l Limits,
}

impl Decoder<'_, '_> {
    fn item(&mut self) -> Result<Item, ProtocolError> {
        let start = self.r.offset();
        let code = self.r.int()?;
        if code == INTERN_STRING {
            let index = self.r.u32()?;
            if index as usize != self.strings.len() {
                return Err(ProtocolError::new(
                    K::InternOrder { index, expected: self.strings.len() },
                    start,
                ));
            }
            let text = self.text()?;
            self.strings.push(text);
            return Ok(Item::Intern(StrId(index)));
        }
        let i = match code {
            0 => {
                let table = self.string_ref()?;
                let at = self.r.offset();
                let table_type = match self.r.u8()? {
                    0 => TableType::TopLevel,
                    1 => TableType::Embedded,
                    2 => TableType::TopLevelAsymmetric,
                    v => {
                        let kind = K::BadEnum { what: "table type", value: i64::from(v) };
                        return Err(ProtocolError::new(kind, at));
                    }
                };
                let pk = if table_type == TableType::Embedded {
                    None
                } else {
                    let field = self.string_ref()?;
                    let ty = self.r.int()?;
                    let nullable = self.r.bool()?;
                    Some(PrimaryKeySpec { field, ty, nullable })
                };
                Instruction::AddTable { table, table_type, pk }
            }
            1 => Instruction::EraseTable { table: self.string_ref()? },
            2 => Instruction::CreateObject { table: self.string_ref()?, object: self.key()? },
            3 => Instruction::EraseObject { table: self.string_ref()?, object: self.key()? },
            4 => {
                let at = self.path_instr()?;
                let value = self.payload()?;
                let tail = match at.path.last() {
                    Some(PathElement::Index(_)) => UpdateTail::PriorSize(self.r.u32()?),
                    _ => UpdateTail::IsDefault(self.r.bool()?),
                };
                Instruction::Update { at, value, tail }
            }
            5 => Instruction::AddInteger { at: self.path_instr()?, value: self.r.int()? },
            6 => {
                let table = self.string_ref()?;
                let field = self.string_ref()?;
                let ty = self.r.int()?;
                let nullable = self.r.bool()?;
                let collection = self.collection()?;
                let link_target = if ty == 9 { Some(self.string_ref()?) } else { None };
                let key_type = if collection == CollectionType::Dictionary {
                    Some(self.r.int()?)
                } else {
                    None
                };
                Instruction::AddColumn {
                    table,
                    field,
                    ty,
                    nullable,
                    collection,
                    link_target,
                    key_type,
                }
            }
            7 => Instruction::EraseColumn { table: self.string_ref()?, field: self.string_ref()? },
            8 => {
                let at = self.path_instr()?;
                let value = self.payload()?;
                Instruction::ArrayInsert { at, value, prior_size: self.r.u32()? }
            }
            9 => {
                let at = self.path_instr()?;
                let ndx_2 = self.r.u32()?;
                Instruction::ArrayMove { at, ndx_2, prior_size: self.r.u32()? }
            }
            10 => Instruction::ArrayErase { at: self.path_instr()?, prior_size: self.r.u32()? },
            11 => Instruction::Clear { at: self.path_instr()?, collection: self.collection()? },
            12 => Instruction::SetInsert { at: self.path_instr()?, value: self.payload()? },
            13 => Instruction::SetErase { at: self.path_instr()?, value: self.payload()? },
            other => return Err(ProtocolError::new(K::UnknownInstruction(other), start)),
        };
        Ok(Item::Instruction(i))
    }

    fn text(&mut self) -> Result<String, ProtocolError> {
        let at = self.r.offset();
        let bytes = self.r.bytes(self.limits.max_message_bytes)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| ProtocolError::new(K::InvalidUtf8, at))
    }

    fn string_ref(&mut self) -> Result<StrId, ProtocolError> {
        let at = self.r.offset();
        let index = self.r.u32()?;
        if (index as usize) < self.strings.len() {
            Ok(StrId(index))
        } else {
            Err(ProtocolError::new(K::UnknownString(index), at))
        }
    }

    fn collection(&mut self) -> Result<CollectionType, ProtocolError> {
        let at = self.r.offset();
        Ok(match self.r.u8()? {
            0 => CollectionType::Single,
            1 => CollectionType::List,
            2 => CollectionType::Dictionary,
            3 => CollectionType::Set,
            v => {
                let kind = K::BadEnum { what: "collection type", value: i64::from(v) };
                return Err(ProtocolError::new(kind, at));
            }
        })
    }

    fn key(&mut self) -> Result<PrimaryKey, ProtocolError> {
        let at = self.r.offset();
        Ok(match self.r.int()? {
            0 => PrimaryKey::Null,
            1 => PrimaryKey::Int(self.r.int()?),
            3 => PrimaryKey::String(self.string_ref()?),
            -1 => PrimaryKey::GlobalKey { hi: self.r.int()?, lo: self.r.int()? },
            10 => PrimaryKey::ObjectId(self.r.array()?),
            11 => PrimaryKey::Uuid(self.r.array()?),
            other => return Err(ProtocolError::new(K::UnknownPrimaryKey(other), at)),
        })
    }

    fn path_instr(&mut self) -> Result<PathInstr, ProtocolError> {
        let table = self.string_ref()?;
        let object = self.key()?;
        let field = self.string_ref()?;
        let at = self.r.offset();
        let count = self.r.u32()? as usize;
        let limit = self.limits.max_depth as usize;
        if count > limit {
            return Err(ProtocolError::new(K::TooLarge { what: "path", limit }, at));
        }
        let mut path = Vec::with_capacity(count);
        for _ in 0..count {
            let at = self.r.offset();
            let step = self.r.int()?;
            path.push(match step {
                -1 => PathElement::Key(self.string_ref()?),
                i => PathElement::Index(
                    u32::try_from(i).map_err(|_| ProtocolError::new(K::IntegerOverflow, at))?,
                ),
            });
        }
        Ok(PathInstr { table, object, field, path })
    }

    fn payload(&mut self) -> Result<Payload, ProtocolError> {
        let at = self.r.offset();
        Ok(match self.r.int()? {
            0 => Payload::Null,
            1 => Payload::Int(self.r.int()?),
            2 => Payload::Bool(self.r.bool()?),
            3 => Payload::String(self.text()?),
            4 => Payload::Binary(self.r.bytes(self.limits.max_message_bytes)?.to_vec()),
            5 => {
                let seconds = self.r.int()?;
                let at = self.r.offset();
                let nanoseconds = self.r.int()?;
                if !(0..=i64::from(i32::MAX)).contains(&nanoseconds) {
                    return Err(ProtocolError::new(K::IntegerOverflow, at));
                }
                Payload::Timestamp { seconds, nanoseconds }
            }
            6 => Payload::Float(f32::from_le_bytes(self.r.array()?)),
            7 => Payload::Double(f64::from_le_bytes(self.r.array()?)),
            8 => {
                let coeff = self.r.coefficient()?;
                let exp = self.r.int()?;
                let neg = self.r.bool()?;
                let value = i32::try_from(exp)
                    .ok()
                    .and_then(|exp| Decimal128::from_parts(neg, coeff, exp))
                    .ok_or_else(|| ProtocolError::new(K::IntegerOverflow, at))?;
                Payload::Decimal(value)
            }
            9 => Payload::Link { table: self.string_ref()?, key: self.key()? },
            10 => Payload::ObjectId(self.r.array()?),
            11 => Payload::Uuid(self.r.array()?),
            -2 => Payload::ObjectValue,
            -3 => Payload::Dictionary,
            -4 => Payload::Erased,
            -5 => Payload::List,
            -6 => Payload::Set,
            other => return Err(ProtocolError::new(K::UnknownPayload(other), at)),
        })
    }
}

fn encode_key(w: &mut Writer, k: &PrimaryKey) {
    match k {
        PrimaryKey::Null => w.int(0),
        PrimaryKey::Int(v) => {
            w.int(1);
            w.int(*v);
        }
        PrimaryKey::String(s) => {
            w.int(3);
            w.uint(u64::from(s.0));
        }
        PrimaryKey::GlobalKey { hi, lo } => {
            w.int(-1);
            w.int(*hi);
            w.int(*lo);
        }
        PrimaryKey::ObjectId(b) => {
            w.int(10);
            w.raw(b);
        }
        PrimaryKey::Uuid(b) => {
            w.int(11);
            w.raw(b);
        }
    }
}

fn encode_path_instr(w: &mut Writer, p: &PathInstr) {
    w.uint(u64::from(p.table.0));
    encode_key(w, &p.object);
    w.uint(u64::from(p.field.0));
    w.uint(p.path.len() as u64);
    for step in &p.path {
        match step {
            PathElement::Index(i) => w.uint(u64::from(*i)),
            PathElement::Key(s) => {
                w.int(-1);
                w.uint(u64::from(s.0));
            }
        }
    }
}

fn encode_payload(w: &mut Writer, p: &Payload) {
    w.int(p.type_code());
    match p {
        Payload::Int(v) => w.int(*v),
        Payload::Bool(b) => w.bool(*b),
        Payload::String(s) => w.bytes(s.as_bytes()),
        Payload::Binary(b) => w.bytes(b),
        Payload::Timestamp { seconds, nanoseconds } => {
            w.int(*seconds);
            w.int(*nanoseconds);
        }
        Payload::Float(f) => w.raw(&f.to_le_bytes()),
        Payload::Double(d) => w.raw(&d.to_le_bytes()),
        Payload::Decimal(d) => {
            let (neg, coeff, exp) = d.finite_parts().unwrap_or((false, 0, 0));
            w.coefficient(coeff);
            w.int(i64::from(exp));
            w.bool(neg);
        }
        Payload::Link { table, key } => {
            w.uint(u64::from(table.0));
            encode_key(w, key);
        }
        Payload::ObjectId(b) => w.raw(b),
        Payload::Uuid(b) => w.raw(b),
        Payload::Null
        | Payload::ObjectValue
        | Payload::Dictionary
        | Payload::Erased
        | Payload::List
        | Payload::Set => {}
    }
}

fn collection_code(c: CollectionType) -> u64 {
    match c {
        CollectionType::Single => 0,
        CollectionType::List => 1,
        CollectionType::Dictionary => 2,
        CollectionType::Set => 3,
    }
}

fn encode_instruction(w: &mut Writer, i: &Instruction) {
    match i {
        Instruction::AddTable { table, table_type, pk } => {
            w.int(0);
            w.uint(u64::from(table.0));
            w.uint(match table_type {
                TableType::TopLevel => 0,
                TableType::Embedded => 1,
                TableType::TopLevelAsymmetric => 2,
            });
            if let Some(pk) = pk {
                w.uint(u64::from(pk.field.0));
                w.int(pk.ty);
                w.bool(pk.nullable);
            }
        }
        Instruction::EraseTable { table } => {
            w.int(1);
            w.uint(u64::from(table.0));
        }
        Instruction::CreateObject { table, object } => {
            w.int(2);
            w.uint(u64::from(table.0));
            encode_key(w, object);
        }
        Instruction::EraseObject { table, object } => {
            w.int(3);
            w.uint(u64::from(table.0));
            encode_key(w, object);
        }
        Instruction::Update { at, value, tail } => {
            w.int(4);
            encode_path_instr(w, at);
            encode_payload(w, value);
            match tail {
                UpdateTail::IsDefault(b) => w.bool(*b),
                UpdateTail::PriorSize(n) => w.uint(u64::from(*n)),
            }
        }
        Instruction::AddInteger { at, value } => {
            w.int(5);
            encode_path_instr(w, at);
            w.int(*value);
        }
        Instruction::AddColumn {
            table,
            field,
            ty,
            nullable,
            collection,
            link_target,
            key_type,
        } => {
            w.int(6);
            w.uint(u64::from(table.0));
            w.uint(u64::from(field.0));
            w.int(*ty);
            w.bool(*nullable);
            w.uint(collection_code(*collection));
            if let Some(t) = link_target {
                w.uint(u64::from(t.0));
            }
            if let Some(k) = key_type {
                w.int(*k);
            }
        }
        Instruction::EraseColumn { table, field } => {
            w.int(7);
            w.uint(u64::from(table.0));
            w.uint(u64::from(field.0));
        }
        Instruction::ArrayInsert { at, value, prior_size } => {
            w.int(8);
            encode_path_instr(w, at);
            encode_payload(w, value);
            w.uint(u64::from(*prior_size));
        }
        Instruction::ArrayMove { at, ndx_2, prior_size } => {
            w.int(9);
            encode_path_instr(w, at);
            w.uint(u64::from(*ndx_2));
            w.uint(u64::from(*prior_size));
        }
        Instruction::ArrayErase { at, prior_size } => {
            w.int(10);
            encode_path_instr(w, at);
            w.uint(u64::from(*prior_size));
        }
        Instruction::Clear { at, collection } => {
            w.int(11);
            encode_path_instr(w, at);
            w.uint(collection_code(*collection));
        }
        Instruction::SetInsert { at, value } => {
            w.int(12);
            encode_path_instr(w, at);
            encode_payload(w, value);
        }
        Instruction::SetErase { at, value } => {
            w.int(13);
            encode_path_instr(w, at);
            encode_payload(w, value);
        }
    }
}
