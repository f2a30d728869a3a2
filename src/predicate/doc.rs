//! The evaluator's view of a document, over the crate's allocation-free document layer
//! ([`crate::document`]), raw or decoded alike.
//!
//! A [`Node`] is a position in a document: a value, or the absence of one. Absent fields read as
//! null (scalars) or as empty (collections), as realm-core reads a column that was never set.
//!
//! Malformed raw BSON never makes evaluation fail or panic: a read that meets it notes the fact
//! (per thread, so the hot path carries no error values) and reads as absent; the evaluation's
//! entry points then answer by [`Malformed::MatchesNothing`], as the rules filter's callers do.

use std::cell::Cell;

use crate::document::{DocRef, DocumentError, Malformed};
use crate::value::ValueRef;

thread_local! {
    /// Whether a read since the last [`take_malformed`] met malformed bytes.
    static MALFORMED: Cell<bool> = const { Cell::new(false) };
}

/// The value of a read, noting a malformed document; `None` then.
#[inline]
fn read<T>(r: Result<T, DocumentError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(_) => {
            MALFORMED.with(|m| m.set(true));
            None
        }
    }
}

/// Starts an evaluation: forgets what earlier ones met.
#[inline]
pub(crate) fn begin() {
    MALFORMED.with(|m| m.set(false));
}

/// The answer of an evaluation under the crate's policy: `answer`, unless a read met malformed
/// bytes (or `scanned` is an error), in which case the document matches nothing.
#[inline]
pub(crate) fn finish(answer: bool, scanned: Result<(), DocumentError>) -> bool {
    let malformed = MALFORMED.with(|m| m.replace(false));
    let outcome = match (scanned, malformed) {
        (Err(e), _) => Err(e),
        (Ok(()), true) => Err(DocumentError::malformed()),
        (Ok(()), false) => Ok(answer),
    };
    Malformed::MatchesNothing.decide(outcome)
}

/// A position in a document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node<'a>(pub(crate) Option<ValueRef<'a>>);

/// Field lookup and iteration on a document.
pub(crate) trait DocExt<'a> {
    fn field(&self, name: &str) -> Node<'a>;
    fn for_each_field(&self, f: &mut dyn FnMut(&'a [u8], Node<'a>) -> bool) -> bool;
    fn is_empty_doc(&self) -> bool;
}

impl<'a> DocExt<'a> for DocRef<'a> {
    fn field(&self, name: &str) -> Node<'a> {
        Node(read(self.get(name)).flatten())
    }

    fn for_each_field(&self, f: &mut dyn FnMut(&'a [u8], Node<'a>) -> bool) -> bool {
        for item in self.iter() {
            let Some((k, v)) = read(item) else { return true };
            if !f(k, Node(Some(v))) {
                return false;
            }
        }
        true
    }

    fn is_empty_doc(&self) -> bool {
        match self.iter().next() {
            None => true,
            Some(item) => read(item).is_none(),
        }
    }
}

impl<'a> Node<'a> {
    /// The embedded document here, if any.
    pub(crate) fn doc(self) -> Option<DocRef<'a>> {
        match self.0 {
            Some(ValueRef::Document(d)) => Some(d),
            _ => None,
        }
    }

    /// A field of the embedded document here; absent when this is not a document.
    pub(crate) fn field(self, name: &str) -> Node<'a> {
        self.doc().map_or(Node(None), |d| d.field(name))
    }

    pub(crate) fn is_array(self) -> bool {
        matches!(self.0, Some(ValueRef::Array(_)))
    }

    /// Visits the elements of the array here (nothing when this is not an array).
    pub(crate) fn for_each_element(self, f: &mut dyn FnMut(Node<'a>) -> bool) -> bool {
        let Some(ValueRef::Array(a)) = self.0 else { return true };
        for item in a.iter() {
            let Some(v) = read(item) else { return true };
            if !f(Node(Some(v))) {
                return false;
            }
        }
        true
    }

    /// Number of elements of the array, or fields of the document, here.
    pub(crate) fn len(self) -> usize {
        match self.0 {
            Some(ValueRef::Array(a)) => a.iter().map_while(read).count(),
            Some(ValueRef::Document(d)) => d.iter().map_while(read).count(),
            _ => 0,
        }
    }

    /// The element at `index`, or `None` past the end.
    pub(crate) fn element(self, index: usize) -> Option<Node<'a>> {
        match self.0 {
            Some(ValueRef::Array(a)) => read(a.get(index)).flatten().map(|v| Node(Some(v))),
            _ => None,
        }
    }

    /// The value here as realm-core sees it: absent is null. `float` says the property is
    /// declared `float`, so a stored double is read as a 32-bit float.
    #[inline]
    pub(crate) fn val(self, float: bool) -> ValueRef<'a> {
        match self.0 {
            None => ValueRef::Null,
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a float property holds f32 values"
            )]
            Some(ValueRef::Double(d)) if float => ValueRef::Float(d as f32),
            Some(v) => v,
        }
    }
}
