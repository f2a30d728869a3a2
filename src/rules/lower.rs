//! Lowering: rule-expression JSON → [`Expr`].
//!
//! serde_json has already checked that the text is JSON; this stage decides what each key and
//! string means. Keys are operators (`$…`, or `%…` with one percent sign), expansions (`%%…`) or
//! field paths; string values starting with `%%` are expansions; objects in value position are
//! operator objects, conversion or function calls, Extended JSON literals, or embedded documents.
//! Every error carries the JSON pointer of the node it is about.
//!
//! Recursion is bounded by [`Limits::max_rule_depth`]: a `serde_json::Value` built in memory is
//! not protected by serde_json's own nesting limit.

use bson::Bson;
use serde_json::{Map, Value as Json};

use super::error::{LowerError, LowerErrorKind};
use super::expr::{Conversion, Expansion, Expr, Operand, Pattern, Test};
use crate::limits::Limits;
use crate::value::CmpOp;

/// Lowers one rule expression found at `pointer`.
pub(crate) fn lower_expr(json: &Json, pointer: &str, limits: &Limits) -> Result<Expr, LowerError> {
    Lowerer { limits, plain: false }.expr(json, pointer, 0)
}

/// Lowers a MongoDB filter written as canonical Extended JSON, where every string is a value:
/// no `%%` expansions, no `%` operator aliases and no functions, so a field value such as
/// `"%%user"` stays a string.
pub(crate) fn lower_plain(json: &Json, limits: &Limits) -> Result<Expr, LowerError> {
    Lowerer { limits, plain: true }.expr(json, "", 0)
}

/// The Extended JSON keys that make an object in value position a literal, not an operator object.
const EXTENDED_JSON_KEYS: &[&str] = &[
    "$oid",
    "$date",
    "$numberLong",
    "$numberInt",
    "$numberDouble",
    "$numberDecimal",
    "$binary",
    "$uuid",
    "$timestamp",
    "$regularExpression",
    "$minKey",
    "$maxKey",
    "$symbol",
    "$code",
    "$undefined",
];

/// The operator name of a key (`$in` and `%in` both give `in`), or `None` for field names and
/// expansions.
fn operator_name(key: &str) -> Option<&str> {
    if key.starts_with("%%") {
        return None;
    }
    key.strip_prefix('$').or_else(|| key.strip_prefix('%'))
}

fn conversion(name: &str) -> Option<Conversion> {
    match name {
        "stringToOid" => Some(Conversion::StringToOid),
        "oidToString" => Some(Conversion::OidToString),
        "stringToUuid" => Some(Conversion::StringToUuid),
        "uuidToString" => Some(Conversion::UuidToString),
        _ => None,
    }
}

use crate::json::child;

/// Converts a JSON scalar written in a rule to BSON. Integers become int32 when they fit (as
/// MongoDB's shell would store them); numeric comparison makes the choice invisible.
pub(crate) fn json_scalar(json: &Json) -> Bson {
    match json {
        Json::Null => Bson::Null,
        Json::Bool(b) => Bson::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => i32::try_from(i).map_or(Bson::Int64(i), Bson::Int32),
            None => Bson::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Bson::String(s.clone()),
        Json::Array(_) | Json::Object(_) => Bson::Null,
    }
}

struct Lowerer<'l> {
    limits: &'l Limits,
    /// Strings are values and only `$` names operators (see [`lower_plain`]).
    plain: bool,
}

impl Lowerer<'_> {
    fn op<'k>(&self, key: &'k str) -> Option<&'k str> {
        if self.plain {
            return key.strip_prefix('$');
        }
        operator_name(key)
    }

    /// Whether an object in value position is an operator object (`{"$in": [...]}`) rather than
    /// a literal, a conversion, or a function call.
    fn is_operator_object(&self, map: &Map<String, Json>) -> bool {
        let Some(first) = map.keys().next() else {
            return false;
        };
        if EXTENDED_JSON_KEYS.contains(&first.as_str()) {
            return false;
        }
        match self.op(first) {
            Some(op) => map.len() > 1 || (conversion(op).is_none() && op != "function"),
            None => false,
        }
    }

    fn check_depth(&self, depth: u32, pointer: &str) -> Result<(), LowerError> {
        if depth > self.limits.max_rule_depth {
            return Err(LowerError::new(LowerErrorKind::TooDeep, pointer));
        }
        Ok(())
    }

    fn expr(&self, json: &Json, pointer: &str, depth: u32) -> Result<Expr, LowerError> {
        self.check_depth(depth, pointer)?;
        let map = match json {
            Json::Bool(b) => return Ok(Expr::Const(*b)),
            Json::Object(map) => map,
            _ => return Err(LowerError::new(LowerErrorKind::ExpectedExpression, pointer)),
        };
        let mut parts = Vec::with_capacity(map.len());
        for (key, value) in map {
            let at = child(pointer, key);
            if key.starts_with("%%") && !self.plain {
                let key = self.expansion(key, &at)?;
                let cond = self.condition(value, &at, depth + 1)?;
                parts.push(Expr::Key { key, cond });
            } else if let Some(op) = self.op(key) {
                let list = match op {
                    "and" | "or" | "nor" => self.expr_list(key, value, &at, depth + 1)?,
                    _ if is_known_operator(op) => {
                        return Err(LowerError::new(
                            LowerErrorKind::MisplacedOperator(key.clone()),
                            at,
                        ));
                    }
                    _ => {
                        return Err(LowerError::new(
                            LowerErrorKind::UnknownOperator(key.clone()),
                            at,
                        ));
                    }
                };
                parts.push(match op {
                    "and" => Expr::And(list),
                    "or" => Expr::Or(list),
                    _ => Expr::Nor(list),
                });
            } else {
                let path = field_path(key, &at)?;
                self.check_depth(
                    depth.saturating_add(u32::try_from(path.len()).unwrap_or(u32::MAX)),
                    &at,
                )?;
                let cond = self.condition(value, &at, depth + 1)?;
                parts.push(Expr::Field { path, cond, pointer: at });
            }
        }
        Ok(match parts.len() {
            0 => Expr::Const(true),
            1 => parts.pop().unwrap_or(Expr::Const(true)),
            _ => Expr::And(parts),
        })
    }

    fn expr_list(
        &self,
        key: &str,
        value: &Json,
        pointer: &str,
        depth: u32,
    ) -> Result<Vec<Expr>, LowerError> {
        let Json::Array(items) = value else {
            return Err(LowerError::new(LowerErrorKind::ExpectedArray(key.to_owned()), pointer));
        };
        if items.is_empty() {
            return Err(LowerError::new(LowerErrorKind::EmptyLogical(key.to_owned()), pointer));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.expr(item, &crate::json::index(pointer, i), depth))
            .collect()
    }

    fn expansion(&self, text: &str, pointer: &str) -> Result<Operand, LowerError> {
        match Expansion::parse(text) {
            Some(expansion) => Ok(Operand::Expansion(expansion, pointer.to_owned())),
            None => {
                Err(LowerError::new(LowerErrorKind::UnknownExpansion(text.to_owned()), pointer))
            }
        }
    }

    /// The condition a field or key expansion must satisfy: an operator object, or a value that
    /// the field must equal.
    fn condition(&self, value: &Json, pointer: &str, depth: u32) -> Result<Vec<Test>, LowerError> {
        self.check_depth(depth, pointer)?;
        if let Json::Object(map) = value
            && self.is_operator_object(map)
        {
            return self.operator_object(map, pointer, depth);
        }
        Ok(vec![Test::Eq(self.operand(value, pointer, depth)?)])
    }

    fn operator_object(
        &self,
        map: &Map<String, Json>,
        pointer: &str,
        depth: u32,
    ) -> Result<Vec<Test>, LowerError> {
        let mut tests = Vec::with_capacity(map.len());
        for (key, value) in map {
            let at = child(pointer, key);
            let Some(op) = self.op(key) else {
                return Err(LowerError::new(LowerErrorKind::MixedObject, at));
            };
            if !self.plain && matches!(op, "regex" | "options" | "elemMatch" | "size") {
                // Rule files keep to the operators App Services rules document; these exist for
                // filters read with `lower_plain` (MongoDB queries such as translated ones).
                return Err(LowerError::new(LowerErrorKind::UnknownOperator(key.clone()), at));
            }
            let test = match op {
                "eq" => Test::Eq(self.operand(value, &at, depth + 1)?),
                "ne" => Test::Ne(self.operand(value, &at, depth + 1)?),
                "gt" => Test::Cmp(CmpOp::Gt, self.operand(value, &at, depth + 1)?),
                "gte" => Test::Cmp(CmpOp::Ge, self.operand(value, &at, depth + 1)?),
                "lt" => Test::Cmp(CmpOp::Lt, self.operand(value, &at, depth + 1)?),
                "lte" => Test::Cmp(CmpOp::Le, self.operand(value, &at, depth + 1)?),
                "in" => Test::In(self.list_operand(key, value, &at, depth + 1)?),
                "nin" => Test::Nin(self.list_operand(key, value, &at, depth + 1)?),
                "all" => Test::All(self.list_operand(key, value, &at, depth + 1)?),
                "exists" => Test::Exists(match value {
                    Json::Bool(b) => *b,
                    Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                    _ => return Err(LowerError::new(LowerErrorKind::BadExists, at)),
                }),
                "not" => match value {
                    Json::Object(inner) if !inner.is_empty() && self.is_operator_object(inner) => {
                        Test::Not(self.operator_object(inner, &at, depth + 1)?)
                    }
                    _ => return Err(LowerError::new(LowerErrorKind::BadNot, at)),
                },
                "regex" => {
                    let options = match map.get("$options") {
                        None => "",
                        Some(Json::String(o)) => o.as_str(),
                        Some(_) => {
                            let at = child(pointer, "$options");
                            let msg = "`$options` must be a string".to_owned();
                            return Err(LowerError::new(LowerErrorKind::BadRegex(msg), at));
                        }
                    };
                    let Json::String(source) = value else {
                        let msg = "the pattern must be a string".to_owned();
                        return Err(LowerError::new(LowerErrorKind::BadRegex(msg), at));
                    };
                    Test::Regex(
                        Pattern::new(source, options)
                            .map_err(|m| LowerError::new(LowerErrorKind::BadRegex(m), at))?,
                    )
                }
                "options" if map.contains_key("$regex") => continue,
                "elemMatch" => match value {
                    Json::Object(inner) if !inner.is_empty() && self.is_operator_object(inner) => {
                        Test::ElemMatch(self.operator_object(inner, &at, depth + 1)?)
                    }
                    _ => return Err(LowerError::new(LowerErrorKind::BadElemMatch, at)),
                },
                "size" => {
                    let n = match self.operand(value, &at, depth + 1)? {
                        Operand::Literal(Bson::Int32(i)) => u64::try_from(i).ok(),
                        Operand::Literal(Bson::Int64(i)) => u64::try_from(i).ok(),
                        Operand::Literal(Bson::Double(d))
                            if d.fract() == 0.0 && (0.0..9.0e15).contains(&d) =>
                        {
                            #[expect(
                                clippy::cast_possible_truncation,
                                clippy::cast_sign_loss,
                                reason = "an integral double in 0..9e15 converts exactly"
                            )]
                            Some(d as u64)
                        }
                        _ => None,
                    };
                    match n {
                        Some(n) => Test::Size(n),
                        None => return Err(LowerError::new(LowerErrorKind::BadSize, at)),
                    }
                }
                _ if is_known_operator(op) => {
                    return Err(LowerError::new(
                        LowerErrorKind::MisplacedOperator(key.clone()),
                        at,
                    ));
                }
                _ => {
                    return Err(LowerError::new(LowerErrorKind::UnknownOperator(key.clone()), at));
                }
            };
            tests.push(test);
        }
        Ok(tests)
    }

    /// The argument of `$in`, `$nin` and `$all`: an array, or something that yields one at bind
    /// time (an expansion, a function).
    fn list_operand(
        &self,
        key: &str,
        value: &Json,
        pointer: &str,
        depth: u32,
    ) -> Result<Operand, LowerError> {
        let operand = self.operand(value, pointer, depth)?;
        match operand {
            Operand::Literal(Bson::Array(_))
            | Operand::Array(_)
            | Operand::Expansion(..)
            | Operand::Function { .. } => Ok(operand),
            _ => Err(LowerError::new(LowerErrorKind::ExpectedArray(key.to_owned()), pointer)),
        }
    }

    fn operand(&self, value: &Json, pointer: &str, depth: u32) -> Result<Operand, LowerError> {
        self.check_depth(depth, pointer)?;
        match value {
            Json::String(s) if s.starts_with("%%") && !self.plain => self.expansion(s, pointer),
            Json::Array(items) => {
                let operands = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.operand(item, &crate::json::index(pointer, i), depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                if operands.iter().all(|o| matches!(o, Operand::Literal(_))) {
                    let literals = operands
                        .into_iter()
                        .filter_map(|o| match o {
                            Operand::Literal(b) => Some(b),
                            _ => None,
                        })
                        .collect();
                    Ok(Operand::Literal(Bson::Array(literals)))
                } else {
                    Ok(Operand::Array(operands))
                }
            }
            Json::Object(map) => self.object_operand(value, map, pointer, depth),
            scalar => Ok(Operand::Literal(json_scalar(scalar))),
        }
    }

    fn object_operand(
        &self,
        value: &Json,
        map: &Map<String, Json>,
        pointer: &str,
        depth: u32,
    ) -> Result<Operand, LowerError> {
        let mut keys = map.keys();
        let (Some(first), second) = (keys.next(), keys.next()) else {
            return Ok(Operand::Literal(Bson::Document(bson::Document::new())));
        };
        if EXTENDED_JSON_KEYS.contains(&first.as_str()) {
            return Bson::try_from(value.clone())
                .map(Operand::Literal)
                .map_err(|e| LowerError::new(LowerErrorKind::BadLiteral(e.to_string()), pointer));
        }
        if let Some(op) = self.op(first) {
            let at = child(pointer, first);
            if second.is_some() {
                return Err(LowerError::new(LowerErrorKind::MisplacedOperator(first.clone()), at));
            }
            let arg = map.get(first).unwrap_or(&Json::Null);
            if let Some(conv) = conversion(op) {
                let inner = self.operand(arg, &at, depth + 1)?;
                return match inner {
                    Operand::Literal(ref b) if !matches!(b, Bson::Array(_) | Bson::Document(_)) => {
                        Ok(Operand::Convert(conv, Box::new(inner)))
                    }
                    Operand::Expansion(..) => Ok(Operand::Convert(conv, Box::new(inner))),
                    _ => Err(LowerError::new(
                        LowerErrorKind::BadConversionArgument(first.clone()),
                        at,
                    )),
                };
            }
            if op == "function" {
                let name = match arg {
                    Json::Object(call) => match call.get("name") {
                        Some(Json::String(name)) => name.clone(),
                        _ => return Err(LowerError::new(LowerErrorKind::BadFunction, at)),
                    },
                    _ => return Err(LowerError::new(LowerErrorKind::BadFunction, at)),
                };
                if let Some(Json::Array(args)) = arg.get("arguments") {
                    // Arguments are lowered only to check them; functions are never called here.
                    for (i, a) in args.iter().enumerate() {
                        self.operand(a, &format!("{at}/arguments/{i}"), depth + 2)?;
                    }
                }
                return Ok(Operand::Function { name, pointer: at });
            }
            let kind = if is_known_operator(op) {
                LowerErrorKind::MisplacedOperator(first.clone())
            } else {
                LowerErrorKind::UnknownOperator(first.clone())
            };
            return Err(LowerError::new(kind, at));
        }
        let mut fields = Vec::with_capacity(map.len());
        for (key, v) in map {
            let at = child(pointer, key);
            if self.op(key).is_some() {
                return Err(LowerError::new(LowerErrorKind::MixedObject, at));
            }
            fields.push((key.clone(), self.operand(v, &at, depth + 1)?));
        }
        if fields.iter().all(|(_, o)| matches!(o, Operand::Literal(_))) {
            let mut doc = bson::Document::new();
            for (k, o) in fields {
                if let Operand::Literal(b) = o {
                    doc.insert(k, b);
                }
            }
            return Ok(Operand::Literal(Bson::Document(doc)));
        }
        Ok(Operand::Document(fields))
    }
}

/// Operators that exist but are used in the wrong place when they appear where a field or a
/// condition operator is expected.
fn is_known_operator(op: &str) -> bool {
    matches!(
        op,
        "eq" | "ne"
            | "gt"
            | "gte"
            | "lt"
            | "lte"
            | "in"
            | "nin"
            | "all"
            | "exists"
            | "not"
            | "and"
            | "or"
            | "nor"
            | "function"
            | "stringToOid"
            | "oidToString"
            | "stringToUuid"
            | "uuidToString"
    )
}

fn field_path(key: &str, pointer: &str) -> Result<Vec<String>, LowerError> {
    let path: Vec<String> = key.split('.').map(str::to_owned).collect();
    if path.iter().any(String::is_empty) {
        return Err(LowerError::new(LowerErrorKind::BadFieldPath(key.to_owned()), pointer));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::expr::ExpansionRoot;
    use serde_json::json;

    fn lower(j: Json) -> Result<Expr, LowerError> {
        lower_expr(&j, "/r", &Limits::default())
    }

    #[test]
    fn empty_object_and_booleans_are_constants() {
        assert_eq!(lower(json!({})).unwrap(), Expr::Const(true));
        assert_eq!(lower(json!(false)).unwrap(), Expr::Const(false));
    }

    #[test]
    fn field_equality_with_expansion() {
        let e = lower(json!({"owner_id": "%%user.id"})).unwrap();
        let Expr::Field { path, cond, pointer } = e else { panic!("{e:?}") };
        assert_eq!(path, ["owner_id"]);
        assert_eq!(pointer, "/r/owner_id");
        let [Test::Eq(Operand::Expansion(x, p))] = cond.as_slice() else { panic!("{cond:?}") };
        assert_eq!(x.root, ExpansionRoot::User);
        assert_eq!(p, "/r/owner_id");
    }

    #[test]
    fn percent_prefixed_operators_are_aliases() {
        let a = lower(json!({"f": {"%in": [1, 2]}, "%or": [{"g": 1}]})).unwrap();
        let b = lower(json!({"f": {"$in": [1, 2]}, "$or": [{"g": 1}]})).unwrap();
        // Only the pointers (which spell the key as written) differ.
        assert_eq!(format!("{a:?}").replace("%or", "$or"), format!("{b:?}"));
    }

    #[test]
    fn unknown_operator_names_its_pointer() {
        let err = lower(json!({"a": {"$where": "x"}})).unwrap_err();
        assert_eq!(err.kind(), &LowerErrorKind::UnknownOperator("$where".into()));
        assert_eq!(err.pointer(), "/r/a/$where");
        let err = lower(json!({"$or": [{"b": {"$gt": 1, "c": 2}}]})).unwrap_err();
        assert_eq!(err.kind(), &LowerErrorKind::MixedObject);
        assert_eq!(err.pointer(), "/r/$or/0/b/c");
    }

    #[test]
    fn conversion_and_function_are_operands() {
        let e = lower(json!({"_id": {"%stringToOid": "%%user.id"}})).unwrap();
        let Expr::Field { cond, .. } = e else { panic!() };
        assert!(matches!(
            cond.as_slice(),
            [Test::Eq(Operand::Convert(Conversion::StringToOid, _))]
        ));
        let e =
            lower(json!({"%%true": {"%function": {"name": "isOwner", "arguments": []}}})).unwrap();
        let Expr::Key { cond, .. } = e else { panic!() };
        assert!(matches!(cond.as_slice(), [Test::Eq(Operand::Function { .. })]));
    }

    #[test]
    fn extended_json_is_a_literal() {
        let e = lower(json!({"_id": {"$oid": "6424433fd4d9f52ee93ad590"}})).unwrap();
        let Expr::Field { cond, .. } = e else { panic!() };
        assert!(matches!(cond.as_slice(), [Test::Eq(Operand::Literal(Bson::ObjectId(_)))]));
    }

    #[test]
    fn depth_is_bounded_for_values_built_in_memory() {
        let mut j = json!({"a": 1});
        for _ in 0..200 {
            j = json!({"$or": [j]});
        }
        assert_eq!(lower(j).unwrap_err().kind(), &LowerErrorKind::TooDeep);
    }
}
