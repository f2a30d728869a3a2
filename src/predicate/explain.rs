//! Explanation: why a document matches a predicate or not, node by node.
//!
//! An [`Explanation`] is a tree shaped like the compiled predicate: every node carries its text
//! (canonical RQL for queries, the MongoDB condition for rule filters), the values it read from
//! the document, and its result. Evaluation short-circuits as the evaluator does, so the operands
//! of `AND` after the first false one, and of `OR` after the first true one, are shown as
//! [`NodeResult::Skipped`]: they did not decide the answer.
//!
//! Explaining walks the same IR as evaluation but separately and slowly (it renders text and
//! allocates); the evaluator's hot path is not involved beyond evaluating each leaf.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::{
    Compare, CompareKind, Cond, Expand, First, Index, Operand, OperandKind, PathExpr, Predicate,
    SizeKind, Step, Term,
};
use crate::document::DocRef;
use crate::rql::ast::Quantifier;
use crate::value::{AggregateOp, Value, ValueRef};

/// What one node of an explained predicate gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeResult {
    /// The node held.
    True,
    /// The node did not hold.
    False,
    /// The node was not evaluated: an earlier sibling already decided its parent.
    Skipped,
}

impl NodeResult {
    fn of(b: bool) -> NodeResult {
        if b { NodeResult::True } else { NodeResult::False }
    }

    fn word(self) -> &'static str {
        match self {
            NodeResult::True => "true",
            NodeResult::False => "false",
            NodeResult::Skipped => "skipped",
        }
    }
}

/// Why a node of a predicate or filter gave its result, with the reasons of its operands.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The node as written: canonical RQL (`miles < 100`) or a MongoDB condition
    /// (`{"ownerId": {"$eq": "u1"}}`), with bound values in place of expansions.
    pub text: String,
    /// The node's result.
    pub outcome: NodeResult,
    /// The document values the node read: field name and value in RQL syntax (`missing` when
    /// the document lacks the field). Empty for logical and skipped nodes.
    pub values: Vec<(String, String)>,
    /// The operands of `AND`, `OR`, `NOT`, `$and`, `$or`, `$nor`, in order.
    pub children: Vec<Explanation>,
}

impl Explanation {
    pub(crate) fn leaf(text: String, outcome: NodeResult, values: Vec<(String, String)>) -> Self {
        Explanation { text, outcome, values, children: Vec::new() }
    }

    /// Renders the tree for people, one node per line, operands indented under their parent:
    /// `miles < 100 → false (miles = 90000)`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_text(&mut out, 0);
        out
    }

    fn write_text(&self, out: &mut String, indent: usize) {
        for _ in 0..indent {
            out.push_str("  ");
        }
        let _ = write!(out, "{} → {}", self.text, self.outcome.word());
        if !self.values.is_empty() {
            let parts: Vec<String> =
                self.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let _ = write!(out, " ({})", parts.join(", "));
        }
        out.push('\n');
        for c in &self.children {
            c.write_text(out, indent + 1);
        }
    }

    /// The same tree as JSON: `{"node", "result", "values", "children"}`, with `result` one of
    /// `true`, `false` or `"skipped"`.
    pub fn to_json(&self) -> Json {
        let result = match self.outcome {
            NodeResult::True => json!(true),
            NodeResult::False => json!(false),
            NodeResult::Skipped => json!("skipped"),
        };
        let values: serde_json::Map<String, Json> =
            self.values.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect();
        let mut node = json!({"node": self.text, "result": result});
        if let Json::Object(map) = &mut node {
            if !values.is_empty() {
                map.insert("values".into(), Json::Object(values));
            }
            if !self.children.is_empty() {
                map.insert(
                    "children".into(),
                    Json::Array(self.children.iter().map(Explanation::to_json).collect()),
                );
            }
        }
        node
    }
}

impl Predicate {
    /// Explains why `doc` matches this predicate or not. The root's outcome is always what
    /// [`Predicate::matches`] answers for the same document.
    pub fn explain(&self, doc: &DocRef<'_>) -> Explanation {
        self.explain_cond(&self.root, doc, false)
    }

    fn explain_cond(&self, c: &Cond, doc: &DocRef<'_>, skip: bool) -> Explanation {
        let logical = |text: &str, children: Vec<Explanation>, outcome| Explanation {
            text: text.to_owned(),
            outcome,
            values: Vec::new(),
            children,
        };
        match c {
            Cond::True | Cond::False => {
                let text = if matches!(c, Cond::True) { "TRUEPREDICATE" } else { "FALSEPREDICATE" };
                let outcome = if skip {
                    NodeResult::Skipped
                } else {
                    NodeResult::of(matches!(c, Cond::True))
                };
                Explanation::leaf(text.into(), outcome, Vec::new())
            }
            Cond::And(items) | Cond::Or(items) => {
                let and = matches!(c, Cond::And(_));
                let mut decided = skip;
                let mut result = and;
                let mut children = Vec::with_capacity(items.len());
                for item in items.iter() {
                    let e = self.explain_cond(item, doc, decided);
                    if !decided && e.outcome == NodeResult::of(!and) {
                        result = !and;
                        decided = true;
                    }
                    children.push(e);
                }
                let outcome = if skip { NodeResult::Skipped } else { NodeResult::of(result) };
                logical(if and { "AND" } else { "OR" }, children, outcome)
            }
            Cond::Not(inner) => {
                let e = self.explain_cond(inner, doc, skip);
                let outcome = match e.outcome {
                    NodeResult::True => NodeResult::False,
                    NodeResult::False => NodeResult::True,
                    NodeResult::Skipped => NodeResult::Skipped,
                };
                logical("NOT", vec![e], outcome)
            }
            Cond::Rql(cmp) => {
                let text = self.compare_text(cmp);
                if skip {
                    return Explanation::leaf(text, NodeResult::Skipped, Vec::new());
                }
                let outcome = NodeResult::of(self.eval_node(c, *doc));
                let mut values = Vec::new();
                for o in [&cmp.left, &cmp.right] {
                    self.operand_values(o, doc, &mut values);
                }
                Explanation::leaf(text, outcome, values)
            }
        }
    }

    /// The top-level fields an operand reads, with their values in `doc`.
    fn operand_values(&self, o: &Operand, doc: &DocRef<'_>, out: &mut Vec<(String, String)>) {
        match &o.kind {
            OperandKind::Path(p) => {
                if let First::Slot(i) = p.first
                    && let Some(name) = self.field_name(i)
                    && !out.iter().any(|(k, _)| k == name)
                {
                    let value = match doc.get(name) {
                        Ok(Some(v)) => render_value(&v, 3),
                        Ok(None) => "missing".to_owned(),
                        Err(_) => "unreadable".to_owned(),
                    };
                    out.push((name.to_owned(), value));
                }
            }
            OperandKind::Arith(a) => {
                self.operand_values(&a.left, doc, out);
                self.operand_values(&a.right, doc, out);
            }
            OperandKind::Subquery(s) => {
                let p = Operand {
                    kind: OperandKind::Path(s.path.clone()),
                    list: true,
                    quantifier: None,
                };
                self.operand_values(&p, doc, out);
            }
            OperandKind::Const(_) | OperandKind::Consts(_) => {}
        }
    }

    fn compare_text(&self, c: &Compare) -> String {
        let left = self.operand_text(&c.left);
        let right = self.operand_text(&c.right);
        if matches!(c.kind, CompareKind::Between | CompareKind::BetweenSplit) {
            return format!("{left} BETWEEN {right}");
        }
        let op = c.op.symbol();
        let ci = if c.case_insensitive { "[c]" } else { "" };
        format!("{left} {op}{ci} {right}")
    }

    fn operand_text(&self, o: &Operand) -> String {
        let q = match o.quantifier {
            Some(Quantifier::Any) => "ANY ",
            Some(Quantifier::All) => "ALL ",
            Some(Quantifier::None) => "NONE ",
            None => "",
        };
        let body = match &o.kind {
            OperandKind::Const(c) => const_text(c),
            OperandKind::Consts(cs) => {
                let items: Vec<String> = cs.iter().map(const_text).collect();
                format!("{{{}}}", items.join(", "))
            }
            OperandKind::Path(p) => self.path_text(p),
            OperandKind::Arith(a) => {
                let op = match a.op {
                    crate::rql::ast::ArithOp::Add => "+",
                    crate::rql::ast::ArithOp::Subtract => "-",
                    crate::rql::ast::ArithOp::Multiply => "*",
                    crate::rql::ast::ArithOp::Divide => "/",
                };
                format!("({} {op} {})", self.operand_text(&a.left), self.operand_text(&a.right))
            }
            OperandKind::Subquery(s) => format!("SUBQUERY({}, …).@count", self.path_text(&s.path)),
        };
        format!("{q}{body}")
    }

    fn path_text(&self, p: &PathExpr) -> String {
        let mut s = match &p.first {
            First::Slot(i) => self.field_name(*i).unwrap_or("?").to_owned(),
            First::Element(name) => format!("$x.{name}"),
        };
        for step in p.steps.iter() {
            match step {
                Step::Field(n) | Step::FieldAfterList(n) => {
                    s.push('.');
                    s.push_str(n);
                }
                Step::Each => {}
                Step::Values => s.push_str(".@values"),
                Step::Key(k) => {
                    let _ = write!(s, "['{k}']");
                }
                Step::Index(Index::First) => s.push_str("[FIRST]"),
                Step::Index(Index::Last) => s.push_str("[LAST]"),
                Step::Index(Index::At(n)) => {
                    let _ = write!(s, "[{n}]");
                }
            }
        }
        let expand = |e: Option<Expand>| match e {
            Some(Expand::Keys) => ".@keys",
            Some(Expand::Values) => ".@values",
            _ => "",
        };
        match p.term {
            Term::Value => {}
            Term::Expand(e) => s.push_str(expand(Some(e))),
            Term::Lengths(_) => s.push_str(".length"),
            Term::Size(SizeKind::Text | SizeKind::Mixed) => s.push_str(".@size"),
            Term::Size(_) => s.push_str(".@count"),
            Term::Agg(op, _, _) => s.push_str(match op {
                AggregateOp::Min => ".@min",
                AggregateOp::Max => ".@max",
                AggregateOp::Sum => ".@sum",
                AggregateOp::Avg => ".@avg",
            }),
            Term::Type(e) => {
                s.push_str(expand(e));
                s.push_str(".@type");
            }
        }
        s
    }
}

fn quoted(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn uuid_text(u: &[u8; 16]) -> String {
    crate::value::ejson::uuid_text(u)
}

/// A compiled constant in RQL syntax: as a document value, but null is `NULL` and a binary
/// shows its bytes.
fn const_text(c: &Value) -> String {
    match c {
        Value::Null => "NULL".into(),
        Value::Binary(b) => format!("bin({})", quoted(b)),
        other => render_value(&other.view(), 0),
    }
}

/// A document value in RQL syntax; nesting beyond `depth` levels is elided.
pub(crate) fn render_value(v: &ValueRef<'_>, depth: u32) -> String {
    match v {
        ValueRef::Null => "null".into(),
        ValueRef::Bool(b) => b.to_string(),
        ValueRef::Int(i) => i.to_string(),
        ValueRef::Float(f) => format!("{f}f"),
        ValueRef::Double(d) => format!("{d:?}"),
        ValueRef::Decimal(d) => format!("decimal128({d})"),
        ValueRef::String(s) => quoted(s),
        ValueRef::ObjectId(o) => format!("oid({})", crate::value::ejson::oid_hex(o)),
        ValueRef::Uuid(u) => format!("uuid({})", uuid_text(u)),
        ValueRef::Binary { bytes, .. } => format!("bin({} bytes)", bytes.len()),
        ValueRef::Timestamp(t) => format!("T{}:{}", t.seconds(), t.nanos()),
        ValueRef::Type(t) => format!("@type({:#x})", t.0),
        ValueRef::Link => "link".into(),
        ValueRef::Array(items) => {
            if depth == 0 {
                return "[…]".into();
            }
            let parts: Vec<String> = items
                .iter()
                .map(|e| e.map_or_else(|_| "unreadable".into(), |e| render_value(&e, depth - 1)))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        ValueRef::Document(d) => {
            if depth == 0 {
                return "{…}".into();
            }
            let parts: Vec<String> = d
                .iter()
                .map(|kv| {
                    kv.map_or_else(
                        |_| "unreadable".into(),
                        |(k, v)| {
                            format!(
                                "{}: {}",
                                String::from_utf8_lossy(k),
                                render_value(&v, depth - 1)
                            )
                        },
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        ValueRef::Other(t) => format!("<BSON type {t:#04x}>"),
    }
}
