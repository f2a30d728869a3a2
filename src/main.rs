//! The `flexrules` command line; everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    flexrules::cli::main()
}
