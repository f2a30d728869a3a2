//! The sync protocol stage against bytes realm-core 14.14 produced (`fixtures/realm-sync/`):
//! every changeset decodes to realm-core's own parse of it, UPLOAD, QUERY and IDENT messages
//! give their headers' fields, encoding gives back the same bytes, and hostile bytes are typed
//! errors.

use std::fs;
use std::path::{Path, PathBuf};

use flexrules::Limits;
use flexrules::protocol::{
    Changeset, Message, ProtocolErrorKind, ServerMessage, Upload, UploadEntry, changeset_json,
};
use serde_json::Value as Json;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/realm-sync")
}

/// Every sample description that carries realm-core's parse, with its changeset bytes.
fn samples() -> Vec<(String, Json, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["client", "encoder"] {
        let mut names: Vec<PathBuf> = fs::read_dir(dir().join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        for path in names {
            let json: Json = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            if json.get("parsed_by_realm_core").is_none() {
                continue;
            }
            let file = json["files"]["changeset"].as_str().or(json["file"].as_str()).unwrap();
            let bytes = fs::read(dir().join(sub).join(file)).unwrap();
            out.push((format!("{sub}/{file}"), json, bytes));
        }
    }
    assert!(out.len() >= 15, "only {} samples", out.len());
    out
}

#[test]
fn every_changeset_decodes_to_realm_cores_parse_and_encodes_back() {
    let limits = Limits::default();
    for (name, json, bytes) in samples() {
        let c = Changeset::decode(&bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(changeset_json(&c), json["parsed_by_realm_core"], "{name}");
        assert_eq!(c.encode(), bytes, "{name}: encoding differs");
    }
}

#[test]
fn every_client_upload_message_decodes_with_its_header_and_entry() {
    let limits = Limits::default();
    for (name, json, bytes) in samples().into_iter().filter(|s| s.0.starts_with("client/")) {
        let file = json["files"]["upload_message"].as_str().unwrap();
        let message = fs::read(dir().join("client").join(file)).unwrap();
        let header = json["upload_message_header"].as_str().unwrap();
        assert!(message.starts_with(format!("{header}\n").as_bytes()), "{name}");
        let Message::Upload(u) = Message::decode(&message, &limits).unwrap() else {
            panic!("{name}: not an upload")
        };
        let fields: Vec<u64> = header.split(' ').skip(1).map(|f| f.parse().unwrap()).collect();
        assert_eq!(
            [
                u.session_ident,
                u.progress_client_version,
                u.progress_server_version,
                u.locked_server_version
            ],
            [fields[0], fields[4], fields[5], fields[6]],
            "{name}"
        );
        assert!(!u.compressed);
        let [entry] = u.entries.as_slice() else { panic!("{name}: one entry expected") };
        let want = &json["upload_entry"];
        assert_eq!(entry.client_version, want["client_version"].as_u64().unwrap(), "{name}");
        assert_eq!(
            entry.last_integrated_server_version,
            want["last_integrated_server_version"].as_u64().unwrap()
        );
        assert_eq!(
            entry.origin_timestamp,
            want["origin_timestamp_ms_since_2015"].as_u64().unwrap()
        );
        assert_eq!(entry.origin_file_ident, want["origin_file_ident"].as_u64().unwrap());
        assert_eq!(entry.changeset.encode(), bytes, "{name}");
        assert_eq!(changeset_json(&entry.changeset), json["parsed_by_realm_core"], "{name}");
        assert_eq!(u.encode(), message, "{name}: the message does not encode back");
        assert_eq!(message.len() as u64, json["upload_message_size"].as_u64().unwrap());
    }
}

#[test]
fn query_and_ident_messages_carry_the_subscription_set() {
    let limits = Limits::default();
    let json: Json =
        serde_json::from_str(&fs::read_to_string(dir().join("client/query.json")).unwrap())
            .unwrap();
    let body: Json = serde_json::from_str(json["query_body"].as_str().unwrap()).unwrap();
    let query = fs::read(dir().join("client/query.bin")).unwrap();
    let Message::Query(q) = Message::decode(&query, &limits).unwrap() else {
        panic!("not a query")
    };
    assert_eq!(q.query_version, json["query_version"].as_u64().unwrap());
    assert_eq!(Json::Object(q.body.clone()), body);
    let ident = fs::read(dir().join("client/ident.bin")).unwrap();
    let Message::Ident(i) = Message::decode(&ident, &limits).unwrap() else { panic!("not ident") };
    let h: Vec<u64> = json["ident_message_header"]
        .as_str()
        .unwrap()
        .split(' ')
        .skip(1)
        .map(|f| f.parse().unwrap())
        .collect();
    assert_eq!(
        [i.session_ident, i.client_file_ident, i.client_file_ident_salt, i.download_server_version],
        [h[0], h[1], h[2], h[3]]
    );
    assert_eq!(
        [i.download_client_version, i.latest_server_version, i.latest_server_version_salt],
        [h[4], h[5], h[6]]
    );
    assert_eq!(i.query_version, h[7]);
    assert_eq!(Json::Object(i.body), body);
}

/// An UPLOAD of many entries: a body over 1024 bytes is compressed, and decodes back.
fn bulk_upload(n: usize) -> Upload {
    let bytes = fs::read(dir().join("client/c01_insert_car.changeset.bin")).unwrap();
    let changeset = Changeset::decode(&bytes, &Limits::default()).unwrap();
    let entries = (0..n as u64)
        .map(|i| UploadEntry {
            client_version: 5 + i,
            last_integrated_server_version: 2876,
            origin_timestamp: 376_137_590_786 + i,
            origin_file_ident: 0,
            changeset: changeset.clone(),
        })
        .collect();
    Upload {
        session_ident: 1,
        progress_client_version: 5 + n as u64,
        progress_server_version: 2876,
        locked_server_version: 2876,
        compressed: n > 4,
        entries,
    }
}

#[test]
fn large_bodies_are_zlib_compressed_and_read_back() {
    let upload = bulk_upload(40);
    let bytes = upload.encode();
    assert!(bytes.starts_with(b"upload 1 1 "), "{}", String::from_utf8_lossy(&bytes[..30]));
    let Message::Upload(back) = Message::decode(&bytes, &Limits::default()).unwrap() else {
        panic!("not an upload")
    };
    assert_eq!(back, upload);
    let small = bulk_upload(1);
    assert!(small.encode().starts_with(b"upload 1 0 "));
}

#[test]
fn a_zlib_bomb_is_refused_before_it_is_inflated() {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![b' '; 50 << 20]).unwrap();
    let bomb = z.finish().unwrap();
    // It says 2,000 bytes: reading stops one byte past them.
    let mut m = format!("upload 1 1 2000 {} 5 2876 2876\n", bomb.len()).into_bytes();
    m.extend_from_slice(&bomb);
    let e = Message::decode(&m, &Limits::default()).unwrap_err();
    assert!(matches!(e.kind(), ProtocolErrorKind::Decompression(_)), "{e}");
    // It says 50 MiB: more than the limit, refused from the header.
    let mut m = format!("upload 1 1 {} {} 5 2876 2876\n", 50 << 20, bomb.len()).into_bytes();
    m.extend_from_slice(&bomb);
    let e = Message::decode(&m, &Limits::default()).unwrap_err();
    assert!(matches!(e.kind(), ProtocolErrorKind::TooLarge { .. }), "{e}");
}

#[test]
fn truncation_at_every_offset_is_an_error_or_a_prefix() {
    let limits = Limits::default();
    for (name, _, bytes) in samples() {
        let full = Changeset::decode(&bytes, &limits).unwrap();
        let all: Vec<_> = full.instructions().cloned().collect();
        for cut in 0..bytes.len() {
            match Changeset::decode(&bytes[..cut], &limits) {
                // A cut between instructions is a shorter, valid changeset.
                Ok(c) => {
                    let got: Vec<_> = c.instructions().cloned().collect();
                    assert_eq!(got[..], all[..got.len()], "{name} cut at {cut}");
                }
                Err(e) => assert!(e.offset() <= cut, "{name} cut at {cut}: {e}"),
            }
        }
    }
    for entry in fs::read_dir(dir().join("client")).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".upload.bin") {
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        for cut in 0..bytes.len() {
            assert!(Message::decode(&bytes[..cut], &limits).is_err(), "{path:?} cut at {cut}");
        }
    }
}

#[test]
fn hostile_changesets_are_typed_errors() {
    let limits = Limits::default();
    let cases: Vec<(Vec<u8>, ProtocolErrorKind)> = vec![
        (vec![0x0e], ProtocolErrorKind::UnknownInstruction(14)),
        (
            vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
            ProtocolErrorKind::IntegerOverflow,
        ),
        // EraseTable naming string 0 before any string is interned.
        (vec![0x01, 0x00], ProtocolErrorKind::UnknownString(0)),
        // String 1 interned first.
        (vec![0x3f, 0x01, 0x01, b'a'], ProtocolErrorKind::InternOrder { index: 1, expected: 0 }),
        // An interned string of 4 GiB: refused from its length, nothing is read.
        (
            vec![0x3f, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f],
            ProtocolErrorKind::TooLarge { what: "string", limit: 16 << 20 },
        ),
        // A length past 32 bits.
        (vec![0x3f, 0x00, 0xff, 0xff, 0xff, 0xff, 0x3f], ProtocolErrorKind::IntegerOverflow),
        (vec![0x3f, 0x00, 0x02, 0xff, 0xfe], ProtocolErrorKind::InvalidUtf8),
        // CreateObject with primary-key tag 4 (binary).
        (vec![0x3f, 0x00, 0x01, b'T', 0x02, 0x00, 0x04], ProtocolErrorKind::UnknownPrimaryKey(4)),
        // Update with payload tag 12.
        (
            vec![0x3f, 0x00, 0x01, b'T', 0x04, 0x00, 0x00, 0x00, 0x00, 0x0c],
            ProtocolErrorKind::UnknownPayload(12),
        ),
        // A path of 1,000 steps.
        (
            vec![0x3f, 0x00, 0x01, b'T', 0x04, 0x00, 0x00, 0x00, 0xe8, 0x0f],
            ProtocolErrorKind::TooLarge { what: "path", limit: 128 },
        ),
        // AddTable with table type 7.
        (
            vec![0x3f, 0x00, 0x01, b'T', 0x00, 0x00, 0x07],
            ProtocolErrorKind::BadEnum { what: "table type", value: 7 },
        ),
    ];
    for (bytes, want) in cases {
        let e = Changeset::decode(&bytes, &limits).unwrap_err();
        assert_eq!(e.kind(), &want, "{bytes:02x?}");
    }
    let mut small = Limits::default();
    small.max_instructions = 3;
    let e = Changeset::decode(&[0x3f, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00], &small)
        .unwrap_err();
    assert!(matches!(e.kind(), ProtocolErrorKind::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_messages_are_typed_errors() {
    let limits = Limits::default();
    for bytes in [
        &b""[..],
        b"upload",
        b"upload 1 0 5 0 1 2 3",
        b"upload 1 0 5 0 1 2 3\nabc",
        b"upload 1 0 3 0 1 2 3 9\nabc",
        b"upload x 0 3 0 1 2 3\nabc",
        b"upload 1 0 12 0 1 2 3\n1 2 3 4 99 ab",
        b"query 1 1 2\n[]",
        b"query 1 1 5\n{\"a\":",
        b"ident 1 2 3\n",
        b"download 1 2 3\n",
        b"\xff\xfe\n",
    ] {
        assert!(Message::decode(bytes, &limits).is_err(), "{:?}", String::from_utf8_lossy(bytes));
    }
    let e = Message::decode(b"download 1\n", &limits).unwrap_err();
    assert_eq!(e.kind(), &ProtocolErrorKind::UnknownMessage("download".into()));
}

#[test]
fn server_messages_have_realm_cores_framing() {
    // The 231 message the demo answers (its bytes are what realm-core's client parsed, see
    // fixtures/realm-sync/server/).
    let wire = fs::read(dir().join("server/flexrules_cv25.json_error.bin")).unwrap();
    let text = String::from_utf8(wire.clone()).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    let fields: Vec<&str> = head.split(' ').collect();
    let m = ServerMessage::JsonError {
        code: fields[1].parse().unwrap(),
        session_ident: fields[3].parse().unwrap(),
        body: body.to_owned(),
    };
    assert_eq!(m.encode(), wire);
    let q = ServerMessage::QueryError {
        code: 226,
        session_ident: 1,
        query_version: 2,
        message: "Invalid query".into(),
    };
    assert_eq!(q.encode(), b"query_error 226 13 1 2\nInvalid query");
    let e = ServerMessage::Error {
        code: 212,
        try_again: false,
        session_ident: 1,
        message: "bad".into(),
    };
    assert_eq!(e.encode(), b"error 212 3 0 1\nbad");
}

/// Cars that tell the sample subscriptions apart.
fn cars() -> Vec<bson::Document> {
    use bson::doc;
    let oid = bson::oid::ObjectId::parse_str("6424433fd4d9f52ee93ad58f").unwrap();
    vec![
        doc! {"_id": oid, "ownerId": "6424433e4d4b3c9f0a7a1b2c", "make": "Toyota", "miles": 2_i64,
        "tags": ["red"], "features": {"color": "blue"}, "engine": {"horsepower": 200_i64}},
        doc! {"_id": bson::oid::ObjectId::new(), "ownerId": "u2", "make": "Honda", "miles": 90_000_i64,
        "model": "Civic", "tags": [], "features": {}},
        doc! {"_id": bson::oid::ObjectId::new(), "ownerId": "u3", "make": "O'Brien \"quoted\" \\ back",
        "tags": ["blue", "red"], "engine": {"horsepower": 100_i64}},
        doc! {"_id": bson::oid::ObjectId::new(), "ownerId": "u4", "make": "toyota", "miles": 7_i64},
        doc! {"_id": bson::oid::ObjectId::new(), "ownerId": "u5", "make": "Ford", "miles": 12_i64},
    ]
}

#[test]
fn realm_cores_serialised_queries_select_what_the_user_queries_select() {
    // A server sees only `Query::get_description()` of each subscription; the RQL front end
    // must read that dialect (`B64"…"`, `oid(…)`, `NULL`, `!(…)`, lower-case `or`/`between`)
    // and mean the same as the user's query with its arguments.
    let limits = Limits::default();
    let schema = fs::read_to_string(dir().join("car.schema.json")).unwrap();
    let table = flexrules::schema::Table::from_json_str(&schema).unwrap();
    let pairs: Json = serde_json::from_str(
        &fs::read_to_string(dir().join("client/query_descriptions.json")).unwrap(),
    )
    .unwrap();
    let docs = cars();
    let mut compared = 0;
    for pair in pairs.as_array().unwrap() {
        let Some(description) = pair["get_description"].as_str() else { continue };
        let rql = pair["rql"].as_str().unwrap();
        let args: Vec<bson::Bson> = pair["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| bson::Bson::try_from(a.clone()).unwrap())
            .collect();
        let user = flexrules::compile(&flexrules::parse(rql).unwrap(), &table, &args, &limits)
            .unwrap_or_else(|e| panic!("{rql}: {e}"));
        let served = flexrules::parse(description)
            .map_err(|e| e.to_string())
            .and_then(|q| flexrules::compile(&q, &table, &[], &limits).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("{description}: {e}"));
        assert_eq!(served.run(docs.as_slice()), user.run(docs.as_slice()), "{rql} / {description}");
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} pairs");
}
