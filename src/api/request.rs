//! Reading an API request: each field of a request object into the engine's typed input, every
//! refusal an [`ApiError`] naming the field's JSON pointer.

use std::path::Path;

use bson::{Bson, Document};
use serde_json::{Map, Value as Json};

use super::error::{ApiError, ApiErrorKind};
use crate::app::App;
use crate::judge::{Changeset, State, Style, Subscription, Write, state_entry_from_json};
use crate::rules::{Bindings, User};
use crate::schema::Table;
use crate::value::ejson;

/// A request object and the fields its operation accepts.
pub(crate) struct Request<'a> {
    map: &'a Map<String, Json>,
}

fn bad(pointer: impl Into<String>, message: impl Into<String>) -> ApiError {
    ApiError::new(ApiErrorKind::BadRequest, pointer, message)
}

/// `pointer` extended by `key`, escaped as RFC 6901 requires.
fn child(pointer: &str, key: &str) -> String {
    crate::json::child(pointer, key)
}

impl<'a> Request<'a> {
    /// The request, refusing any member the operation does not read (a misspelt field would
    /// otherwise be silently ignored).
    pub(crate) fn new(json: &'a Json, allowed: &[&str]) -> Result<Request<'a>, ApiError> {
        let Json::Object(map) = json else {
            return Err(bad("", "a request must be a JSON object"));
        };
        if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(bad(
                child("", key),
                format!("unknown field `{key}`; this operation reads {}", allowed.join(", ")),
            ));
        }
        Ok(Request { map })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a Json> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub(crate) fn required(&self, name: &str) -> Result<&'a Json, ApiError> {
        self.get(name).ok_or_else(|| bad(child("", name), format!("missing field `{name}`")))
    }

    pub(crate) fn string(&self, name: &str) -> Result<&'a str, ApiError> {
        self.required(name)?
            .as_str()
            .ok_or_else(|| bad(child("", name), format!("`{name}` must be a string")))
    }

    fn array(&self, name: &str) -> Result<Option<&'a Vec<Json>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Array(items)) => Ok(Some(items)),
            Some(_) => Err(bad(child("", name), format!("`{name}` must be an array"))),
        }
    }

    fn required_array(&self, name: &str) -> Result<&'a Vec<Json>, ApiError> {
        self.required(name)?;
        self.array(name)?.ok_or_else(|| bad(child("", name), format!("missing field `{name}`")))
    }

    /// `server_style`: `"2023"` (the default) or `"2024"`, as a string or a number.
    pub(crate) fn style(&self) -> Result<Style, ApiError> {
        match self.get("server_style") {
            None => Ok(Style::Y2023),
            Some(v) if v == "2023" || v == 2023 => Ok(Style::Y2023),
            Some(v) if v == "2024" || v == 2024 => Ok(Style::Y2024),
            Some(v) => Err(bad(
                "/server_style",
                format!("`server_style` must be \"2023\" or \"2024\", not {v}"),
            )),
        }
    }

    /// `explain`: a boolean, false when absent.
    pub(crate) fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(_) => Err(bad(child("", name), format!("`{name}` must be true or false"))),
        }
    }

    /// `log_url`: a string, empty when absent.
    pub(crate) fn log_url(&self) -> Result<String, ApiError> {
        match self.get("log_url") {
            None => Ok(String::new()),
            Some(_) => self.string("log_url").map(str::to_owned),
        }
    }

    /// `app`: an exported app directory's path, or a map of the export's file names (relative
    /// to the app directory) to their contents, as JSON values or as JSON text.
    pub(crate) fn app(&self) -> Result<App, ApiError> {
        let app_error =
            |pointer: String, message: String| ApiError::new(ApiErrorKind::App, pointer, message);
        match self.required("app")? {
            Json::String(dir) => App::load(Path::new(dir)).map_err(|e| {
                let message =
                    if e.file() == dir.as_str() { e.to_string() } else { format!("{dir}/{e}") };
                app_error("/app".to_owned(), message).with_code(e.kind().code())
            }),
            Json::Object(files) => {
                let mut builder = App::builder();
                for (name, content) in files {
                    builder = match content {
                        Json::String(text) => builder.file(name, text.clone()),
                        other => builder.json(name, other.clone()),
                    };
                }
                builder.build().map_err(|e| {
                    let pointer = format!("{}{}", child("/app", e.file()), e.pointer());
                    app_error(pointer, e.to_string()).with_code(e.kind().code())
                })
            }
            _ => Err(bad(
                "/app",
                "`app` must be a directory path or a map of file names to contents",
            )),
        }
    }

    /// `user`: `{"id", "type"?, "data"?, "custom_data"?, "identities"?}`.
    pub(crate) fn bindings(&self) -> Result<Bindings, ApiError> {
        let user = User::from_json(self.required("user")?).map_err(|e| {
            ApiError::new(ApiErrorKind::User, format!("/user{}", e.pointer()), e.kind().to_string())
                .with_code(e.kind().code())
        })?;
        Ok(Bindings::new(user))
    }

    /// `subscriptions`: an array of `{"name"?, "table", "query", "args"?}`.
    pub(crate) fn subscriptions(&self) -> Result<Vec<Subscription>, ApiError> {
        let list = self.required("subscriptions")?;
        Subscription::list_from_json(list).map_err(|e| {
            ApiError::new(
                ApiErrorKind::Input,
                format!("/subscriptions{}", e.pointer()),
                e.kind().to_string(),
            )
            .with_code(e.kind().code())
        })
    }

    /// `state`: an array of `{"table", "object"}`, the objects the server holds; empty when absent.
    pub(crate) fn state(&self) -> Result<State, ApiError> {
        let mut state = State::new();
        for (i, entry) in self.array("state")?.into_iter().flatten().enumerate() {
            let (table, pk, object) = state_entry_from_json(entry).map_err(|e| {
                ApiError::new(
                    ApiErrorKind::Input,
                    format!("/state/{i}{}", e.pointer()),
                    e.kind().to_string(),
                )
                .with_code(e.kind().code())
            })?;
            state.put(&table, pk, object);
        }
        Ok(state)
    }

    /// `changesets`: an array of uploaded changesets.
    pub(crate) fn changesets(&self) -> Result<Vec<Changeset>, ApiError> {
        let mut out = Vec::new();
        for (i, c) in self.required_array("changesets")?.iter().enumerate() {
            out.push(changeset(c, &format!("/changesets/{i}"))?);
        }
        Ok(out)
    }

    /// `upload`: an array of UPLOAD messages, each base64 text of the message's bytes.
    pub(crate) fn uploads(&self) -> Result<Vec<Vec<u8>>, ApiError> {
        let mut out = Vec::new();
        for (i, item) in self.required_array("upload")?.iter().enumerate() {
            let at = format!("/upload/{i}");
            let text = item.as_str().ok_or_else(|| bad(&at, "an upload must be base64 text"))?;
            out.push(base64(text, &at)?);
        }
        Ok(out)
    }

    /// A member holding base64 text (`query_message`: a QUERY or IDENT message's bytes).
    pub(crate) fn base64(&self, name: &str) -> Result<Vec<u8>, ApiError> {
        base64(self.string(name)?, &child("", name))
    }

    /// `schema`: an App Services JSON Schema of one collection.
    pub(crate) fn table(&self, limits: &crate::Limits) -> Result<Table, ApiError> {
        Table::from_json_with(self.required("schema")?, limits).map_err(|e| {
            ApiError::new(
                ApiErrorKind::Schema,
                format!("/schema{}", e.pointer()),
                e.kind().to_string(),
            )
        })
    }

    /// `objects`: an array of Extended JSON documents.
    pub(crate) fn objects(&self) -> Result<Vec<Document>, ApiError> {
        let mut out = Vec::new();
        for (i, o) in self.required_array("objects")?.iter().enumerate() {
            match ejson::from_json(o.clone()) {
                Ok(Bson::Document(d)) => out.push(d),
                Ok(_) => {
                    return Err(input(format!("/objects/{i}"), "expected a JSON object".into()));
                }
                Err(e) => return Err(input(format!("/objects/{i}"), e.to_string())),
            }
        }
        Ok(out)
    }

    /// `args`: the values of `$0`, `$1`, … as Extended JSON; none when absent.
    pub(crate) fn args(&self) -> Result<Vec<Bson>, ApiError> {
        args(self.array("args")?.map_or(&[][..], Vec::as_slice), "/args")
    }

    /// An optional array member, for operations that read one (`batch`).
    pub(crate) fn optional_array(&self, name: &str) -> Result<Option<&'a Vec<Json>>, ApiError> {
        self.array(name)
    }
}

fn base64(text: &str, at: &str) -> Result<Vec<u8>, ApiError> {
    bson::Binary::from_base64(text, None)
        .map(|b| b.bytes)
        .map_err(|e| bad(at, format!("not base64: {e}")))
}

fn input(pointer: String, message: String) -> ApiError {
    ApiError::new(ApiErrorKind::Input, pointer, message)
}

/// Extended JSON argument values; `at` is the array's pointer.
pub(crate) fn args(items: &[Json], at: &str) -> Result<Vec<Bson>, ApiError> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(
            ejson::from_json(item.clone())
                .map_err(|e| input(format!("{at}/{i}"), e.to_string()))?,
        );
    }
    Ok(out)
}

/// One changeset; `at` is its pointer in the request.
pub(crate) fn changeset(json: &Json, at: &str) -> Result<Changeset, ApiError> {
    Changeset::from_json(json).map_err(|e| {
        input(format!("{at}{}", e.pointer()), e.kind().to_string()).with_code(e.kind().code())
    })
}

/// One write; `at` is its pointer in the request.
pub(crate) fn write(json: &Json, at: &str) -> Result<Write, ApiError> {
    Write::from_json(json, at)
        .map_err(|e| input(e.pointer().to_owned(), e.kind().to_string()).with_code(e.kind().code()))
}
