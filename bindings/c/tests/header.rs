//! The committed header is what cbindgen generates from the sources today.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, reason = "a test failure is a panic")]

use std::path::Path;

#[test]
fn the_committed_header_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .unwrap();
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();
    let path = dir.join("include/flexrules.h");
    if std::env::var_os("FLEXRULES_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/flexrules.h is out of date; regenerate it with \
         `FLEXRULES_UPDATE_HEADER=1 cargo test -p flexrules-c --test header`"
    );
}
