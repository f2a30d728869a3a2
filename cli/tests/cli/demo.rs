//! `flexrules demo` prints the seed page's client log lines and App Services log entries word
//! for word (`fixtures/demo/seed-blocks.txt`, the page's excerpts as single log lines; blocks are
//! separated by a blank line, and a log entry — a block opening with `Error:` — must appear whole).

#[test]
fn the_demo_prints_the_seed_lines_word_for_word() {
    let out = crate::common::flexrules().arg("demo").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = crate::common::read_to_string("fixtures/demo/seed-blocks.txt");
    let blocks: Vec<&str> = expected.split("\n\n").map(str::trim_end).collect();
    assert_eq!(blocks.len(), 4, "two client logs and two log entries");
    for block in blocks {
        if block.starts_with("Error:") {
            assert!(text.contains(block), "missing log entry:\n{block}");
        } else {
            for line in block.lines() {
                assert!(text.contains(line), "missing: {line}");
            }
        }
    }
    assert_eq!(text.matches("Verdict: accepted").count(), 1);
    assert_eq!(text.matches("Verdict: reverted").count(), 2);
}
