//! The examples of the RQL specification (`fixtures/rql/examples.tsv`) with their expected parse
//! outcome and, where given, their canonical printed form.

use std::fs;

use flexrules::rql::ParseErrorKind;

#[test]
fn specification_examples_parse_as_specified() {
    let text = fs::read_to_string("fixtures/rql/examples.tsv").expect("fixture file");
    let mut failures = Vec::new();
    let mut count = 0;
    for (number, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        count += 1;
        let columns: Vec<&str> = line.split('\t').collect();
        let [query, outcome, canonical, note] = columns[..] else {
            panic!("line {}: expected 4 columns, found {}", number + 1, columns.len());
        };
        let result = flexrules::parse(query);
        let problem = match (outcome, &result) {
            ("ok", Ok(parsed)) | (_, Ok(parsed))
                if outcome == "ok" || outcome.starts_with("bind:") =>
            {
                let printed = parsed.to_string();
                match flexrules::parse(&printed) {
                    Ok(again) if &again == parsed => {
                        if !canonical.is_empty() && printed != canonical {
                            Some(format!("printed as {printed:?}, expected {canonical:?}"))
                        } else {
                            None
                        }
                    }
                    other => Some(format!("printed as {printed:?}, which reads back as {other:?}")),
                }
            }
            ("syntax", Err(e)) => match e.kind() {
                ParseErrorKind::Syntax { .. }
                | ParseErrorKind::InvalidCharacter { .. }
                | ParseErrorKind::BacklinkWithoutName => None,
                other => Some(format!("expected a syntax error, got {other:?}")),
            },
            ("invalid-timestamp", Err(e)) => match e.kind() {
                ParseErrorKind::InvalidTimestamp { .. } => None,
                other => Some(format!("expected an invalid timestamp, got {other:?}")),
            },
            (_, Ok(parsed)) => Some(format!("accepted as {parsed}, expected {outcome}")),
            (_, Err(e)) => Some(format!("rejected, expected {outcome}:\n{}", e.render(query))),
        };
        if let Some(problem) = problem {
            failures.push(format!("line {} {query:?} ({note}): {problem}", number + 1));
        }
    }
    assert!(count > 250, "only {count} examples");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
