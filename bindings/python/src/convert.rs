//! Python values to and from the API's JSON, directly, without JSON text in between.
//!
//! Hand-written rather than through a serde bridge because a request is untrusted: a
//! self-referencing dict must be refused at a bounded depth, not overflow the stack, and an
//! unconvertible value (a `set`, a NaN, a 2**70) must be named by the JSON pointer of where it
//! sits in the request, as every other bad field of the API is.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value as Json};

use flexrules::api::{ApiError, ApiErrorKind};

/// Why a Python value is not a JSON value, and where it sits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", if pointer.is_empty() { "/" } else { pointer.as_str() })]
pub(crate) struct ConvertError {
    kind: ConvertErrorKind,
    pointer: String,
}

/// The ways a Python value falls outside JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ConvertErrorKind {
    /// A value of a type JSON has no counterpart for.
    #[error(
        "a Python `{0}` is not a JSON value (use dict, list, tuple, str, int, float, bool or None)"
    )]
    Unsupported(String),
    /// A dict key that is not a string.
    #[error("a dict key must be a string, not a `{0}`")]
    Key(String),
    /// An int outside the 64-bit range JSON numbers are read into.
    #[error("the integer {0} does not fit in 64 bits")]
    Integer(String),
    /// NaN or an infinity.
    #[error("the float {0} is not a JSON number")]
    Float(String),
    /// A string that is not valid Unicode (a lone surrogate).
    #[error("the string is not valid UTF-8: {0}")]
    Text(String),
    /// Containers nested deeper than the bound (or containing themselves).
    #[error("the value nests deeper than {0} levels (or contains itself)")]
    Depth(u32),
}

impl ConvertError {
    /// The API's form of this error: the request itself is malformed (`bad_request`).
    pub(crate) fn into_api(self) -> ApiError {
        let message = self.kind.to_string();
        ApiError::new(ApiErrorKind::BadRequest, self.pointer, message)
    }
}

/// Where a value sits in the request, built on the stack as the conversion descends and
/// rendered as a JSON pointer only when a value is refused.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn pointer(&self) -> String {
        let mut tokens = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(up, key) => {
                    tokens.push(key.replace('~', "~0").replace('/', "~1"));
                    at = up;
                }
                Path::Index(up, i) => {
                    tokens.push(i.to_string());
                    at = up;
                }
            }
        }
        tokens.iter().rev().fold(String::new(), |mut out, t| {
            out.push('/');
            out.push_str(t);
            out
        })
    }

    fn error(&self, kind: ConvertErrorKind) -> ConvertError {
        ConvertError { kind, pointer: self.pointer() }
    }
}

/// A Python value (dicts with string keys, lists, tuples, str, int, float, bool, None) as JSON,
/// refusing containers nested deeper than `max_depth`.
pub(crate) fn to_json(value: &Bound<'_, PyAny>, max_depth: u32) -> Result<Json, ConvertError> {
    ToJson { max_depth }.convert(value, &Path::Root, 0)
}

struct ToJson {
    max_depth: u32,
}

impl ToJson {
    fn convert(
        &self,
        value: &Bound<'_, PyAny>,
        path: &Path<'_>,
        depth: u32,
    ) -> Result<Json, ConvertError> {
        if value.is_none() {
            return Ok(Json::Null);
        }
        // bool before int: a Python bool is an int.
        if let Ok(b) = value.cast::<PyBool>() {
            return Ok(Json::Bool(b.is_true()));
        }
        if let Ok(s) = value.cast::<PyString>() {
            return text(s, path).map(|s| Json::String(s.to_owned()));
        }
        if let Ok(i) = value.cast::<PyInt>() {
            if let Ok(n) = i.extract::<i64>() {
                return Ok(Json::Number(n.into()));
            }
            if let Ok(n) = i.extract::<u64>() {
                return Ok(Json::Number(n.into()));
            }
            return Err(path.error(ConvertErrorKind::Integer(repr(value))));
        }
        if let Ok(f) = value.cast::<PyFloat>() {
            return Number::from_f64(f.value())
                .map(Json::Number)
                .ok_or_else(|| path.error(ConvertErrorKind::Float(repr(value))));
        }
        if let Ok(dict) = value.cast::<PyDict>() {
            let depth = self.enter(path, depth)?;
            let mut map = Map::new();
            for (key, item) in dict.iter() {
                let key = key
                    .cast::<PyString>()
                    .map_err(|_| path.error(ConvertErrorKind::Key(type_name(&key))))?;
                let key = text(key, path)?;
                let item = self.convert(&item, &Path::Key(path, key), depth)?;
                map.insert(key.to_owned(), item);
            }
            return Ok(Json::Object(map));
        }
        if let Ok(list) = value.cast::<PyList>() {
            return self.sequence(list.iter(), list.len(), path, depth);
        }
        if let Ok(tuple) = value.cast::<PyTuple>() {
            return self.sequence(tuple.iter(), tuple.len(), path, depth);
        }
        Err(path.error(ConvertErrorKind::Unsupported(type_name(value))))
    }

    fn sequence<'py>(
        &self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        len: usize,
        path: &Path<'_>,
        depth: u32,
    ) -> Result<Json, ConvertError> {
        let depth = self.enter(path, depth)?;
        let mut out = Vec::with_capacity(len);
        for (i, item) in items.enumerate() {
            out.push(self.convert(&item, &Path::Index(path, i), depth)?);
        }
        Ok(Json::Array(out))
    }

    /// The depth inside a container at `depth`, or the error if that is past the bound. Levels
    /// count the innermost value too, as serde_json's recursion limit does: at most
    /// `max_depth - 1` containers nest.
    fn enter(&self, path: &Path<'_>, depth: u32) -> Result<u32, ConvertError> {
        let inside = depth.saturating_add(1);
        if inside >= self.max_depth {
            return Err(path.error(ConvertErrorKind::Depth(self.max_depth)));
        }
        Ok(inside)
    }
}

/// JSON as Python values: objects as dicts (in the JSON's member order), arrays as lists,
/// numbers as int when they are integers and float otherwise.
///
/// Iterative, not recursive: a result can nest deeper than any request (an explanation tree
/// takes two levels per level of the query it explains), and a work list needs no bound.
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Json) -> PyResult<Bound<'py, PyAny>> {
    let root = shallow(py, value);
    let mut work = Vec::new();
    push_children(&root, value, &mut work);
    while let Some((value, slot)) = work.pop() {
        let object = shallow(py, value);
        match &slot {
            Slot::Item(list) => list.append(&object)?,
            Slot::Member(dict, key) => dict.set_item(*key, &object)?,
        }
        push_children(&object, value, &mut work);
    }
    Ok(root)
}

/// Where a converted value goes: appended to a list, or set as a dict's member.
enum Slot<'py, 'j> {
    Item(Bound<'py, PyList>),
    Member(Bound<'py, PyDict>, &'j str),
}

/// A scalar as its Python value; an array or object as an empty list or dict, filled later.
fn shallow<'py>(py: Python<'py>, value: &Json) -> Bound<'py, PyAny> {
    match value {
        Json::Null => py.None().into_bound(py),
        Json::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                PyInt::new(py, i).into_any()
            } else if let Some(u) = n.as_u64() {
                PyInt::new(py, u).into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Json::String(s) => PyString::new(py, s).into_any(),
        Json::Array(_) => PyList::empty(py).into_any(),
        Json::Object(_) => PyDict::new(py).into_any(),
    }
}

/// Queues the members of `value` to be converted into `object` (its [`shallow`] container),
/// last first, so that they are taken off the work list in order.
fn push_children<'py, 'j>(
    object: &Bound<'py, PyAny>,
    value: &'j Json,
    work: &mut Vec<(&'j Json, Slot<'py, 'j>)>,
) {
    match value {
        Json::Array(items) => {
            if let Ok(list) = object.cast::<PyList>() {
                work.extend(items.iter().rev().map(|item| (item, Slot::Item(list.clone()))));
            }
        }
        Json::Object(map) => {
            if let Ok(dict) = object.cast::<PyDict>() {
                work.extend(
                    map.iter()
                        .rev()
                        .map(|(key, item)| (item, Slot::Member(dict.clone(), key.as_str()))),
                );
            }
        }
        _ => {}
    }
}

fn text<'a>(s: &'a Bound<'_, PyString>, path: &Path<'_>) -> Result<&'a str, ConvertError> {
    s.to_str().map_err(|e| path.error(ConvertErrorKind::Text(e.to_string())))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

fn repr(value: &Bound<'_, PyAny>) -> String {
    value.repr().map_or_else(|_| "?".to_owned(), |r| r.to_string())
}
