//! Many compiled predicates over the same table, checked together against one document.
//!
//! A sync session holds one predicate per subscription (and per role filter) on each table, and
//! every changed object has to be tested against all of them. Testing them one by one would scan
//! the document once per predicate and evaluate every one of them. A [`PredicateSet`] instead
//!
//! - scans the document once, into one slot array shared by all predicates (each predicate's
//!   slots are renumbered into the shared numbering when the set is built), and
//! - indexes predicates by one top-level conjunct of the form `field == constant` or
//!   `field IN {constants}`: the document's value of that field selects, through a hash of the
//!   constant, the few predicates that can possibly match. Predicates without such a conjunct are
//!   checked in turn.
//!
//! The index only narrows the candidates; every candidate is still evaluated in full, so a hash
//! collision costs time, never a wrong answer. What the index must guarantee is the converse: a
//! predicate whose indexed conjunct is true for the document is among the candidates. The keys
//! therefore follow realm-core's equality: values of different kinds (a string and a number, a
//! bool and an int) are never equal, ints of both widths are one kind, and a double equals an int
//! only when it holds that integer exactly. Values whose equality with the indexed constants is
//! not captured by a key (decimals, floats, non-integral or very large doubles) make every
//! predicate indexed on that field a candidate.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

use super::doc::Node;
use super::eval::eval_root;
use super::{Compare, CompareKind, Cond, First, Operand, OperandKind, Predicate, Term};
use crate::document::{DocRef, FieldSet};
use crate::value::{CmpOp, Value, ValueRef};

/// Shared slots kept on the stack; fields beyond these are looked up by name.
const SET_SLOTS: usize = 64;

/// Doubles up to this magnitude convert to `i64` and back exactly.
const EXACT_DOUBLE: f64 = 9_007_199_254_740_992.0;

/// A table's predicates (its subscriptions, or the filters of its roles), checked together
/// against one document at a time.
///
/// Answers are exactly those of checking each predicate on its own: [`PredicateSet::first_match`]
/// is the lowest index of a matching predicate. Checking a document reads its top-level fields
/// once, costs a hash lookup per indexed field, and evaluates only the predicates the index
/// cannot rule out; it does not allocate.
#[derive(Debug, Clone)]
pub struct PredicateSet {
    /// The predicates' trees, with slots renumbered into `names`.
    roots: Box<[Cond]>,
    /// Every top-level field any predicate reads.
    fields: FieldSet,
    /// The same names; shared slot `i` holds field `names[i]`.
    names: Box<[Box<str>]>,
    /// One index per field that some predicate is indexed on.
    indexes: Box<[FieldIndex]>,
    /// Predicates with no indexable conjunct, in ascending order.
    linear: Box<[u32]>,
    hasher: RandomState,
}

/// Predicates indexed on one field, by the hash of the constants their conjunct compares it with.
#[derive(Debug, Clone)]
struct FieldIndex {
    slot: usize,
    /// Each list ascending and without repeats.
    buckets: HashMap<u64, Vec<u32>, BuildHasherDefault<PassThrough>>,
    /// Every predicate indexed on this field, ascending: the candidates when the document's
    /// value has no key.
    all: Vec<u32>,
}

/// The keys are already hashes; hashing them again would only cost time.
#[derive(Debug, Default, Clone, Copy)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The classes of values that can be equal to each other (realm-core's comparability ranks for
/// the types the index keys).
#[derive(Debug, Clone, Copy, Hash)]
enum Key<'a> {
    Bool(bool),
    /// Ints of any width, and doubles holding an integer exactly.
    Num(i64),
    Str(&'a [u8]),
    Oid([u8; 12]),
    Uuid([u8; 16]),
}

/// What a document's value selects in one field's index.
enum Probe<'a> {
    /// It equals no indexed constant.
    Nothing,
    /// Only constants with this key can equal it.
    Key(Key<'a>),
    /// Any indexed constant might equal it.
    All,
}

impl Key<'_> {
    /// The key of an indexable constant.
    fn of_const(c: &Value) -> Option<Key<'_>> {
        Some(match c {
            Value::Bool(b) => Key::Bool(*b),
            Value::Int(i) => Key::Num(*i),
            Value::String(s) => Key::Str(s),
            Value::ObjectId(o) => Key::Oid(*o),
            Value::Uuid(u) => Key::Uuid(*u),
            _ => return None,
        })
    }
}

/// Which constants a document value can equal.
fn probe<'a>(v: &ValueRef<'a>) -> Probe<'a> {
    match *v {
        ValueRef::Bool(b) => Probe::Key(Key::Bool(b)),
        ValueRef::Int(i) => Probe::Key(Key::Num(i)),
        ValueRef::String(s) => Probe::Key(Key::Str(s)),
        ValueRef::ObjectId(o) => Probe::Key(Key::Oid(o)),
        ValueRef::Uuid(u) => Probe::Key(Key::Uuid(u)),
        ValueRef::Double(d) if d.fract() == 0.0 && d.abs() < EXACT_DOUBLE => {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "an integral double below 2^53 converts exactly"
            )]
            let i = d as i64;
            Probe::Key(Key::Num(i))
        }
        ValueRef::Double(_) | ValueRef::Float(_) | ValueRef::Decimal(_) => Probe::All,
        // Kinds no indexed constant has (null, timestamps, binaries, objects, collections …)
        // equal none of them.
        _ => Probe::Nothing,
    }
}

/// An indexable conjunct: the predicate-local slot of the field and the constants it must equal.
fn indexable(c: &Cond) -> Option<(usize, &[Value])> {
    let Cond::Rql(cmp) = c else { return None };
    let Compare { left, op, right, case_insensitive, kind, .. } = &**cmp;
    if *op != CmpOp::Eq || *case_insensitive || *kind != CompareKind::Plain {
        return None;
    }
    let (slot, consts) = match (field_of(left), consts_of(right)) {
        (Some(s), Some(cs)) => (s, cs),
        _ => (field_of(right)?, consts_of(left)?),
    };
    if consts.is_empty() || consts.iter().any(|c| Key::of_const(c).is_none()) {
        return None;
    }
    Some((slot, consts))
}

/// The slot of a side that is one top-level scalar field, read as itself.
fn field_of(o: &Operand) -> Option<usize> {
    let OperandKind::Path(p) = &o.kind else { return None };
    let First::Slot(slot) = p.first else { return None };
    let plain = !o.list
        && o.quantifier.is_none()
        && p.steps.is_empty()
        && matches!(p.term, Term::Value)
        && !p.per_instance
        && !p.float
        && !p.link;
    plain.then_some(slot)
}

/// The constants of a constant side (one, or a list compared element by element with `IN`).
fn consts_of(o: &Operand) -> Option<&[Value]> {
    if o.quantifier.is_some() {
        return None;
    }
    match &o.kind {
        OperandKind::Const(c) if !o.list => Some(std::slice::from_ref(c)),
        OperandKind::Consts(cs) if o.list => Some(cs),
        _ => None,
    }
}

/// The first indexable conjunct of a predicate: the whole tree, or one item of a top-level `AND`.
fn index_conjunct(root: &Cond) -> Option<(usize, &[Value])> {
    match root {
        Cond::And(items) => items.iter().find_map(indexable),
        other => indexable(other),
    }
}

impl PredicateSet {
    /// Builds the set; predicate `i` of `predicates` keeps index `i` in every answer.
    pub fn new(predicates: Vec<Predicate>) -> PredicateSet {
        let hasher = RandomState::new();
        let mut fields = FieldSet::default();
        let mut names: Vec<Box<str>> = Vec::new();
        let mut add = |fields: &mut FieldSet, name: &str| {
            let slot = fields.insert(name);
            if slot == names.len() {
                names.push(name.into());
            }
            slot
        };
        // Indexed fields first, so that they get stack slots however many fields there are.
        let chosen: Vec<Option<(usize, Vec<u64>)>> = predicates
            .iter()
            .map(|p| {
                let (local, consts) = index_conjunct(&p.root)?;
                let name = p.names.get(local)?;
                let slot = add(&mut fields, name);
                let hashes = consts.iter().filter_map(Key::of_const).map(|k| hash(&hasher, &k));
                Some((slot, hashes.collect()))
            })
            .collect();
        let mut roots = Vec::with_capacity(predicates.len());
        for p in predicates {
            let map: Vec<usize> = p.names.iter().map(|n| add(&mut fields, n)).collect();
            let mut root = p.root;
            rebase(&mut root, &map);
            roots.push(root);
        }
        let mut indexes: Vec<FieldIndex> = Vec::new();
        let mut linear = Vec::new();
        for (i, choice) in (0u32..).zip(chosen) {
            let Some((slot, hashes)) = choice else {
                linear.push(i);
                continue;
            };
            let at = match indexes.iter().position(|x| x.slot == slot) {
                Some(at) => at,
                None => {
                    indexes.push(FieldIndex { slot, buckets: HashMap::default(), all: Vec::new() });
                    indexes.len() - 1
                }
            };
            let Some(index) = indexes.get_mut(at) else { continue };
            index.all.push(i);
            for h in hashes {
                let bucket = index.buckets.entry(h).or_default();
                if bucket.last() != Some(&i) {
                    bucket.push(i);
                }
            }
        }
        PredicateSet {
            roots: roots.into_boxed_slice(),
            fields,
            names: names.into_boxed_slice(),
            indexes: indexes.into_boxed_slice(),
            linear: linear.into_boxed_slice(),
            hasher,
        }
    }

    /// Number of predicates.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether the set has no predicates (then nothing matches).
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The lowest index of a predicate that matches `doc`, if any does.
    pub fn first_match(&self, doc: &DocRef<'_>) -> Option<usize> {
        self.search(doc, false).and_then(|i| usize::try_from(i).ok())
    }

    /// Whether any predicate matches `doc`.
    pub fn matches_any(&self, doc: &DocRef<'_>) -> bool {
        self.search(doc, true).is_some()
    }

    /// Evaluates the candidates; with `any`, stops at the first match found rather than looking
    /// for the lowest.
    fn search(&self, doc: &DocRef<'_>, any: bool) -> Option<u32> {
        let mut slots: [Option<ValueRef<'_>>; SET_SLOTS] = [None; SET_SLOTS];
        let used = self.names.len().min(SET_SLOTS);
        let slots = slots.get_mut(..used).unwrap_or_default();
        // A malformed element ends the scan; the fields read so far are used, the rest read as
        // absent (as for a single predicate).
        let _ = self.fields.scan(doc, slots);
        let slots: &[Option<ValueRef<'_>>] = slots;
        let mut best: Option<u32> = None;
        let mut check = |list: &[u32]| {
            for &i in list {
                if best.is_some_and(|b| i >= b) {
                    break;
                }
                let Some(root) = usize::try_from(i).ok().and_then(|i| self.roots.get(i)) else {
                    continue;
                };
                if eval_root(root, slots, *doc, &self.names) {
                    best = Some(i);
                    break;
                }
            }
            any && best.is_some()
        };
        if check(&self.linear) {
            return best;
        }
        for index in self.indexes.iter() {
            let node = match slots.get(index.slot) {
                Some(v) => Node(*v),
                None => {
                    let name = self.names.get(index.slot).map_or("", |n| &**n);
                    Node(doc.get(name).ok().flatten())
                }
            };
            let done = match probe(&node.val(false)) {
                Probe::Nothing => false,
                Probe::All => check(&index.all),
                Probe::Key(k) => {
                    index.buckets.get(&hash(&self.hasher, &k)).is_some_and(|list| check(list))
                }
            };
            if done {
                return best;
            }
        }
        best
    }
}

fn hash(hasher: &RandomState, key: &Key<'_>) -> u64 {
    hasher.hash_one(key)
}

/// Renumbers the top-level slots a tree reads: local slot `i` becomes `map[i]`.
// Recursion follows the compiled tree, whose depth compilation bounded.
fn rebase(c: &mut Cond, map: &[usize]) {
    match c {
        Cond::True | Cond::False => {}
        Cond::And(items) | Cond::Or(items) => items.iter_mut().for_each(|c| rebase(c, map)),
        Cond::Not(inner) => rebase(inner, map),
        Cond::Rql(cmp) => {
            rebase_operand(&mut cmp.left, map);
            rebase_operand(&mut cmp.right, map);
        }
    }
}

fn rebase_operand(o: &mut Operand, map: &[usize]) {
    match &mut o.kind {
        OperandKind::Const(_) | OperandKind::Consts(_) => {}
        OperandKind::Path(p) => rebase_path(p, map),
        OperandKind::Arith(a) => {
            rebase_operand(&mut a.left, map);
            rebase_operand(&mut a.right, map);
        }
        OperandKind::Subquery(s) => {
            rebase_path(&mut s.path, map);
            rebase(&mut s.cond, map);
        }
    }
}

fn rebase_path(p: &mut super::PathExpr, map: &[usize]) {
    if let First::Slot(i) = &mut p.first
        && let Some(&to) = map.get(*i)
    {
        *i = to;
    }
}
