//! The role model: roles as App Services writes them, read from JSON with pointers.
//!
//! Both formats land here. The current format (`default_rule.json`, `rules.json`, rules.md §1.2) is
//! read as written; the legacy format (`permissions` in `sync/config.json`, §1.3) is converted at
//! load time following the official migration mapping: `applyWhen` → `apply_when`, the legacy
//! per-document `read`/`write` expressions → `document_filters.read/write`. Whether role selection
//! may fall back to default roles is recorded by the app (`App::falls_back_to_default_roles`).
//!
//! Defaults, chosen per rules.md §2.6 and applied here so later stages never see an absent value
//! where a default exists:
//! - `apply_when` absent → `{}` (always applies);
//! - `insert`, `delete` absent → `true` (the config table's default; the permission-guide snippets
//!   omit both and would otherwise forbid every insert and delete);
//! - `fields.<f>.read/write` and `additional_fields.read/write` absent → `false`;
//! - `document_filters` and top-level `read`/`write` have no default: an absent document filter
//!   makes the role Sync-incompatible, an absent top-level permission defers to field rules;
//! - legacy roles: absent `read`/`write` expressions → `false`; top-level `read`/`write` become
//!   `true` unless the role has `fields` or `additional_fields`, which then decide.
//!
//! Shape errors (a role without a name, `roles` not an array) stop loading; meaning errors inside
//! an expression are kept in the role (see [`Slot`]) so that validation can report all of them.

use serde_json::{Map, Value as Json};

use super::error::{LowerError, RulesError, RulesErrorKind};
use super::expr::Expr;
use super::lower::lower_expr;
use crate::limits::Limits;

/// One role, in the current format's terms, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub(crate) name: String,
    pub(crate) file: String,
    pub(crate) pointer: Pointer,
    pub(crate) apply_when: Slot,
    pub(crate) document_filters: Option<DocumentFilters>,
    pub(crate) read: Perm,
    pub(crate) write: Perm,
    pub(crate) insert: Slot,
    pub(crate) delete: Slot,
    pub(crate) fields: Vec<FieldRule>,
    pub(crate) additional_fields: Option<FieldPerms>,
    /// Pointers of keys App Services does not define (e.g. a misspelled `document_filter`).
    pub(crate) unknown_keys: Vec<Pointer>,
}

impl Role {
    /// The role's name, as it appears in log reasons.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file the role was read from, relative to the app directory.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The JSON pointer of the role object within [`Role::file`].
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// Where each of the role's filters (read, write, insert, delete) is written, and whether
    /// it is a constant (`true`, `{}`, or a default): `None` when the rule file does not write
    /// it (an absent document filter, or an `insert`/`delete` left to its default).
    pub(crate) fn filter_origins(&self) -> [Option<(&str, bool)>; 4] {
        fn origin(s: &Slot) -> Option<(&str, bool)> {
            s.written.then_some((s.pointer.as_str(), matches!(s.expr, Ok(Expr::Const(_)))))
        }
        let df = self.document_filters.as_ref();
        [
            df.and_then(|d| d.read.as_ref()).and_then(origin),
            df.and_then(|d| d.write.as_ref()).and_then(origin),
            origin(&self.insert),
            origin(&self.delete),
        ]
    }

    /// The top-level fields the role's field rules name.
    pub(crate) fn field_rule_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

/// An expression-valued permission: its lowered form (or why it has none) and its pointer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Slot {
    pub(crate) expr: Result<Expr, LowerError>,
    pub(crate) pointer: Pointer,
    /// Whether the JSON was a boolean literal (`true`/`false`), not merely equivalent to one.
    pub(crate) literal: Option<bool>,
    /// Whether the rule file writes it (`pointer` then names a node of the file); an absent
    /// permission takes its default.
    pub(crate) written: bool,
}

impl Slot {
    fn read(json: Option<&Json>, pointer: Pointer, default: bool, limits: &Limits) -> Slot {
        match json {
            None => Slot {
                expr: Ok(Expr::Const(default)),
                pointer,
                literal: Some(default),
                written: false,
            },
            Some(json) => {
                let expr = lower_expr(json, &pointer, limits);
                Slot { expr, literal: json.as_bool(), pointer, written: true }
            }
        }
    }
}

/// `document_filters`: either half may be missing, which makes the role Sync-incompatible.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DocumentFilters {
    pub(crate) read: Option<Slot>,
    pub(crate) write: Option<Slot>,
    pub(crate) pointer: Pointer,
}

/// A permission that Flexible Sync requires to be a boolean literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Perm {
    /// Not given.
    Absent,
    /// `true` or `false`.
    Literal(bool),
    /// Anything else (an expression, allowed outside Sync), with its pointer.
    Expression(Pointer),
}

impl Perm {
    fn read(json: Option<&Json>, pointer: Pointer) -> Perm {
        match json {
            None => Perm::Absent,
            Some(Json::Bool(b)) => Perm::Literal(*b),
            Some(_) => Perm::Expression(pointer),
        }
    }

    /// The permission's value where it is a literal; absent and non-literal permissions grant
    /// nothing (non-literal ones make the role incompatible anyway).
    pub(crate) fn granted(&self) -> Option<bool> {
        match self {
            Perm::Absent => None,
            Perm::Literal(b) => Some(*b),
            Perm::Expression(_) => Some(false),
        }
    }
}

/// `fields.<name>`: static permissions for one field and, through `fields`, its embedded fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldRule {
    pub(crate) name: String,
    pub(crate) pointer: Pointer,
    pub(crate) read: Perm,
    pub(crate) write: Perm,
    pub(crate) fields: Vec<FieldRule>,
    pub(crate) additional_fields: Option<FieldPerms>,
}

/// `additional_fields` (top level or inside a field rule).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldPerms {
    pub(crate) read: Perm,
    pub(crate) write: Perm,
}

/// The roles of one collection or the default roles, in configured order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleSet {
    pub(crate) roles: Vec<Role>,
}

impl RoleSet {
    /// The roles in configured order.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Whether no role is configured.
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
    }
}

/// The keys a current-format role may have.
pub(crate) const CURRENT_KEYS: &[&str] = &[
    "name",
    "apply_when",
    "document_filters",
    "read",
    "write",
    "insert",
    "delete",
    "search",
    "fields",
    "additional_fields",
];

/// The keys a legacy role may have.
pub(crate) const LEGACY_KEYS: &[&str] =
    &["name", "applyWhen", "read", "write", "fields", "additional_fields"];

use crate::json::Pointer;

/// Reads a role list (`roles` of `rules.json`/`default_rule.json`, or a legacy role array) found
/// at `pointer` in `file`.
pub(crate) fn read_roles(
    json: &Json,
    file: &str,
    pointer: &Pointer,
    legacy: bool,
    limits: &Limits,
) -> Result<RoleSet, RulesError> {
    let Json::Array(items) = json else {
        return Err(RulesError::new(RulesErrorKind::ExpectedArray, pointer));
    };
    let mut roles: Vec<Role> = Vec::with_capacity(items.len());
    let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let at = pointer.index(i);
        let Json::Object(map) = item else {
            return Err(RulesError::new(RulesErrorKind::ExpectedObject, at));
        };
        let role = if legacy {
            read_legacy_role(map, file, &at, limits)?
        } else {
            read_role(map, file, &at, limits)?
        };
        // A set keeps the check linear in the number of roles.
        if !names.insert(role.name.clone()) {
            return Err(RulesError::new(
                RulesErrorKind::DuplicateName(role.name),
                at.child("name"),
            ));
        }
        roles.push(role);
    }
    Ok(RoleSet { roles })
}

fn read_name(map: &Map<String, Json>, pointer: &Pointer) -> Result<String, RulesError> {
    match map.get("name") {
        None => Err(RulesError::new(RulesErrorKind::MissingName, pointer)),
        Some(Json::String(name)) => {
            let len = name.chars().count();
            if len == 0 || len > 100 {
                return Err(RulesError::new(
                    RulesErrorKind::BadName(name.clone()),
                    pointer.child("name"),
                ));
            }
            Ok(name.clone())
        }
        Some(_) => Err(RulesError::new(RulesErrorKind::ExpectedString, pointer.child("name"))),
    }
}

fn unknown_keys(map: &Map<String, Json>, known: &[&str], pointer: &Pointer) -> Vec<Pointer> {
    map.keys().filter(|k| !known.contains(&k.as_str())).map(|k| pointer.child(k)).collect()
}

fn read_role(
    map: &Map<String, Json>,
    file: &str,
    pointer: &Pointer,
    limits: &Limits,
) -> Result<Role, RulesError> {
    let name = read_name(map, pointer)?;
    let mut unknown = unknown_keys(map, CURRENT_KEYS, pointer);
    let document_filters = match map.get("document_filters") {
        None => None,
        Some(Json::Object(df)) => {
            let at = pointer.child("document_filters");
            unknown.extend(unknown_keys(df, &["read", "write"], &at));
            let half =
                |key: &str| df.get(key).map(|j| Slot::read(Some(j), at.child(key), false, limits));
            Some(DocumentFilters { read: half("read"), write: half("write"), pointer: at })
        }
        Some(_) => {
            return Err(RulesError::new(
                RulesErrorKind::ExpectedObject,
                pointer.child("document_filters"),
            ));
        }
    };
    let (fields, additional_fields) = read_field_level(map, pointer, 0, limits, &mut unknown)?;
    Ok(Role {
        name,
        file: file.to_owned(),
        pointer: pointer.clone(),
        apply_when: Slot::read(map.get("apply_when"), pointer.child("apply_when"), true, limits),
        document_filters,
        read: Perm::read(map.get("read"), pointer.child("read")),
        write: Perm::read(map.get("write"), pointer.child("write")),
        insert: Slot::read(map.get("insert"), pointer.child("insert"), true, limits),
        delete: Slot::read(map.get("delete"), pointer.child("delete"), true, limits),
        fields,
        additional_fields,
        unknown_keys: unknown,
    })
}

fn read_legacy_role(
    map: &Map<String, Json>,
    file: &str,
    pointer: &Pointer,
    limits: &Limits,
) -> Result<Role, RulesError> {
    let name = read_name(map, pointer)?;
    let mut unknown = unknown_keys(map, LEGACY_KEYS, pointer);
    let (fields, additional_fields) = read_field_level(map, pointer, 0, limits, &mut unknown)?;
    let field_level = map.contains_key("fields") || map.contains_key("additional_fields");
    let top = if field_level { Perm::Absent } else { Perm::Literal(true) };
    let half = |key: &str| Slot::read(map.get(key), pointer.child(key), false, limits);
    Ok(Role {
        name,
        file: file.to_owned(),
        pointer: pointer.clone(),
        apply_when: Slot::read(map.get("applyWhen"), pointer.child("applyWhen"), true, limits),
        document_filters: Some(DocumentFilters {
            read: Some(half("read")),
            write: Some(half("write")),
            pointer: pointer.clone(),
        }),
        read: top.clone(),
        write: top,
        insert: Slot {
            expr: Ok(Expr::Const(true)),
            pointer: pointer.clone(),
            literal: None,
            written: false,
        },
        delete: Slot {
            expr: Ok(Expr::Const(true)),
            pointer: pointer.clone(),
            literal: None,
            written: false,
        },
        fields,
        additional_fields,
        unknown_keys: unknown,
    })
}

/// Reads `fields` and `additional_fields` of a role or of a field rule.
fn read_field_level(
    map: &Map<String, Json>,
    pointer: &Pointer,
    depth: u32,
    limits: &Limits,
    unknown: &mut Vec<Pointer>,
) -> Result<(Vec<FieldRule>, Option<FieldPerms>), RulesError> {
    if depth > limits.max_rule_depth {
        return Err(RulesError::new(RulesErrorKind::TooDeep, pointer));
    }
    let mut fields = Vec::new();
    match map.get("fields") {
        None => {}
        Some(Json::Object(entries)) => {
            let at = pointer.child("fields");
            for (name, entry) in entries {
                let entry_at = at.child(name);
                let Json::Object(entry_map) = entry else {
                    return Err(RulesError::new(RulesErrorKind::ExpectedObject, entry_at));
                };
                unknown.extend(unknown_keys(
                    entry_map,
                    &["read", "write", "fields", "additional_fields"],
                    &entry_at,
                ));
                let (nested, additional) =
                    read_field_level(entry_map, &entry_at, depth + 1, limits, unknown)?;
                fields.push(FieldRule {
                    name: name.clone(),
                    read: Perm::read(entry_map.get("read"), entry_at.child("read")),
                    write: Perm::read(entry_map.get("write"), entry_at.child("write")),
                    pointer: entry_at,
                    fields: nested,
                    additional_fields: additional,
                });
            }
        }
        Some(_) => {
            return Err(RulesError::new(RulesErrorKind::ExpectedObject, pointer.child("fields")));
        }
    }
    let additional = match map.get("additional_fields") {
        None => None,
        Some(Json::Object(perms)) => {
            let at = pointer.child("additional_fields");
            unknown.extend(unknown_keys(perms, &["read", "write"], &at));
            Some(FieldPerms {
                read: Perm::read(perms.get("read"), at.child("read")),
                write: Perm::read(perms.get("write"), at.child("write")),
            })
        }
        Some(_) => {
            return Err(RulesError::new(
                RulesErrorKind::ExpectedObject,
                pointer.child("additional_fields"),
            ));
        }
    };
    Ok((fields, additional))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn roles(j: Json, legacy: bool) -> Result<RoleSet, RulesError> {
        read_roles(&j, "f.json", &Pointer::root().child("roles"), legacy, &Limits::default())
    }

    #[test]
    fn defaults_fill_insert_and_delete() {
        let set = roles(json!([{"name": "a", "document_filters": {"read": true}}]), false).unwrap();
        let role = &set.roles()[0];
        assert_eq!(role.insert.expr, Ok(Expr::Const(true)));
        assert_eq!(role.delete.literal, Some(true));
        assert_eq!(role.apply_when.expr, Ok(Expr::Const(true)));
        assert!(role.document_filters.as_ref().unwrap().write.is_none());
        assert_eq!(role.read, Perm::Absent);
    }

    #[test]
    fn misspelled_document_filter_loads_and_is_remembered() {
        let set =
            roles(json!([{"name": "admin", "document_filter": {"read": true}}]), false).unwrap();
        assert!(set.roles()[0].document_filters.is_none());
        assert_eq!(set.roles()[0].unknown_keys, ["/roles/0/document_filter"]);
    }

    #[test]
    fn shape_errors_name_their_pointer() {
        let err = roles(json!([{"name": "a"}, {"apply_when": {}}]), false).unwrap_err();
        assert_eq!((err.kind(), err.pointer()), (&RulesErrorKind::MissingName, "/roles/1"));
        let err = roles(json!([{"name": "a"}, {"name": "a"}]), false).unwrap_err();
        assert_eq!(err.pointer(), "/roles/1/name");
        let err = roles(json!({"name": "a"}), false).unwrap_err();
        assert_eq!(err.kind(), &RulesErrorKind::ExpectedArray);
        let err = roles(json!([{"name": "a", "fields": {"x": 1}}]), false).unwrap_err();
        assert_eq!(err.pointer(), "/roles/0/fields/x");
    }

    #[test]
    fn legacy_roles_become_document_filters() {
        let set = roles(
            json!([{"name": "u", "applyWhen": {}, "read": {}, "write": {"owner": "%%user.id"}}]),
            true,
        )
        .unwrap();
        let role = &set.roles()[0];
        let df = role.document_filters.as_ref().unwrap();
        assert_eq!(df.read.as_ref().unwrap().expr, Ok(Expr::Const(true)));
        assert_eq!(df.write.as_ref().unwrap().pointer, "/roles/0/write");
        assert_eq!(role.read, Perm::Literal(true));
    }
}
