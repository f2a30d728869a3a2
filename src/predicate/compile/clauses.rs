//! SORT, DISTINCT and LIMIT: their key paths are narrower than a predicate's (no lists, no
//! links), so they are resolved on their own.

use super::describe::{class_name, path_text};
use super::{Compiler, err};
use crate::predicate::error::{CompileError, CompileErrorKind as K};
use crate::predicate::post::PostStep;
use crate::predicate::{First, PathExpr, Step, Term};
use crate::rql::ast::{self, IndexStep, PathElementKind};
use crate::schema::{Collection, PropertyType, Table};
use crate::span::Span;

impl<'t> Compiler<'t> {
    pub(super) fn post_clause(
        &mut self,
        clause: &ast::PostClause,
        span: Span,
    ) -> Result<PostStep, CompileError> {
        match clause {
            ast::PostClause::Limit(n) => {
                Ok(PostStep::Limit(usize::try_from(*n).unwrap_or(usize::MAX)))
            }
            ast::PostClause::Sort(keys) => {
                let mut out = Vec::with_capacity(keys.len());
                for k in keys {
                    out.push((self.key_path(&k.path, "sort", span)?, k.ascending));
                }
                Ok(PostStep::Sort(out))
            }
            ast::PostClause::Distinct(paths) => {
                let mut out = Vec::with_capacity(paths.len());
                for p in paths {
                    out.push(self.key_path(p, "distinct", span)?);
                }
                Ok(PostStep::Distinct(out))
            }
        }
    }

    /// A SORT/DISTINCT key: a property reached through embedded objects, or a dictionary key.
    pub(super) fn key_path(
        &mut self,
        path: &ast::Path,
        clause: &'static str,
        span: Span,
    ) -> Result<PathExpr, CompileError> {
        let table: &'t Table = self.table;
        let mut object = table.object();
        let mut names = Vec::new();
        for el in &path.elements {
            match &el.kind {
                PathElementKind::Name(n) | PathElementKind::Index(IndexStep::Key(n)) => {
                    names.push(n.as_str())
                }
                _ => {
                    return err(
                        K::SortProperty {
                            class: class_name(object),
                            property: path_text(path),
                            clause,
                        },
                        span,
                    );
                }
            }
        }
        let mut it = names.into_iter();
        let Some(head) = it.next() else {
            return err(
                K::SortProperty { class: class_name(object), property: String::new(), clause },
                span,
            );
        };
        let Some(mut prop) = object.property(head) else {
            return err(
                K::SortProperty { class: class_name(object), property: head.to_owned(), clause },
                span,
            );
        };
        let mut steps = Vec::new();
        for n in it {
            match (prop.object(), prop.collection()) {
                (Some(target), Collection::Single) => {
                    object = target;
                    let Some(p) = object.property(n) else {
                        return err(
                            K::SortProperty {
                                class: class_name(object),
                                property: n.to_owned(),
                                clause,
                            },
                            span,
                        );
                    };
                    steps.push(Step::Field(n.into()));
                    prop = p;
                }
                (None, Collection::Dictionary) => steps.push(Step::Key(n.into())),
                (None, Collection::Single) if *prop.ty() == PropertyType::Mixed => {
                    steps.push(Step::Key(n.into()))
                }
                _ => {
                    return err(
                        K::SortProperty {
                            class: class_name(object),
                            property: n.to_owned(),
                            clause,
                        },
                        span,
                    );
                }
            }
        }
        Ok(PathExpr {
            first: First::Element(head.into()),
            steps: steps.into_boxed_slice(),
            term: Term::Value,
            per_instance: false,
            float: *prop.ty() == PropertyType::Float,
            link: prop.object().is_some(),
        })
    }
}
