//! `flexrules check --upload/--query`: raw sync protocol messages as input give the same output
//! as the NDJSON forms, refusals name the file and the server's answer, and re-uploads are
//! skipped.

use std::process::Output;

use crate::common::flexrules;

fn run(args: &[&str]) -> Output {
    flexrules().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const DEMO: [&str; 5] =
    ["check", "--app", "fixtures/apps/car", "--user", "fixtures/demo/user.json"];
const DEMO_UPLOADS: [&str; 3] = [
    "fixtures/demo/upload/cv17.upload.bin",
    "fixtures/demo/upload/cv21.upload.bin",
    "fixtures/demo/upload/cv25.upload.bin",
];

#[test]
fn the_demo_as_upload_and_query_bytes_gives_the_ndjson_output() {
    for format in ["json", "text"] {
        for style in ["2023", "2024"] {
            let common = ["--format", format, "--server-style", style];
            let ndjson = run(&[
                &DEMO[..],
                &["--subscriptions", "fixtures/demo/subscriptions.json"],
                &["--changesets", "fixtures/demo/changesets.ndjson"],
                &common,
            ]
            .concat());
            assert_eq!(ndjson.status.code(), Some(0), "{}", text(&ndjson.stderr));
            // The subscription as realm-core sends it (`query 1 1 42` …), the writes as UPLOADs.
            let bytes = run(&[
                &DEMO[..],
                &["--query", "fixtures/realm-sync/client/query.bin"],
                &["--upload"],
                &DEMO_UPLOADS[..],
                &common,
            ]
            .concat());
            assert_eq!(bytes.status.code(), Some(0), "{}", text(&bytes.stderr));
            assert_eq!(text(&bytes.stdout), text(&ndjson.stdout), "{format} {style}");
            assert!(bytes.stderr.is_empty());
        }
    }
}

#[test]
fn a_reupload_is_skipped_and_said_so() {
    let o = run(&[
        &DEMO[..],
        &["--query", "fixtures/realm-sync/client/ident.bin"],
        &["--upload", DEMO_UPLOADS[0], DEMO_UPLOADS[0], "--format", "json"],
    ]
    .concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let lines: Vec<serde_json::Value> =
        text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["accepted"], 1);
    assert_eq!(lines[1], serde_json::json!({"client_version": 17, "skipped": true}));
}

#[test]
fn refusals_name_the_file_and_the_servers_answer() {
    let dir = std::env::temp_dir().join(format!("flexrules-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let query = dir.join("query.bin");
    std::fs::write(&query, b"query 1 3 25\n{\"Car\":\"(make == \\\"x\\\")\"}").unwrap();
    let q = query.to_str().unwrap();
    let o = run(&[&DEMO[..], &["--query", q, "--upload", DEMO_UPLOADS[0]]].concat());
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.starts_with(&format!("flexrules: {q}: ")), "{err}");
    assert!(err.contains("`query_error 226 "), "{err}");
    // The seed's car app has no `engine`, `tags` or `features`: the samples' schema is refused.
    let o = run(&[
        &DEMO[..],
        &["--query", "fixtures/realm-sync/client/query.bin"],
        &["--upload", "fixtures/realm-sync/client/c00_schema.upload.bin"],
    ]
    .concat());
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(
        err,
        "flexrules: fixtures/realm-sync/client/c00_schema.upload.bin: bad changeset at client \
         version 4: at /instructions/0 (AddTable): table `Engine` is not in the app's schema \
         (the server answers error 212)\n"
    );
    // A file that is not an UPLOAD, and a truncated one.
    for (file, says) in [
        ("fixtures/realm-sync/client/query.bin", "not an upload message"),
        ("fixtures/realm-sync/client/c01_insert_car.changeset.bin", "unknown message type"),
    ] {
        let o = run(&[
            &DEMO[..],
            &["--subscriptions", "fixtures/demo/subscriptions.json", "--upload", file],
        ]
        .concat());
        assert_eq!(o.status.code(), Some(1), "{file}");
        let err = text(&o.stderr);
        assert!(err.starts_with(&format!("flexrules: {file}: ")) && err.contains(says), "{err}");
        assert!(o.stdout.is_empty());
    }
    // Both inputs of a kind, or neither: bad usage.
    let o = run(&[
        &DEMO[..],
        &["--subscriptions", "fixtures/demo/subscriptions.json"],
        &["--changesets", "fixtures/demo/changesets.ndjson", "--upload", DEMO_UPLOADS[0]],
    ]
    .concat());
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[&DEMO[..], &["--changesets", "fixtures/demo/changesets.ndjson"]].concat());
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_client_samples_judge_end_to_end() {
    let mut args = vec![
        "check",
        "--app",
        "fixtures/apps/car-sync",
        "--user",
        "fixtures/demo/user.json",
        "--query",
        "fixtures/realm-sync/client/query.bin",
        "--format",
        "json",
        "--upload",
    ];
    let files: Vec<String> = [
        "c00_schema",
        "c01_insert_car",
        "c02_update_miles",
        "c03_insert_with_embedded",
        "c04_update_embedded_field",
        "c05_list_append",
    ]
    .iter()
    .map(|n| format!("fixtures/realm-sync/client/{n}.upload.bin"))
    .collect();
    args.extend(files.iter().map(String::as_str));
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let lines: Vec<serde_json::Value> =
        text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let versions: Vec<i64> = lines.iter().map(|l| l["client_version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [4, 5, 6, 7, 8, 9]);
    // The car left the view at 90,000 miles (c02, accepted: it was in view before); the
    // append to it (c05) is reverted, every other write accepted.
    let accepted: Vec<i64> = lines.iter().map(|l| l["accepted"].as_i64().unwrap()).collect();
    assert_eq!(accepted, [0, 1, 1, 1, 1, 0]);
    assert_eq!(
        lines[5]["rejected"][0]["pk"],
        serde_json::json!({"$oid": "6424433fd4d9f52ee93ad58f"})
    );
    assert_eq!(lines[5]["error"]["body"]["rejectedClientVersion"], 9);
}
