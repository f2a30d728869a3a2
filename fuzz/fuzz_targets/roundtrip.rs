//! Every query that parses prints as text that parses back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(query) = flexrules::parse(text) else { return };
    let printed = query.to_string();
    match flexrules::parse(&printed) {
        Ok(again) => assert_eq!(again, query, "`{text}` printed as `{printed}`"),
        Err(error) => panic!("`{text}` printed as `{printed}`, which does not parse: {error}"),
    }
});
