//! `flexrules translate` prints the filter as one line of relaxed Extended JSON and exits 0; a
//! query with no exact filter, or one that does not compile, is an error (exit 1) naming why.

fn run(args: &[&str]) -> (i32, String, String) {
    let out = crate::common::flexrules()
        .arg("translate")
        .args(["--schema", "fixtures/translate/item.schema.json"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn prints_the_filter_with_arguments_bound() {
    let (code, out, _) =
        run(&["--arg", r#"{"$oid": "65a000000000000000000001"}"#, "_id == $0 AND miles < 100"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "{\"$and\":[{\"_id\":{\"$eq\":{\"$oid\":\"65a000000000000000000001\"}}},{\"miles\":{\"$lt\":100}}]}\n"
    );
}

#[test]
fn refusals_and_compile_errors_exit_1() {
    let (code, out, err) = run(&["miles > price"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "flexrules: `miles > price` compares two properties, which a filter cannot do without `$expr`\n"
    );
    let (code, _, err) = run(&["nope == 1"]);
    assert_eq!(code, 1);
    assert_eq!(err, "flexrules: 'Item' has no property 'nope'\n");
}

#[test]
fn bad_usage_exits_2() {
    let (code, _, _) = run(&[]);
    assert_eq!(code, 2);
}
