//! Explaining a bound filter: which conditions held on a document, with the values read.
//!
//! The text of each node is the MongoDB condition after binding, so a role's filter shows the
//! session's values in place of its expansions (`{"ownerId": {"$eq": "u1"}}` for
//! `{"ownerId": "%%user.id"}`), which is what decided the verdict.

use bson::Bson;
use serde_json::{Value as Json, json};

use super::bind::Filter;
use super::eval::{Cond, Node};
use crate::document::DocRef;
use crate::predicate::{Explanation, NodeResult, render_value};
use crate::value::CmpOp;
use crate::value::ejson;

impl Filter {
    /// Explains why `doc` matches this filter or not; the root's outcome is what
    /// [`Filter::matches`] answers (a document that cannot be read counts as not matching).
    pub fn explain(&self, doc: &DocRef<'_>) -> Explanation {
        self.explain_node(&self.root, doc, false)
    }

    fn explain_node(&self, node: &Node, doc: &DocRef<'_>, skip: bool) -> Explanation {
        let outcome = |b: bool| if b { NodeResult::True } else { NodeResult::False };
        match node {
            Node::Const(b) => Explanation::leaf(
                b.to_string(),
                if skip { NodeResult::Skipped } else { outcome(*b) },
                Vec::new(),
            ),
            Node::And(items) | Node::Or(items) | Node::Nor(items) => {
                let (name, stop_on) = match node {
                    Node::And(_) => ("$and", false),
                    Node::Or(_) => ("$or", true),
                    _ => ("$nor", true),
                };
                let mut decided = skip;
                let mut children = Vec::with_capacity(items.len());
                let mut hit = false;
                for item in items.iter() {
                    let e = self.explain_node(item, doc, decided);
                    if !decided && e.outcome == outcome(stop_on) {
                        decided = true;
                        hit = true;
                    }
                    children.push(e);
                }
                let result = match node {
                    Node::And(_) => !hit,
                    Node::Or(_) => hit,
                    _ => !hit,
                };
                Explanation {
                    text: name.to_owned(),
                    outcome: if skip { NodeResult::Skipped } else { outcome(result) },
                    values: Vec::new(),
                    children,
                }
            }
            Node::Field { field, rest, conds } => {
                let top = self.fields.get(*field).map_or("?", |f| &**f);
                let mut path = top.to_owned();
                for r in rest.iter() {
                    path.push('.');
                    path.push_str(r);
                }
                let conds: serde_json::Map<String, Json> = conds.iter().map(cond_json).collect();
                let mut text = serde_json::Map::new();
                text.insert(path, Json::Object(conds));
                let text = Json::Object(text).to_string();
                if skip {
                    return Explanation::leaf(text, NodeResult::Skipped, Vec::new());
                }
                let result = self.node_matches(node, doc).unwrap_or(false);
                let value = match doc.get(top) {
                    Ok(Some(v)) => render_value(&v, 3),
                    Ok(None) => "missing".to_owned(),
                    Err(_) => "unreadable".to_owned(),
                };
                Explanation::leaf(text, outcome(result), vec![(top.to_owned(), value)])
            }
        }
    }
}

fn value_json(b: &Bson) -> Json {
    ejson::to_json(b, 16).unwrap_or(Json::Null)
}

fn cond_json(c: &Cond) -> (String, Json) {
    let list = |items: &[Bson]| Json::Array(items.iter().map(value_json).collect());
    match c {
        Cond::Eq(b) => ("$eq".into(), value_json(b)),
        Cond::Ne(b) => ("$ne".into(), value_json(b)),
        Cond::Cmp(op, b) => {
            let name = match op {
                CmpOp::Gt => "$gt",
                CmpOp::Ge => "$gte",
                CmpOp::Lt => "$lt",
                CmpOp::Le => "$lte",
                CmpOp::Eq => "$eq",
                CmpOp::Ne => "$ne",
                // Lowering produces only the four ordering operators; MongoDB writes the
                // string operators as regular expressions.
                CmpOp::BeginsWith | CmpOp::EndsWith | CmpOp::Contains | CmpOp::Like => "$regex",
            };
            (name.into(), value_json(b))
        }
        Cond::In(items) => ("$in".into(), list(items)),
        Cond::Nin(items) => ("$nin".into(), list(items)),
        Cond::All(items) => ("$all".into(), list(items)),
        Cond::Exists(b) => ("$exists".into(), json!(b)),
        Cond::Not(inner) => ("$not".into(), Json::Object(inner.iter().map(cond_json).collect())),
        Cond::Regex(p) => ("$regex".into(), json!(format!("/{}/{}", p.source, p.options))),
        Cond::ElemMatch(inner) => {
            ("$elemMatch".into(), Json::Object(inner.iter().map(cond_json).collect()))
        }
        Cond::Size(n) => ("$size".into(), json!(n)),
        Cond::Never => {
            ("$unresolved".into(), json!("an expansion without a value: matches nothing"))
        }
    }
}
