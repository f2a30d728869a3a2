//! Any bytes given to the protocol stage, as a message or as a bare changeset, yield a decoded
//! value or a typed error with an offset inside the input; whatever decodes encodes back to a
//! changeset that decodes to the same value.
#![no_main]

use flexrules::Limits;
use flexrules::protocol::{Changeset, Message};
use libfuzzer_sys::fuzz_target;

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
    }
});
