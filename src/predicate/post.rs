//! SORT, DISTINCT and LIMIT, applied left to right to the objects a predicate matched.

use bson::Document;

use super::{PathExpr, Predicate};
use crate::document::DocRef;
use crate::value::{ValueRef, total_cmp};

/// A compiled query: the predicate and the clauses that order and trim its results.
#[derive(Debug, Clone)]
pub struct CompiledQuery {
    predicate: Predicate,
    post: Vec<PostStep>,
}

/// One clause after the predicate.
#[derive(Debug, Clone)]
pub(super) enum PostStep {
    /// Keys with `true` for ascending.
    Sort(Vec<(PathExpr, bool)>),
    Distinct(Vec<PathExpr>),
    Limit(usize),
}

/// Objects a query runs over: a slice of raw (`RawDocumentBuf`) or decoded (`Document`)
/// documents. Result indexes refer to positions in it.
pub trait Objects {
    /// Number of objects.
    fn count(&self) -> usize;
    /// Object `i`, if there is one.
    #[doc(hidden)]
    fn doc_ref(&self, i: usize) -> Option<DocRefOf<'_>>;
}

/// An opaque handle on one object of an [`Objects`] collection.
#[derive(Debug, Clone, Copy)]
pub struct DocRefOf<'a>(pub(crate) DocRef<'a>, Raw<'a>);

#[derive(Debug, Clone, Copy)]
enum Raw<'a> {
    Raw(&'a bson::RawDocument),
    Dec(&'a Document),
}

impl Objects for [bson::RawDocumentBuf] {
    fn count(&self) -> usize {
        self.len()
    }
    fn doc_ref(&self, i: usize) -> Option<DocRefOf<'_>> {
        self.get(i).map(|d| DocRefOf(DocRef::raw(d.as_ref()), Raw::Raw(d.as_ref())))
    }
}

impl Objects for [Document] {
    fn count(&self) -> usize {
        self.len()
    }
    fn doc_ref(&self, i: usize) -> Option<DocRefOf<'_>> {
        self.get(i).map(|d| DocRefOf(DocRef::decoded(d), Raw::Dec(d)))
    }
}

impl CompiledQuery {
    pub(super) fn new(predicate: Predicate, post: Vec<PostStep>) -> Self {
        CompiledQuery { predicate, post }
    }

    /// The filter alone.
    pub fn predicate(&self) -> &Predicate {
        &self.predicate
    }

    /// Whether the query has SORT, DISTINCT or LIMIT clauses (so that result order matters).
    pub fn is_ordered(&self) -> bool {
        !self.post.is_empty()
    }

    /// Indexes of the matching objects, in result order: storage order, then each clause in turn.
    pub fn run<O: Objects + ?Sized>(&self, objects: &O) -> Vec<usize> {
        let mut out: Vec<usize> = (0..objects.count())
            .filter(|i| match objects.doc_ref(*i) {
                Some(DocRefOf(_, Raw::Raw(d))) => self.predicate.matches_raw(d),
                Some(DocRefOf(_, Raw::Dec(d))) => self.predicate.matches(d),
                None => false,
            })
            .collect();
        for step in &self.post {
            match step {
                PostStep::Limit(n) => out.truncate(*n),
                PostStep::Sort(keys) => {
                    out.sort_by(|a, b| {
                        for (key, asc) in keys {
                            let va =
                                objects.doc_ref(*a).and_then(|d| Predicate::key_value(key, d.0));
                            let vb =
                                objects.doc_ref(*b).and_then(|d| Predicate::key_value(key, d.0));
                            let o = sort_order(va.as_ref(), vb.as_ref());
                            let o = if *asc { o } else { o.reverse() };
                            if o.is_ne() {
                                return o;
                            }
                        }
                        std::cmp::Ordering::Equal
                    });
                }
                PostStep::Distinct(keys) => {
                    let mut kept: Vec<usize> = Vec::with_capacity(out.len());
                    for i in out {
                        let Some(d) = objects.doc_ref(i) else { continue };
                        let mine: Vec<Option<ValueRef<'_>>> =
                            keys.iter().map(|k| Predicate::key_value(k, d.0)).collect();
                        if mine.iter().any(Option::is_none) {
                            // realm-core drops objects with a null link on a distinct path.
                            continue;
                        }
                        let dup = kept.iter().any(|j| {
                            objects.doc_ref(*j).is_some_and(|dj| {
                                keys.iter().zip(&mine).all(|(k, m)| {
                                    let other = Predicate::key_value(k, dj.0);
                                    match (m, other) {
                                        (Some(a), Some(b)) => total_cmp(a, &b).is_eq(),
                                        (None, None) => true,
                                        _ => false,
                                    }
                                })
                            })
                        });
                        if !dup {
                            kept.push(i);
                        }
                    }
                    out = kept;
                }
            }
        }
        out
    }
}

/// Mixed total order, with a missing value (a null link on the way) after everything.
fn sort_order(a: Option<&ValueRef<'_>>, b: Option<&ValueRef<'_>>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => total_cmp(a, b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}
