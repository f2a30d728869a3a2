//! `flexrules decode` on the UPLOAD messages realm-core produced: the JSON is the header's
//! fields and, per changeset, realm-core's own parse of it; bad bytes exit 1 naming the file.

use serde_json::Value as Json;

fn decode(args: &[&str]) -> std::process::Output {
    crate::common::flexrules().arg("decode").args(args).output().unwrap()
}

#[test]
fn every_client_upload_prints_realm_cores_parse() {
    let names = ["c00_schema", "c01_insert_car", "c02_update_miles", "c03_insert_with_embedded"];
    for name in names.iter().chain(&["c04_update_embedded_field", "c05_list_append"]) {
        let sample: Json = serde_json::from_str(&crate::common::read_to_string(&format!(
            "fixtures/realm-sync/client/{name}.json"
        )))
        .unwrap();
        let file = format!("fixtures/realm-sync/client/{name}.upload.bin");
        let o = decode(&[&file, "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        let got: Json = serde_json::from_slice(&o.stdout).unwrap();
        let header: Vec<u64> = sample["upload_message_header"]
            .as_str()
            .unwrap()
            .split(' ')
            .skip(1)
            .map(|f| f.parse().unwrap())
            .collect();
        assert_eq!(got["message"], "upload");
        assert_eq!(got["session_ident"], header[0]);
        assert_eq!(got["is_body_compressed"], false);
        assert_eq!(got["progress_client_version"], header[4]);
        assert_eq!(got["progress_server_version"], header[5]);
        assert_eq!(got["locked_server_version"], header[6]);
        let entry = &sample["upload_entry"];
        let c = &got["changesets"][0];
        assert_eq!(c["client_version"], entry["client_version"], "{name}");
        assert_eq!(c["last_integrated_server_version"], entry["last_integrated_server_version"]);
        assert_eq!(c["origin_timestamp"], entry["origin_timestamp_ms_since_2015"]);
        assert_eq!(c["origin_file_ident"], entry["origin_file_ident"]);
        assert_eq!(c["instructions"], sample["parsed_by_realm_core"]["instructions"], "{name}");
        assert_eq!(c["interned_strings"], sample["parsed_by_realm_core"]["interned_strings"]);
        assert_eq!(got["changesets"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn text_output_lists_the_header_and_one_line_per_instruction() {
    let o = decode(&["fixtures/realm-sync/client/c02_update_miles.upload.bin"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        text,
        "upload is_body_compressed=false locked_server_version=2876 progress_client_version=6 \
         progress_server_version=2876 session_ident=1\n\
         changeset client_version=6 last_integrated_server_version=2876 \
         origin_timestamp=376137590788 origin_file_ident=0\n  \
         Update Car ObjectId(\"6424433fd4d9f52ee93ad58f\").miles is_default=false \
         value={\"type\":\"Int\",\"type_code\":1,\"value\":90000}\n"
    );
    let o =
        decode(&["fixtures/realm-sync/encoder/e03_delete_car.changeset.bin", "--format", "json"]);
    let got: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(got["message"], "changeset");
    assert_eq!(got["instructions"][0]["instruction"], "EraseObject");
}

#[test]
fn unreadable_bytes_exit_1_naming_the_file() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("decode");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.upload.bin");
    std::fs::write(&bad, b"upload 1 0 9 0 1 2 3\n1 2 3 4 5").unwrap();
    let o = decode(&[bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.upload.bin") && err.contains("at byte"), "{err}");
    let o = decode(&["fixtures/realm-sync/nope.bin"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.bin"));
}
