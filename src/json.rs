//! What every JSON reader of the crate shares: JSON pointers (RFC 6901) naming the node at fault,
//! and serde_json's messages without the position it appends (errors carry the position as data).
//!
//! App exports, schemas, rule files, users and changesets are all JSON, and every error about
//! them names a pointer; building and reading pointers in one place keeps the escaping of `~` and
//! `/` in keys right everywhere.

/// `pointer` extended by the object member `key`, escaped as RFC 6901 requires.
pub(crate) fn child(pointer: &str, key: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + key.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// `pointer` extended by the array index `index`.
pub(crate) fn index(pointer: &str, index: usize) -> String {
    format!("{pointer}/{index}")
}

/// The last reference token of `pointer`, unescaped: the member name or index it ends on.
pub(crate) fn last_token(pointer: &str) -> String {
    let token = pointer.rsplit_once('/').map_or(pointer, |(_, t)| t);
    token.replace("~1", "/").replace("~0", "~")
}

/// serde_json's message for `e`, without the ` at line L column C` it appends.
pub(crate) fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).map_or(text.clone(), str::to_owned)
}

/// The 1-based line of `text` on which the node at `pointer` starts, when `text` is JSON and
/// holds that node. Values are located by borrowing them from `text` as raw JSON, one level at
/// a time, so the text is never parsed into a tree of its own.
pub(crate) fn line_of(text: &str, pointer: &str) -> Option<usize> {
    use serde_json::value::RawValue;
    let mut node: &RawValue = serde_json::from_str(text).ok()?;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let raw = node.get().trim_start();
        node = if raw.starts_with('[') {
            let items: Vec<&RawValue> = serde_json::from_str(node.get()).ok()?;
            *items.get(token.parse::<usize>().ok()?)?
        } else {
            let members: std::collections::BTreeMap<String, &RawValue> =
                serde_json::from_str(node.get()).ok()?;
            *members.get(&token)?
        };
    }
    let offset = node.get().as_ptr().addr().checked_sub(text.as_ptr().addr())?;
    let before = text.get(..offset)?;
    Some(before.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_are_located_on_their_line() {
        let text = "{\n \"a\": [1,\n  {\"b/c\": true}],\n \"d\": null\n}";
        assert_eq!(line_of(text, ""), Some(1));
        assert_eq!(line_of(text, "/a"), Some(2));
        assert_eq!(line_of(text, "/a/1/b~1c"), Some(3));
        assert_eq!(line_of(text, "/d"), Some(4));
        assert_eq!(line_of(text, "/a/2"), None);
        assert_eq!(line_of(text, "/x"), None);
        assert_eq!(line_of("{", ""), None);
    }

    #[test]
    fn keys_are_escaped_and_unescaped() {
        assert_eq!(child("", "a/b~c"), "/a~1b~0c");
        assert_eq!(child("/x", ""), "/x/");
        assert_eq!(index("/items", 3), "/items/3");
        assert_eq!(last_token(&child("/roles/0", "a/b~c")), "a/b~c");
        // `~01` is `~` followed by `1`, not `/`.
        assert_eq!(last_token("/a~01"), "a~1");
        assert_eq!(last_token(""), "");
    }
}
