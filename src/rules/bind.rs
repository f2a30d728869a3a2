//! Binding: substituting a session's expansions into a rule expression, giving a [`Filter`].
//!
//! App Services expands `apply_when` and the document filters **once**, when a sync session
//! starts (rules.md §2.3): later changes to custom user data are not seen until the next session.
//! Binding does exactly that. The result reads only document fields and constants, so it can be
//! evaluated for every uploaded object without looking at the user again.
//!
//! Choices where App Services' behaviour is not documented (all fail closed):
//! - An expansion that does not resolve (e.g. `%%user.custom_data.team` when the custom data has no
//!   `team`) is *unresolved*. Used as the key (`{"%%user.custom_data.isAdmin": true}`) it reads as
//!   a missing field, so `$exists: false` holds and equality does not. Used as a comparison value,
//!   the comparison matches nothing — `$eq`, `$ne`, `$gt`… alike, so a missing `team` never grants
//!   access to documents without a team. In an `$in`/`$nin`/`$all` list an unresolved element is
//!   dropped from `$in` and makes `$nin`/`$all` match nothing; a whole list that is unresolved, or
//!   not an array, makes the operator match nothing.
//! - An expansion element of an `$in`/`$nin`/`$all` list that yields an array is spliced into the
//!   list (the legacy templates write `{"$in": ["%%user.custom_data.subscribedTo"]}`).
//! - A conversion (`%stringToOid`…) whose argument does not convert is unresolved.
//! - `%function` and the expansions that need a document or a request (`%%root`, `%%request`, …)
//!   cannot be bound; [`BindError`] says which, and role selection treats the role as unusable.

use bson::{Bson, Document};
use serde_json::Value as Json;

use super::error::{LowerError, UserError, UserErrorKind};
use super::eval::{Cond, Node, eval_conds};
use super::expr::{Conversion, Expansion, ExpansionRoot, Expr, Operand, Test};
use crate::limits::Limits;

/// The `%%user` expansion's value: `{"id", "type", "data", "custom_data", "identities"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    doc: Document,
}

impl User {
    /// A user with an id, type `normal`, and no data, custom data or identities.
    pub fn new(id: &str) -> User {
        let mut doc = Document::new();
        doc.insert("id", id);
        doc.insert("type", "normal");
        doc.insert("data", Document::new());
        doc.insert("custom_data", Document::new());
        doc.insert("identities", Bson::Array(Vec::new()));
        User { doc }
    }

    /// Reads a user description (cli.md `--user`); only `id` is required. Values are Extended
    /// JSON, so custom data may hold `{"$oid": …}` and other BSON types.
    pub fn from_json(json: &Json) -> Result<User, UserError> {
        let Json::Object(map) = json else {
            return Err(UserError::new(UserErrorKind::ExpectedObject, ""));
        };
        let id = match map.get("id") {
            Some(Json::String(id)) => id,
            Some(_) => return Err(UserError::new(UserErrorKind::ExpectedString, "/id")),
            None => return Err(UserError::new(UserErrorKind::MissingId, "")),
        };
        let mut user = User::new(id);
        for (key, value) in map {
            let pointer = crate::json::child("", key);
            match key.as_str() {
                "id" => continue,
                "type" if !value.is_string() => {
                    return Err(UserError::new(UserErrorKind::ExpectedString, pointer));
                }
                "data" | "custom_data" if !value.is_object() => {
                    return Err(UserError::new(UserErrorKind::ExpectedObject, pointer));
                }
                "identities" if !value.is_array() => {
                    return Err(UserError::new(UserErrorKind::ExpectedArray, pointer));
                }
                _ => {}
            }
            let bson = Bson::try_from(value.clone())
                .map_err(|e| UserError::new(UserErrorKind::ExtendedJson(e.to_string()), pointer))?;
            user.doc.insert(key.clone(), bson);
        }
        Ok(user)
    }

    /// Reads a user description from JSON text.
    pub fn from_json_str(text: &str) -> Result<User, UserError> {
        let json: Json = serde_json::from_str(text).map_err(|e| {
            UserError::new(
                UserErrorKind::Json {
                    line: e.line(),
                    column: e.column(),
                    message: crate::json::message(&e),
                },
                "",
            )
        })?;
        User::from_json(&json)
    }

    /// The user id (`%%user.id`).
    pub fn id(&self) -> &str {
        self.doc.get_str("id").unwrap_or_default()
    }

    /// The whole `%%user` document.
    pub fn document(&self) -> &Document {
        &self.doc
    }
}

/// The `%%environment` expansion's value: the app's environment tag and its values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Environment {
    /// `%%environment.tag`, e.g. `production`; empty when no environment is set.
    pub tag: String,
    /// `%%environment.values`.
    pub values: Document,
}

/// Everything a session's expansions can refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct Bindings {
    user: User,
    values: Document,
    environment: Document,
}

impl Bindings {
    /// Bindings for `user`, with no app values and no environment.
    pub fn new(user: User) -> Bindings {
        Bindings::with(user, Document::new(), Environment::default())
    }

    /// Bindings for `user`, app values (`%%values.<name>`) and an environment.
    pub fn with(user: User, values: Document, environment: Environment) -> Bindings {
        let mut env = Document::new();
        env.insert("tag", environment.tag);
        env.insert("values", environment.values);
        Bindings { user, values, environment: env }
    }

    /// The session's user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The value of a sync-compatible expansion, or `None` when it does not resolve.
    fn resolve(&self, expansion: &Expansion) -> Result<Option<Bson>, BindError> {
        let root = match expansion.root {
            ExpansionRoot::True => return Ok(Some(Bson::Boolean(true))),
            ExpansionRoot::False => return Ok(Some(Bson::Boolean(false))),
            ExpansionRoot::User => &self.user.doc,
            ExpansionRoot::Values => &self.values,
            ExpansionRoot::Environment => &self.environment,
            _ => return Err(BindError::Unavailable(expansion.to_string())),
        };
        let mut parts = expansion.path.iter();
        let Some(first) = parts.next() else {
            return Ok(Some(Bson::Document(root.clone())));
        };
        let mut current = root.get(first);
        for part in parts {
            current = match current {
                Some(Bson::Document(d)) => d.get(part),
                Some(Bson::Array(items)) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
        }
        Ok(current.cloned())
    }
}

/// Why an expression cannot be bound at session start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum BindError {
    /// An expansion that needs a document or a request, e.g. `%%root.owner`.
    #[error("expansion `{0}` has no value when a sync session starts")]
    Unavailable(String),
    /// `%function`: Atlas Functions are not evaluated here.
    #[error("function `{0}` cannot be called here")]
    Function(String),
    /// A document field in an expression that must not read documents (`apply_when`).
    #[error("field `{0}` cannot be read when a sync session starts")]
    DocumentField(String),
}

/// A bound rule expression: a MongoDB-style filter over document fields with constants.
///
/// It is immutable, `Send + Sync`, and evaluating it never allocates. It names the top-level
/// fields it reads ([`Filter::fields`]) so that a caller can read a document once for many
/// filters: fill a slot array in one pass, then evaluate each filter against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub(crate) root: Node,
    pub(crate) fields: Box<[Box<str>]>,
    /// Where each of `fields` is found in the caller's slot array (identity unless rebased).
    pub(crate) slots: Box<[usize]>,
    /// How deep nested arrays and documents are compared ([`Limits::max_document_depth`]).
    pub(crate) value_depth: u32,
    /// The JSON pointer each node of `root` was written at, in preorder (the order
    /// [`Filter::explain`] lists them), so that a coverage report can name the rule text a node
    /// came from. Never read when evaluating.
    pub(crate) pointers: Box<[Box<str>]>,
}

impl Filter {
    /// A filter that always (or never) matches.
    pub fn constant(value: bool) -> Filter {
        Filter {
            root: Node::Const(value),
            fields: Box::new([]),
            slots: Box::new([]),
            value_depth: Limits::default().max_document_depth,
            pointers: Box::new([Box::from("")]),
        }
    }

    /// Reads a MongoDB query filter given as a BSON document, such as the one
    /// [`crate::translate()`] produces. Every value is a constant (a string such as `"%%user.id"`
    /// is just a string); operators are the ones rules may use plus `$regex`/`$options`,
    /// `$elemMatch` (with operator conditions) and `$size`. Errors carry the JSON pointer of the
    /// offending key.
    pub fn from_document(filter: &Document, limits: &Limits) -> Result<Filter, LowerError> {
        let json = Bson::Document(filter.clone()).into_canonical_extjson();
        let expr = super::lower::lower_plain(&json, limits)?;
        let bindings = Bindings::new(User::new(""));
        // A plain filter holds no expansion and no function, so binding cannot fail; the
        // fallback keeps that promise without a panic.
        bind(&expr, &bindings, true, limits).map_err(|e| {
            LowerError::new(super::error::LowerErrorKind::UnknownOperator(e.to_string()), "")
        })
    }

    /// The top-level document fields the filter reads, in slot order.
    pub fn fields(&self) -> &[Box<str>] {
        &self.fields
    }

    /// The filter's value when it reads no field at all (`true`, `false`, or a folded key
    /// expansion), else `None`.
    pub fn as_constant(&self) -> Option<bool> {
        match self.root {
            Node::Const(b) => Some(b),
            _ => None,
        }
    }

    /// The JSON pointer of each node, in the preorder of [`Filter::explain`]'s tree.
    pub(crate) fn node_pointers(&self) -> &[Box<str>] {
        &self.pointers
    }

    /// Makes the filter read field `fields()[i]` from slot `slots[i]` of the arrays later passed
    /// to evaluation, so that filters with different field lists can share one slot array.
    /// Returns `false` (and changes nothing) when `slots` has the wrong length.
    pub fn rebase(&mut self, slots: &[usize]) -> bool {
        if slots.len() != self.fields.len() {
            return false;
        }
        self.slots = slots.into();
        true
    }
}

/// Binds a lowered expression. `allow_fields` is false for `apply_when`, which has no document.
pub(crate) fn bind(
    expr: &Expr,
    b: &Bindings,
    allow_fields: bool,
    limits: &Limits,
) -> Result<Filter, BindError> {
    bind_at(expr, "", b, allow_fields, limits)
}

/// Binds an expression written at `pointer`: a node with no pointer of its own (a literal
/// `true`, or what folding left of the whole expression) is named by `pointer`.
pub(crate) fn bind_at(
    expr: &Expr,
    pointer: &str,
    b: &Bindings,
    allow_fields: bool,
    limits: &Limits,
) -> Result<Filter, BindError> {
    let value_depth = limits.max_document_depth;
    let mut binder = Binder { b, allow_fields, fields: Vec::new(), value_depth };
    let (root, mut pointers) = binder.expr(expr)?;
    for p in &mut pointers {
        if p.is_empty() {
            *p = pointer.into();
        }
    }
    let slots = (0..binder.fields.len()).collect();
    Ok(Filter { root, fields: binder.fields.into(), slots, value_depth, pointers: pointers.into() })
}

/// A bound node with the pointers of its subtree in preorder.
type Located = (Node, Vec<Box<str>>);

/// The pointer of a logical node, from its operands' pointers: the operands of `$or` (at
/// `P/$or/0/…`, `P/$or/1/…`) share `P/$or`, and the keys of an implicit `$and` (at `P/a`,
/// `P/b`) share `P`, so the longest common run of whole tokens is the node's own pointer.
/// Folding removes constant operands, so every operand left has a pointer of its own.
fn common_pointer(children: &[Located]) -> Box<str> {
    let mut firsts = children.iter().filter_map(|(_, p)| p.first()).filter(|p| !p.is_empty());
    let Some(first) = firsts.next() else { return Box::from("") };
    let mut tokens: Vec<&str> = first.split('/').collect();
    for other in firsts {
        let same = tokens.iter().zip(other.split('/')).take_while(|(a, b)| *a == b).count();
        tokens.truncate(same);
    }
    tokens.join("/").into()
}

/// A logical node over `children`, with its pointers.
fn logical(make: fn(Box<[Node]>) -> Node, children: Vec<Located>) -> Located {
    let mut pointers = vec![common_pointer(&children)];
    let mut nodes = Vec::with_capacity(children.len());
    for (node, p) in children {
        nodes.push(node);
        pointers.extend(p);
    }
    (make(nodes.into()), pointers)
}

struct Binder<'b> {
    b: &'b Bindings,
    allow_fields: bool,
    fields: Vec<Box<str>>,
    value_depth: u32,
}

/// An operand after substitution: a value, or unresolved.
type Resolved = Option<Bson>;

impl Binder<'_> {
    fn expr(&mut self, expr: &Expr) -> Result<Located, BindError> {
        let konst = |b: bool, p: Option<Box<str>>| (Node::Const(b), vec![p.unwrap_or_default()]);
        Ok(match expr {
            Expr::Const(b) => konst(*b, None),
            Expr::And(list) => {
                let mut nodes = Vec::with_capacity(list.len());
                for e in list {
                    match self.expr(e)? {
                        (Node::Const(true), _) => {}
                        (Node::Const(false), p) => return Ok((Node::Const(false), p)),
                        located => nodes.push(located),
                    }
                }
                match nodes.len() {
                    0 => konst(true, None),
                    1 => nodes.pop().unwrap_or_else(|| konst(true, None)),
                    _ => logical(Node::And, nodes),
                }
            }
            Expr::Or(list) | Expr::Nor(list) => {
                let nor = matches!(expr, Expr::Nor(_));
                let mut nodes = Vec::with_capacity(list.len());
                for e in list {
                    match self.expr(e)? {
                        (Node::Const(false), _) => {}
                        (Node::Const(true), p) => return Ok((Node::Const(!nor), p)),
                        located => nodes.push(located),
                    }
                }
                match (nodes.len(), nor) {
                    (0, _) => konst(nor, None),
                    (1, false) => nodes.pop().unwrap_or_else(|| konst(false, None)),
                    (_, false) => logical(Node::Or, nodes),
                    (_, true) => logical(Node::Nor, nodes),
                }
            }
            Expr::Field { path, cond, pointer } => {
                if !self.allow_fields {
                    return Err(BindError::DocumentField(path.join(".")));
                }
                let mut parts = path.iter();
                let top: Box<str> = parts.next().map(|s| s.as_str().into()).unwrap_or_default();
                let rest: Box<[Box<str>]> = parts.map(|s| s.as_str().into()).collect();
                let conds = self.conds(cond)?;
                let field = match self.fields.iter().position(|f| *f == top) {
                    Some(i) => i,
                    None => {
                        self.fields.push(top);
                        self.fields.len() - 1
                    }
                };
                (Node::Field { field, rest, conds: conds.into() }, vec![pointer.as_str().into()])
            }
            Expr::Key { key, cond } => {
                let value = self.operand(key)?;
                let conds = self.conds(cond)?;
                let at = match key {
                    Operand::Expansion(_, p) => Some(p.as_str().into()),
                    _ => None,
                };
                konst(eval_conds(value.as_ref(), &conds, self.value_depth), at)
            }
        })
    }

    fn conds(&mut self, tests: &[Test]) -> Result<Vec<Cond>, BindError> {
        tests.iter().map(|t| self.cond(t)).collect()
    }

    fn cond(&mut self, test: &Test) -> Result<Cond, BindError> {
        Ok(match test {
            Test::Eq(o) => self.operand(o)?.map_or(Cond::Never, Cond::Eq),
            Test::Ne(o) => self.operand(o)?.map_or(Cond::Never, Cond::Ne),
            Test::Cmp(op, o) => self.operand(o)?.map_or(Cond::Never, |v| Cond::Cmp(*op, v)),
            Test::In(o) => self.list(o, false)?.map_or(Cond::Never, |l| Cond::In(l.into())),
            Test::Nin(o) => self.list(o, true)?.map_or(Cond::Never, |l| Cond::Nin(l.into())),
            Test::All(o) => self.list(o, true)?.map_or(Cond::Never, |l| Cond::All(l.into())),
            Test::Exists(b) => Cond::Exists(*b),
            Test::Not(inner) => Cond::Not(self.conds(inner)?.into()),
            Test::Regex(p) => Cond::Regex(p.clone()),
            Test::ElemMatch(inner) => Cond::ElemMatch(self.conds(inner)?.into()),
            Test::Size(n) => Cond::Size(*n),
        })
    }

    /// The elements of an `$in`/`$nin`/`$all` list; `None` when it must match nothing.
    /// `strict`: an unresolved element makes the whole list unresolved (else it is dropped).
    fn list(&mut self, operand: &Operand, strict: bool) -> Result<Option<Vec<Bson>>, BindError> {
        match operand {
            Operand::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let spliced = matches!(item, Operand::Expansion(..));
                    match self.operand(item)? {
                        Some(Bson::Array(values)) if spliced => out.extend(values),
                        Some(value) => out.push(value),
                        None if strict => return Ok(None),
                        None => {}
                    }
                }
                Ok(Some(out))
            }
            other => match self.operand(other)? {
                Some(Bson::Array(values)) => Ok(Some(values)),
                _ => Ok(None),
            },
        }
    }

    fn operand(&mut self, operand: &Operand) -> Result<Resolved, BindError> {
        Ok(match operand {
            Operand::Literal(b) => Some(b.clone()),
            Operand::Expansion(x, _) => self.b.resolve(x)?,
            Operand::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match self.operand(item)? {
                        Some(v) => out.push(v),
                        None => return Ok(None),
                    }
                }
                Some(Bson::Array(out))
            }
            Operand::Document(fields) => {
                let mut doc = Document::new();
                for (k, o) in fields {
                    match self.operand(o)? {
                        Some(v) => {
                            doc.insert(k.clone(), v);
                        }
                        None => return Ok(None),
                    }
                }
                Some(Bson::Document(doc))
            }
            Operand::Convert(conv, inner) => self.operand(inner)?.and_then(|v| convert(*conv, v)),
            Operand::Function { name, .. } => return Err(BindError::Function(name.clone())),
        })
    }
}

fn convert(conv: Conversion, value: Bson) -> Option<Bson> {
    match (conv, value) {
        (Conversion::StringToOid, Bson::String(s)) => {
            bson::oid::ObjectId::parse_str(&s).ok().map(Bson::ObjectId)
        }
        (Conversion::StringToOid, v @ Bson::ObjectId(_)) => Some(v),
        (Conversion::OidToString, Bson::ObjectId(oid)) => Some(Bson::String(oid.to_hex())),
        (Conversion::OidToString, v @ Bson::String(_)) => Some(v),
        (Conversion::StringToUuid, Bson::String(s)) => {
            bson::Uuid::parse_str(&s).ok().map(|u| Bson::Binary(bson::Binary::from_uuid(u)))
        }
        (Conversion::UuidToString, Bson::Binary(bin))
            if bin.subtype == bson::spec::BinarySubtype::Uuid =>
        {
            bin.to_uuid().ok().map(|u| Bson::String(u.to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test failure is a panic")]

    use super::*;
    use crate::document::DocRef;

    /// Each node keeps the pointer it was written at, in the preorder `explain` lists them:
    /// logical nodes take their operands' common prefix, folded constants disappear.
    #[test]
    fn bound_nodes_keep_their_pointers_in_explain_order() {
        let json = serde_json::json!({"$or": [{"a": 1}, {"b": 2, "c": 3}], "%%user.id": "u1"});
        let limits = Limits::default();
        let write_pointer = crate::json::Pointer::root()
            .child("roles")
            .index(0)
            .child("document_filters")
            .child("write");
        let expr = super::super::lower::lower_expr(&json, &write_pointer, &limits).unwrap();
        let bindings = Bindings::new(User::new("u1"));
        let filter =
            bind_at(&expr, "/roles/0/document_filters/write", &bindings, true, &limits).unwrap();
        let at = |p: &str| format!("/roles/0/document_filters/write{p}");
        let want: Vec<String> =
            ["/$or", "/$or/0/a", "/$or/1", "/$or/1/b", "/$or/1/c"].iter().map(|p| at(p)).collect();
        let got: Vec<&str> = filter.node_pointers().iter().map(|p| &**p).collect();
        assert_eq!(got, want);
        let doc = bson::doc! {"a": 1};
        let mut nodes = 0;
        let mut stack = vec![filter.explain(&DocRef::decoded(&doc))];
        while let Some(e) = stack.pop() {
            nodes += 1;
            stack.extend(e.children);
        }
        assert_eq!(nodes, want.len());
        // A constant filter is named by where it was written.
        let constant = bind_at(&Expr::Const(true), "/roles/0/insert", &bindings, true, &limits);
        assert_eq!(constant.unwrap().node_pointers(), [Box::from("/roles/0/insert")]);
    }
}
