//! Exported App Services apps: schemas, roles and the Sync configuration, read from a directory.
//!
//! The layout is the one App Services exports (cli.md "App", rules.md §1.1):
//!
//! ```text
//! data_sources/<service>/default_rule.json              default roles (optional)
//! data_sources/<service>/<db>/<collection>/rules.json   collection roles
//! data_sources/<service>/<db>/<collection>/schema.json  the collection's JSON Schema
//! sync/config.json                                      queryable fields; legacy `permissions`
//! ```
//!
//! Loading is two steps so that embedders need no file system: [`App::load`] only gathers the
//! relevant files into an [`AppBuilder`], which parses them; [`App::builder`] lets a caller supply
//! the same files as text or as `serde_json::Value`s. Every error names the file and the JSON
//! pointer (line and column for malformed JSON).
//!
//! `_id` is always queryable; without `sync/config.json` it is the only queryable field. Legacy `permissions` are converted into the current role model; an
//! app using them keeps the legacy selection rule (fall back to default roles when no collection
//! role applies), recorded in [`App::falls_back_to_default_roles`].

mod error;

pub use error::{AppError, AppErrorKind};

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::json::Pointer;
use crate::limits::Limits;
use crate::rules::{
    Bindings, Problem, Queryable, Role, RoleChoice, RoleSet, choose_traced, read_roles,
    role_problems, set_problems,
};
use crate::schema::Table;

/// A loaded app: collections with their schemas and roles, default roles, Sync configuration.
#[derive(Debug, Clone)]
pub struct App {
    collections: Vec<CollectionConfig>,
    default_roles: RoleSet,
    sync: SyncConfig,
    legacy: bool,
    limits: Limits,
}

/// One collection (object type) of the app.
#[derive(Debug, Clone)]
pub struct CollectionConfig {
    database: String,
    name: String,
    schema: Option<Table>,
    roles: RoleSet,
}

impl CollectionConfig {
    /// The collection name, which is also the object type (table) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database the collection lives in.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The collection's schema, when the export has a `schema.json`.
    pub fn schema(&self) -> Option<&Table> {
        self.schema.as_ref()
    }

    /// The collection's own roles (empty when it uses the default roles).
    pub fn roles(&self) -> &RoleSet {
        &self.roles
    }
}

/// The parts of `sync/config.json` the rules need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncConfig {
    queryable: Vec<String>,
    collection_queryable: BTreeMap<String, Vec<String>>,
    indexed: Option<String>,
    recovery_mode_disabled: bool,
}

impl SyncConfig {
    /// Global queryable fields (`queryable_fields_names`).
    pub fn queryable_fields(&self) -> &[String] {
        &self.queryable
    }

    /// The indexed queryable field, if one is configured.
    pub fn indexed_queryable_field(&self) -> Option<&str> {
        self.indexed.as_deref()
    }

    /// `is_recovery_mode_disabled`: sent to clients in every sync error body. Absent or not a
    /// boolean reads as `false`, the App Services default.
    pub fn recovery_mode_disabled(&self) -> bool {
        self.recovery_mode_disabled
    }

    /// Every field queryable in `collection`, `_id` first, each once.
    pub fn queryable_fields_of<'a>(&'a self, collection: &str) -> Vec<&'a str> {
        let scoped =
            self.collection_queryable.get(collection).map(Vec::as_slice).unwrap_or_default();
        let mut out: Vec<&str> = vec!["_id"];
        for field in self.queryable.iter().chain(scoped).chain(self.indexed.iter()) {
            if !out.contains(&field.as_str()) {
                out.push(field);
            }
        }
        out
    }

    /// Whether `field` is queryable in `collection`: `_id`, a global queryable field, or one of
    /// the collection's own (`collection_queryable_fields_names`).
    pub fn is_queryable(&self, collection: &str, field: &str) -> bool {
        field == "_id"
            || self.queryable.iter().any(|f| f == field)
            || self.indexed.as_deref() == Some(field)
            || self
                .collection_queryable
                .get(collection)
                .is_some_and(|fs| fs.iter().any(|f| f == field))
    }
}

impl App {
    /// Loads an exported app directory.
    pub fn load(dir: &Path) -> Result<App, AppError> {
        App::load_with(dir, Limits::default())
    }

    /// [`App::load`] with explicit limits.
    pub fn load_with(dir: &Path, limits: Limits) -> Result<App, AppError> {
        let mut builder = AppBuilder { files: BTreeMap::new(), limits };
        let io = |file: &str, e: std::io::Error| {
            AppError::new(file, "", AppErrorKind::Io(e.to_string()))
        };
        let shown = dir.display().to_string();
        if !dir.is_dir() {
            return Err(AppError::new(&shown, "", AppErrorKind::Io("not a directory".into())));
        }
        let sync = dir.join("sync").join("config.json");
        if sync.is_file() {
            let text = std::fs::read_to_string(&sync).map_err(|e| io("sync/config.json", e))?;
            builder = builder.file("sync/config.json", text);
        }
        let sources = dir.join("data_sources");
        if sources.is_dir() {
            for service in sorted_dirs(&sources).map_err(|e| io("data_sources", e))? {
                let service_dir = sources.join(&service);
                let default_rule = service_dir.join("default_rule.json");
                if default_rule.is_file() {
                    let rel = format!("data_sources/{service}/default_rule.json");
                    let text = std::fs::read_to_string(&default_rule).map_err(|e| io(&rel, e))?;
                    builder = builder.file(&rel, text);
                }
                let rel_service = format!("data_sources/{service}");
                for db in sorted_dirs(&service_dir).map_err(|e| io(&rel_service, e))? {
                    let db_dir = service_dir.join(&db);
                    let rel_db = format!("{rel_service}/{db}");
                    for coll in sorted_dirs(&db_dir).map_err(|e| io(&rel_db, e))? {
                        for file in ["rules.json", "schema.json"] {
                            let path = db_dir.join(&coll).join(file);
                            if path.is_file() {
                                let rel = format!("{rel_db}/{coll}/{file}");
                                let text =
                                    std::fs::read_to_string(&path).map_err(|e| io(&rel, e))?;
                                builder = builder.file(&rel, text);
                            }
                        }
                    }
                }
            }
        }
        builder.build()
    }

    /// Starts an app from files supplied by the caller (see [`AppBuilder`]).
    pub fn builder() -> AppBuilder {
        AppBuilder { files: BTreeMap::new(), limits: Limits::default() }
    }

    /// All collections the export describes (by rules or schema), in path order.
    pub fn collections(&self) -> &[CollectionConfig] {
        &self.collections
    }

    /// The collection whose name (or schema title) is `table`.
    pub fn collection(&self, table: &str) -> Option<&CollectionConfig> {
        self.collections.iter().find(|c| c.name == table).or_else(|| {
            self.collections.iter().find(|c| c.schema.as_ref().is_some_and(|s| s.name() == table))
        })
    }

    /// The default roles (`default_rule.json`, or legacy `defaultRoles`).
    pub fn default_roles(&self) -> &RoleSet {
        &self.default_roles
    }

    /// The Sync configuration.
    pub fn sync(&self) -> &SyncConfig {
        &self.sync
    }

    /// Whether the rules came in the legacy format, whose role selection falls back to default
    /// roles when no collection role applies. The current format never falls back.
    pub fn falls_back_to_default_roles(&self) -> bool {
        self.legacy
    }

    /// The limits the app was loaded with; binding uses them too.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Chooses the session role for `table` (rules.md §2.5): see [`RoleChoice`]. A table the app
    /// does not know gets the default roles.
    pub fn choose_role(&self, table: &str, bindings: &Bindings) -> RoleChoice {
        self.choose_role_traced(table, bindings, &mut |_, _| {})
    }

    /// [`App::choose_role`], telling `seen` each role whose `apply_when` was evaluated and
    /// whether it held.
    pub(crate) fn choose_role_traced<'a>(
        &'a self,
        table: &str,
        bindings: &Bindings,
        seen: &mut dyn FnMut(&'a Role, bool),
    ) -> RoleChoice {
        let name = self.collection_name(table);
        let test = |f: &str| self.sync.is_queryable(name, f);
        choose_traced(
            self.candidate_roles(table),
            bindings,
            &Queryable { collection: Some(name), test: &test },
            &self.limits,
            seen,
        )
    }

    /// The roles considered for `table`, in the order role selection tries them.
    pub(crate) fn candidate_roles<'a>(&'a self, table: &str) -> impl Iterator<Item = &'a Role> {
        let own = self.collection(table).map(|c| c.roles.roles()).unwrap_or_default();
        let defaults = if own.is_empty() || self.legacy { self.default_roles.roles() } else { &[] };
        own.iter().chain(defaults.iter())
    }

    /// The collection name `table` resolves to (the name queryable fields are configured under).
    pub(crate) fn collection_name<'a>(&'a self, table: &'a str) -> &'a str {
        self.collection(table).map_or(table, |c| c.name.as_str())
    }

    /// Every Sync-compatibility problem of every role, grouped by file; within a file, role by
    /// role in configured order.
    ///
    /// Collection roles are checked against their collection's queryable fields. Default roles are
    /// checked for every collection that uses them (all collections in the legacy format, which
    /// falls back to them), or against the global queryable fields when no collection does.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = Vec::new();
        // A default role is checked once per collection using it: the same problem comes back
        // once per collection, and a set keeps the check linear in the number of problems.
        let mut seen: std::collections::HashSet<Problem> = std::collections::HashSet::new();
        let mut push = |problems: Vec<Problem>| {
            for p in problems {
                if seen.insert(p.clone()) {
                    out.push(p);
                }
            }
        };
        for coll in &self.collections {
            for role in coll.roles.roles() {
                let test = |f: &str| self.sync.is_queryable(&coll.name, f);
                push(role_problems(role, &Queryable { collection: Some(&coll.name), test: &test }));
            }
            push(set_problems(coll.roles.roles()));
        }
        let users: Vec<&str> = self
            .collections
            .iter()
            .filter(|c| self.legacy || c.roles.is_empty())
            .map(|c| c.name.as_str())
            .collect();
        for role in self.default_roles.roles() {
            if users.is_empty() {
                let test = |f: &str| self.sync.is_queryable("", f);
                push(role_problems(role, &Queryable { collection: None, test: &test }));
            }
            for name in &users {
                let test = |f: &str| self.sync.is_queryable(name, f);
                push(role_problems(role, &Queryable { collection: Some(name), test: &test }));
            }
        }
        push(set_problems(self.default_roles.roles()));
        out.sort_by(|a, b| a.file().cmp(b.file()));
        out
    }
}

fn sorted_dirs(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir()
            && let Some(name) = entry.file_name().to_str()
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Files of an app export supplied by path (relative to the app directory, `/`-separated), as
/// text or as already-parsed JSON; [`AppBuilder::build`] reads them as [`App::load`] would.
#[derive(Debug, Clone)]
pub struct AppBuilder {
    files: BTreeMap<String, Source>,
    limits: Limits,
}

#[derive(Debug, Clone)]
enum Source {
    Text(String),
    Json(Json),
}

impl AppBuilder {
    /// Adds a file as JSON text, e.g. `("sync/config.json", "{...}")`.
    pub fn file(mut self, path: &str, text: impl Into<String>) -> Self {
        self.files.insert(path.to_owned(), Source::Text(text.into()));
        self
    }

    /// Adds a file as a parsed JSON value.
    pub fn json(mut self, path: &str, value: Json) -> Self {
        self.files.insert(path.to_owned(), Source::Json(value));
        self
    }

    /// Sets the limits applied while reading rules and schemas.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Parses the files into an [`App`]. Paths that are not part of the layout are ignored.
    pub fn build(self) -> Result<App, AppError> {
        let limits = self.limits;
        let mut sync = SyncConfig::default();
        let mut legacy_permissions: Option<Json> = None;
        let mut default_roles = RoleSet::default();
        let mut has_current_rules = false;
        let mut collections: Vec<CollectionConfig> = Vec::new();

        for (path, source) in &self.files {
            let parts: Vec<&str> = path.split('/').collect();
            match parts.as_slice() {
                ["sync", "config.json"] => {
                    let json = parse(path, source)?;
                    let (config, permissions) = read_sync_config(path, &json)?;
                    sync = config;
                    legacy_permissions = permissions;
                }
                ["data_sources", _, "default_rule.json"] => {
                    let json = parse(path, source)?;
                    if !json.is_object() {
                        return Err(AppError::new(path, "", AppErrorKind::ExpectedObject));
                    }
                    let roles = match json.get("roles") {
                        Some(roles) => {
                            read_roles(roles, path, &Pointer::root().child("roles"), false, &limits)
                                .map_err(|e| rules_error(path, e))?
                        }
                        None => RoleSet::default(),
                    };
                    default_roles.roles.extend(roles.roles);
                    has_current_rules = true;
                }
                ["data_sources", _, db, coll, file @ ("rules.json" | "schema.json")] => {
                    let json = parse(path, source)?;
                    if !json.is_object() {
                        return Err(AppError::new(path, "", AppErrorKind::ExpectedObject));
                    }
                    let index =
                        match collections.iter().position(|c| c.database == *db && c.name == *coll)
                        {
                            Some(i) => i,
                            None if collections.iter().any(|c| c.name == *coll) => {
                                return Err(AppError::new(
                                    path,
                                    "",
                                    AppErrorKind::DuplicateCollection((*coll).to_owned()),
                                ));
                            }
                            None => {
                                collections.push(CollectionConfig {
                                    database: (*db).to_owned(),
                                    name: (*coll).to_owned(),
                                    schema: None,
                                    roles: RoleSet::default(),
                                });
                                collections.len() - 1
                            }
                        };
                    let Some(entry) = collections.get_mut(index) else { continue };
                    if *file == "schema.json" {
                        let table = Table::from_json_with(&json, &limits).map_err(|e| {
                            AppError::new(path, e.pointer(), AppErrorKind::Schema(e.kind().clone()))
                        })?;
                        entry.schema = Some(table);
                    } else {
                        has_current_rules = true;
                        for key in ["database", "collection"] {
                            if json.get(key).is_some_and(|v| !v.is_string()) {
                                return Err(AppError::new(
                                    path,
                                    format!("/{key}"),
                                    AppErrorKind::ExpectedString,
                                ));
                            }
                        }
                        if let Some(roles) = json.get("roles") {
                            entry.roles = read_roles(
                                roles,
                                path,
                                &Pointer::root().child("roles"),
                                false,
                                &limits,
                            )
                            .map_err(|e| rules_error(path, e))?;
                        }
                    }
                }
                _ => {}
            }
        }

        let mut legacy = false;
        if let Some(permissions) = legacy_permissions {
            let path = "sync/config.json";
            let permissions_at = Pointer::root().child("permissions");
            if has_current_rules {
                return Err(AppError::new(path, "/permissions", AppErrorKind::MixedFormats));
            }
            legacy = true;
            let Json::Object(map) = &permissions else {
                return Err(AppError::new(path, "/permissions", AppErrorKind::ExpectedObject));
            };
            if let Some(defaults) = map.get("defaultRoles") {
                default_roles = read_roles(
                    defaults,
                    path,
                    &permissions_at.child("defaultRoles"),
                    true,
                    &limits,
                )
                .map_err(|e| rules_error(path, e))?;
            }
            match map.get("rules") {
                None => {}
                Some(Json::Object(types)) => {
                    for (ty, roles) in types {
                        let at = permissions_at.child("rules").child(ty);
                        let roles = read_roles(roles, path, &at, true, &limits)
                            .map_err(|e| rules_error(path, e))?;
                        match collections.iter_mut().find(|c| &c.name == ty) {
                            Some(c) => c.roles = roles,
                            None => collections.push(CollectionConfig {
                                database: String::new(),
                                name: ty.clone(),
                                schema: None,
                                roles,
                            }),
                        }
                    }
                }
                Some(_) => {
                    return Err(AppError::new(
                        path,
                        "/permissions/rules",
                        AppErrorKind::ExpectedObject,
                    ));
                }
            }
        }
        Ok(App { collections, default_roles, sync, legacy, limits })
    }
}

fn rules_error(path: &str, e: crate::rules::RulesError) -> AppError {
    AppError::new(path, e.pointer(), AppErrorKind::Rules(e.kind().clone()))
}

fn parse(path: &str, source: &Source) -> Result<Json, AppError> {
    match source {
        Source::Json(json) => Ok(json.clone()),
        Source::Text(text) => serde_json::from_str(text).map_err(|e| {
            AppError::new(
                path,
                "",
                AppErrorKind::Json {
                    line: e.line(),
                    column: e.column(),
                    message: crate::json::message(&e),
                },
            )
        }),
    }
}

fn names(path: &str, json: &Json, pointer: &Pointer) -> Result<Vec<String>, AppError> {
    let Json::Array(items) = json else {
        return Err(AppError::new(path, pointer, AppErrorKind::ExpectedNames));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Json::String(s) => Ok(s.clone()),
            _ => Err(AppError::new(path, pointer.index(i), AppErrorKind::ExpectedNames)),
        })
        .collect()
}

fn read_sync_config(path: &str, json: &Json) -> Result<(SyncConfig, Option<Json>), AppError> {
    let Json::Object(map) = json else {
        return Err(AppError::new(path, "", AppErrorKind::ExpectedObject));
    };
    let mut config = SyncConfig::default();
    if let Some(q) = map.get("queryable_fields_names") {
        config.queryable = names(path, q, &Pointer::root().child("queryable_fields_names"))?;
    }
    match map.get("collection_queryable_fields_names") {
        None => {}
        Some(Json::Object(per)) => {
            for (coll, fields) in per {
                let at = Pointer::root().child("collection_queryable_fields_names").child(coll);
                config.collection_queryable.insert(coll.clone(), names(path, fields, &at)?);
            }
        }
        Some(_) => {
            return Err(AppError::new(
                path,
                "/collection_queryable_fields_names",
                AppErrorKind::ExpectedObject,
            ));
        }
    }
    if let Some(indexed) = map.get("indexed_queryable_fields_names") {
        let mut fields =
            names(path, indexed, &Pointer::root().child("indexed_queryable_fields_names"))?;
        if fields.len() > 1 {
            return Err(AppError::new(
                path,
                "/indexed_queryable_fields_names/1",
                AppErrorKind::TooManyIndexedFields,
            ));
        }
        config.indexed = fields.pop();
    }
    config.recovery_mode_disabled =
        map.get("is_recovery_mode_disabled").and_then(Json::as_bool).unwrap_or(false);
    Ok((config, map.get("permissions").cloned()))
}
