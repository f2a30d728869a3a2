use bson::spec::BinarySubtype;
use bson::{Binary, Bson, Document, doc};
use proptest::prelude::*;

use super::*;

fn bytes_of(doc: &Document) -> Vec<u8> {
    doc.to_vec().unwrap()
}

fn leaf() -> impl Strategy<Value = Bson> {
    prop_oneof![
        Just(Bson::Null),
        any::<bool>().prop_map(Bson::Boolean),
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        any::<f64>().prop_map(Bson::Double),
        "[a-zé🦄]{0,6}".prop_map(Bson::String),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(|bytes| Bson::Binary(Binary {
            subtype: if bytes.len() == 16 { BinarySubtype::Uuid } else { BinarySubtype::Generic },
            bytes
        })),
        any::<i64>().prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(bson::Decimal128::from_bytes(b))),
        Just(Bson::MaxKey),
    ]
}

fn value() -> impl Strategy<Value = Bson> {
    leaf().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Bson::Array),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..5)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = Document> {
    prop::collection::vec(("[a-e]{1,2}", value()), 0..8).prop_map(|kv| kv.into_iter().collect())
}

#[test]
fn lookup_and_scan_read_the_same_values() {
    let d = doc! {
        "a": 1_i32, "name": "Bob", "n": Bson::Null, "big": 5_i64, "f": 2.5,
        "u": Bson::Binary(Binary { subtype: BinarySubtype::Uuid, bytes: vec![7; 16] }),
        "sub": { "x": [1_i32, "two"] }, "tail": true,
    };
    let bytes = bytes_of(&d);
    let raw = DocRef::from_bytes(&bytes).unwrap();
    let dec = DocRef::decoded(&d);
    let set = FieldSet::new(["tail", "name", "missing", "u"]);
    for doc in [raw, dec] {
        let mut slots = [None; 4];
        set.scan(&doc, &mut slots).unwrap();
        assert!(matches!(slots[0], Some(ValueRef::Bool(true))));
        assert!(matches!(slots[1], Some(ValueRef::String(b"Bob"))));
        assert!(slots[2].is_none());
        assert!(matches!(slots[3], Some(ValueRef::Uuid(u)) if u == [7; 16]));
        let x = doc.get_path(&["sub", "x"], 100).unwrap().unwrap();
        let ValueRef::Array(arr) = x else { panic!("{x:?}") };
        assert!(matches!(arr.get(1).unwrap(), Some(ValueRef::String(b"two"))));
        assert!(matches!(doc.get("n").unwrap(), Some(ValueRef::Null)));
        assert!(doc.get_path(&["a", "x"], 100).unwrap().is_none());
        assert!(doc.get_path(&["sub", "x"], 1).is_err());
    }
}

#[test]
fn scan_stops_at_the_last_wanted_field() {
    // Everything after `a` is garbage; a scan for `a` alone never looks at it.
    let mut bytes = bytes_of(&doc! { "a": 1_i32, "b": 2_i32 });
    let b_type = bytes.iter().position(|&x| x == b'b').unwrap() - 1;
    bytes[b_type] = 0x42;
    let raw = DocRef::from_bytes(&bytes).unwrap();
    let mut slots = [None];
    FieldSet::new(["a"]).scan(&raw, &mut slots).unwrap();
    assert!(matches!(slots[0], Some(ValueRef::Int(1))));
    let err = FieldSet::new(["b"]).scan(&raw, &mut slots).unwrap_err();
    assert_eq!(err.kind, DocumentErrorKind::UnknownType(0x42));
    assert_eq!(err.offset, b_type);
}

#[test]
fn truncated_and_lying_lengths_are_errors() {
    let bytes = bytes_of(&doc! { "s": "hello", "d": { "x": 1_i32 } });
    assert!(DocRef::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut lying = bytes.clone();
    lying[4 + 3] = 0x7f; // string length of `s` far past the end
    let raw = DocRef::from_bytes(&lying).unwrap();
    let mut slots = [None];
    assert!(FieldSet::new(["d"]).scan(&raw, &mut slots).is_err());
}

proptest! {
    #[test]
    fn raw_and_decoded_agree(d in document()) {
        let bytes = bytes_of(&d);
        let raw = DocRef::from_bytes(&bytes).unwrap();
        let dec = DocRef::decoded(&d);
        let mut ir = raw.iter();
        let mut id = dec.iter();
        loop {
            match (ir.next(), id.next()) {
                (None, None) => break,
                (Some(Ok((k1, v1))), Some(Ok((k2, v2)))) => {
                    prop_assert_eq!(k1, k2);
                    prop_assert!(v1.same_as(&v2, 100).unwrap(), "{:?} vs {:?}", v1, v2);
                }
                other => prop_assert!(false, "{:?}", other),
            }
        }
        let keys: Vec<String> = d.keys().cloned().chain(["zz".to_owned()]).collect();
        let set = FieldSet::new(&keys);
        let mut s1 = vec![None; set.len()];
        let mut s2 = vec![None; set.len()];
        set.scan(&raw, &mut s1).unwrap();
        set.scan(&dec, &mut s2).unwrap();
        for (a, b) in s1.iter().zip(&s2) {
            match (a, b) {
                (None, None) => {}
                (Some(a), Some(b)) => prop_assert!(a.same_as(b, 100).unwrap()),
                _ => prop_assert!(false, "{:?} vs {:?}", a, b),
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64), names in prop::collection::vec("[a-c]{1,2}", 0..4)) {
        if let Ok(doc) = DocRef::from_bytes(&bytes) {
            let set = FieldSet::new(&names);
            let mut slots = vec![None; set.len()];
            let _ = set.scan(&doc, &mut slots);
            for item in doc.iter() {
                let Ok((_, v)) = item else { break };
                let _ = v.same_as(&v, 3);
            }
        }
    }

    #[test]
    fn corrupted_documents_never_panic(d in document(), at in any::<prop::sample::Index>(), byte: u8) {
        let mut bytes = bytes_of(&d);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(doc) = DocRef::from_bytes(&bytes) {
            for item in doc.iter() {
                let Ok((_, v)) = item else { break };
                let _ = v.same_as(&v, 100);
            }
        }
    }
}
