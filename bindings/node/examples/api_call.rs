//! The Rust side of the Node tests' comparison: reads a JSON array of `{"operation", "request"}`
//! on standard input and prints the array of `flexrules::api::call`'s responses, so that
//! test/api.test.js can check that the package answers exactly what the library answers.

use std::io::Read;
use std::process::ExitCode;

use serde_json::Value as Json;

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("api_call: cannot read standard input: {e}");
        return ExitCode::FAILURE;
    }
    let cases: Vec<Json> = match serde_json::from_str(&input) {
        Ok(Json::Array(cases)) => cases,
        Ok(_) => {
            eprintln!("api_call: standard input must be a JSON array of cases");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("api_call: standard input is not JSON: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut responses = Vec::with_capacity(cases.len());
    for (i, case) in cases.iter().enumerate() {
        let Some(operation) = case.get("operation").and_then(Json::as_str) else {
            eprintln!("api_call: case {i} has no string `operation`");
            return ExitCode::FAILURE;
        };
        responses.push(flexrules::api::call(operation, case.get("request").unwrap_or(&Json::Null)));
    }
    println!("{}", Json::Array(responses));
    ExitCode::SUCCESS
}
