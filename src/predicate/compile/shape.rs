//! What compilation knows about one side of a comparison: its operand, its static type and its
//! shape, the facts realm-core's checks and node choices depend on.

use crate::predicate::{Operand, OperandKind};
use crate::schema::PropertyType;
use crate::value::RealmType;
use crate::value::Value;

/// The static type of one side of a comparison: the value layer's realm types, where `null` is
/// the type of a null constant and `@type` the type of a `.@type` expression.
pub(super) type Ty = RealmType;

impl Ty {
    pub(super) fn of_property(t: &PropertyType) -> Ty {
        match t {
            PropertyType::Int => Ty::Int,
            PropertyType::Bool => Ty::Bool,
            PropertyType::String => Ty::String,
            PropertyType::Binary => Ty::Binary,
            PropertyType::Timestamp => Ty::Timestamp,
            PropertyType::Float => Ty::Float,
            PropertyType::Double => Ty::Double,
            PropertyType::Decimal => Ty::Decimal,
            PropertyType::ObjectId => Ty::ObjectId,
            PropertyType::Uuid => Ty::Uuid,
            PropertyType::Mixed => Ty::Mixed,
            PropertyType::Object(_) => Ty::Link,
        }
    }

    pub(super) fn of_const(c: &Value) -> Ty {
        c.realm_type()
    }
}

/// What compilation knows about one side of a comparison.
pub(super) struct Side {
    pub(super) operand: Operand,
    pub(super) ty: Ty,
    pub(super) shape: Shape,
    /// The side as realm-core describes it in messages.
    pub(super) desc: String,
}

/// The kinds of side realm-core's static checks and node choices tell apart; each side is
/// exactly one of them.
#[derive(Clone, Debug)]
pub(super) enum Shape {
    /// A literal, an argument, folded arithmetic, or a list of them. `scalar` is the converted
    /// value of a single constant (not of a list literal or list argument); `argument` says it
    /// came from an argument, whose values are checked when converted instead of statically.
    Constant { scalar: Option<Value>, argument: bool },
    /// `@type` of a property whose type the schema fixes: a constant set of types, which is
    /// not a constant for the checks that refuse two constants.
    ConstType(Value),
    /// An own, single-valued, non-link, non-`mixed` property of the queried table: realm-core's
    /// column nodes.
    OwnScalar,
    /// Anything read from the object otherwise: key paths, aggregates, arithmetic, subqueries.
    Read {
        /// What the path ends on.
        ends: Ends,
        /// The path crossed a list of embedded objects.
        to_many: bool,
    },
}

/// What a key path ends on, as far as the checks care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ends {
    /// A single value (or a computed one).
    Value,
    /// A primitive collection: list, set or dictionary values.
    PrimitiveList,
    /// A list of embedded objects.
    LinkList,
}

impl Side {
    pub(super) fn constant(c: Value, argument: bool, desc: String) -> Side {
        Side {
            ty: Ty::of_const(&c),
            operand: Operand { kind: OperandKind::Const(c.clone()), list: false, quantifier: None },
            shape: Shape::Constant { scalar: Some(c), argument },
            desc,
        }
    }

    pub(super) fn is_constant(&self) -> bool {
        matches!(self.shape, Shape::Constant { .. })
    }

    pub(super) fn is_argument(&self) -> bool {
        matches!(self.shape, Shape::Constant { argument: true, .. })
    }

    /// The single constant value, including a constant `@type`.
    pub(super) fn scalar_const(&self) -> Option<&Value> {
        match &self.shape {
            Shape::Constant { scalar, .. } => scalar.as_ref(),
            Shape::ConstType(c) => Some(c),
            Shape::OwnScalar | Shape::Read { .. } => None,
        }
    }

    pub(super) fn is_null_constant(&self) -> bool {
        matches!(self.scalar_const(), Some(Value::Null))
    }

    pub(super) fn is_own_scalar(&self) -> bool {
        matches!(self.shape, Shape::OwnScalar)
    }

    pub(super) fn is_const_type(&self) -> bool {
        matches!(self.shape, Shape::ConstType(_))
    }

    pub(super) fn is_primitive_list(&self) -> bool {
        matches!(self.shape, Shape::Read { ends: Ends::PrimitiveList, .. })
    }

    pub(super) fn is_link_list(&self) -> bool {
        matches!(self.shape, Shape::Read { ends: Ends::LinkList, .. })
    }

    pub(super) fn to_many(&self) -> bool {
        matches!(self.shape, Shape::Read { to_many: true, .. })
    }
}
