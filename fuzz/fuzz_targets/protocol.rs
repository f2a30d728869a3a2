//! Any bytes given to the protocol stage, as a message or as a bare changeset, yield a decoded
//! value or a typed error with an offset inside the input; whatever decodes encodes back to a
//! changeset that decodes to the same value. An UPLOAD is also judged by a session of the
//! `car-sync` app: it is judged or refused, and a refusal leaves the server state as it was.
#![no_main]

use flexrules::Limits;
use flexrules::protocol::{Changeset, Message};
use libfuzzer_sys::fuzz_target;

/// A session over the samples' schema, subscribed as realm-core's sample QUERY is.
fn session() -> &'static flexrules::judge::Session {
    static SESSION: std::sync::OnceLock<flexrules::judge::Session> = std::sync::OnceLock::new();
    SESSION.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/apps/car-sync");
        let app = flexrules::app::App::load(std::path::Path::new(dir)).expect("car-sync loads");
        let user = flexrules::rules::Bindings::new(flexrules::rules::User::new("u1"));
        let query = b"query 1 1 42\n{\"Car\":\"((miles < 100 or miles == NULL))\"}";
        flexrules::judge::Session::from_message(&app, &user, query).expect("the query compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    match Changeset::decode(data, &limits) {
        Ok(c) => {
            // Compared as bytes (a NaN payload is not equal to itself); the input itself may use
            // over-long integers, which encode back in their shortest form.
            let bytes = c.encode();
            let again = Changeset::decode(&bytes, &limits).expect("an encoded changeset decodes");
            assert_eq!(again.encode(), bytes);
        }
        Err(e) => assert!(e.offset() <= data.len(), "offset {} past {}", e.offset(), data.len()),
    }
    if let Ok(Message::Upload(u)) = Message::decode(data, &limits) {
        let again = Message::decode(&u.encode(), &limits).expect("an encoded upload decodes");
        let Message::Upload(back) = again else { panic!("not an upload") };
        assert_eq!(back.entries.len(), u.entries.len());
        for (a, b) in back.entries.iter().zip(&u.entries) {
            assert_eq!(a.changeset.encode(), b.changeset.encode());
        }
        let mut s = session().clone();
        if s.judge_upload(data).is_err() {
            assert_eq!(s.state(), session().state(), "a refused upload changed the state");
        }
    }
});
