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

/// The byte offset in JSON `text` where the node at `pointer` starts: for an object member,
/// where its key's opening quote is; for an array element or the root, where its value starts.
/// `None` when the text has no such node, or is not JSON on the way to it.
///
/// The scan follows the pointer only, skipping every other value with a nesting counter, so it
/// uses no recursion and no allocation beyond the key being compared.
pub(crate) fn locate(text: &str, pointer: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    let mut at = pos;
    if pointer.is_empty() {
        return Some(pos);
    }
    let tokens = pointer.strip_prefix('/')?;
    for raw in tokens.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        match bytes.get(pos)? {
            b'{' => {
                pos = skip_ws(bytes, pos + 1);
                loop {
                    if *bytes.get(pos)? != b'"' {
                        return None;
                    }
                    let key_start = pos;
                    let key_end = skip_string(bytes, pos)?;
                    let key: String = serde_json::from_str(text.get(key_start..key_end)?).ok()?;
                    pos = skip_ws(bytes, key_end);
                    if *bytes.get(pos)? != b':' {
                        return None;
                    }
                    pos = skip_ws(bytes, pos + 1);
                    if key == token {
                        at = key_start;
                        break;
                    }
                    pos = next_member(bytes, skip_value(bytes, pos)?)?;
                }
            }
            b'[' => {
                let wanted: usize = token.parse().ok()?;
                pos = skip_ws(bytes, pos + 1);
                for _ in 0..wanted {
                    pos = next_member(bytes, skip_value(bytes, pos)?)?;
                }
                if matches!(bytes.get(pos), None | Some(b']')) {
                    return None;
                }
                at = pos;
            }
            _ => return None,
        }
    }
    Some(at)
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The offset just after the string starting (with its quote) at `pos`.
fn skip_string(bytes: &[u8], mut pos: usize) -> Option<usize> {
    pos += 1;
    loop {
        match bytes.get(pos)? {
            b'\\' => pos += 2,
            b'"' => return Some(pos + 1),
            _ => pos += 1,
        }
    }
}

/// The offset just after the value starting at `pos`.
fn skip_value(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match bytes.get(pos)? {
            b'"' => pos = skip_string(bytes, pos)?,
            b'{' | b'[' => {
                depth += 1;
                pos += 1;
            }
            b'}' | b']' if depth > 0 => {
                depth -= 1;
                pos += 1;
            }
            b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Some(pos),
            _ => pos += 1,
        }
        if depth == 0 && matches!(bytes.get(pos.wrapping_sub(1)), Some(b'"' | b'}' | b']')) {
            return Some(pos);
        }
    }
}

/// After a value ending at `pos`: the start of the next member or element (past the comma),
/// or `None` at the end of the object or array.
fn next_member(bytes: &[u8], pos: usize) -> Option<usize> {
    let pos = skip_ws(bytes, pos);
    match bytes.get(pos)? {
        b',' => Some(skip_ws(bytes, pos + 1)),
        _ => None,
    }
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

    #[test]
    fn pointers_are_located_in_text() {
        let text = "{\n  \"roles\": [\n    {\"name\": \"a\", \"x\": [1, {\"y\": \"}\"}]},\n    {\"name\": \"b\", \"a/b\": 2}\n  ]\n}";
        let at =
            |p: &str| locate(text, p).map(|o| text.get(o..o + 4).unwrap_or_default().to_owned());
        assert_eq!(at("").as_deref(), Some("{\n  "));
        assert_eq!(at("/roles").as_deref(), Some("\"rol"));
        assert_eq!(at("/roles/1").as_deref(), Some("{\"na"));
        assert_eq!(at("/roles/1/name").as_deref(), Some("\"nam"));
        assert_eq!(at("/roles/1/a~1b").as_deref(), Some("\"a/b"));
        assert_eq!(at("/roles/0/x/1/y").as_deref(), Some("\"y\":"));
        assert_eq!(at("/roles/2"), None);
        assert_eq!(at("/nothing"), None);
        assert_eq!(at("/roles/0/name/0"), None);
        assert_eq!(locate("{\"a\": ", "/a/b"), None);
    }
}
