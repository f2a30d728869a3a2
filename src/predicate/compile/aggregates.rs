//! `@min`, `@max`, `@sum` and `@avg`: which element types realm-core aggregates, the result type
//! it gives each, and the walk to the aggregated values.

use super::describe::path_text;
use super::shape::{Ends, Shape, Side, Ty};
use super::{Compiler, err};
use crate::predicate::error::{CompileError, CompileErrorKind as K};
use crate::predicate::{Operand, OperandKind, PathExpr, Step, Term};
use crate::rql::ast::{self, AggregateOp};
use crate::schema::{Collection, PropertyType};
use crate::span::Span;

impl<'t> Compiler<'t> {
    pub(super) fn aggregate(
        &mut self,
        a: &ast::Aggregate,
        span: Span,
    ) -> Result<Side, CompileError> {
        let op = a.op;
        let name = match a.op {
            AggregateOp::Min => ".@min",
            AggregateOp::Max => ".@max",
            AggregateOp::Sum => ".@sum",
            AggregateOp::Avg => ".@avg",
        };
        let r = self.resolve(&a.path)?;
        let mut steps = r.steps;
        let (elem_ty, expand) = match &a.property {
            None => {
                if r.property.object().is_some() || !r.collection_terminal {
                    return err(K::AggregateType { op: name }, span);
                }
                (r.property.ty().clone(), r.expand)
            }
            Some(prop) => {
                let Some(target) = r.property.object().filter(|_| r.to_many || r.expand.is_some())
                else {
                    return err(
                        K::AggregateNotList { op: name, property: r.property.name().to_owned() },
                        span,
                    );
                };
                let Some(p) = target.property(prop) else {
                    return err(
                        K::NoProperty { class: target.name().to_owned(), property: prop.clone() },
                        span,
                    );
                };
                if r.expand.is_some() {
                    steps.push(if r.keys_or_values_dict { Step::Values } else { Step::Each });
                }
                steps.push(Step::Field(prop.as_str().into()));
                if p.collection() != Collection::Single {
                    return err(K::AggregatePropertyType { ty: p.ty().realm_name() }, span);
                }
                (p.ty().clone(), None)
            }
        };
        let ok = match &elem_ty {
            PropertyType::Int
            | PropertyType::Float
            | PropertyType::Double
            | PropertyType::Decimal
            | PropertyType::Mixed => true,
            PropertyType::Timestamp => {
                a.property.is_some() && matches!(op, AggregateOp::Min | AggregateOp::Max)
            }
            other => {
                if a.property.is_some() && *other != PropertyType::Timestamp {
                    return err(K::AggregatePropertyType { ty: other.realm_name() }, span);
                }
                false
            }
        };
        if !ok {
            return err(K::AggregateType { op: name }, span);
        }
        let ty = match (op, &elem_ty) {
            (AggregateOp::Avg, PropertyType::Int | PropertyType::Float | PropertyType::Double) => {
                Ty::Double
            }
            (AggregateOp::Sum, PropertyType::Float) => Ty::Double,
            (AggregateOp::Sum | AggregateOp::Avg, PropertyType::Mixed) => Ty::Decimal,
            (_, t) => Ty::of_property(t),
        };
        let per_instance = r.per_instance && a.property.is_none();
        Ok(Side {
            operand: Operand {
                kind: OperandKind::Path(PathExpr {
                    first: r.first,
                    steps: steps.into_boxed_slice(),
                    term: Term::Agg(op, expand, Ty::of_property(&elem_ty)),
                    per_instance,
                    float: elem_ty == PropertyType::Float,
                    link: false,
                }),
                list: false,
                quantifier: None,
            },
            ty,
            shape: Shape::Read { ends: Ends::Value, to_many: false },
            desc: format!("{}{name}", path_text(&a.path)),
        })
    }
}
