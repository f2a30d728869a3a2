//! The JSON API (`flexrules::api`): its answers are the command line's golden outputs for the
//! same inputs, sessions answer as one-shot calls do, and bad fields are named by pointer.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test failure is a panic")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test failure is a panic")]

use serde_json::{Value as Json, json};

use flexrules::api::{Session, call, call_str};

mod docs;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json_file(path: &str) -> Json {
    serde_json::from_str(&read(path)).unwrap()
}

fn ndjson(path: &str) -> Vec<Json> {
    read(path)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The inputs of cli/tests/cli/check.rs, by value.
fn check_request() -> Json {
    json!({
        "app": "fixtures/apps/car",
        "user": json_file("fixtures/users/u1.json"),
        "subscriptions": json_file("fixtures/judge/cli/subscriptions.json"),
        "state": ndjson("fixtures/judge/cli/state.ndjson"),
        "changesets": ndjson("fixtures/judge/cli/changesets.ndjson"),
    })
}

fn ok(response: Json) -> Json {
    assert_eq!(response["ok"], true, "{response}");
    assert_eq!(response["api_version"], 1);
    response["result"].clone()
}

#[test]
fn check_answers_the_golden_lines_of_the_command_line() {
    let result = ok(call("check", &check_request()));
    let expected = ndjson("fixtures/judge/cli/expected-2023.ndjson");
    assert_eq!(result, Json::Array(expected));
}

#[test]
fn a_session_judges_as_check_does() {
    let mut open = check_request();
    let changesets = open.as_object_mut().unwrap().remove("changesets").unwrap();
    let session = Session::open(&open).unwrap();
    let lines: Vec<Json> =
        changesets.as_array().unwrap().iter().map(|c| session.judge(c).unwrap()).collect();
    assert_eq!(Json::Array(lines), ok(call("check", &check_request())));
}

#[test]
fn preflight_agrees_with_the_first_judgement_and_leaves_the_state() {
    let mut open = check_request();
    let changesets = open.as_object_mut().unwrap().remove("changesets").unwrap();
    let session = Session::open(&open).unwrap();
    let lines = ok(call("check", &check_request()));
    // Each single-write changeset, preflighted in a fresh session, is accepted exactly when the
    // check line of a session that judged the earlier changesets accepted it.
    for (c, line) in changesets.as_array().unwrap().iter().zip(lines.as_array().unwrap()) {
        let writes = c["writes"].as_array().unwrap();
        let verdict = (writes.len() == 1).then(|| session.preflight(&writes[0]).unwrap());
        assert_eq!(&session.judge(c).unwrap(), line);
        let Some(verdict) = verdict else { continue };
        assert_eq!(verdict["accepted"], json!(line["rejected"].as_array().unwrap().is_empty()));
        if verdict["accepted"] == false {
            assert_eq!(verdict["reason"], line["rejected"][0]["reason"]);
        }
    }
}

#[test]
fn an_app_given_as_files_loads_as_the_directory_does() {
    let mut request = check_request();
    let mut files = serde_json::Map::new();
    for entry in walk("fixtures/apps/car") {
        let rel = entry.strip_prefix("fixtures/apps/car/").unwrap().to_owned();
        files.insert(rel, json_file(&entry));
    }
    request["app"] = Json::Object(files);
    assert_eq!(call("check", &request), call("check", &check_request()));
}

fn walk(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let shown = path.display().to_string();
        if path.is_dir() {
            out.extend(walk(&shown));
        } else if shown.ends_with(".json") {
            out.push(shown);
        }
    }
    out
}

#[test]
fn bad_fields_are_named_by_pointer() {
    let cases: [(&str, Json, &str, &str); 6] = [
        ("check", json!([]), "bad_request", ""),
        (
            "check",
            json!({"app": "fixtures/apps/car", "user": {"id": 3}, "subscriptions": [], "changesets": []}),
            "user",
            "/user/id",
        ),
        ("frobnicate", json!({}), "unknown_operation", ""),
        ("version", json!({"extra": 1}), "bad_request", "/extra"),
        (
            "query",
            json!({"schema": {"title": "T"}, "objects": [], "query": "a =="}),
            "query",
            "/query",
        ),
        ("translate", json!({"query": "x"}), "bad_request", "/schema"),
    ];
    for (op, request, kind, pointer) in cases {
        let r = call(op, &request);
        assert_eq!(r["ok"], false, "{op} {request}: {r}");
        assert_eq!(r["error"]["kind"], kind, "{op} {request}: {r}");
        assert_eq!(r["error"]["pointer"], pointer, "{op} {request}: {r}");
        // Only errors about the app, the user, the inputs and subscriptions carry a code.
        assert_eq!(r["error"]["code"].is_string(), kind == "user", "{op} {request}: {r}");
    }
    let mut request = check_request();
    request["changesets"][1]["writes"][0]["op"] = json!("upsert");
    let r = call("check", &request);
    assert_eq!(r["error"]["kind"], "input");
    assert_eq!(r["error"]["pointer"], "/changesets/1/writes/0/op");
    assert_eq!(r["error"]["code"], "FR305", "the stable code of an unknown op: {r}");
    let r: Json = serde_json::from_str(&call_str("check", "{not json")).unwrap();
    assert_eq!(r["error"]["kind"], "bad_request");
}

#[test]
fn version_lists_every_operation_and_each_answers() {
    let v = ok(call("version", &json!({})));
    for op in v["operations"].as_array().unwrap() {
        let r = call(op.as_str().unwrap(), &json!({}));
        // Every operation is known: an empty request is refused for its fields, not its name.
        assert_ne!(r["error"]["kind"], "unknown_operation", "{op}: {r}");
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn base64_of(path: &str) -> String {
    b64(&std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// The demo twice: as NDJSON with subscriptions, and as raw QUERY and UPLOAD messages.
#[test]
fn check_takes_upload_and_query_messages_as_base64() {
    let demo = |by_bytes: bool| {
        let mut r = json!({
            "app": "fixtures/apps/car",
            "user": json_file("fixtures/demo/user.json"),
        });
        let m = r.as_object_mut().unwrap();
        if by_bytes {
            m.insert(
                "query_message".into(),
                json!(base64_of("fixtures/realm-sync/client/query.bin")),
            );
            let uploads: Vec<String> = ["cv17", "cv21", "cv25"]
                .iter()
                .map(|cv| base64_of(&format!("fixtures/demo/upload/{cv}.upload.bin")))
                .collect();
            m.insert("upload".into(), json!(uploads));
        } else {
            m.insert("subscriptions".into(), json_file("fixtures/demo/subscriptions.json"));
            m.insert("changesets".into(), Json::Array(ndjson("fixtures/demo/changesets.ndjson")));
        }
        r
    };
    let by_bytes = ok(call("check", &demo(true)));
    assert_eq!(by_bytes, ok(call("check", &demo(false))));
    assert_eq!(by_bytes.as_array().unwrap().len(), 3);
    // A session takes the same bytes one message at a time; a re-upload is skipped.
    let mut open = demo(true);
    open.as_object_mut().unwrap().remove("upload");
    let session = Session::open(&open).unwrap();
    let first = std::fs::read("fixtures/demo/upload/cv17.upload.bin").unwrap();
    assert_eq!(session.judge_upload(&first).unwrap()[0], by_bytes[0]);
    assert_eq!(
        session.judge_upload(&first).unwrap(),
        json!([{"client_version": 17, "skipped": true}])
    );
    // Refusals name the field.
    let mut bad = demo(true);
    bad["upload"][0] = json!(base64_of("fixtures/realm-sync/client/c00_schema.upload.bin"));
    let e = call("check", &bad);
    assert_eq!(e["error"]["kind"], "protocol", "{e}");
    assert_eq!(e["error"]["pointer"], "/upload/0");
    assert!(e["error"]["message"].as_str().unwrap().contains("error 212"), "{e}");
    let mut bad = demo(true);
    bad["query_message"] = json!(b64(b"query 1 2 21\n{\"Car\":\"(make == 3)\"}"));
    let e = call("check", &bad);
    assert_eq!(e["error"]["kind"], "subscription", "{e}");
    assert_eq!(e["error"]["pointer"], "/query_message");
    let mut both = demo(true);
    both["changesets"] = json!([]);
    assert_eq!(call("check", &both)["error"]["pointer"], "/upload");
}
