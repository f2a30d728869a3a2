//! Decoding an UPLOAD of 1,000 new Car objects (one changeset: 1,000 CreateObject and 3,000
//! Update instructions, as the sync client writes an insert of four fields), against a floor that
//! only reads every byte once. Judging decoded uploads is not built yet, so only decoding is
//! measured.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flexrules::Limits;
use flexrules::protocol::Message;

/// The UPLOAD's bytes and its instruction count (interned strings included).
fn upload(objects: u32) -> (Vec<u8>, u64) {
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
        let owner = format!("user_{:04}", n % 1000);
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
    let (bytes, instructions) = upload(1000);
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
