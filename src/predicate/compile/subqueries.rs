//! `SUBQUERY(list, $x, predicate).@count`: the predicate is compiled in a scope of its own,
//! whose paths start at the list's elements.

use super::shape::{Ends, Shape, Side, Ty};
use super::{Compiler, Scope, err};
use crate::predicate::error::{CompileError, CompileErrorKind as K};
use crate::predicate::{Operand, OperandKind, PathExpr, Step, SubqueryExpr, Term};
use crate::rql::ast::{self};
use crate::schema::Collection;
use crate::span::Span;

impl<'t> Compiler<'t> {
    pub(super) fn subquery(
        &mut self,
        s: &ast::Subquery,
        span: Span,
        depth: u32,
    ) -> Result<Side, CompileError> {
        let r = self.resolve(&s.collection)?;
        let Some(object) = r.property.object() else {
            if r.property.collection() != Collection::Single {
                return err(K::SubqueryPrimitive { property: r.property.name().to_owned() }, span);
            }
            return err(
                K::SubqueryNotList {
                    property: r.property.name().to_owned(),
                    ty: r.property.ty().realm_name(),
                },
                span,
            );
        };
        if r.property.collection() != Collection::List || r.expand.is_none() {
            return err(
                K::SubqueryNotList { property: r.property.name().to_owned(), ty: "link" },
                span,
            );
        }
        if self.scopes.iter().any(|sc| sc.variable == s.variable && std::ptr::eq(sc.object, object))
        {
            return err(K::SubqueryVariable { variable: s.variable.clone() }, span);
        }
        let mut steps = r.steps;
        steps.push(Step::Each);
        let path = PathExpr {
            first: r.first,
            steps: steps.into_boxed_slice(),
            term: Term::Value,
            per_instance: false,
            float: false,
            link: false,
        };
        self.scopes.push(Scope { object, variable: s.variable.clone() });
        let cond = self.cond(&s.predicate, depth + 1);
        self.scopes.pop();
        let cond = cond?;
        Ok(Side {
            operand: Operand {
                kind: OperandKind::Subquery(Box::new(SubqueryExpr { path, cond })),
                list: false,
                quantifier: None,
            },
            ty: Ty::Int,
            shape: Shape::Read { ends: Ends::Value, to_many: false },
            desc: "SUBQUERY".to_owned(),
        })
    }
}
