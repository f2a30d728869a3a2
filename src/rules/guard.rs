//! The guards of a bound filter for the cross-session fan-out index ([`crate::fanout`]):
//! top-level `{field: constant}` and `{field: {$in: […]}}` conditions, combined through `$and`
//! (the cheapest) and `$or` (all branches). The typical `{"ownerId": "%%user.id"}` read filter,
//! once bound, is an equality guard on the user's id.

use super::bind::Filter;
use super::eval::{Cond, Node};
use crate::fanout::guard::{self, Guards, Key};

impl Filter {
    /// Guards of which every matching document satisfies one (`None`: no narrower guard).
    pub(crate) fn guards(&self) -> Guards {
        self.node_guards(&self.root)
    }

    // Recursion follows the filter's nesting, bounded when the rule was lowered.
    fn node_guards(&self, node: &Node) -> Guards {
        match node {
            Node::Const(true) | Node::Nor(_) => None,
            Node::Const(false) => Some(Vec::new()),
            Node::And(list) => list.iter().map(|n| self.node_guards(n)).fold(None, guard::narrower),
            Node::Or(list) => list
                .iter()
                .try_fold(Vec::new(), |acc, n| guard::union(Some(acc), self.node_guards(n))),
            Node::Field { field, rest, conds } => {
                if !rest.is_empty() {
                    return None;
                }
                let name = self.fields.get(*field)?;
                conds
                    .iter()
                    .map(|c| match c {
                        Cond::Eq(b) => guard::equal(name, [Key::of_bson(b)]),
                        Cond::In(list) => guard::equal(name, list.iter().map(Key::of_bson)),
                        // Matches nothing.
                        Cond::Never => Some(Vec::new()),
                        _ => None,
                    })
                    .fold(None, guard::narrower)
            }
        }
    }
}

impl Filter {
    /// The filter as "field is one of these keys" (`Some(None)`: always), when it is exactly
    /// that for documents whose field value has a key.
    pub(crate) fn keyed(&self) -> Option<guard::AnyOf> {
        match &self.root {
            Node::Const(true) => Some(None),
            Node::Const(false) => Some(Some(Vec::new())),
            Node::Field { field, rest, conds } if rest.is_empty() => {
                let keys: Option<Vec<Key>> = match &**conds {
                    [Cond::Eq(b)] => Some(vec![Key::of_bson(b)?]),
                    [Cond::In(list)] if !list.is_empty() => list.iter().map(Key::of_bson).collect(),
                    _ => None,
                };
                let field = self.fields.get(*field)?.clone();
                Some(Some(vec![guard::OneOf { field, keys: keys?.into() }]))
            }
            _ => None,
        }
    }
}
