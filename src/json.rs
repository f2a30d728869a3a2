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

#[cfg(test)]
mod tests {
    use super::*;

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
