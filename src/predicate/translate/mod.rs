//! Translation: a Realm Query Language query → the MongoDB filter a Flexible Sync server runs to
//! fill a new subscription.
//!
//! Input: a parsed query, the table schema and the arguments. Output: a [`bson::Document`] filter
//! that selects, under MongoDB's matching rules, exactly the documents the query selects under
//! realm-core's — or a [`TranslateError`] saying which comparison has no such filter. Nothing is
//! approximated.
//!
//! The query is compiled first ([`crate::compile`]), so type errors are realm-core's own and
//! constants arrive converted by the property they are compared with (`age == '5'` compares with
//! the integer 5). Each comparison is then compiled alone and its compiled form decides the
//! filter; `AND`, `OR` and `NOT` become `$and`, `$or` and `$nor`, which MongoDB evaluates with the
//! same two-valued logic as realm-core.
//!
//! How meaning is kept where the two engines differ:
//! - **null and missing**: RQL reads a missing field as null, and MongoDB's `{f: {$eq: null}}`
//!   matches null and missing fields alike; `$ne` and `$not` match missing fields, as `!=` and
//!   `NOT` match nulls in RQL.
//! - **lists**: a comparison with a list property goes through `$elemMatch`, so a missing list is
//!   empty (never "null"); `ALL` becomes "no element fails" (`$nor` of `$elemMatch` of the
//!   negated condition) and `NONE` "no element holds", both true for an empty or missing list.
//! - **`@count`** of a list becomes `$size` for equality and the existence of an index
//!   (`{"labels.2": {"$exists": true}}` is "at least three elements") for ordering, so that a
//!   missing list counts zero.
//! - **strings**: `BEGINSWITH`, `ENDSWITH`, `CONTAINS`, `LIKE` and `[c]` become anchored regular
//!   expressions with every metacharacter escaped; `[c]` folds only what realm-core folds (ASCII
//!   and Latin-1 letters) by writing each foldable letter as a two-letter class (`[aA]`), never
//!   with the `i` option, which folds far more. `LIKE`'s `*` and `?` become `.*` and `.` with the
//!   `s` option (one code point, line breaks included).
//! - **NaN**: an own `double` property compared with a NaN constant follows IEEE in realm-core
//!   (`weight == NaN` matches nothing, `weight != NaN` everything), so the filter is a constant;
//!   elsewhere NaN constants are refused, since MongoDB treats NaN as equal to NaN.
//! - **realm-core's orderings**: a string property orders null before every string when compared
//!   with a string constant, and comparisons that realm-core makes between values of different
//!   numeric types order NaN below every number; both become an extra `$or` branch.
//!
//! Refused: paths through embedded objects or dictionaries, two properties compared with each
//! other, list properties compared with lists, arithmetic, aggregates, `@type`, `SUBQUERY`,
//! `TEXT`, `GEOWITHIN`, the length of a string, `mixed` and `float` properties, NaN constants,
//! timestamps finer than a millisecond, constant haystacks and `LIKE` patterns ending in `**`.

mod error;
#[cfg(test)]
mod tests;

use bson::spec::BinarySubtype;
use bson::{Binary, Bson, Document};

pub use error::{TranslateError, TranslateErrorKind};

use crate::limits::Limits;
use crate::predicate::val::{self, Level};
use crate::predicate::{
    Compare, CompareKind, Cond, First, Operand, OperandKind, PathExpr, Predicate, SizeKind, Term,
    compile,
};
use crate::rql::ast::{self, PredicateKind, Quantifier};
use crate::schema::{Collection, PropertyType, Table};
use crate::span::Span;
use crate::value::{CmpOp, Value, ValueRef};

/// Translates `query` over `table` with `args` into a MongoDB filter with the same matches.
///
/// ```
/// use flexrules::schema::Table;
///
/// let table = Table::from_json(&serde_json::json!({
///     "title": "Car", "bsonType": "object", "required": ["_id"],
///     "properties": {"_id": {"bsonType": "objectId"}, "miles": {"bsonType": "long"}}
/// }))?;
/// let query = flexrules::parse("miles < 100")?;
/// let filter = flexrules::translate(&query, &table, &[], &flexrules::Limits::default())?;
/// assert_eq!(filter, bson::doc! {"miles": {"$lt": 100_i64}});
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn translate(
    query: &ast::Query,
    table: &Table,
    args: &[Bson],
    limits: &Limits,
) -> Result<Document, TranslateError> {
    compile(query, table, args, limits)
        .map_err(|e| TranslateError::new(TranslateErrorKind::Compile(e.clone()), e.span()))?;
    if let Some(clause) = query.post.first() {
        return Err(TranslateError::new(
            TranslateErrorKind::PostClause(clause.to_string()),
            query.loc.0,
        ));
    }
    let t = Translator { table, args, limits };
    Ok(t.predicate(&query.predicate, 0)?.into_document())
}

/// A filter while it is built: constants are kept apart so that `AND`/`OR` can fold them.
#[derive(Debug, Clone, PartialEq)]
enum F {
    True,
    False,
    Doc(Document),
}

impl F {
    fn into_document(self) -> Document {
        match self {
            F::True => Document::new(),
            // MongoDB has no literal `false`; "none of: everything" matches nothing.
            F::False => bson::doc! {"$nor": [{}]},
            F::Doc(d) => d,
        }
    }

    fn and(items: Vec<F>) -> F {
        let mut docs = Vec::with_capacity(items.len());
        for f in items {
            match f {
                F::True => {}
                F::False => return F::False,
                F::Doc(d) => docs.push(d),
            }
        }
        match docs.len() {
            0 => F::True,
            1 => docs.pop().map_or(F::True, F::Doc),
            _ => F::Doc(bson::doc! {"$and": docs}),
        }
    }

    fn or(items: Vec<F>) -> F {
        let mut docs = Vec::with_capacity(items.len());
        for f in items {
            match f {
                F::False => {}
                F::True => return F::True,
                F::Doc(d) => docs.push(d),
            }
        }
        match docs.len() {
            0 => F::False,
            1 => docs.pop().map_or(F::False, F::Doc),
            _ => F::Doc(bson::doc! {"$or": docs}),
        }
    }

    fn nor(items: Vec<F>) -> F {
        match F::or(items) {
            F::True => F::False,
            F::False => F::True,
            F::Doc(d) => F::Doc(bson::doc! {"$nor": [d]}),
        }
    }
}

/// One operator test on a value, e.g. `("$lt", 5)`.
type Test = (&'static str, Bson);
/// Tests that must all hold for one value (an empty conjunction always holds).
type Conj = Vec<Test>;
/// Alternatives, one of which must hold (no alternative: never holds).
type Dnf = Vec<Conj>;

struct Translator<'t> {
    table: &'t Table,
    args: &'t [Bson],
    limits: &'t Limits,
}

/// Refusal of one comparison: the error kind is built from its text.
type Refuse = fn(String) -> TranslateErrorKind;

/// What one comparison is about, for its error messages.
struct Leaf<'c> {
    text: String,
    span: Span,
    cmp: &'c Compare,
}

impl Leaf<'_> {
    fn refuse<T>(&self, kind: Refuse) -> Result<T, TranslateError> {
        Err(TranslateError::new(kind(self.text.clone()), self.span))
    }

    fn construct<T>(&self, construct: &'static str) -> Result<T, TranslateError> {
        Err(TranslateError::new(
            TranslateErrorKind::Construct { text: self.text.clone(), construct },
            self.span,
        ))
    }
}

/// The property a comparison reads and how.
struct Field<'p> {
    ty: &'p PropertyType,
    /// Values come from a list's elements (compared at realm-core's value level).
    elements: bool,
}

impl Translator<'_> {
    fn predicate(&self, p: &ast::Predicate, depth: u32) -> Result<F, TranslateError> {
        if depth > self.limits.max_depth {
            let kind = crate::predicate::CompileErrorKind::TooDeep { limit: self.limits.max_depth };
            return Err(TranslateError::new(
                TranslateErrorKind::Compile(crate::predicate::CompileError::new(kind, p.loc.0)),
                p.loc.0,
            ));
        }
        Ok(match &p.kind {
            PredicateKind::True => F::True,
            PredicateKind::False => F::False,
            PredicateKind::And(items) => F::and(
                items.iter().map(|i| self.predicate(i, depth + 1)).collect::<Result<_, _>>()?,
            ),
            PredicateKind::Or(items) => {
                F::or(items.iter().map(|i| self.predicate(i, depth + 1)).collect::<Result<_, _>>()?)
            }
            PredicateKind::Not(inner) => F::nor(vec![self.predicate(inner, depth + 1)?]),
            PredicateKind::Comparison(_) => self.comparison(p)?,
        })
    }

    /// Compiles one comparison alone and translates its compiled form.
    fn comparison(&self, p: &ast::Predicate) -> Result<F, TranslateError> {
        let span = p.loc.0;
        let text = p.to_string();
        let alone = ast::Query { predicate: p.clone(), post: Vec::new(), loc: p.loc };
        let compiled = compile(&alone, self.table, self.args, self.limits)
            .map_err(|e| TranslateError::new(TranslateErrorKind::Compile(e.clone()), e.span()))?;
        let predicate = compiled.predicate();
        self.cond(predicate.root(), predicate, &text, span, 0)
    }

    fn cond(
        &self,
        c: &Cond,
        p: &Predicate,
        text: &str,
        span: Span,
        depth: u32,
    ) -> Result<F, TranslateError> {
        if depth > self.limits.max_depth {
            return Err(TranslateError::new(TranslateErrorKind::Unsupported(text.into()), span));
        }
        Ok(match c {
            Cond::True => F::True,
            Cond::False => F::False,
            Cond::And(items) => F::and(
                items
                    .iter()
                    .map(|i| self.cond(i, p, text, span, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            Cond::Or(items) => F::or(
                items
                    .iter()
                    .map(|i| self.cond(i, p, text, span, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            Cond::Not(inner) => F::nor(vec![self.cond(inner, p, text, span, depth + 1)?]),
            Cond::Rql(cmp) => {
                let leaf = Leaf { text: text.to_owned(), span, cmp };
                self.compare(&leaf, p)?
            }
        })
    }

    /// The property a path reads, when it is a plain top-level field.
    fn field<'s>(
        &'s self,
        leaf: &Leaf<'_>,
        path: &PathExpr,
        p: &'s Predicate,
    ) -> Result<(&'s str, &'s PropertyType, Collection), TranslateError> {
        let First::Slot(slot) = path.first else {
            return leaf.refuse(TranslateErrorKind::NotTopLevel);
        };
        if !path.steps.is_empty() || path.link || path.per_instance {
            return leaf.refuse(TranslateErrorKind::NotTopLevel);
        }
        let Some(name) = p.field_name(slot) else {
            return leaf.refuse(TranslateErrorKind::Unsupported);
        };
        let Some(prop) = self.table.object().property(name) else {
            return leaf.refuse(TranslateErrorKind::NotTopLevel);
        };
        match prop.ty() {
            PropertyType::Mixed => return leaf.construct("a `mixed` property"),
            PropertyType::Float => return leaf.construct("a `float` property"),
            PropertyType::Object(_) => return leaf.refuse(TranslateErrorKind::NotTopLevel),
            _ => {}
        }
        if prop.collection() == Collection::Dictionary {
            return leaf.refuse(TranslateErrorKind::NotTopLevel);
        }
        Ok((name, prop.ty(), prop.collection()))
    }

    fn compare(&self, leaf: &Leaf<'_>, p: &Predicate) -> Result<F, TranslateError> {
        let cmp = leaf.cmp;
        let is_const =
            |o: &Operand| matches!(o.kind, OperandKind::Const(_) | OperandKind::Consts(_));
        let (path_side, const_side, op) = match (&cmp.left.kind, &cmp.right.kind) {
            (OperandKind::Path(path), _) if is_const(&cmp.right) => (path, &cmp.right, cmp.op),
            (_, OperandKind::Path(path)) if is_const(&cmp.left) => {
                let op = match cmp.op {
                    CmpOp::Eq => CmpOp::Eq,
                    CmpOp::Ne => CmpOp::Ne,
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Le => CmpOp::Ge,
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Ge => CmpOp::Le,
                    _ => return leaf.refuse(TranslateErrorKind::ConstantHaystack),
                };
                if cmp.kind != CompareKind::Plain {
                    return leaf.refuse(TranslateErrorKind::Unsupported);
                }
                (path, &cmp.left, op)
            }
            (OperandKind::Path(_), OperandKind::Path(_)) => {
                return leaf.refuse(TranslateErrorKind::TwoProperties);
            }
            (OperandKind::Arith(_), _) | (_, OperandKind::Arith(_)) => {
                return leaf.construct("arithmetic");
            }
            (OperandKind::Subquery(_), _) | (_, OperandKind::Subquery(_)) => {
                return leaf.construct("`SUBQUERY`");
            }
            _ => return leaf.refuse(TranslateErrorKind::Unsupported),
        };
        let field_side = if std::ptr::eq(const_side, &cmp.right) { &cmp.left } else { &cmp.right };
        let (name, ty, collection) = self.field(leaf, path_side, p)?;
        let list = collection != Collection::Single;
        match (path_side.term, list) {
            (Term::Value, false) => {}
            (Term::Expand(crate::predicate::Expand::Elements), true) => {}
            (Term::Size(SizeKind::Collection), true) => {
                return self.count(leaf, name, op, const_side);
            }
            (Term::Size(_), _) => return leaf.construct("the length of a string"),
            (Term::Agg(..), _) => return leaf.construct("an aggregate"),
            (Term::Type(_), _) => return leaf.construct("`@type`"),
            _ => return leaf.refuse(TranslateErrorKind::NotTopLevel),
        }
        let field = Field { ty, elements: list };
        if matches!(cmp.kind, CompareKind::BetweenSplit) {
            return leaf.refuse(TranslateErrorKind::Unsupported);
        }
        // The values each element (or the single value) must satisfy.
        let between = cmp.kind == CompareKind::Between;
        let (holds, consts): (Option<Dnf>, Vec<Dnf>) = match &const_side.kind {
            OperandKind::Const(c) if !between => {
                (Some(self.holds(leaf, &field, op, c)?), Vec::new())
            }
            OperandKind::Consts(cs) if between => {
                let [lo, hi] = &**cs else { return leaf.refuse(TranslateErrorKind::Unsupported) };
                let lo = self.holds(leaf, &field, CmpOp::Ge, lo)?;
                let hi = self.holds(leaf, &field, CmpOp::Le, hi)?;
                (Some(product(leaf, &lo, &hi)?), Vec::new())
            }
            OperandKind::Consts(cs) if !list => {
                let each =
                    cs.iter().map(|c| self.holds(leaf, &field, op, c)).collect::<Result<_, _>>()?;
                (None, each)
            }
            OperandKind::Consts(_) => return leaf.refuse(TranslateErrorKind::ListWithList),
            _ => return leaf.refuse(TranslateErrorKind::Unsupported),
        };
        match holds {
            Some(dnf) if !list => Ok(on_field(name, &dnf)),
            Some(dnf) => match field_side.quantifier.unwrap_or(Quantifier::Any) {
                Quantifier::Any => Ok(F::or(elem_matches(name, &dnf))),
                Quantifier::None => Ok(F::nor(elem_matches(name, &dnf))),
                Quantifier::All => Ok(F::nor(elem_matches(name, &negate(leaf, &dnf)?))),
            },
            None => {
                let q = const_side.quantifier.unwrap_or(Quantifier::Any);
                // `f IN {…}` keeps MongoDB's own spelling when it means the same.
                let plain: Option<Vec<Bson>> = consts
                    .iter()
                    .map(|d| match d.as_slice() {
                        [t] => match t.as_slice() {
                            [("$eq", v)] => Some(v.clone()),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect();
                if let Some(values) = plain
                    && !values.is_empty()
                    && q != Quantifier::All
                {
                    let key = if q == Quantifier::Any { "$in" } else { "$nin" };
                    let mut inner = Document::new();
                    inner.insert(key, values);
                    let mut d = Document::new();
                    d.insert(name, inner);
                    return Ok(F::Doc(d));
                }
                let each: Vec<F> = consts.iter().map(|d| on_field(name, d)).collect();
                Ok(match q {
                    Quantifier::Any => F::or(each),
                    Quantifier::All => F::and(each),
                    Quantifier::None => F::nor(each),
                })
            }
        }
    }

    /// The tests one value must pass for `value op c` to hold in realm-core.
    fn holds(
        &self,
        leaf: &Leaf<'_>,
        field: &Field<'_>,
        op: CmpOp,
        c: &Value,
    ) -> Result<Dnf, TranslateError> {
        let cmp = leaf.cmp;
        let level = if field.elements { Level::Value } else { cmp.level };
        let string_column = level == Level::Column && matches!(field.ty, PropertyType::String);
        let ci = cmp.case_insensitive;
        let nan = match c {
            Value::Double(d) => d.is_nan(),
            Value::Float(f) => f.is_nan(),
            _ => false,
        };
        if nan && level == Level::Column {
            // realm-core's columns follow IEEE: NaN equals nothing and orders with nothing.
            return Ok(if op == CmpOp::Ne { vec![vec![]] } else { vec![] });
        }
        match op {
            CmpOp::Eq | CmpOp::Ne => {
                let test: Conj = match c {
                    Value::String(s) if ci => {
                        let re = regex_of(leaf, s, Anchor::Both, true, false)?;
                        if op == CmpOp::Eq {
                            re
                        } else {
                            vec![("$not", Bson::Document(conj_doc(&re)))]
                        }
                    }
                    _ => {
                        let v = self.bson(leaf, c)?;
                        vec![if op == CmpOp::Eq { ("$eq", v) } else { ("$ne", v) }]
                    }
                };
                Ok(vec![test])
            }
            CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
                let key = match op {
                    CmpOp::Lt => "$lt",
                    CmpOp::Le => "$lte",
                    CmpOp::Gt => "$gt",
                    _ => "$gte",
                };
                let below = matches!(op, CmpOp::Lt | CmpOp::Le);
                if matches!(c, Value::Null) {
                    if string_column {
                        // realm-core's string column orders null first: everything is `>= null`.
                        return Ok(match op {
                            CmpOp::Gt => vec![vec![("$ne", Bson::Null)]],
                            CmpOp::Ge => vec![vec![]],
                            CmpOp::Lt => vec![],
                            _ => vec![vec![("$eq", Bson::Null)]],
                        });
                    }
                    return Ok(vec![vec![(key, Bson::Null)]]);
                }
                let v = self.bson(leaf, c)?;
                let mut dnf = vec![vec![(key, v)]];
                if below && string_column && matches!(c, Value::String(_)) {
                    dnf.push(vec![("$eq", Bson::Null)]);
                }
                let nan_field = matches!(field.ty, PropertyType::Double | PropertyType::Decimal);
                if below && nan_field && level == Level::Value {
                    // realm-core's value comparison orders NaN below every number.
                    dnf.push(vec![("$eq", Bson::Double(f64::NAN))]);
                }
                Ok(dnf)
            }
            CmpOp::BeginsWith | CmpOp::EndsWith | CmpOp::Contains | CmpOp::Like => {
                if !matches!(field.ty, PropertyType::String) {
                    return leaf.construct("a string operator on a property that is not a string");
                }
                match c {
                    Value::Null => {
                        // Ask the evaluator what a null pattern does with a null and with a
                        // non-null value; the answer must not depend on the value's text.
                        let on =
                            |v: ValueRef<'_>| val::apply(op, &v, &ValueRef::Null, None, ci, level);
                        let (null, empty, text) = (
                            on(ValueRef::Null),
                            on(ValueRef::String(b"")),
                            on(ValueRef::String(b"x")),
                        );
                        if empty != text {
                            return leaf.refuse(TranslateErrorKind::Unsupported);
                        }
                        Ok(match (null, text) {
                            (true, true) => vec![vec![]],
                            (false, true) => vec![vec![("$ne", Bson::Null)]],
                            (true, false) => vec![vec![("$eq", Bson::Null)]],
                            (false, false) => vec![],
                        })
                    }
                    Value::String(s) => {
                        let (anchor, like) = match op {
                            CmpOp::BeginsWith => (Anchor::Start, false),
                            CmpOp::EndsWith => (Anchor::End, false),
                            CmpOp::Contains => (Anchor::None, false),
                            _ => (Anchor::Both, true),
                        };
                        if like && s.ends_with(b"**") {
                            return leaf.refuse(TranslateErrorKind::LikeDoubleStar);
                        }
                        Ok(vec![regex_of(leaf, s, anchor, ci, like)?])
                    }
                    _ => leaf.refuse(TranslateErrorKind::Unsupported),
                }
            }
        }
    }

    /// `list.@count op c`: a missing list counts zero.
    fn count(
        &self,
        leaf: &Leaf<'_>,
        name: &str,
        op: CmpOp,
        side: &Operand,
    ) -> Result<F, TranslateError> {
        match &side.kind {
            OperandKind::Const(c) => count_one(leaf, name, op, c),
            OperandKind::Consts(cs) => {
                let each =
                    cs.iter().map(|c| count_one(leaf, name, op, c)).collect::<Result<_, _>>()?;
                Ok(match side.quantifier.unwrap_or(Quantifier::Any) {
                    Quantifier::Any => F::or(each),
                    Quantifier::All => F::and(each),
                    Quantifier::None => F::nor(each),
                })
            }
            _ => leaf.refuse(TranslateErrorKind::Unsupported),
        }
    }

    /// A compiled constant as the BSON value MongoDB stores for it.
    fn bson(&self, leaf: &Leaf<'_>, c: &Value) -> Result<Bson, TranslateError> {
        Ok(match c {
            Value::Null => Bson::Null,
            Value::Bool(b) => Bson::Boolean(*b),
            Value::Int(i) => Bson::Int64(*i),
            Value::Float(f) if f.is_nan() => return leaf.refuse(TranslateErrorKind::NaN),
            Value::Float(f) => Bson::Double(f64::from(*f)),
            Value::Double(d) if d.is_nan() => return leaf.refuse(TranslateErrorKind::NaN),
            Value::Double(d) => Bson::Double(*d),
            Value::Decimal(d) if d.is_nan() => return leaf.refuse(TranslateErrorKind::NaN),
            Value::Decimal(d) => Bson::Decimal128(d.to_bson()),
            Value::String(s) => match std::str::from_utf8(s) {
                Ok(s) => Bson::String(s.to_owned()),
                Err(_) => return leaf.refuse(TranslateErrorKind::NotUtf8),
            },
            Value::Binary(b) => {
                Bson::Binary(Binary { subtype: BinarySubtype::Generic, bytes: b.to_vec() })
            }
            Value::Timestamp(t) => {
                if t.nanos() % 1_000_000 != 0 {
                    return leaf.refuse(TranslateErrorKind::SubMillisecond);
                }
                Bson::DateTime(bson::DateTime::from_millis(t.to_millis()))
            }
            Value::ObjectId(o) => Bson::ObjectId(bson::oid::ObjectId::from_bytes(*o)),
            Value::Uuid(u) => {
                Bson::Binary(Binary { subtype: BinarySubtype::Uuid, bytes: u.to_vec() })
            }
            Value::Type(_) => return leaf.construct("`@type`"),
        })
    }
}

/// `{name: conj}` for each alternative, OR-ed.
fn on_field(name: &str, dnf: &Dnf) -> F {
    F::or(
        dnf.iter()
            .map(|conj| {
                if conj.is_empty() {
                    return F::True;
                }
                let mut d = Document::new();
                d.insert(name, conj_doc(conj));
                F::Doc(d)
            })
            .collect(),
    )
}

/// `{name: {$elemMatch: conj}}` for each alternative (an empty conjunction: the list has an
/// element).
fn elem_matches(name: &str, dnf: &Dnf) -> Vec<F> {
    dnf.iter()
        .map(|conj| {
            let mut d = Document::new();
            if conj.is_empty() {
                d.insert(format!("{name}.0"), bson::doc! {"$exists": true});
            } else {
                d.insert(name, bson::doc! {"$elemMatch": conj_doc(conj)});
            }
            F::Doc(d)
        })
        .collect()
}

fn conj_doc(conj: &[Test]) -> Document {
    let mut d = Document::new();
    for (k, v) in conj {
        d.insert(*k, v.clone());
    }
    d
}

/// Adds tests to a conjunction; two tests with one operator cannot share an operator object.
fn merge(leaf: &Leaf<'_>, into: &mut Conj, tests: &[Test]) -> Result<(), TranslateError> {
    for t in tests {
        if into.iter().any(|(k, _)| *k == t.0) {
            return leaf.refuse(TranslateErrorKind::Unsupported);
        }
        into.push(t.clone());
    }
    Ok(())
}

/// Both conditions on one value.
fn product(leaf: &Leaf<'_>, a: &Dnf, b: &Dnf) -> Result<Dnf, TranslateError> {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut conj = x.clone();
            merge(leaf, &mut conj, y)?;
            out.push(conj);
        }
    }
    Ok(out)
}

/// The condition that holds exactly when `dnf` does not, on one value.
fn negate(leaf: &Leaf<'_>, dnf: &Dnf) -> Result<Dnf, TranslateError> {
    let mut out: Conj = Vec::new();
    for conj in dnf {
        let neg: Test = match conj.as_slice() {
            [] => return Ok(Vec::new()),
            [("$eq", v)] => ("$ne", v.clone()),
            [("$ne", v)] => ("$eq", v.clone()),
            [("$not", Bson::Document(inner))] if inner.len() == 1 => match inner.iter().next() {
                Some((k, v)) => match k.as_str() {
                    "$regex" => ("$regex", v.clone()),
                    _ => ("$not", Bson::Document(inner.clone())),
                },
                None => return leaf.refuse(TranslateErrorKind::Unsupported),
            },
            _ => ("$not", Bson::Document(conj_doc(conj))),
        };
        merge(leaf, &mut out, &[neg])?;
    }
    Ok(vec![out])
}

/// `list.@count op c` for one constant.
fn count_one(leaf: &Leaf<'_>, name: &str, op: CmpOp, c: &Value) -> Result<F, TranslateError> {
    let x = match c {
        Value::Null => return Ok(if op == CmpOp::Ne { F::True } else { F::False }),
        #[expect(clippy::cast_precision_loss, reason = "counts beyond 2^53 cannot occur")]
        Value::Int(i) => *i as f64,
        Value::Double(d) if !d.is_nan() => *d,
        Value::Double(_) => return leaf.refuse(TranslateErrorKind::NaN),
        _ => return leaf.refuse(TranslateErrorKind::Unsupported),
    };
    // Clamp to a range where the conversion to an integer is exact.
    let clamp = |v: f64| -> i64 {
        #[expect(clippy::cast_possible_truncation, reason = "clamped to ±2^53 first")]
        let i = v.clamp(-9.0e15, 9.0e15) as i64;
        i
    };
    let at_least = |m: i64| -> F {
        if m <= 0 {
            return F::True;
        }
        let mut d = Document::new();
        d.insert(format!("{name}.{}", m - 1), bson::doc! {"$exists": true});
        F::Doc(d)
    };
    let exactly = |n: i64| -> F {
        let mut d = Document::new();
        if n == 0 {
            d.insert(format!("{name}.0"), bson::doc! {"$exists": false});
        } else {
            d.insert(name, bson::doc! {"$size": n});
        }
        F::Doc(d)
    };
    let integral = x.fract() == 0.0 && (0.0..=9.0e15).contains(&x);
    Ok(match op {
        CmpOp::Eq if integral => exactly(clamp(x)),
        CmpOp::Eq => F::False,
        CmpOp::Ne if integral => F::nor(vec![exactly(clamp(x))]),
        CmpOp::Ne => F::True,
        CmpOp::Lt => F::nor(vec![at_least(clamp(x.ceil()))]),
        CmpOp::Le => F::nor(vec![at_least(clamp(x.floor()) + 1)]),
        CmpOp::Gt => at_least(clamp(x.floor()) + 1),
        CmpOp::Ge => at_least(clamp(x.ceil())),
        _ => return leaf.construct("a string operator on a count"),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    End,
    Both,
    None,
}

/// The `$regex` (and `$options`) tests matching realm-core's string operator with pattern `s`.
fn regex_of(
    leaf: &Leaf<'_>,
    s: &[u8],
    anchor: Anchor,
    ci: bool,
    like: bool,
) -> Result<Conj, TranslateError> {
    let Ok(text) = std::str::from_utf8(s) else { return leaf.refuse(TranslateErrorKind::NotUtf8) };
    let mut re = String::with_capacity(text.len() * 2 + 4);
    if matches!(anchor, Anchor::Start | Anchor::Both) {
        re.push('^');
    }
    for ch in text.chars() {
        match ch {
            '*' if like => re.push_str(".*"),
            '?' if like => re.push('.'),
            _ => push_char(&mut re, ch, ci),
        }
    }
    if matches!(anchor, Anchor::End | Anchor::Both) {
        re.push_str("\\z");
    }
    if like {
        // `?` is any one character, a line break included.
        return Ok(vec![("$regex", Bson::String(re)), ("$options", Bson::String("s".into()))]);
    }
    Ok(vec![("$regex", Bson::String(re))])
}

/// Appends one pattern character: escaped when it means something to a regular expression, and
/// as a two-letter class when `[c]` folds it.
fn push_char(re: &mut String, ch: char, ci: bool) {
    if ci && let Some((lower, upper)) = fold(ch) {
        re.push('[');
        re.push(lower);
        re.push(upper);
        re.push(']');
        return;
    }
    if matches!(
        ch,
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$'
    ) {
        re.push('\\');
    }
    re.push(ch);
}

/// The lower- and upper-case forms of a letter realm-core's `[c]` folds: ASCII letters and the
/// Latin-1 letters U+00C0–U+00DE / U+00E0–U+00FE (except × and ÷).
fn fold(ch: char) -> Option<(char, char)> {
    let c = u32::from(ch);
    let (lower, upper) = match c {
        0x61..=0x7a => (c, c - 0x20),
        0x41..=0x5a => (c + 0x20, c),
        0xe0..=0xfe if c != 0xf7 => (c, c - 0x20),
        0xc0..=0xde if c != 0xd7 => (c + 0x20, c),
        _ => return None,
    };
    Some((char::from_u32(lower)?, char::from_u32(upper)?))
}
