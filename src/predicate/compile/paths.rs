//! Key paths: names resolved against the schema into field slots and walking steps, list and
//! dictionary expansion, `@size`/`@count`/`@type`, and what the path's shape means for the checks.

use bson::Bson;

use super::describe::{class_name, element_text, index_text, path_text, size_name, type_display};
use super::shape::{Ends, Shape, Side, Ty};
use super::{Compiler, err, quantifier_name};
use crate::diagnostic::nearest;
use crate::predicate::error::{CompileError, CompileErrorKind as K};
use crate::predicate::{
    Expand, First, Index, Operand, OperandKind, PathExpr, SizeKind, Step, Term,
};
use crate::rql::ast::{self, IndexStep, PathElementKind, PostOp};
use crate::schema::{Collection, ObjectType, Property, PropertyType, Table};
use crate::span::Span;
use crate::value::TypeSet;
use crate::value::Value;

impl<'t> Compiler<'t> {
    pub(super) fn slot(&mut self, name: &str) -> First {
        if !self.scopes.is_empty() {
            return First::Element(name.into());
        }
        let i = match self.fields.iter().position(|f| **f == *name) {
            Some(i) => i,
            None => {
                self.fields.push(name.into());
                self.fields.len() - 1
            }
        };
        First::Slot(i)
    }

    pub(super) fn path_value(
        &mut self,
        pv: &ast::PathValue,
        span: Span,
    ) -> Result<Side, CompileError> {
        let r = self.resolve(&pv.path)?;
        let desc = path_text(&pv.path);
        let prop_ty = Ty::of_property(r.property.ty());
        let mut term = Term::Value;
        let mut ty = prop_ty;
        let mut list = r.to_many || r.expand.is_some();
        let mut const_type = false;
        let mut primitive_list = r.expand.is_some() && r.property.object().is_none();
        let mut link_list = r.property.object().is_some() && (r.to_many || r.expand.is_some());
        match pv.post {
            None => {
                if let Some(e) = r.expand {
                    term = if r.lengths { Term::Lengths(e) } else { Term::Expand(e) };
                }
                if r.lengths {
                    ty = Ty::Int;
                }
                if r.keys {
                    ty = Ty::String;
                }
            }
            Some(PostOp::Size(spelling)) => {
                let kind = if r.collection_terminal {
                    SizeKind::Collection
                } else {
                    match r.property.ty() {
                        PropertyType::String | PropertyType::Binary => SizeKind::Text,
                        PropertyType::Mixed => SizeKind::Mixed,
                        PropertyType::Object(_) => SizeKind::Link,
                        other => {
                            return err(
                                K::PostOpType {
                                    op: size_name(spelling).to_owned(),
                                    ty: other.realm_name(),
                                },
                                span,
                            );
                        }
                    }
                };
                term = Term::Size(kind);
                ty = Ty::Int;
                list = r.to_many && !r.per_instance;
                primitive_list = false;
                link_list = false;
            }
            Some(PostOp::Type) => {
                if r.property.object().is_some() && !r.collection_terminal {
                    const_type = !r.to_many;
                } else if *r.property.ty() != PropertyType::Mixed {
                    if r.collection_terminal {
                        return err(
                            K::PostOpType {
                                op: "@type".to_owned(),
                                ty: r.property.ty().realm_name(),
                            },
                            span,
                        );
                    }
                    const_type = !r.to_many;
                }
                term = Term::Type(r.expand);
                ty = Ty::TypeOfValue;
                primitive_list = false;
                link_list = false;
            }
        }
        if const_type {
            let bits = match r.property.ty() {
                PropertyType::Object(_) => TypeSet::LINK,
                other => TypeSet::parse(other.realm_name().as_bytes()).map_or(0, |t| t.0),
            };
            let mut s = Side::constant(
                Value::Type(TypeSet(bits)),
                false,
                format!("\"{}\"", type_display(r.property.ty())),
            );
            s.shape = Shape::ConstType(Value::Type(TypeSet(bits)));
            return Ok(s);
        }
        if let Some(q) = pv.quantifier
            && !list
        {
            return err(K::QuantifierNeedsList { quantifier: quantifier_name(q) }, span);
        }
        let own_scalar = r.steps.is_empty()
            && r.expand.is_none()
            && r.property.collection() == Collection::Single
            && r.property.object().is_none()
            && *r.property.ty() != PropertyType::Mixed
            && matches!(term, Term::Value)
            && self.scopes.is_empty();
        let link = r.property.object().is_some() && matches!(term, Term::Value);
        let shape = if own_scalar {
            Shape::OwnScalar
        } else {
            let ends = if primitive_list {
                Ends::PrimitiveList
            } else if link_list {
                Ends::LinkList
            } else {
                Ends::Value
            };
            Shape::Read { ends, to_many: r.to_many }
        };
        Ok(Side {
            operand: Operand {
                kind: OperandKind::Path(PathExpr {
                    first: r.first,
                    steps: r.steps.into_boxed_slice(),
                    term,
                    per_instance: r.per_instance,
                    float: *r.property.ty() == PropertyType::Float,
                    link,
                }),
                list: if r.per_instance {
                    r.expand.is_some()
                        && matches!(term, Term::Expand(_) | Term::Lengths(_) | Term::Type(Some(_)))
                } else {
                    list
                },
                quantifier: pv.quantifier,
            },
            ty,
            shape,
            desc,
        })
    }

    /// Resolves a key path against the current object type.
    pub(super) fn resolve(&mut self, path: &ast::Path) -> Result<Resolved<'t>, CompileError> {
        let span = path.loc.0;
        if path.elements.len() > self.limits.max_depth as usize {
            return err(K::TooDeep { limit: self.limits.max_depth }, span);
        }
        // A key-path argument replaces the whole path.
        let mut names: Vec<(PathElementKind, Span)> = Vec::with_capacity(path.elements.len());
        for (i, el) in path.elements.iter().enumerate() {
            if let PathElementKind::KeyPathArgument(n) = &el.kind {
                if path.elements.len() > 1 || i > 0 {
                    return err(K::KeyPathArgumentMixed, el.loc.0);
                }
                let arg = self.argument(*n, el.loc.0)?;
                match arg {
                    Bson::String(s) => {
                        for part in s.split('.') {
                            names.push((PathElementKind::Name(part.to_owned()), el.loc.0));
                        }
                    }
                    Bson::Null | Bson::Array(_) => {
                        return err(K::KeyPathArgumentNull { index: *n }, el.loc.0);
                    }
                    other => {
                        let ty =
                            Value::from_bson(other).map_or("mixed", |c| Ty::of_const(&c).name());
                        return err(K::KeyPathArgumentType { index: *n, ty }, el.loc.0);
                    }
                }
            } else {
                names.push((el.kind.clone(), el.loc.0));
            }
        }
        let table: &'t Table = self.table;
        let mut object: &'t ObjectType = match self.scopes.last() {
            Some(s) => s.object,
            None => table.object(),
        };
        let variable = self.scopes.last().map(|s| s.variable.clone());
        let mut first: Option<First> = None;
        let mut steps: Vec<Step> = Vec::new();
        let mut to_many = false;
        let mut iter = names.into_iter().peekable();
        let terminal: &'t Property = loop {
            let Some((el, el_span)) = iter.next() else {
                return err(
                    K::NoProperty { class: object.name().to_owned(), property: String::new() },
                    span,
                );
            };
            match el {
                PathElementKind::Name(n)
                    if variable.as_deref() == Some(n.as_str())
                        && first.is_none()
                        && steps.is_empty() =>
                {
                    continue;
                }
                PathElementKind::Name(n) => {
                    let Some(prop) = object.property(&n) else {
                        let names = object.properties().iter().map(|p| p.name());
                        let suggestion = nearest(&n, names);
                        let kind = K::NoProperty { class: class_name(object), property: n };
                        return Err(CompileError::new(kind, el_span).with_suggestion(suggestion));
                    };
                    if first.is_none() {
                        first = Some(self.slot(&n));
                    } else {
                        steps.push(if to_many {
                            Step::FieldAfterList(n.as_str().into())
                        } else {
                            Step::Field(n.as_str().into())
                        });
                    }
                    match (prop.object(), prop.collection()) {
                        (Some(target), Collection::Single) if iter.peek().is_some() => {
                            if let Some((PathElementKind::Index(ix), _)) = iter.peek() {
                                return err(K::IndexAfterLink { index: index_text(ix) }, el_span);
                            }
                            object = target;
                        }
                        (Some(target), Collection::List | Collection::Set)
                            if iter.peek().is_some() =>
                        {
                            if let Some((PathElementKind::Index(ix), _)) = iter.peek() {
                                return err(
                                    K::BadIndex {
                                        class: class_name(object),
                                        property: prop.name().to_owned(),
                                        index: index_text(ix),
                                    },
                                    el_span,
                                );
                            }
                            steps.push(Step::Each);
                            to_many = true;
                            object = target;
                        }
                        (Some(target), Collection::Dictionary) if iter.peek().is_some() => {
                            match iter.next() {
                                Some((
                                    PathElementKind::Values
                                    | PathElementKind::Index(IndexStep::All),
                                    _,
                                )) => {
                                    steps.push(Step::Values);
                                    to_many = true;
                                }
                                Some((
                                    PathElementKind::Name(k)
                                    | PathElementKind::Index(IndexStep::Key(k)),
                                    _,
                                )) => {
                                    steps.push(Step::Key(k.as_str().into()));
                                }
                                Some((other, s)) => {
                                    return err(
                                        K::BadIndex {
                                            class: class_name(object),
                                            property: prop.name().to_owned(),
                                            index: element_text(&other),
                                        },
                                        s,
                                    );
                                }
                                None => {}
                            }
                            object = target;
                            if iter.peek().is_none() {
                                return err(
                                    K::NoProperty {
                                        class: class_name(object),
                                        property: String::new(),
                                    },
                                    el_span,
                                );
                            }
                        }
                        _ => break prop,
                    }
                }
                PathElementKind::Backlinks { .. } | PathElementKind::AllBacklinks => {
                    return err(K::MultiTable { what: "`@links`" }, el_span);
                }
                PathElementKind::KeyPathArgument(_) => {
                    return err(K::KeyPathArgumentMixed, el_span);
                }
                other => {
                    return err(
                        K::NoProperty { class: class_name(object), property: element_text(&other) },
                        el_span,
                    );
                }
            }
        };
        let Some(first) = first else {
            return err(K::NoProperty { class: class_name(object), property: String::new() }, span);
        };
        // Steps after the terminal property.
        let class = class_name(object);
        let pname = terminal.name().to_owned();
        let mut expand: Option<Expand> = None;
        let mut keys = false;
        // `list.length`: the byte length of each string or binary element.
        let mut lengths = false;
        let mut collection_terminal = terminal.collection() != Collection::Single;
        let mut indexed = 0usize;
        let mixed = *terminal.ty() == PropertyType::Mixed;
        for (el, el_span) in iter {
            indexed += 1;
            if indexed > 1 && !mixed {
                return err(K::NestedCollections, el_span);
            }
            if expand.is_some() && !mixed {
                return err(K::NestedCollections, el_span);
            }
            let bad_index = |ix: String| {
                err(
                    K::BadIndex { class: class.clone(), property: pname.clone(), index: ix },
                    el_span,
                )
            };
            match (terminal.collection(), el) {
                (
                    Collection::Dictionary,
                    PathElementKind::Name(k) | PathElementKind::Index(IndexStep::Key(k)),
                ) => {
                    steps.push(Step::Key(k.as_str().into()));
                    collection_terminal = false;
                }
                (Collection::Dictionary, PathElementKind::Index(IndexStep::Argument(n))) => {
                    match self.argument(n, el_span)? {
                        Bson::String(k) => steps.push(Step::Key(k.as_str().into())),
                        _ => return err(K::IndexArgumentType, el_span),
                    }
                    collection_terminal = false;
                }
                (Collection::Dictionary, PathElementKind::Keys) => {
                    expand = Some(Expand::Keys);
                    keys = true;
                }
                (
                    Collection::Dictionary,
                    PathElementKind::Values | PathElementKind::Index(IndexStep::All),
                ) => {
                    expand = Some(Expand::Values);
                }
                (Collection::Dictionary, PathElementKind::Index(ix)) => {
                    return bad_index(index_text(&ix));
                }
                (Collection::List, PathElementKind::Index(IndexStep::First)) => {
                    steps.push(Step::Index(Index::First));
                    collection_terminal = false;
                }
                (Collection::List, PathElementKind::Index(IndexStep::Last)) => {
                    steps.push(Step::Index(Index::Last));
                    collection_terminal = false;
                }
                (Collection::List, PathElementKind::Index(IndexStep::Position(n))) => {
                    steps.push(Step::Index(Index::At(n)));
                    collection_terminal = false;
                }
                (Collection::List | Collection::Set, PathElementKind::Index(IndexStep::All)) => {
                    expand = Some(Expand::Elements);
                }
                (Collection::List | Collection::Set, PathElementKind::Values) => {
                    return err(K::ValuesNotDictionary, el_span);
                }
                (_, PathElementKind::Index(ix))
                    if !mixed || terminal.collection() != Collection::Single =>
                {
                    return bad_index(index_text(&ix));
                }
                (Collection::Single, PathElementKind::Index(IndexStep::First)) => {
                    steps.push(Step::Index(Index::First))
                }
                (Collection::Single, PathElementKind::Index(IndexStep::Last)) => {
                    steps.push(Step::Index(Index::Last))
                }
                (Collection::Single, PathElementKind::Index(IndexStep::Position(n))) => {
                    steps.push(Step::Index(Index::At(n)))
                }
                (
                    Collection::Single,
                    PathElementKind::Index(IndexStep::Key(k)) | PathElementKind::Name(k),
                ) if mixed => {
                    steps.push(Step::Key(k.as_str().into()));
                }
                (
                    Collection::Single,
                    PathElementKind::Index(IndexStep::All) | PathElementKind::Values,
                ) if mixed => {
                    expand = Some(Expand::Values);
                }
                (Collection::Single, PathElementKind::Keys) if mixed => {
                    expand = Some(Expand::Keys);
                    keys = true;
                }
                (_, PathElementKind::Values) => return err(K::ValuesNotDictionary, el_span),
                (Collection::List | Collection::Set, PathElementKind::Name(n))
                    if n.eq_ignore_ascii_case("length")
                        && matches!(
                            terminal.ty(),
                            PropertyType::String | PropertyType::Binary | PropertyType::Mixed
                        ) =>
                {
                    lengths = true;
                }
                (_, PathElementKind::Name(n)) => {
                    return err(
                        K::NoNestedProperty {
                            class: class.clone(),
                            property: pname.clone(),
                            name: n,
                        },
                        el_span,
                    );
                }
                (_, other) => return bad_index(element_text(&other)),
            }
        }
        if collection_terminal && expand.is_none() {
            expand = Some(match terminal.collection() {
                Collection::Dictionary => Expand::Values,
                _ => Expand::Elements,
            });
        }
        let per_instance = to_many && expand.is_some() && terminal.object().is_none();
        Ok(Resolved {
            first,
            steps,
            property: terminal,
            to_many,
            expand: if terminal.object().is_some() && terminal.collection() != Collection::Single {
                expand.or(Some(Expand::Elements))
            } else {
                expand
            },
            keys,
            collection_terminal: collection_terminal && !keys,
            per_instance,
            keys_or_values_dict: terminal.collection() == Collection::Dictionary,
            lengths,
        })
    }
}

/// The result of resolving a key path.
pub(super) struct Resolved<'t> {
    pub(super) first: First,
    pub(super) steps: Vec<Step>,
    pub(super) property: &'t Property,
    pub(super) to_many: bool,
    pub(super) expand: Option<Expand>,
    pub(super) keys: bool,
    pub(super) collection_terminal: bool,
    pub(super) per_instance: bool,
    pub(super) keys_or_values_dict: bool,
    pub(super) lengths: bool,
}
