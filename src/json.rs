//! What every JSON reader of the crate shares: JSON pointers (RFC 6901) naming the node at fault,
//! and serde_json's messages without the position it appends (errors carry the position as data).
//!
//! App exports, schemas, rule files, users and changesets are all JSON, and every error about
//! them names a pointer; building and reading pointers in one place keeps the escaping of `~` and
//! `/` in keys right everywhere.

use std::collections::{HashMap, HashSet};

/// A JSON pointer (RFC 6901) to the node an error or a rule is about.
///
/// It is built token by token from the root, so member names are always escaped (`~` as `~0`,
/// `/` as `~1`) and never concatenated by hand; it reads as the pointer's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Pointer(String);

impl Pointer {
    /// The whole document (the empty pointer).
    pub(crate) fn root() -> Pointer {
        Pointer(String::new())
    }

    /// This pointer extended by the object member `key`.
    pub(crate) fn child(&self, key: &str) -> Pointer {
        let mut out = String::with_capacity(self.0.len() + key.len() + 1);
        out.push_str(&self.0);
        out.push('/');
        for c in key.chars() {
            match c {
                '~' => out.push_str("~0"),
                '/' => out.push_str("~1"),
                c => out.push(c),
            }
        }
        Pointer(out)
    }

    /// This pointer extended by the array index `index`.
    pub(crate) fn index(&self, index: usize) -> Pointer {
        Pointer(format!("{}/{index}", self.0))
    }

    /// The pointer's text (also reachable through `Deref`; named so that it is not taken for
    /// `str::as_str`).
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The last reference token, unescaped: the member name or index it ends on.
    pub(crate) fn last_token(&self) -> String {
        let token = self.0.rsplit_once('/').map_or(self.0.as_str(), |(_, t)| t);
        token.replace("~1", "/").replace("~0", "~")
    }
}

impl std::fmt::Display for Pointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Pointer {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Pointer {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Pointer {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl From<Pointer> for String {
    fn from(p: Pointer) -> String {
        p.0
    }
}

impl From<&Pointer> for String {
    fn from(p: &Pointer) -> String {
        p.0.clone()
    }
}

/// `pointer` (a pointer's text) extended by the object member `key`.
pub(crate) fn child(pointer: &str, key: &str) -> String {
    Pointer(pointer.to_owned()).child(key).0
}

/// `pointer` (a pointer's text) extended by the array index `index`.
pub(crate) fn index(pointer: &str, index: usize) -> String {
    Pointer(pointer.to_owned()).index(index).0
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

/// The byte offsets in JSON `text` where the nodes at `pointers` start: for an object member,
/// where its key's opening quote is; for an array element or the root, where its value starts.
/// `None` for a pointer the text has no node for, or that lies past a point where the text
/// stops being JSON.
///
/// One pass over the text, whatever the number of pointers: it descends only into containers
/// on the way to a wanted node and skips every other value with a nesting counter, so it uses
/// no recursion, and many diagnostics about one large file cost one scan, not one each.
pub(crate) fn locate_all(text: &str, pointers: &[&str]) -> Vec<Option<usize>> {
    let mut found = vec![None; pointers.len()];
    let mut prefixes: HashSet<&str> = HashSet::new();
    for p in pointers {
        let mut rest = *p;
        while let Some((head, _)) = rest.rsplit_once('/') {
            prefixes.insert(head);
            rest = head;
        }
    }
    let _ = scan(text.as_bytes(), pointers, &prefixes, &mut found);
    found
}

/// The byte offset in JSON `text` of byte `offset` of the decoded string at `pointer` (a member
/// or an element whose value is a string): where a span inside that string is in the file,
/// escapes counted as written. `None` when there is no such string or it is shorter.
pub(crate) fn locate_in_string(text: &str, pointer: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = locate_all(text, &[pointer]).into_iter().next().flatten()?;
    // A member is located at its key: step over the key and the colon to the value.
    let after = skip_ws(bytes, skip_string(bytes, pos)?);
    if bytes.get(after) == Some(&b':') {
        pos = skip_ws(bytes, after + 1);
    }
    if *bytes.get(pos)? != b'"' {
        return None;
    }
    let (mut raw, mut decoded) = (pos + 1, 0);
    while decoded < offset {
        match *bytes.get(raw)? {
            b'"' => return None,
            b'\\' if bytes.get(raw + 1) == Some(&b'u') => {
                let unit = |at: usize| {
                    let hex = std::str::from_utf8(bytes.get(at + 2..at + 6)?).ok()?;
                    u32::from_str_radix(hex, 16).ok()
                };
                let first = unit(raw)?;
                if (0xD800..0xDC00).contains(&first) && bytes.get(raw + 6) == Some(&b'\\') {
                    // A surrogate pair: one character of four UTF-8 bytes.
                    decoded += 4;
                    raw += 12;
                } else {
                    decoded += char::from_u32(first).map_or(3, char::len_utf8);
                    raw += 6;
                }
            }
            b'\\' => {
                decoded += 1;
                raw += 2;
            }
            _ => {
                decoded += 1;
                raw += 1;
            }
        }
    }
    Some(raw)
}

/// [`locate_all`]'s walk; `None` where the text stops being JSON (what was found stays).
fn scan(
    bytes: &[u8],
    pointers: &[&str],
    prefixes: &HashSet<&str>,
    found: &mut [Option<usize>],
) -> Option<()> {
    let mut wanted: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in pointers.iter().enumerate() {
        wanted.entry(p).or_default().push(i);
    }
    let mut record = |pointer: &str, offset: usize| {
        for &i in wanted.get(pointer).map_or(&[][..], Vec::as_slice) {
            if let Some(slot) = found.get_mut(i) {
                *slot = Some(offset);
            }
        }
    };
    /// A container being walked: its pointer, whether it is an array, the next element index.
    struct Frame {
        pointer: String,
        array: bool,
        next: usize,
    }
    let mut pos = skip_ws(bytes, 0);
    record("", pos);
    let mut stack: Vec<Frame> = Vec::new();
    match bytes.get(pos) {
        Some(open @ (b'{' | b'[')) if prefixes.contains("") => {
            stack.push(Frame { pointer: String::new(), array: *open == b'[', next: 0 });
            pos += 1;
        }
        _ => return Some(()),
    }
    while let Some(frame) = stack.last_mut() {
        pos = skip_ws(bytes, pos);
        if matches!(bytes.get(pos)?, b'}' | b']') {
            stack.pop();
            pos = after_value(bytes, pos + 1);
            continue;
        }
        let (pointer, at) = if frame.array {
            let pointer = index(&frame.pointer, frame.next);
            frame.next += 1;
            (pointer, pos)
        } else {
            if *bytes.get(pos)? != b'"' {
                return None;
            }
            let key_end = skip_string(bytes, pos)?;
            let raw = std::str::from_utf8(bytes.get(pos..key_end)?).ok()?;
            let key: String = serde_json::from_str(raw).ok()?;
            let colon = skip_ws(bytes, key_end);
            if *bytes.get(colon)? != b':' {
                return None;
            }
            let key_start = pos;
            pos = skip_ws(bytes, colon + 1);
            (child(&frame.pointer, &key), key_start)
        };
        record(&pointer, at);
        match bytes.get(pos)? {
            open @ (b'{' | b'[') if prefixes.contains(pointer.as_str()) => {
                stack.push(Frame { pointer, array: *open == b'[', next: 0 });
                pos += 1;
            }
            _ => pos = after_value(bytes, skip_value(bytes, pos)?),
        }
    }
    Some(())
}

/// Past the blanks and the comma, if any, after a value ending at `pos`.
fn after_value(bytes: &[u8], pos: usize) -> usize {
    let pos = skip_ws(bytes, pos);
    if bytes.get(pos) == Some(&b',') { pos + 1 } else { pos }
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
        let root = Pointer::root();
        assert_eq!(root.child("a/b~c").to_string(), "/a~1b~0c");
        assert_eq!(root.child("x").child("").to_string(), "/x/");
        assert_eq!(root.child("items").index(3).to_string(), "/items/3");
        assert_eq!(root.child("roles").index(0).child("a/b~c").last_token(), "a/b~c");
        assert_eq!(child("/roles/0", "a/b~c"), "/roles/0/a~1b~0c");
        // `~01` is `~` followed by `1`, not `/`.
        assert_eq!(Pointer("/a~01".to_owned()).last_token(), "a~1");
        assert_eq!(root.last_token(), "");
    }

    #[test]
    fn pointers_are_located_in_text() {
        let text = "{\n  \"roles\": [\n    {\"name\": \"a\", \"x\": [1, {\"y\": \"}\"}]},\n    {\"name\": \"b\", \"a/b\": 2}\n  ]\n}";
        let at = |p: &str| {
            let offset = locate_all(text, &[p]).into_iter().next().flatten();
            offset.map(|o| text.get(o..o + 4).unwrap_or_default().to_owned())
        };
        assert_eq!(at("").as_deref(), Some("{\n  "));
        assert_eq!(at("/roles").as_deref(), Some("\"rol"));
        assert_eq!(at("/roles/1").as_deref(), Some("{\"na"));
        assert_eq!(at("/roles/1/name").as_deref(), Some("\"nam"));
        assert_eq!(at("/roles/1/a~1b").as_deref(), Some("\"a/b"));
        assert_eq!(at("/roles/0/x/1/y").as_deref(), Some("\"y\":"));
        assert_eq!(at("/roles/2"), None);
        assert_eq!(at("/nothing"), None);
        assert_eq!(at("/roles/0/name/0"), None);
        assert_eq!(locate_all("{\"a\": ", &["/a/b"]), [None]);
        // Inside a string value, escapes count as written: `\"` is two bytes of text, `\u00e9`
        // six for the two bytes of `é`.
        let subs = "[{\"query\": \"a \\\" \\u00e9 b\", \"x\": [\"ab\"]}]";
        let at = |p: &str, o: usize| locate_in_string(subs, p, o).and_then(|i| subs.get(i..i + 1));
        assert_eq!(at("/0/query", 0), Some("a"));
        assert_eq!(at("/0/query", 2), Some("\\"));
        assert_eq!(at("/0/query", 4), Some("\\"));
        assert_eq!(at("/0/query", 6), Some(" "));
        assert_eq!(at("/0/query", 7), Some("b"));
        assert_eq!(at("/0/x/0", 1), Some("b"));
        assert_eq!(at("/0/query", 99), None);
        assert_eq!(at("/0/x", 0), None);
        // One pass answers many pointers, in the order asked, repeated ones included.
        let all = locate_all(text, &["/roles/1/name", "/nothing", "/roles/0", "/roles/1/name"]);
        assert_eq!(all.iter().map(Option::is_some).collect::<Vec<_>>(), [true, false, true, true]);
    }
}
