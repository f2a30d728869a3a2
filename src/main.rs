//! The `flexrules` command line.

fn main() {}
