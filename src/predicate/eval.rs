//! Evaluation of a compiled predicate over one document.
//!
//! The document's top-level fields are read in one pass into a fixed array of slots on the
//! stack; everything after that walks from the slots. Values are visited through callbacks, so
//! lists are never collected, and nothing on this path allocates (LIKE patterns with more than
//! sixteen `*` and arithmetic are the only exceptions, see `val::like`). Recursion follows the
//! compiled tree, whose depth compilation bounded.

use bson::Document;
use bson::raw::RawDocument;

use super::doc::{DocExt, Node};
use super::val;
use super::{
    Arith, Compare, CompareKind, Cond, Expand, First, Index, Operand, OperandKind, PathExpr,
    Predicate, SizeKind, Step, Term,
};
use crate::document::DocRef;
use crate::rql::ast::Quantifier;
use crate::value::{Aggregate, ArithOp, CmpOp, ValueRef};

/// Slots kept on the stack; predicates reading more top-level fields look them up by name.
const STACK_SLOTS: usize = 32;

pub(crate) struct Ctx<'a, 's> {
    slots: &'s [Option<ValueRef<'a>>],
    doc: DocRef<'a>,
    elem: Option<DocRef<'a>>,
    fields: &'a [Box<str>],
}

impl<'a> Ctx<'a, '_> {
    fn slot(&self, i: usize) -> Node<'a> {
        match self.slots.get(i) {
            Some(n) => Node(*n),
            None => self.fields.get(i).map_or(Node(None), |f| self.doc.field(f)),
        }
    }
}

impl Predicate {
    /// Whether a raw BSON document matches.
    pub fn matches_raw(&self, doc: &RawDocument) -> bool {
        self.eval_doc(DocRef::raw(doc))
    }

    /// Whether a decoded BSON document matches.
    pub fn matches(&self, doc: &Document) -> bool {
        self.eval_doc(DocRef::decoded(doc))
    }

    fn eval_doc(&self, doc: DocRef<'_>) -> bool {
        let names: &[Box<str>] = &self.names;
        let mut slots: [Option<ValueRef<'_>>; STACK_SLOTS] = [None; STACK_SLOTS];
        let used = if names.len() <= STACK_SLOTS {
            // A malformed element ends the scan; the fields read so far are used, the rest
            // read as absent.
            let _ = self.fields.scan(&doc, &mut slots);
            names.len()
        } else {
            0
        };
        let ctx =
            Ctx { slots: slots.get(..used).unwrap_or_default(), doc, elem: None, fields: names };
        eval_cond(&self.root, &ctx)
    }

    /// Evaluates one node of this predicate's tree on `doc` (for explanations, which walk the
    /// tree themselves). Fields are looked up by name rather than scanned into slots.
    pub(super) fn eval_node<'a>(&'a self, c: &'a Cond, doc: DocRef<'a>) -> bool {
        let ctx = Ctx { slots: &[], doc, elem: None, fields: &self.names };
        eval_cond(c, &ctx)
    }

    /// The value of a sort or distinct key for one document (`None`: a link on the way is null).
    pub(super) fn key_value<'a>(path: &'a PathExpr, doc: DocRef<'a>) -> Option<ValueRef<'a>> {
        let First::Element(head) = &path.first else { return None };
        let mut node = doc.field(head);
        for step in path.steps.iter() {
            node = match step {
                // A null embedded object on the way: no value at all (sorted last, dropped by
                // DISTINCT), unlike a null value.
                Step::Field(name) => node.doc()?.field(name),
                Step::Key(k) => match node.doc() {
                    Some(d) => d.field(k),
                    None => Node(None),
                },
                _ => return None,
            };
        }
        Some(value_of(path, node))
    }
}

/// Evaluates a tree whose top-level slots were already read (into `slots`, named by `fields`;
/// slots beyond `slots` are looked up by name).
pub(crate) fn eval_root<'a>(
    root: &'a Cond,
    slots: &[Option<ValueRef<'a>>],
    doc: DocRef<'a>,
    fields: &'a [Box<str>],
) -> bool {
    eval_cond(root, &Ctx { slots, doc, elem: None, fields })
}

pub(crate) fn eval_cond<'a>(c: &'a Cond, ctx: &Ctx<'a, '_>) -> bool {
    match c {
        Cond::True => true,
        Cond::False => false,
        Cond::And(items) => items.iter().all(|c| eval_cond(c, ctx)),
        Cond::Or(items) => items.iter().any(|c| eval_cond(c, ctx)),
        Cond::Not(inner) => !eval_cond(inner, ctx),
        Cond::Rql(cmp) => eval_compare(cmp, ctx),
    }
}

/// One instance of a side: the whole side, one collection reached through a list of objects,
/// or the empty collection when no instance was reached.
#[derive(Clone, Copy)]
enum Inst<'a> {
    Whole,
    At(Node<'a>),
    Empty,
}

fn for_each_instance<'a>(
    o: &'a Operand,
    ctx: &Ctx<'a, '_>,
    f: &mut dyn FnMut(Inst<'a>) -> bool,
) -> bool {
    match &o.kind {
        OperandKind::Path(p) if p.per_instance => {
            let mut any = false;
            let go_on = walk(p, ctx, &mut |n| {
                any = true;
                f(Inst::At(n))
            });
            if !any { f(Inst::Empty) } else { go_on }
        }
        _ => f(Inst::Whole),
    }
}

fn eval_compare<'a>(c: &'a Compare, ctx: &Ctx<'a, '_>) -> bool {
    // The common shape, a top-level scalar field against one constant, read directly: the same
    // steps the general path takes (one instance each side, the field's value and the
    // constant), without visiting them through callbacks.
    if c.kind == CompareKind::Plain
        && let (OperandKind::Path(p), OperandKind::Const(k)) = (&c.left.kind, &c.right.kind)
        && let First::Slot(i) = p.first
        && !c.left.list
        && !c.right.list
        && !p.per_instance
        && p.steps.is_empty()
        && matches!(p.term, Term::Value)
    {
        return test(c, c.op, &value_of(p, ctx.slot(i)), &k.view());
    }
    let mut result = false;
    for_each_instance(&c.left, ctx, &mut |li| {
        for_each_instance(&c.right, ctx, &mut |ri| {
            if compare_instances(c, ctx, li, ri) {
                result = true;
            }
            !result
        });
        !result
    });
    result
}

fn test<'a>(c: &'a Compare, op: CmpOp, l: &ValueRef<'a>, r: &ValueRef<'a>) -> bool {
    val::apply(op, l, r, c.folded.as_ref(), c.case_insensitive, c.level)
}

fn compare_instances<'a>(c: &'a Compare, ctx: &Ctx<'a, '_>, li: Inst<'a>, ri: Inst<'a>) -> bool {
    let (left, right) = (&c.left, &c.right);
    match c.kind {
        CompareKind::Between | CompareKind::BetweenSplit => {
            let OperandKind::Consts(bounds) = &right.kind else { return false };
            let (Some(lo), Some(hi)) = (bounds.first(), bounds.get(1)) else { return false };
            let (lo, hi) = (lo.view(), hi.view());
            let inside = |v: &ValueRef<'a>| {
                val::apply(CmpOp::Ge, v, &lo, None, false, c.level)
                    && val::apply(CmpOp::Le, v, &hi, None, false, c.level)
            };
            if !left.list {
                return first(left, ctx, li).is_some_and(|v| inside(&v));
            }
            let q = left.quantifier.unwrap_or(Quantifier::Any);
            if c.kind == CompareKind::BetweenSplit && q != Quantifier::All {
                let ge = |v: ValueRef<'a>| val::apply(CmpOp::Ge, &v, &lo, None, false, c.level);
                let le = |v: ValueRef<'a>| val::apply(CmpOp::Le, &v, &hi, None, false, c.level);
                return quant(q, left, ctx, li, &mut |v| ge(v))
                    && quant(q, left, ctx, li, &mut |v| le(v));
            }
            quant(q, left, ctx, li, &mut |v| inside(&v))
        }
        CompareKind::Plain => {
            if !left.list && !right.list {
                return match (first(left, ctx, li), first(right, ctx, ri)) {
                    (Some(l), Some(r)) => test(c, c.op, &l, &r),
                    _ => false,
                };
            }
            if left.list && right.list && left.quantifier.is_none() && right.quantifier.is_none() {
                return ordered(c, ctx, li, ri);
            }
            let ql = left.quantifier.unwrap_or(Quantifier::Any);
            let qr = right.quantifier.unwrap_or(Quantifier::Any);
            quant(ql, left, ctx, li, &mut |l| {
                quant(qr, right, ctx, ri, &mut |r| test(c, c.op, &l, &r))
            })
        }
    }
}

/// Two lists without quantifiers: equal sizes and the operator holding pairwise; `!=` is also
/// true for lists of different sizes (realm-core's rule, not the negation of `==`).
fn ordered<'a>(c: &'a Compare, ctx: &Ctx<'a, '_>, li: Inst<'a>, ri: Inst<'a>) -> bool {
    let n = count(&c.left, ctx, li);
    let m = count(&c.right, ctx, ri);
    if n != m {
        return c.op == CmpOp::Ne;
    }
    let mut i = 0usize;
    let mut all = true;
    values(&c.left, ctx, li, &mut |l| {
        let r = nth(&c.right, ctx, ri, i);
        i += 1;
        if r.is_some_and(|r| test(c, c.op, &l, &r)) {
            true
        } else {
            all = false;
            false
        }
    });
    all
}

fn quant<'a>(
    q: Quantifier,
    o: &'a Operand,
    ctx: &Ctx<'a, '_>,
    inst: Inst<'a>,
    pred: &mut dyn FnMut(ValueRef<'a>) -> bool,
) -> bool {
    match q {
        Quantifier::Any | Quantifier::None => {
            let mut hit = false;
            values(o, ctx, inst, &mut |v| {
                hit = pred(v);
                !hit
            });
            if q == Quantifier::Any { hit } else { !hit }
        }
        Quantifier::All => {
            let mut ok = true;
            values(o, ctx, inst, &mut |v| {
                ok = pred(v);
                ok
            });
            ok
        }
    }
}

fn first<'a>(o: &'a Operand, ctx: &Ctx<'a, '_>, inst: Inst<'a>) -> Option<ValueRef<'a>> {
    nth(o, ctx, inst, 0)
}

fn nth<'a>(
    o: &'a Operand,
    ctx: &Ctx<'a, '_>,
    inst: Inst<'a>,
    index: usize,
) -> Option<ValueRef<'a>> {
    let mut i = 0usize;
    let mut out = None;
    values(o, ctx, inst, &mut |v| {
        if i == index {
            out = Some(v);
            return false;
        }
        i += 1;
        true
    });
    out
}

fn count<'a>(o: &'a Operand, ctx: &Ctx<'a, '_>, inst: Inst<'a>) -> usize {
    let mut n = 0usize;
    values(o, ctx, inst, &mut |_| {
        n += 1;
        true
    });
    n
}

/// Visits the values of one side (of one instance); returns false when `f` stopped early.
fn values<'a>(
    o: &'a Operand,
    ctx: &Ctx<'a, '_>,
    inst: Inst<'a>,
    f: &mut dyn FnMut(ValueRef<'a>) -> bool,
) -> bool {
    match &o.kind {
        OperandKind::Const(c) => f(c.view()),
        OperandKind::Consts(cs) => cs.iter().all(|c| f(c.view())),
        OperandKind::Path(p) => match inst {
            Inst::At(n) => term_values(p, n, f),
            Inst::Empty => match p.term {
                Term::Size(_) => f(ValueRef::Int(0)),
                Term::Agg(op, _, elem) => f(Aggregate::new(op, elem).result_ref()),
                _ => true,
            },
            Inst::Whole => {
                if let Term::Agg(op, expand, elem) = p.term {
                    let mut acc = Aggregate::new(op, elem);
                    walk(p, ctx, &mut |n| {
                        expand_values(p, n, expand, &mut |v| {
                            if v.is_scalar() {
                                acc.push(v);
                            }
                            true
                        })
                    });
                    f(acc.result_ref())
                } else {
                    walk(p, ctx, &mut |n| term_values(p, n, f))
                }
            }
        },
        OperandKind::Arith(a) => arith_values(a, ctx, f),
        OperandKind::Subquery(s) => {
            let mut n = 0i64;
            walk(&s.path, ctx, &mut |node| {
                if let Some(d) = node.doc() {
                    let inner = Ctx { slots: &[], doc: d, elem: Some(d), fields: &[] };
                    if eval_cond(&s.cond, &inner) {
                        n += 1;
                    }
                }
                true
            });
            f(ValueRef::Int(n))
        }
    }
}

fn arith_values<'a>(
    a: &'a Arith,
    ctx: &Ctx<'a, '_>,
    f: &mut dyn FnMut(ValueRef<'a>) -> bool,
) -> bool {
    if a.left.list {
        let Some(r) = first(&a.right, ctx, Inst::Whole) else { return true };
        values(&a.left, ctx, Inst::Whole, &mut |l| f(arith(a.op, &l, &r)))
    } else if a.right.list {
        let Some(l) = first(&a.left, ctx, Inst::Whole) else { return true };
        values(&a.right, ctx, Inst::Whole, &mut |r| f(arith(a.op, &l, &r)))
    } else {
        match (first(&a.left, ctx, Inst::Whole), first(&a.right, ctx, Inst::Whole)) {
            (Some(l), Some(r)) => f(arith(a.op, &l, &r)),
            _ => true,
        }
    }
}

/// realm-core arithmetic (the value layer's rules); null or non-numeric operands give null.
pub(crate) fn arith<'a>(op: ArithOp, l: &ValueRef<'_>, r: &ValueRef<'_>) -> ValueRef<'a> {
    let (Some(x), Some(y)) = (l.as_number(), r.as_number()) else { return ValueRef::Null };
    ValueRef::from(crate::value::numeric::arith(op, x, y))
}

fn walk<'a>(p: &'a PathExpr, ctx: &Ctx<'a, '_>, f: &mut dyn FnMut(Node<'a>) -> bool) -> bool {
    let start = match &p.first {
        First::Slot(i) => ctx.slot(*i),
        First::Element(name) => ctx.elem.map_or(Node(None), |d| d.field(name)),
    };
    walk_from(start, &p.steps, f)
}

fn walk_from<'a>(node: Node<'a>, steps: &'a [Step], f: &mut dyn FnMut(Node<'a>) -> bool) -> bool {
    let Some((step, rest)) = steps.split_first() else { return f(node) };
    match step {
        Step::Field(name) => walk_from(node.field(name), rest, f),
        Step::FieldAfterList(name) => match node.doc() {
            Some(d) => walk_from(d.field(name), rest, f),
            None => true,
        },
        Step::Each => node.for_each_element(&mut |e| walk_from(e, rest, f)),
        Step::Values => match node.doc() {
            Some(d) => d.for_each_field(&mut |_, v| walk_from(v, rest, f)),
            None => true,
        },
        Step::Key(k) => match node.doc() {
            Some(d) if d.is_empty_doc() => true,
            Some(d) => walk_from(d.field(k), rest, f),
            None => true,
        },
        Step::Index(ix) => {
            if !node.is_array() {
                return true;
            }
            let len = node.len();
            if len == 0 {
                return true;
            }
            let at = match ix {
                Index::First => Some(0),
                Index::Last => Some(len - 1),
                Index::At(n) => usize::try_from(*n).ok(),
            };
            let target = at.and_then(|i| node.element(i)).unwrap_or(Node(None));
            walk_from(target, rest, f)
        }
    }
}

fn value_of<'a>(p: &PathExpr, n: Node<'a>) -> ValueRef<'a> {
    if p.link {
        return if n.doc().is_some() { ValueRef::Link } else { ValueRef::Null };
    }
    n.val(p.float)
}

fn expand_values<'a>(
    p: &PathExpr,
    n: Node<'a>,
    expand: Option<Expand>,
    f: &mut dyn FnMut(ValueRef<'a>) -> bool,
) -> bool {
    match expand {
        None => f(value_of(p, n)),
        Some(Expand::Elements) => n.for_each_element(&mut |e| f(e.val(p.float))),
        // Values of a dictionary, or (inside `mixed`, where `[*]` may meet either) elements of
        // a list.
        Some(Expand::Values) => match n.doc() {
            Some(d) => d.for_each_field(&mut |_, v| f(v.val(p.float))),
            None => n.for_each_element(&mut |e| f(e.val(p.float))),
        },
        Some(Expand::Keys) => match n.doc() {
            Some(d) => d.for_each_field(&mut |k, _| f(ValueRef::String(k))),
            None => true,
        },
    }
}

fn term_values<'a>(p: &PathExpr, n: Node<'a>, f: &mut dyn FnMut(ValueRef<'a>) -> bool) -> bool {
    match p.term {
        Term::Value => f(value_of(p, n)),
        Term::Expand(e) => expand_values(p, n, Some(e), f),
        Term::Lengths(e) => expand_values(p, n, Some(e), &mut |v| {
            f(match v.as_bytes() {
                Some(s) => ValueRef::Int(i64::try_from(s.len()).unwrap_or(i64::MAX)),
                None => ValueRef::Null,
            })
        }),
        Term::Size(kind) => f(size_of(n, kind)),
        Term::Type(e) => expand_values(p, n, e, &mut |v| f(ValueRef::Type(v.type_of()))),
        Term::Agg(op, e, elem) => {
            let mut acc = Aggregate::new(op, elem);
            expand_values(p, n, e, &mut |v| {
                if v.is_scalar() {
                    acc.push(v);
                }
                true
            });
            f(acc.result_ref())
        }
    }
}

fn size_of<'a>(n: Node<'a>, kind: SizeKind) -> ValueRef<'a> {
    let len = |n: Node<'a>| i64::try_from(n.len()).unwrap_or(i64::MAX);
    match kind {
        SizeKind::Collection => {
            ValueRef::Int(if n.is_array() || n.doc().is_some() { len(n) } else { 0 })
        }
        SizeKind::Link => ValueRef::Int(i64::from(n.doc().is_some())),
        SizeKind::Text | SizeKind::Mixed => match n.val(false) {
            ValueRef::String(s) | ValueRef::Binary { bytes: s, .. } => {
                ValueRef::Int(i64::try_from(s.len()).unwrap_or(i64::MAX))
            }
            ValueRef::Array(_) | ValueRef::Document(_) if kind == SizeKind::Mixed => {
                ValueRef::Int(len(n))
            }
            _ => ValueRef::Null,
        },
    }
}
