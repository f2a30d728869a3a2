//! What every command-line test shares: the binary, run from the repository root so that the
//! fixture paths given to it (and echoed in its messages) are the same as in the README.

#![allow(clippy::unwrap_used, reason = "test code: a failure is a test failure")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root, where `fixtures/` lives.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The `flexrules` binary, to be run in the repository root.
pub(crate) fn flexrules() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flexrules"));
    command.current_dir(root());
    command
}

/// A fixture file's bytes, by its path from the repository root.
pub(crate) fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap()
}

/// A fixture file's text, by its path from the repository root.
pub(crate) fn read_to_string(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}
