//! The evaluator's view of a document, over the crate's allocation-free document layer
//! ([`crate::document`]), raw or decoded alike.
//!
//! A [`Node`] is a position in a document: a value, or the absence of one. Absent fields read as
//! null (scalars) or as empty (collections), as realm-core reads a column that was never set.
//! Malformed raw BSON reads as absent from the malformed element on: evaluation never fails on a
//! document.

use crate::document::DocRef;
use crate::value::ValueRef;

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
        Node(self.get(name).ok().flatten())
    }

    fn for_each_field(&self, f: &mut dyn FnMut(&'a [u8], Node<'a>) -> bool) -> bool {
        for item in self.iter() {
            let Ok((k, v)) = item else { return true };
            if !f(k, Node(Some(v))) {
                return false;
            }
        }
        true
    }

    fn is_empty_doc(&self) -> bool {
        self.iter().next().is_none()
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
            let Ok(v) = item else { return true };
            if !f(Node(Some(v))) {
                return false;
            }
        }
        true
    }

    /// Number of elements of the array, or fields of the document, here.
    pub(crate) fn len(self) -> usize {
        match self.0 {
            Some(ValueRef::Array(a)) => a.iter().take_while(Result::is_ok).count(),
            Some(ValueRef::Document(d)) => d.iter().take_while(Result::is_ok).count(),
            _ => 0,
        }
    }

    /// The element at `index`, or `None` past the end.
    pub(crate) fn element(self, index: usize) -> Option<Node<'a>> {
        match self.0 {
            Some(ValueRef::Array(a)) => a.get(index).ok().flatten().map(|v| Node(Some(v))),
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
