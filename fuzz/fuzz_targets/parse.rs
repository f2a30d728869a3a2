//! Any text given to the parser yields a tree or a typed error whose span lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = flexrules::parse(text) {
        let span = error.span();
        assert!(span.start <= span.end && span.end as usize <= text.len(), "span {span:?} outside the text");
        assert!(!error.to_string().is_empty());
    }
});
