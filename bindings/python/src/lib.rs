//! The native half of the `flexrules` Python package: `flexrules.api` reached from Python.
//!
//! Nothing here judges: every answer comes from `flexrules::api` (`call` and `Session`), so the
//! package answers exactly as the JSON API and the command line do. This layer only converts
//! Python values to the API's JSON and back (see [`convert`]), releases the GIL while the engine
//! works, and raises an `ok: false` answer as the `flexrules.Error` subclass of its kind (the
//! classes live in python/flexrules/_errors.py, which is imported on the first error).

mod convert;

use std::sync::{Arc, PoisonError, RwLock};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use serde_json::Value as Json;

use flexrules::Limits;
use flexrules::api::{self, ApiError, ApiErrorKind};

/// How deep a request's dicts and lists may nest: the recursion limit serde_json applies to
/// request text, so that a dict and its `json.dumps` text are accepted alike.
fn max_request_depth() -> u32 {
    Limits::default().max_depth
}

/// The request as JSON, or the `bad_request` error naming where it is not JSON.
fn request(value: &Bound<'_, PyAny>) -> Result<Json, ApiError> {
    convert::to_json(value, max_request_depth()).map_err(convert::ConvertError::into_api)
}

/// The `flexrules.Error` subclass instance for an API error, as a Python exception.
fn raise(py: Python<'_>, error: &ApiError) -> PyErr {
    static ERROR_FOR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let made = ERROR_FOR
        .import(py, "flexrules._errors", "error_for")
        .and_then(|f| f.call1((error.kind().as_str(), error.message(), error.pointer())));
    match made {
        Ok(exception) => PyErr::from_value(exception),
        Err(e) => e,
    }
}

/// `flexrules.call(operation, request)`: the API's whole response (`ok` or not) as a dict. A
/// request that is not JSON-shaped is answered, like any bad request, with `ok: false`.
#[pyfunction]
fn call<'py>(
    py: Python<'py>,
    operation: &str,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let response = match self::request(request) {
        Ok(json) => py.detach(|| api::call(operation, &json)),
        Err(e) => api::error_response(&e),
    };
    convert::to_python(py, &response)
}

/// `flexrules.call_json(operation, request_text)`: [`api::call_str`], text in and text out, for
/// callers that already hold JSON text.
#[pyfunction]
fn call_json(py: Python<'_>, operation: &str, request: &str) -> String {
    py.detach(|| api::call_str(operation, request))
}

/// An open session (`api::Session`) as a Python object.
///
/// Frozen (no `&mut self`), so methods run without PyO3's borrow flag; the lock only guards
/// `close`. Each call clones the `Arc` out and lets the lock go before releasing the GIL, so a
/// `close` on one thread never waits for a judge running on another, and that judge finishes on
/// the session it started with.
#[pyclass(frozen, module = "flexrules", name = "Session")]
struct Session {
    inner: RwLock<Option<Arc<api::Session>>>,
}

impl Session {
    fn session(&self) -> Result<Arc<api::Session>, ApiError> {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| ApiError::new(ApiErrorKind::InvalidHandle, "", "the session is closed"))
    }

    /// Converts `input`, runs `f` on the session without the GIL, converts the answer back.
    fn run<'py>(
        &self,
        py: Python<'py>,
        input: &Bound<'py, PyAny>,
        f: impl FnOnce(&api::Session, &Json) -> Result<Json, ApiError> + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let answer = self.session().and_then(|session| {
            let input = request(input)?;
            py.detach(|| f(&session, &input))
        });
        match answer {
            Ok(json) => convert::to_python(py, &json),
            Err(e) => Err(raise(py, &e)),
        }
    }
}

#[pymethods]
impl Session {
    /// Opens a session from `{"app", "user", "subscriptions", "state"?, "server_style"?,
    /// "explain"?, "log_url"?}`; raises the `flexrules.Error` of a bad field.
    #[staticmethod]
    fn open(py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Session> {
        let opened =
            self::request(request).and_then(|json| py.detach(|| api::Session::open(&json)));
        match opened {
            Ok(session) => Ok(Session { inner: RwLock::new(Some(Arc::new(session))) }),
            Err(e) => Err(raise(py, &e)),
        }
    }

    /// Judges one uploaded changeset and applies its accepted writes: the `check` line.
    fn judge<'py>(
        &self,
        py: Python<'py>,
        changeset: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run(py, changeset, |session, changeset| session.judge(changeset))
    }

    /// The verdict on one write, leaving the session's state unchanged.
    fn preflight<'py>(
        &self,
        py: Python<'py>,
        write: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run(py, write, |session, write| session.preflight(write))
    }

    /// Frees the session; later calls raise `SessionClosedError`. Closing twice is harmless.
    fn close(&self) {
        let taken = self.inner.write().unwrap_or_else(PoisonError::into_inner).take();
        drop(taken);
    }

    /// Whether [`Session::close`] has been called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).is_none()
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        _type: &Bound<'_, PyAny>,
        _value: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> bool {
        self.close();
        false
    }

    fn __repr__(&self) -> &'static str {
        if self.closed() { "<flexrules.Session closed>" } else { "<flexrules.Session open>" }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(call_json, m)?)?;
    m.add_class::<Session>()?;
    m.add("API_VERSION", api::API_VERSION)?;
    let version = api::version();
    m.add("__version__", version.get("version").and_then(Json::as_str).unwrap_or_default())?;
    m.add("OPERATIONS", api::OPERATIONS.to_vec())?;
    Ok(())
}
