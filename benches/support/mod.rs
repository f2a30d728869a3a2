//! Shared by the benches and `throughput.rs`: a seeded generator of Car documents, the
//! predicates compared, and every contender's way of answering them.
//!
//! Each contender gets the documents in its own representation, built before timing: raw BSON
//! (one contiguous buffer, as a changeset batch arrives), decoded `bson::Document`s, a decoded
//! struct, `serde_json::Value`s, and datalogic-rs's `ParsedData`. Before anything is timed,
//! [`check_hits`] makes every contender agree with the hand-written closure over raw BSON.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "shared by several bench programs, each of which uses only part of it"
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use bson::{Bson, Document, RawBsonRef, RawDocument, doc, oid::ObjectId};
use flexrules::app::App;
use flexrules::document::DocRef;
use flexrules::rules::{Bindings, Filter, RoleChoice, User};
use flexrules::schema::Table;
use flexrules::{Limits, Predicate, compile, parse};

/// Number of documents of the cold set: `FLEXRULES_COLD` or 1,000,000.
pub fn cold_size(default: usize) -> usize {
    std::env::var("FLEXRULES_COLD").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub const HOT: usize = 2_000;

/// A small seeded generator (xorshift64*), so every run sees the same documents.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const MAKES: [&str; 6] = ["Honda", "HONDA", "honda", "Toyota", "Ford", "Mondeo Motors"];
const MODELS: [&str; 6] = ["Civic", "Accord", "Corolla", "Civic Type R", "Fiesta", "Avic Cab"];
const COLORS: [&str; 4] = ["red", "blue", "black", "white"];

/// `n` Car documents in one contiguous buffer, with each document's byte range.
pub struct Batch {
    pub buf: Vec<u8>,
    pub ranges: Vec<(usize, usize)>,
}

impl Batch {
    pub fn generate(n: usize, seed: u64) -> Batch {
        let mut rng = Rng::new(seed);
        let mut buf = Vec::with_capacity(n * 430);
        let mut ranges = Vec::with_capacity(n);
        for i in 0..n {
            let r = rng.next();
            let miles =
                if rng.below(10) == 0 { Bson::Null } else { Bson::Int32(rng.below(200) as i32) };
            let mut d = doc! {
                "_id": ObjectId::from_bytes({
                    let mut b = [0u8; 12];
                    b[4..12].copy_from_slice(&(i as u64).to_be_bytes());
                    b
                }),
                "name": format!("car {i}"),
                "ownerId": format!("user_{}", r % 1000),
                "make": MAKES[rng.below(6) as usize],
                "model": MODELS[rng.below(6) as usize],
                "color": COLORS[rng.below(4) as usize],
                "year": 1995 + rng.below(30) as i32,
                "miles": miles,
            };
            for k in 0..11 {
                d.insert(format!("f{k}"), format!("fill {k:02} {:08x}", rng.next() as u32));
            }
            d.insert("tail", "end");
            let start = buf.len();
            buf.extend_from_slice(&d.to_vec().unwrap());
            ranges.push((start, buf.len()));
        }
        Batch { buf, ranges }
    }

    pub fn raws(&self) -> Vec<&RawDocument> {
        self.ranges
            .iter()
            .map(|&(a, b)| RawDocument::from_bytes(&self.buf[a..b]).unwrap())
            .collect()
    }

    pub fn avg_size(&self) -> usize {
        self.buf.len() / self.ranges.len().max(1)
    }
}

/// The decoded struct a hand-written program would use.
pub struct Car {
    pub owner_id: String,
    pub make: String,
    pub model: String,
    pub year: i32,
    pub miles: Option<i32>,
}

pub fn cars(raws: &[&RawDocument]) -> Vec<Car> {
    raws.iter()
        .map(|d| Car {
            owner_id: d.get_str("ownerId").unwrap().to_owned(),
            make: d.get_str("make").unwrap().to_owned(),
            model: d.get_str("model").unwrap().to_owned(),
            year: d.get_i32("year").unwrap(),
            miles: d.get_i32("miles").ok(),
        })
        .collect()
}

pub fn documents(raws: &[&RawDocument]) -> Vec<Document> {
    raws.iter().map(|d| Document::try_from(*d).unwrap()).collect()
}

pub fn json_values(docs: &[Document]) -> Vec<serde_json::Value> {
    docs.iter()
        .map(|d| {
            // Relaxed extended JSON: plain numbers and strings for these fields.
            Bson::Document(d.clone()).into_relaxed_extjson()
        })
        .collect()
}

pub fn parsed(values: &[serde_json::Value]) -> Vec<datalogic_rs::ParsedData> {
    values.iter().map(|v| datalogic_rs::ParsedData::from_json(&v.to_string()).unwrap()).collect()
}

// ---------------------------------------------------------------------------------------------
// The predicates.

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `*iv?c*` over ASCII text.
fn like_iv_c(s: &str) -> bool {
    s.as_bytes().windows(4).any(|w| w[0] == b'i' && w[1] == b'v' && w[3] == b'c')
}

/// A naive interpreter's AST over `serde_json::Value`.
pub enum Naive {
    Or(Vec<Naive>),
    And(Vec<Naive>),
    IsNull(&'static str),
    Lt(&'static str, f64),
    Ge(&'static str, f64),
    EqStr(&'static str, &'static str),
    NeStr(&'static str, &'static str),
    ContainsCi(&'static str, &'static str),
    LikeIvC(&'static str),
}

impl Naive {
    pub fn eval(&self, v: &serde_json::Value) -> bool {
        let get = |f: &str| v.get(f).unwrap_or(&serde_json::Value::Null);
        match self {
            Naive::Or(items) => items.iter().any(|c| c.eval(v)),
            Naive::And(items) => items.iter().all(|c| c.eval(v)),
            Naive::IsNull(f) => get(f).is_null(),
            Naive::Lt(f, x) => get(f).as_f64().is_some_and(|m| m < *x),
            Naive::Ge(f, x) => get(f).as_f64().is_some_and(|m| m >= *x),
            Naive::EqStr(f, s) => get(f).as_str() == Some(*s),
            Naive::NeStr(f, s) => get(f).as_str() != Some(*s),
            Naive::ContainsCi(f, s) => get(f).as_str().is_some_and(|h| contains_ci(h, s)),
            Naive::LikeIvC(f) => get(f).as_str().is_some_and(like_iv_c),
        }
    }
}

/// How the engine under test answers a case.
pub enum Ours {
    Query(Predicate),
    Role(Filter),
}

impl Ours {
    pub fn raw(&self, d: &RawDocument) -> bool {
        match self {
            Ours::Query(p) => p.matches_raw(d),
            Ours::Role(f) => f.matches(&DocRef::raw(d)).unwrap_or(false),
        }
    }
    pub fn decoded(&self, d: &Document) -> bool {
        match self {
            Ours::Query(p) => p.matches(d),
            Ours::Role(f) => f.matches(&DocRef::decoded(d)).unwrap_or(false),
        }
    }
}

/// One predicate, written for every contender.
pub struct Case {
    pub name: &'static str,
    pub text: &'static str,
    pub ours: Ours,
    pub closure_raw: fn(&RawDocument) -> bool,
    pub closure_struct: fn(&Car) -> bool,
    pub naive: Naive,
    pub cel: Option<cel::Program>,
    pub datalogic: Option<datalogic_rs::Logic>,
}

pub fn car_table() -> Table {
    Table::from_json(&serde_json::json!({
        "title": "Car", "bsonType": "object", "required": ["_id", "ownerId"],
        "properties": {
            "_id": {"bsonType": "objectId"}, "name": {"bsonType": "string"},
            "ownerId": {"bsonType": "string"}, "make": {"bsonType": "string"},
            "model": {"bsonType": "string"}, "color": {"bsonType": "string"},
            "year": {"bsonType": "int"}, "miles": {"bsonType": "int"}
        }
    }))
    .unwrap()
}

pub fn query(text: &str, args: &[Bson]) -> Predicate {
    let q = parse(text).unwrap();
    compile(&q, &car_table(), args, &Limits::default()).unwrap().predicate().clone()
}

/// The three-conjunct role filter, loaded from App Services JSON rules for user `user_7`.
pub fn role_filter() -> Filter {
    let roles = serde_json::json!({"roles": [{"name": "r",
        "document_filters": {
            "read": {"ownerId": {"$ne": "user_3"}, "make": "Honda", "miles": {"$gte": 10}},
            "write": true}}]});
    let app = App::builder()
        .json("data_sources/mongodb-atlas/default_rule.json", roles)
        .file("sync/config.json", r#"{"queryable_fields_names": ["ownerId", "miles", "make"]}"#)
        .build()
        .unwrap();
    match app.choose_role("Car", &Bindings::new(User::new("user_7"))) {
        RoleChoice::Role(role) => role.read_filter().clone(),
        other => panic!("{other:?}"),
    }
}

fn cel(text: &str) -> Option<cel::Program> {
    Some(cel::Program::compile(text).unwrap())
}

fn logic(engine: &datalogic_rs::Engine, json: serde_json::Value) -> Option<datalogic_rs::Logic> {
    Some(engine.compile(&json.to_string()).unwrap())
}

pub fn cases(engine: &datalogic_rs::Engine) -> Vec<Case> {
    use serde_json::json;
    vec![
        Case {
            name: "seed",
            text: "miles < 100 OR miles == $0 ($0 = null)",
            ours: Ours::Query(query("miles < 100 OR miles == $0", &[Bson::Null])),
            closure_raw: |d| match d.get("miles") {
                Ok(Some(RawBsonRef::Int32(m))) => m < 100,
                Ok(Some(RawBsonRef::Null) | None) => true,
                _ => false,
            },
            closure_struct: |c| c.miles.is_none_or(|m| m < 100),
            naive: Naive::Or(vec![Naive::Lt("miles", 100.0), Naive::IsNull("miles")]),
            cel: cel("miles == null || miles < 100"),
            datalogic: logic(
                engine,
                json!({"or": [{"==": [{"var": "miles"}, null]}, {"<": [{"var": "miles"}, 100]}]}),
            ),
        },
        Case {
            name: "owner",
            text: "ownerId == \"user_42\"",
            ours: Ours::Query(query("ownerId == \"user_42\"", &[])),
            closure_raw: |d| matches!(d.get_str("ownerId"), Ok("user_42")),
            closure_struct: |c| c.owner_id == "user_42",
            naive: Naive::EqStr("ownerId", "user_42"),
            cel: cel("ownerId == 'user_42'"),
            datalogic: logic(engine, json!({"==": [{"var": "ownerId"}, "user_42"]})),
        },
        Case {
            name: "role3",
            text: "role filter {ownerId: {$ne: user_3}, make: Honda, miles: {$gte: 10}}",
            ours: Ours::Role(role_filter()),
            closure_raw: |d| {
                !matches!(d.get_str("ownerId"), Ok("user_3"))
                    && matches!(d.get_str("make"), Ok("Honda"))
                    && matches!(d.get("miles"), Ok(Some(RawBsonRef::Int32(m))) if m >= 10)
            },
            closure_struct: |c| {
                c.owner_id != "user_3" && c.make == "Honda" && c.miles.is_some_and(|m| m >= 10)
            },
            naive: Naive::And(vec![
                Naive::NeStr("ownerId", "user_3"),
                Naive::EqStr("make", "Honda"),
                Naive::Ge("miles", 10.0),
            ]),
            cel: cel("ownerId != 'user_3' && make == 'Honda' && miles != null && miles >= 10"),
            datalogic: logic(
                engine,
                json!({"and": [{"!=": [{"var": "ownerId"}, "user_3"]},
                               {"==": [{"var": "make"}, "Honda"]},
                               {"!=": [{"var": "miles"}, null]},
                               {">=": [{"var": "miles"}, 10]}]}),
            ),
        },
        Case {
            name: "contains_c",
            text: "make CONTAINS[c] \"ond\"",
            ours: Ours::Query(query("make CONTAINS[c] \"ond\"", &[])),
            closure_raw: |d| d.get_str("make").is_ok_and(|m| contains_ci(m, "ond")),
            closure_struct: |c| contains_ci(&c.make, "ond"),
            naive: Naive::ContainsCi("make", "ond"),
            cel: cel("make.matches('(?i)ond')"),
            // datalogic-rs 5.4 gave no hits for `{"in": ["ond", {"lower": {"var": "make"}}]}`;
            // not compared.
            datalogic: None,
        },
        Case {
            name: "like",
            text: "model LIKE \"*iv?c*\"",
            ours: Ours::Query(query("model LIKE \"*iv?c*\"", &[])),
            closure_raw: |d| d.get_str("model").is_ok_and(like_iv_c),
            closure_struct: |c| like_iv_c(&c.model),
            naive: Naive::LikeIvC("model"),
            cel: cel("model.matches('iv.c')"),
            datalogic: None,
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// cel: a resolver reading the current raw document lazily, field by field.

/// Resolves CEL variables from one raw document of a batch; the index says which.
pub struct CelDoc<'a> {
    pub docs: &'a [&'a RawDocument],
    pub at: AtomicUsize,
}

impl cel::context::VariableResolver for CelDoc<'_> {
    fn resolve<'b>(&'b self, name: &str) -> Option<cel::common::value::CowVal<'b, 'b>> {
        use cel::common::types::{CelBool, CelInt, CelNull, CelString};
        use cel::common::value::CowVal;
        let d = self.docs.get(self.at.load(Ordering::Relaxed))?;
        Some(match d.get(name).ok().flatten() {
            Some(RawBsonRef::Int32(i)) => CowVal::owned(CelInt::from(i64::from(i))),
            Some(RawBsonRef::Int64(i)) => CowVal::owned(CelInt::from(i)),
            Some(RawBsonRef::String(s)) => CowVal::owned(CelString::from(s)),
            Some(RawBsonRef::Boolean(b)) => CowVal::owned(CelBool::from(b)),
            _ => CowVal::owned(CelNull),
        })
    }
}

/// Hits of a CEL program over raw documents (errors count as no match).
pub fn cel_hits(program: &cel::Program, docs: &[&RawDocument]) -> usize {
    let resolver = CelDoc { docs, at: AtomicUsize::new(0) };
    let mut ctx = cel::Context::default();
    ctx.set_variable_resolver(&resolver);
    let mut hits = 0;
    for i in 0..docs.len() {
        resolver.at.store(i, Ordering::Relaxed);
        if matches!(program.execute(&ctx), Ok(cel::Value::Bool(true))) {
            hits += 1;
        }
    }
    hits
}

/// Hits of a datalogic-rs rule over pre-parsed documents.
pub fn datalogic_hits(
    engine: &datalogic_rs::Engine,
    logic: &datalogic_rs::Logic,
    docs: &[datalogic_rs::ParsedData],
) -> usize {
    let mut session = engine.session();
    let mut hits = 0;
    for d in docs {
        if session.eval_borrowed(logic, d).ok().and_then(|v| v.as_bool()) == Some(true) {
            hits += 1;
        }
        session.reset();
    }
    hits
}

/// The Car app of the seed scenario (owner-only read and write filters on `ownerId`).
pub fn car_app() -> App {
    App::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/apps/car")))
        .unwrap()
}

/// The fan-out workload's session `i`: user `u<i>` subscribing to `ownerId == "u<i>"`, and one
/// session in ten also to `miles < 100`, one in ten to `TRUEPREDICATE`, one in ten to
/// `miles BETWEEN {100, 200}`. Returns the session and its number of subscriptions.
pub fn fanout_session(app: &App, i: usize) -> (flexrules::judge::Session, usize) {
    use flexrules::judge::{Session, Subscription};
    let own = format!("ownerId == \"u{i}\"");
    let mut queries = vec![own.as_str()];
    match i % 10 {
        1 => queries.push("miles < 100"),
        2 => queries.push("TRUEPREDICATE"),
        3 => queries.push("miles BETWEEN {100, 200}"),
        _ => {}
    }
    let subs: Vec<Subscription> = queries
        .iter()
        .map(|q| Subscription { name: None, table: "Car".into(), query: (*q).into(), args: vec![] })
        .collect();
    let user = User::from_json_str(&format!(r#"{{"id": "u{i}"}}"#)).unwrap();
    (Session::new(app, &Bindings::new(user), &subs).unwrap(), subs.len())
}

/// One change of a Car of a random owner among `owners` users (one in eight an owner with no
/// session): its pre- and post-image, with random mileage.
pub fn changed_car(rng: &mut Rng, owners: usize) -> (Document, Document) {
    let owner = rng.below(owners as u64 + owners as u64 / 8 + 1);
    let id = rng.next() as i64;
    let pre = doc! {"_id": id, "ownerId": format!("u{owner}"), "make": "Ford",
    "miles": rng.below(300) as i64};
    let mut post = pre.clone();
    post.insert("miles", rng.below(300) as i64);
    (pre, post)
}
