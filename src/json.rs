//! What every JSON reader of the crate shares: JSON pointers (RFC 6901) naming the node at fault,
//! and serde_json's messages without the position it appends (errors carry the position as data).
//!
//! App exports, schemas, rule files, users and changesets are all JSON, and every error about
//! them names a pointer; building and reading pointers in one place keeps the escaping of `~` and
//! `/` in keys right everywhere.

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
}
