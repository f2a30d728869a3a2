//! Rendering of errors that gather several tables and keys, and server-version numbering.

use super::{CompensatingWrite, ErrorContext, Key, Reason, Rejection, Style, WhichCheck};

fn rejection(table: &str, pk: Key, reason: Reason) -> Rejection {
    Rejection { table: table.to_owned(), pk, reason }
}

fn sample() -> CompensatingWrite {
    CompensatingWrite {
        rejections: vec![
            rejection("Person", Key::Int(1), Reason::OutsideView { matched_subscription: None }),
            rejection("Dog", Key::String("rex".into()), Reason::NoSubscription),
            rejection(
                "Person",
                Key::Int(2),
                Reason::NotAllowed { role: Some("r".into()), check: WhichCheck::WriteFilterAfter },
            ),
        ],
        client_version: 4,
        server_version: 9,
    }
}

#[test]
fn log_entry_groups_keys_by_table_in_first_written_order() {
    let want = "Error:\n\
        Client attempted a write that is not allowed; it has been reverted (ProtocolErrorCode=231)\n\
        Details:\n{\n\
        \"Person\": {\n\
        \"1\": \"write to 1 in table \\\"Person\\\" not allowed; object is outside of the current query view\",\n\
        \"2\": \"write to 2 in table \\\"Person\\\" was denied by write filter in role \\\"r\\\"\"\n\
        },\n\
        \"Dog\": {\n\
        \"rex\": \"cannot write to table \\\"Dog\\\" before opening a subscription on it\"\n\
        }\n}";
    assert_eq!(sample().log_entry(Style::Y2024), want);
}

#[test]
fn body_lists_every_rejection_and_the_head_counts_its_bytes() {
    let ctx = ErrorContext { log_url: "u".into(), recovery_mode_disabled: true, session_ident: 6 };
    let body = sample().body(Style::Y2023, &ctx);
    assert!(body.starts_with(r#"{"message":"Client attempted a write that is outside of permissions or query filters; it has been reverted","isRecoveryModeDisabled":true,"tryAgain":true,"logURL":"u","shouldClientReset":false,"action":"Warning","rejectedClientVersion":4,"rejectedUpdates":[{"table":"Person","pk":"AQE=","#));
    assert!(body.ends_with(r#""compensatingWriteServerVersion":9}"#));
    assert_eq!(
        sample().wire(Style::Y2023, &ctx),
        format!("json_error 231 {} 6\n{body}", body.len())
    );
}
