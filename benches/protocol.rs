//! An UPLOAD of 1,000 new Car objects (one changeset: 1,000 CreateObject and 3,000 Update
//! instructions, as the sync client writes an insert of four fields): decoding it, and decoding,
//! integrating and judging it in a session of the seed's Car app (every car its user's, in view),
//! against a floor that only reads every byte once, measured in the same run.

use std::hint::black_box;

use criterion::BatchSize;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flexrules::Limits;
use flexrules::app::App;
use flexrules::judge::{Changeset, Key, Session, Subscription, Write};
use flexrules::protocol::{Instruction, Message, PrimaryKey};
use flexrules::rules::{Bindings, User};

/// The UPLOAD's bytes and its instruction count (interned strings included).
fn upload(objects: u32, owner: impl Fn(u32) -> String) -> (Vec<u8>, u64) {
    let mut c = Vec::new();
    for (i, s) in ["Car", "ownerId", "make", "miles"].iter().enumerate() {
        c.extend_from_slice(&[0x3f, i as u8, s.len() as u8]);
        c.extend_from_slice(s.as_bytes());
    }
    for n in 0..objects {
        let mut oid = [0x64u8, 0x24, 0x43, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0];
        oid[8..].copy_from_slice(&n.to_be_bytes());
        let pk = |c: &mut Vec<u8>| {
            c.push(0x0a);
            c.extend_from_slice(&oid);
        };
        c.extend_from_slice(&[0x02, 0x00]);
        pk(&mut c);
        let owner = owner(n);
        c.extend_from_slice(&[0x04, 0x00]);
        pk(&mut c);
        c.extend_from_slice(&[0x01, 0x00, 0x03, owner.len() as u8]);
        c.extend_from_slice(owner.as_bytes());
        c.push(0x00);
        c.extend_from_slice(&[0x04, 0x00]);
        pk(&mut c);
        c.extend_from_slice(&[0x02, 0x00, 0x03, 0x06]);
        c.extend_from_slice(b"Toyota");
        c.push(0x00);
        c.extend_from_slice(&[0x04, 0x00]);
        pk(&mut c);
        c.extend_from_slice(&[0x03, 0x00, 0x01, (n % 60) as u8, 0x00]);
    }
    let mut body = format!("5 2876 376137590786 0 {} ", c.len()).into_bytes();
    body.extend_from_slice(&c);
    let mut m = format!("upload 1 0 {} 0 5 2876 2876\n", body.len()).into_bytes();
    m.extend_from_slice(&body);
    (m, 4 + 4 * u64::from(objects))
}

fn bench(c: &mut Criterion) {
    let (bytes, instructions) = upload(1000, |n| format!("user_{:04}", n % 1000));
    let limits = Limits::default();
    let Message::Upload(u) = Message::decode(&bytes, &limits).unwrap() else { panic!("upload") };
    assert_eq!(u.entries[0].changeset.instructions().count() as u64, instructions - 4);
    let mut g = c.benchmark_group("protocol");
    g.throughput(Throughput::Elements(instructions));
    g.bench_function("floor/read_every_byte", |b| {
        b.iter(|| black_box(&bytes).iter().fold(0u64, |a, &x| a.wrapping_add(u64::from(x))))
    });
    g.bench_function("decode/upload_1000_objects", |b| {
        b.iter(|| Message::decode(black_box(&bytes), &limits).unwrap())
    });
    // Decode + integrate + judge: every car belongs to the session's user and is in view.
    let (owned, _) = upload(1000, |_| "u1".to_owned());
    let app = App::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/apps/car"
    )))
    .unwrap();
    let subs = [Subscription {
        name: None,
        table: "Car".into(),
        query: "miles < 100 OR miles == $0".into(),
        args: vec![bson::Bson::Null],
    }];
    let session = Session::new(&app, &Bindings::new(User::new("u1")), &subs).unwrap();
    let judged = session.clone().judge_upload(&owned).unwrap();
    assert_eq!(judged.outcomes[0].accepted, 1000);
    assert!(judged.outcomes[0].rejected.is_empty());
    // The same 1,000 inserts given to the judge as JSON-form writes: judging alone.
    let Message::Upload(decoded) = Message::decode(&owned, &limits).unwrap() else { panic!() };
    let mut json_form = session.clone();
    let writes: Vec<Write> = decoded.entries[0]
        .changeset
        .instructions()
        .filter_map(|i| match i {
            Instruction::CreateObject { object: PrimaryKey::ObjectId(b), .. } => Some(*b),
            _ => None,
        })
        .enumerate()
        .map(|(n, oid)| {
            let id = bson::oid::ObjectId::from_bytes(oid);
            Write::Insert {
                table: "Car".into(),
                pk: Key::ObjectId(oid),
                object: bson::doc! {"_id": id, "ownerId": "u1", "make": "Toyota",
                "miles": (n % 60) as i64},
            }
        })
        .collect();
    let changeset = Changeset { client_version: 5, server_version: None, writes };
    assert_eq!(json_form.judge(&changeset).accepted, 1000);
    g.bench_function("judge/json_writes_1000_objects", |b| {
        b.iter_batched(
            || session.clone(),
            |mut s| s.judge(black_box(&changeset)),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("decode_judge/upload_1000_objects", |b| {
        b.iter_batched(
            || session.clone(),
            |mut s| s.judge_upload(black_box(&owned)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
