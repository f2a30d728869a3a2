//! Judging what realm's sync client sends (`fixtures/realm-sync/`): UPLOAD bytes are integrated
//! and judged exactly as the same writes given as JSON, QUERY and IDENT open and change the
//! subscription set, and refusals (212, 210, 226) are typed values that render as the server's
//! messages.

use std::fs;
use std::path::{Path, PathBuf};

use bson::{Bson, Document, doc};
use flexrules::app::App;
use flexrules::judge::{
    Changeset, IntegrateErrorKind, Key, QueryErrorKind, Session, State, Subscription,
    UploadErrorKind, Write,
};
use flexrules::protocol::{
    self, CollectionType, Instruction, PathElement, PathInstr, Payload, PrimaryKey, TableType,
    UpdateTail, Upload, UploadEntry,
};
use flexrules::rules::{Bindings, User};
use serde_json::Value as Json;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn dir() -> PathBuf {
    root().join("realm-sync")
}

fn app() -> App {
    App::load(&root().join("apps/car-sync")).unwrap()
}

/// The user the samples' cars belong to.
const OWNER: &str = "6424433e4d4b3c9f0a7a1b2c";

fn bindings(user: &str) -> Bindings {
    Bindings::new(User::new(user))
}

fn json(path: &Path) -> Json {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The client samples, in client-version order, with their UPLOAD bytes.
fn client_samples() -> Vec<(Json, Vec<u8>)> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir().join("client"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with('c') && name.ends_with(".json") && !name.contains("query")
        })
        .collect();
    names.sort();
    let samples: Vec<(Json, Vec<u8>)> = names
        .iter()
        .map(|p| {
            let j = json(p);
            let upload =
                fs::read(dir().join("client").join(j["files"]["upload_message"].as_str().unwrap()))
                    .unwrap();
            (j, upload)
        })
        .collect();
    assert!(samples.len() >= 6, "only {} client samples", samples.len());
    samples
}

/// The sample subscription, as the user wrote it.
fn sample_subscription() -> Vec<Subscription> {
    let q = json(&dir().join("client/query.json"));
    let s = &q["subscription"];
    vec![Subscription {
        name: s["name"].as_str().map(str::to_owned),
        table: s["table"].as_str().unwrap().to_owned(),
        query: s["rql"].as_str().unwrap().to_owned(),
        args: s["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| Bson::try_from(a.clone()).unwrap())
            .collect(),
    }]
}

fn bson(j: &Json) -> Bson {
    Bson::try_from(j.clone()).unwrap()
}

/// A sample's object-level `writes` as judge writes. The samples write `_id` for the key,
/// dotted names for embedded fields and `list_append` for appends; each becomes the new value
/// of its top-level field, read from the object the session holds.
fn judge_writes(sample: &Json, state: &State) -> Vec<Write> {
    let mut out = Vec::new();
    for w in sample["writes"].as_array().unwrap() {
        let table = w["table"].as_str().unwrap().to_owned();
        match w["op"].as_str().unwrap() {
            "insert" => {
                let Bson::Document(object) = bson(&w["object"]) else { panic!("object") };
                let pk = Key::from_bson(object.get("_id").unwrap()).unwrap();
                out.push(Write::Insert { table, pk, object });
            }
            "update" => {
                let pk = Key::from_bson(&bson(&w["_id"])).unwrap();
                let current = state.get(&table, &pk).cloned().unwrap_or_default();
                let mut set = Document::new();
                for (k, v) in w.get("set").and_then(Json::as_object).into_iter().flatten() {
                    match k.split_once('.') {
                        None => {
                            set.insert(k.clone(), bson(v));
                        }
                        Some((field, sub)) => {
                            let mut inner =
                                current.get_document(field).cloned().unwrap_or_default();
                            inner.insert(sub, bson(v));
                            set.insert(field, inner);
                        }
                    }
                }
                for (k, v) in w.get("list_append").and_then(Json::as_object).into_iter().flatten() {
                    let mut list = current.get_array(k).cloned().unwrap_or_default();
                    list.extend(v.as_array().unwrap().iter().map(bson));
                    set.insert(k.clone(), list);
                }
                out.push(Write::Update { table, pk, set, unset: Vec::new() });
            }
            "delete" => {
                let pk = Key::from_bson(&bson(&w["_id"])).unwrap();
                out.push(Write::Delete { table, pk });
            }
            other => panic!("op {other}"),
        }
    }
    out
}

/// Every object of the samples, as relaxed Extended JSON (an `int` written as JSON and as a
/// changeset's 64-bit integer read the same).
fn objects(state: &State, keys: &[Key]) -> Vec<Option<Json>> {
    keys.iter()
        .map(|k| state.get("Car", k).map(|d| Bson::Document(d.clone()).into_relaxed_extjson()))
        .collect()
}

#[test]
fn client_samples_and_their_writes_get_the_same_verdicts() {
    let app = app();
    let query = fs::read(dir().join("client/query.bin")).unwrap();
    let (mut accepted, mut rejected) = (0, 0);
    for user in [OWNER, "someone-else"] {
        let mut by_json = Session::new(&app, &bindings(user), &sample_subscription()).unwrap();
        let mut by_bytes = Session::from_message(&app, &bindings(user), &query).unwrap();
        let mut keys = Vec::new();
        for (sample, upload) in client_samples() {
            let name = sample["name"].as_str().unwrap();
            let writes = judge_writes(&sample, by_json.state());
            for w in &writes {
                if !keys.contains(w.pk()) {
                    keys.push(w.pk().clone());
                }
            }
            let cv = sample["client_version"].as_i64().unwrap();
            let want =
                by_json.judge(&Changeset { client_version: cv, server_version: None, writes });
            let got = by_bytes.judge_upload(&upload).unwrap_or_else(|e| panic!("{name}: {e}"));
            let [got] = got.outcomes.as_slice() else { panic!("{name}: one outcome expected") };
            assert_eq!(got.client_version, want.client_version, "{name}");
            assert_eq!(got.accepted, want.accepted, "{user} {name}: accepted");
            assert_eq!(got.rejected, want.rejected, "{user} {name}: rejected");
            assert_eq!(got.reverted_with, want.reverted_with, "{user} {name}");
            assert_eq!(got.error.is_some(), want.error.is_some(), "{user} {name}");
            if let Some(e) = &got.error {
                assert_eq!(
                    e.client_version, cv,
                    "{name}: the 231 names the entry's client version"
                );
            }
            assert_eq!(
                objects(by_bytes.state(), &keys),
                objects(by_json.state(), &keys),
                "{user} {name}: server state"
            );
            accepted += got.accepted;
            rejected += got.rejected.len();
        }
    }
    // Both verdicts occur, so the comparison means something.
    assert!(accepted >= 4 && rejected >= 2, "accepted {accepted}, rejected {rejected}");
}

#[test]
fn the_owner_uploads_build_the_cars_realm_core_describes() {
    let app = app();
    // Subscribed to all the owner's cars (the sample query loses the first one at 90,000 miles).
    let query = query_message(1, &format!(r#"{{"Car":"(ownerId == \"{OWNER}\")"}}"#));
    let mut session = Session::from_message(&app, &bindings(OWNER), &query).unwrap();
    for (sample, upload) in client_samples() {
        let o = session.judge_upload(&upload).unwrap();
        assert!(o.outcomes.iter().all(|o| o.rejected.is_empty()), "{}", sample["name"]);
    }
    let oid = |h: &str| Key::ObjectId(bson::oid::ObjectId::parse_str(h).unwrap().bytes());
    let first = session.state().get("Car", &oid("6424433fd4d9f52ee93ad58f")).unwrap();
    assert_eq!(first.get("miles"), Some(&Bson::Int64(90_000)));
    assert_eq!(first.get_array("tags").unwrap(), &vec![Bson::from("red"), Bson::from("fast")]);
    let second = session.state().get("Car", &oid("6424433fd4d9f52ee93ad592")).unwrap();
    assert_eq!(
        second.get_document("engine").unwrap(),
        &doc! {"horsepower": 200_i64, "fuel": "petrol"}
    );
    assert_eq!(session.integrated_client_version(), 9);
}

/// Building changesets on top of the owner's first car (c01): the session and the car's key.
fn session_with_first_car() -> (Session, PrimaryKey) {
    let app = app();
    let query = fs::read(dir().join("client/query.bin")).unwrap();
    let mut session = Session::from_message(&app, &bindings(OWNER), &query).unwrap();
    let c01 = fs::read(dir().join("client/c01_insert_car.upload.bin")).unwrap();
    session.judge_upload(&c01).unwrap();
    let oid = bson::oid::ObjectId::parse_str("6424433fd4d9f52ee93ad58f").unwrap();
    (session, PrimaryKey::ObjectId(oid.bytes()))
}

fn upload(entries: Vec<(u64, protocol::Changeset)>) -> Vec<u8> {
    let last = entries.last().map_or(0, |e| e.0);
    Upload {
        session_ident: 1,
        progress_client_version: last,
        progress_server_version: 2876,
        locked_server_version: 2876,
        compressed: false,
        entries: entries
            .into_iter()
            .map(|(client_version, changeset)| UploadEntry {
                client_version,
                last_integrated_server_version: 2876,
                origin_timestamp: 376_137_590_800,
                origin_file_ident: 0,
                changeset,
            })
            .collect(),
    }
    .encode()
}

/// A changeset of one instruction on the first car: `make(cs, table, field)` builds it.
fn one(
    pk: &PrimaryKey,
    field: &str,
    path: &[&str],
    make: impl FnOnce(PathInstr) -> Instruction,
) -> protocol::Changeset {
    let mut cs = protocol::Changeset::new();
    let table = cs.intern("Car");
    let field = cs.intern(field);
    let path = path
        .iter()
        .map(|p| match p.parse::<u32>() {
            Ok(i) => PathElement::Index(i),
            Err(_) => PathElement::Key(cs.intern(p)),
        })
        .collect();
    cs.push(make(PathInstr { table, object: pk.clone(), field, path }));
    cs
}

/// A refused changeset: what it does, its bytes, and the error it must give.
type Case = (&'static str, protocol::Changeset, fn(&IntegrateErrorKind) -> bool);

#[test]
fn changesets_the_server_cannot_integrate_are_typed_212_errors() {
    let (template, pk) = session_with_first_car();
    let string = || Payload::String("x".into());
    let cases: Vec<Case> = vec![
        (
            "append with a wrong prior size",
            one(&pk, "tags", &["0"], |at| Instruction::ArrayInsert {
                at,
                value: string(),
                prior_size: 1,
            }),
            |k| matches!(k, IntegrateErrorKind::PriorSize { prior_size: 1, size: 0, .. }),
        ),
        (
            "insert past the end",
            one(&pk, "tags", &["2"], |at| Instruction::ArrayInsert {
                at,
                value: string(),
                prior_size: 0,
            }),
            |k| matches!(k, IntegrateErrorKind::Index { index: 2, size: 0, .. }),
        ),
        (
            "erase from an empty list",
            one(&pk, "tags", &["0"], |at| Instruction::ArrayErase { at, prior_size: 0 }),
            |k| matches!(k, IntegrateErrorKind::Index { index: 0, size: 0, .. }),
        ),
        (
            "move with a wrong prior size",
            one(&pk, "tags", &["1"], |at| Instruction::ArrayMove { at, ndx_2: 0, prior_size: 2 }),
            |k| matches!(k, IntegrateErrorKind::PriorSize { prior_size: 2, size: 0, .. }),
        ),
        (
            "set a list element with a wrong prior size",
            one(&pk, "tags", &["0"], |at| Instruction::Update {
                at,
                value: string(),
                tail: UpdateTail::PriorSize(3),
            }),
            |k| matches!(k, IntegrateErrorKind::PriorSize { prior_size: 3, .. }),
        ),
        (
            "a field the app does not have",
            one(&pk, "wheels", &[], |at| Instruction::Update {
                at,
                value: Payload::Int(4),
                tail: UpdateTail::IsDefault(false),
            }),
            |k| matches!(k, IntegrateErrorKind::UnknownField(f) if f == "Car.wheels"),
        ),
        (
            "an embedded field the app does not have",
            one(&pk, "engine", &["valves"], |at| Instruction::Update {
                at,
                value: Payload::Int(4),
                tail: UpdateTail::IsDefault(false),
            }),
            |k| matches!(k, IntegrateErrorKind::UnknownField(f) if f.ends_with(".valves")),
        ),
        (
            "a string into an int field",
            one(&pk, "miles", &[], |at| Instruction::Update {
                at,
                value: string(),
                tail: UpdateTail::IsDefault(false),
            }),
            |k| matches!(k, IntegrateErrorKind::TypeMismatch { changeset: "string", .. }),
        ),
        (
            "null into a required field",
            one(&pk, "make", &[], |at| Instruction::Update {
                at,
                value: Payload::Null,
                tail: UpdateTail::IsDefault(false),
            }),
            |k| matches!(k, IntegrateErrorKind::Null(f) if f == "Car.make"),
        ),
        (
            "a field of an embedded object that is null",
            one(&pk, "engine", &["horsepower"], |at| Instruction::Update {
                at,
                value: Payload::Int(1),
                tail: UpdateTail::IsDefault(false),
            }),
            |k| matches!(k, IntegrateErrorKind::BadPath { problem: "is null", .. }),
        ),
        (
            "erase a field that is not a dictionary value",
            one(&pk, "model", &[], |at| Instruction::Update {
                at,
                value: Payload::Erased,
                tail: UpdateTail::IsDefault(false),
            }),
            |k| matches!(k, IntegrateErrorKind::BadPath { .. }),
        ),
        (
            "a set operation on a list",
            one(&pk, "tags", &[], |at| Instruction::SetInsert { at, value: string() }),
            |k| matches!(k, IntegrateErrorKind::BadPath { problem: "is not a set", .. }),
        ),
    ];
    let mut more: Vec<Case> = Vec::new();
    let mut cs = protocol::Changeset::new();
    let boat = cs.intern("Boat");
    cs.push(Instruction::CreateObject { table: boat, object: PrimaryKey::Int(1) });
    more.push((
        "a table the app does not have",
        cs,
        |k| matches!(k, IntegrateErrorKind::UnknownTable(t) if t == "Boat"),
    ));
    let mut cs = protocol::Changeset::new();
    let car = cs.intern("Car");
    cs.push(Instruction::CreateObject { table: car, object: PrimaryKey::Int(1) });
    more.push(("an int key for an objectId table", cs, |k| {
        matches!(k, IntegrateErrorKind::KeyType { changeset: "int", .. })
    }));
    let mut cs = protocol::Changeset::new();
    let boat = cs.intern("Boat");
    let id = cs.intern("_id");
    cs.push(Instruction::AddTable {
        table: boat,
        table_type: TableType::TopLevel,
        pk: Some(protocol::PrimaryKeySpec { field: id, ty: 10, nullable: false }),
    });
    more.push(("AddTable of a table the app does not have", cs, |k| {
        matches!(k, IntegrateErrorKind::UnknownTable(_))
    }));
    for (field, ty, nullable, collection, expect) in [
        ("wheels", 1, false, CollectionType::Single, "unknown"),
        ("miles", 3, true, CollectionType::Single, "mismatch"),
        ("miles", 1, false, CollectionType::Single, "mismatch"),
        ("tags", 3, false, CollectionType::Set, "mismatch"),
    ] {
        let mut cs = protocol::Changeset::new();
        let car = cs.intern("Car");
        let field = cs.intern(field);
        cs.push(Instruction::AddColumn {
            table: car,
            field,
            ty,
            nullable,
            collection,
            link_target: None,
            key_type: None,
        });
        let check: fn(&IntegrateErrorKind) -> bool = if expect == "unknown" {
            |k| matches!(k, IntegrateErrorKind::UnknownField(_))
        } else {
            |k| matches!(k, IntegrateErrorKind::SchemaMismatch { .. })
        };
        more.push(("AddColumn unlike the app's column", cs, check));
    }
    let mut cs = protocol::Changeset::new();
    let car = cs.intern("Car");
    cs.push(Instruction::EraseTable { table: car });
    more.push((
        "EraseTable",
        cs,
        |k| matches!(k, IntegrateErrorKind::SchemaErase(t) if t == "Car"),
    ));
    for (name, changeset, check) in cases.into_iter().chain(more) {
        let mut session = template.clone();
        let before = session.state().clone();
        // A valid changeset first: the UPLOAD is refused as a whole.
        let valid = one(&pk, "miles", &[], |at| Instruction::Update {
            at,
            value: Payload::Int(7),
            tail: UpdateTail::IsDefault(false),
        });
        let bytes = upload(vec![(6, valid), (7, changeset)]);
        let e = session.judge_upload(&bytes).unwrap_err();
        assert_eq!(e.code(), 212, "{name}: {e}");
        let UploadErrorKind::BadChangeset { client_version: 7, error } = e.kind() else {
            panic!("{name}: {e}")
        };
        assert!(check(error.kind()), "{name}: {error}");
        assert_eq!(error.pointer(), "/instructions/0", "{name}");
        assert_eq!(session.state(), &before, "{name}: the state is left as it was");
        assert_eq!(session.integrated_client_version(), 5, "{name}");
        let message = e.server_message().encode();
        let text = String::from_utf8(message).unwrap();
        let (head, body) = text.split_once('\n').unwrap();
        assert_eq!(head, format!("error 212 {} 0 1", body.len()), "{name}");
        assert!(body.contains("client version 7"), "{name}: {body}");
    }
}

#[test]
fn the_samples_schema_instructions_match_the_app() {
    let (session, _) = session_with_first_car();
    let mut s = session.clone();
    let c00 = fs::read(dir().join("client/c00_schema.upload.bin")).unwrap();
    // c00 is client version 4, below c01's 5: skipped; a fresh session integrates it.
    assert_eq!(s.judge_upload(&c00).unwrap().skipped, vec![4]);
    let app = app();
    let query = fs::read(dir().join("client/query.bin")).unwrap();
    let mut fresh = Session::from_message(&app, &bindings(OWNER), &query).unwrap();
    let o = fresh.judge_upload(&c00).unwrap();
    assert_eq!(o.outcomes[0].accepted, 0);
    // The car app of the seed has no `engine`, `tags` or `features`: the same schema is refused.
    let seed_app = App::load(&root().join("apps/car")).unwrap();
    let mut seed = Session::from_message(&seed_app, &bindings(OWNER), &query).unwrap();
    let e = seed.judge_upload(&c00).unwrap_err();
    let UploadErrorKind::BadChangeset { error, .. } = e.kind() else { panic!("{e}") };
    assert!(matches!(error.kind(), IntegrateErrorKind::UnknownTable(t) if t == "Engine"), "{e}");
}

#[test]
fn entries_integrated_before_are_skipped() {
    let (mut session, pk) = session_with_first_car();
    let c01 = fs::read(dir().join("client/c01_insert_car.upload.bin")).unwrap();
    let again = session.judge_upload(&c01).unwrap();
    assert_eq!(again.skipped, vec![5]);
    assert!(again.outcomes.is_empty());
    let set = |miles| {
        one(&pk, "miles", &[], move |at| Instruction::Update {
            at,
            value: Payload::Int(miles),
            tail: UpdateTail::IsDefault(false),
        })
    };
    // A re-upload of 5 with a new 6: only 6 is judged.
    let both = upload(vec![(5, set(1)), (6, set(3))]);
    let o = session.judge_upload(&both).unwrap();
    assert_eq!(o.skipped, vec![5]);
    assert_eq!(o.outcomes.iter().map(|o| o.client_version).collect::<Vec<_>>(), vec![6]);
    let oid = bson::oid::ObjectId::parse_str("6424433fd4d9f52ee93ad58f").unwrap();
    let car = session.state().get("Car", &Key::ObjectId(oid.bytes())).unwrap().clone();
    assert_eq!(car.get("miles"), Some(&Bson::Int64(3)));
    // Versions out of order in one message: 210.
    let e = session.judge_upload(&upload(vec![(9, set(4)), (8, set(5))])).unwrap_err();
    assert_eq!(e.code(), 210, "{e}");
    assert_eq!(session.integrated_client_version(), 6);
    assert_eq!(session.state().get("Car", &Key::ObjectId(oid.bytes())), Some(&car));
}

fn query_message(version: u64, body: &str) -> Vec<u8> {
    format!("query 1 {version} {}\n{body}", body.len()).into_bytes()
}

/// An UPLOAD inserting one car of the owner with `miles`.
fn insert_car(client_version: u64, n: u8, miles: i64) -> Vec<u8> {
    let mut cs = protocol::Changeset::new();
    let car = cs.intern("Car");
    let pk = PrimaryKey::ObjectId([0x65, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n]);
    cs.push(Instruction::CreateObject { table: car, object: pk.clone() });
    for (field, value) in [
        ("ownerId", Payload::String(OWNER.into())),
        ("make", Payload::String("Kia".into())),
        ("miles", Payload::Int(miles)),
    ] {
        let field = cs.intern(field);
        cs.push(Instruction::Update {
            at: PathInstr { table: car, object: pk.clone(), field, path: vec![] },
            value,
            tail: UpdateTail::IsDefault(false),
        });
    }
    upload(vec![(client_version, cs)])
}

#[test]
fn query_and_ident_messages_open_and_change_the_subscription_set() {
    let app = app();
    let ident = fs::read(dir().join("client/ident.bin")).unwrap();
    let mut session = Session::from_message(&app, &bindings(OWNER), &ident).unwrap();
    assert_eq!(session.query_version(), 1);
    let o = session.judge_upload(&insert_car(5, 1, 50)).unwrap();
    assert!(o.outcomes[0].rejected.is_empty());
    assert_eq!(session.receive_query(&query_message(2, r#"{"Car":"(miles > 1000)"}"#)), Ok(2));
    assert_eq!(session.query_version(), 2);
    let o = session.judge_upload(&insert_car(6, 2, 60)).unwrap();
    assert_eq!(o.outcomes[0].rejected.len(), 1, "60 miles is outside the new set");
    // `make` is not queryable: the set is refused with 226 and the session keeps version 2.
    let refused = query_message(3, r#"{"Car":"(make == \"Kia\")"}"#);
    let e = session.receive_query(&refused).unwrap_err();
    assert!(matches!(e.kind(), QueryErrorKind::Subscription(_)), "{e}");
    assert_eq!(e.query_version(), 3);
    let m = e.server_message(flexrules::judge::Style::Y2023).encode();
    let text = String::from_utf8(m).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    assert_eq!(head, format!("query_error 226 {} 1 3", body.len()));
    assert!(body.contains("make"), "{body}");
    assert_eq!(session.query_version(), 2);
    let o = session.judge_upload(&insert_car(7, 3, 5000)).unwrap();
    assert!(o.outcomes[0].rejected.is_empty(), "the version 2 set still holds");
    // An empty set: nothing is subscribed, so every write is refused.
    session.receive_query(&query_message(4, "{}")).unwrap();
    let o = session.judge_upload(&insert_car(8, 4, 1)).unwrap();
    assert_eq!(o.outcomes[0].rejected.len(), 1);
    // Unknown tables, bodies that are not strings, and other messages are typed refusals.
    for (bytes, is) in [
        (query_message(5, r#"{"Boat":"(x == 1)"}"#), "subscription"),
        (query_message(5, r#"{"Car":7}"#), "not a string"),
        (fs::read(dir().join("client/c01_insert_car.upload.bin")).unwrap(), "not a query"),
        (b"query 1 5 9\n{}".to_vec(), "protocol"),
    ] {
        let e = session.receive_query(&bytes).unwrap_err();
        let ok = match e.kind() {
            QueryErrorKind::Subscription(_) => is == "subscription",
            QueryErrorKind::NotAString(_) => is == "not a string",
            QueryErrorKind::NotAQuery(_) => is == "not a query",
            QueryErrorKind::Protocol(_) => is == "protocol",
            _ => false,
        };
        assert!(ok, "{is}: {e}");
    }
}

#[test]
fn the_231_names_the_entry_and_the_session() {
    let (mut session, _) = session_with_first_car();
    let other = {
        let mut cs = protocol::Changeset::new();
        let car = cs.intern("Car");
        let pk = PrimaryKey::ObjectId([0x66; 12]);
        cs.push(Instruction::CreateObject { table: car, object: pk.clone() });
        let owner = cs.intern("ownerId");
        cs.push(Instruction::Update {
            at: PathInstr { table: car, object: pk, field: owner, path: vec![] },
            value: Payload::String("someone-else".into()),
            tail: UpdateTail::IsDefault(false),
        });
        cs
    };
    let o = session.judge_upload(&upload(vec![(11, other)])).unwrap();
    let ctx = flexrules::judge::ErrorContext { session_ident: 1, ..Default::default() };
    let [m] = o.server_messages(flexrules::judge::Style::Y2023, &ctx).try_into().unwrap();
    let text = String::from_utf8(m.encode()).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    assert_eq!(head, format!("json_error 231 {} 1", body.len()));
    let body: Json = serde_json::from_str(body).unwrap();
    assert_eq!(body["rejectedClientVersion"], 11);
    // The client had integrated 2876 and c01 became 2877; this changeset becomes 2878, its
    // compensating write 2879.
    assert_eq!(body["compensatingWriteServerVersion"], 2879);
}

#[test]
fn hostile_uploads_are_typed_errors_and_change_nothing() {
    let (template, _) = session_with_first_car();
    for (sample, bytes) in client_samples() {
        for cut in 0..bytes.len() {
            let mut s = template.clone();
            assert!(s.judge_upload(&bytes[..cut]).is_err(), "{} cut at {cut}", sample["name"]);
            assert_eq!(s.state(), template.state());
        }
        for at in 0..bytes.len() {
            for mask in [0x01, 0x40, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[at] ^= mask;
                let mut s = template.clone();
                // Either judged or refused; a refusal leaves the state as it was.
                if s.judge_upload(&b).is_err() {
                    assert_eq!(s.state(), template.state(), "{} byte {at}", sample["name"]);
                }
            }
        }
    }
}

/// The demo's changesets (`fixtures/demo/changesets.ndjson`) as the UPLOAD messages a sync client
/// would send for them, built with the project's encoder: CreateObject, then one Update per
/// field, each string interned just before its first use. The client had integrated server
/// version 2874, so the changesets become 2875, 2876 and 2878 and the two compensating writes
/// 2877 and 2879, the versions the docs' log shows.
fn demo_uploads() -> Vec<(String, Vec<u8>)> {
    let text = fs::read_to_string(root().join("demo/changesets.ndjson")).unwrap();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line: Json = serde_json::from_str(line).unwrap();
        let cv = line["client_version"].as_u64().unwrap();
        let mut cs = protocol::Changeset::new();
        for w in line["writes"].as_array().unwrap() {
            assert_eq!(w["op"], "insert", "the demo only inserts");
            let Bson::Document(object) = bson(&w["object"]) else { panic!("object") };
            let table = cs.intern(w["table"].as_str().unwrap());
            let Some(Bson::ObjectId(oid)) = object.get("_id") else { panic!("_id") };
            let pk = PrimaryKey::ObjectId(oid.bytes());
            cs.push(Instruction::CreateObject { table, object: pk.clone() });
            for (k, v) in &object {
                let value = match v {
                    Bson::ObjectId(_) => continue,
                    Bson::String(s) => Payload::String(s.clone()),
                    Bson::Int32(i) => Payload::Int(i64::from(*i)),
                    Bson::Int64(i) => Payload::Int(*i),
                    other => panic!("the demo writes no {other:?}"),
                };
                let field = cs.intern(k);
                cs.push(Instruction::Update {
                    at: PathInstr { table, object: pk.clone(), field, path: vec![] },
                    value,
                    tail: UpdateTail::IsDefault(false),
                });
            }
        }
        let bytes = Upload {
            session_ident: 1,
            progress_client_version: cv,
            progress_server_version: 2874,
            locked_server_version: 2874,
            compressed: false,
            entries: vec![UploadEntry {
                client_version: cv,
                last_integrated_server_version: 2874,
                origin_timestamp: 376_137_590_000 + n as u64,
                origin_file_ident: 0,
                changeset: cs,
            }],
        }
        .encode();
        out.push((format!("cv{cv}.upload.bin"), bytes));
    }
    out
}

#[test]
fn the_demo_uploads_are_the_encoders_bytes() {
    // `FLEXRULES_BLESS=1` rewrites them.
    let dir = root().join("demo/upload");
    let bless = std::env::var_os("FLEXRULES_BLESS").is_some();
    let uploads = demo_uploads();
    assert_eq!(uploads.len(), 3);
    for (name, bytes) in uploads {
        let path = dir.join(&name);
        if bless {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &bytes).unwrap();
        }
        assert_eq!(fs::read(&path).unwrap(), bytes, "{name}: run with FLEXRULES_BLESS=1");
        // realm's own framing: the decoder reads back what was encoded.
        let protocol::Message::Upload(u) =
            protocol::Message::decode(&bytes, &flexrules::Limits::default()).unwrap()
        else {
            panic!("{name}")
        };
        assert_eq!(u.encode(), bytes);
    }
}
