//! The compiled predicate: what a query means once it is bound to a schema and its arguments.
//!
//! Compilation ([`compile`]) resolves key paths to field slots, types and converts every constant
//! and checks realm-core's bind-time rules; evaluation then needs no lookups by name beyond one
//! scan of the document's top-level fields, and no allocation.
//!
//! The IR is a tree of [`Cond`] nodes. Logical nodes (`And`, `Or`, `Not`, `True`, `False`) are
//! shared by every backend; the leaves, [`Cond::Rql`], carry realm-core's semantics (nulls, lists,
//! quantifiers, numeric cross-type rules). The IR's types are private to this module and its
//! children, which are its backends: evaluation (`eval`), explanation (`explain`), shared scans
//! over many predicates (`set`) and translation to MongoDB filters ([`translate`]). MongoDB's
//! own matching semantics live in the rules engine's filter IR, over the same document layer.

mod compile;
mod doc;
mod error;
mod eval;
mod explain;
mod post;
mod set;
pub mod translate;
mod val;

pub use compile::compile;
pub use error::{CompileError, CompileErrorKind};
pub(crate) use explain::render_value;
pub use explain::{Explanation, NodeResult};
pub use post::{CompiledQuery, Objects};
pub use set::PredicateSet;

use crate::rql::ast::Quantifier;
use crate::value::{AggregateOp, CmpOp, Value};
use val::Level;

/// A compiled, immutable filter over the objects of one table.
///
/// It is `Send + Sync`, cheap to share, and evaluating it never allocates on the common path.
#[derive(Debug, Clone)]
pub struct Predicate {
    root: Cond,
    /// Top-level fields read by the predicate, scanned in one pass into slots.
    fields: crate::document::FieldSet,
    /// The same names; slot `i` holds field `names[i]`.
    names: Box<[Box<str>]>,
}

impl Predicate {
    /// The root of the tree, for stages that walk the IR (translation, explanation).
    fn root(&self) -> &Cond {
        &self.root
    }

    /// The name of the top-level field read into `slot`.
    fn field_name(&self, slot: usize) -> Option<&str> {
        self.names.get(slot).map(|n| &**n)
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Predicate>();
    assert_send_sync::<CompiledQuery>();
};

/// A node of the predicate tree.
// INVARIANT: `And` and `Or` have at least two children, none of them of the same kind (nested
// ones are flattened) and none `True`/`False` (those are folded away).
// INVARIANT: the tree is no deeper than the `Limits::max_depth` it was compiled with, so
// recursive evaluation is bounded.
#[derive(Debug, Clone)]
enum Cond {
    True,
    False,
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Not(Box<Cond>),
    /// A comparison with realm-core's semantics.
    Rql(Box<Compare>),
}

impl Cond {
    /// `a AND b AND …`, flattened and folded.
    fn and(items: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(items.len());
        for c in items {
            match c {
                Cond::True => {}
                Cond::False => return Cond::False,
                Cond::And(inner) => out.extend(inner.into_vec()),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::True,
            1 => out.pop().unwrap_or(Cond::True),
            _ => Cond::And(out.into_boxed_slice()),
        }
    }

    /// `a OR b OR …`, flattened and folded.
    fn or(items: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(items.len());
        for c in items {
            match c {
                Cond::False => {}
                Cond::True => return Cond::True,
                Cond::Or(inner) => out.extend(inner.into_vec()),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::False,
            1 => out.pop().unwrap_or(Cond::False),
            _ => Cond::Or(out.into_boxed_slice()),
        }
    }

    /// `NOT c`, with constants folded and double negation removed.
    fn not(c: Cond) -> Cond {
        match c {
            Cond::True => Cond::False,
            Cond::False => Cond::True,
            Cond::Not(inner) => *inner,
            other => Cond::Not(Box::new(other)),
        }
    }
}

/// A comparison leaf with realm-core semantics.
#[derive(Debug, Clone)]
struct Compare {
    left: Operand,
    op: CmpOp,
    right: Operand,
    case_insensitive: bool,
    level: Level,
    /// Upper- and lower-case variants of a constant right side, for `[c]`.
    // INVARIANT: both variants have the byte length of the constant they were folded from.
    folded: Option<Folded>,
    kind: CompareKind,
}

/// The upper- and lower-case variants of a constant pattern.
type Folded = crate::value::CaseFold;

/// How the two sides are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CompareKind {
    /// `op` applied with the list and quantifier rules.
    Plain,
    /// `BETWEEN`: the right side holds exactly the two bounds.
    Between,
    /// `BETWEEN` through a list of objects: realm-core's two independent comparisons.
    BetweenSplit,
}

/// One side of a comparison.
#[derive(Debug, Clone)]
struct Operand {
    kind: OperandKind,
    /// The side denotes a list of values (per instance, for per-instance paths).
    list: bool,
    quantifier: Option<Quantifier>,
}

#[derive(Debug, Clone)]
enum OperandKind {
    Const(Value),
    Consts(Box<[Value]>),
    Path(PathExpr),
    Arith(Box<Arith>),
    Subquery(Box<SubqueryExpr>),
}

/// Arithmetic with at least one side read from the document (constant arithmetic is folded).
#[derive(Debug, Clone)]
struct Arith {
    op: crate::value::ArithOp,
    left: Operand,
    right: Operand,
}

/// `SUBQUERY(path, $x, cond).@count`.
#[derive(Debug, Clone)]
struct SubqueryExpr {
    /// Walks to the elements (embedded objects) the inner condition is applied to.
    path: PathExpr,
    cond: Cond,
}

/// A key path resolved against the schema.
#[derive(Debug, Clone)]
struct PathExpr {
    first: First,
    steps: Box<[Step]>,
    term: Term,
    /// Each node reached by `steps` is compared separately (a collection behind a list of
    /// objects), and the object matches if any of them does.
    per_instance: bool,
    /// The property is declared `float`: stored doubles read as 32-bit floats.
    float: bool,
    /// The path ends on embedded objects, compared as links (object or null).
    link: bool,
}

/// Where a path starts.
#[derive(Debug, Clone)]
enum First {
    /// A top-level field, by slot.
    Slot(usize),
    /// A field of the current subquery element.
    Element(Box<str>),
}

/// One step of a path after its first field.
#[derive(Debug, Clone)]
enum Step {
    /// A field of an embedded object (a to-one link): absent or null objects give null.
    Field(Box<str>),
    /// A field of an embedded object reached through a list of objects: a null object on the
    /// way contributes no value at all (only chains of to-one links give null).
    FieldAfterList(Box<str>),
    /// Every element of a list of embedded objects (a to-many link).
    Each,
    /// Every value of a dictionary of embedded objects.
    Values,
    /// The value at a dictionary key: null when absent, nothing when the dictionary is empty.
    Key(Box<str>),
    /// A list position.
    Index(Index),
}

#[derive(Debug, Clone, Copy)]
enum Index {
    First,
    Last,
    At(u64),
}

/// What a path yields from each node its steps reach.
#[derive(Debug, Clone, Copy)]
enum Term {
    /// The value itself.
    Value,
    /// The elements of a collection.
    Expand(Expand),
    /// `list.length`: the byte length of each element (null for other values).
    Lengths(Expand),
    /// `.@count` / `.@size`.
    Size(SizeKind),
    /// `.@min` etc. over the (expanded) values, whose declared type is given.
    Agg(AggregateOp, Option<Expand>, crate::value::RealmType),
    /// `.@type` of each (expanded) value.
    Type(Option<Expand>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expand {
    Elements,
    Values,
    Keys,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SizeKind {
    /// A list, set or dictionary: absent counts 0.
    Collection,
    /// A string or binary: its length in bytes; null stays null.
    Text,
    /// An embedded object: 1 or 0.
    Link,
    /// A `mixed` value: text length or element count, otherwise null.
    Mixed,
}
