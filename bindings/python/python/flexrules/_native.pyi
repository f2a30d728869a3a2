"""Type stubs of the native module (the Rust half of the package)."""

from typing import Any, Mapping, Optional, final

__all__ = ["API_VERSION", "OPERATIONS", "Session", "__version__", "call", "call_json"]

API_VERSION: int
OPERATIONS: list[str]
__version__: str

def call(operation: str, request: Any) -> dict[str, Any]:
    """The API's whole response: ``{"ok": True, "api_version": 1, "result": ...}`` or
    ``{"ok": False, "api_version": 1, "error": {"kind", "message", "pointer"}}``. Never raises
    for a bad request: a request that is not JSON-shaped is an ``ok: False`` answer."""

def call_json(operation: str, request: str) -> str:
    """:func:`call` on JSON text, answering JSON text."""

@final
class Session:
    """One user's subscriptions compiled and roles bound against one app, and the server
    state their uploads are judged against. Usable from several threads: preflights run in
    parallel, judges one at a time. A context manager that closes the session on exit."""

    @staticmethod
    def open(request: Mapping[str, Any]) -> Session:
        """Opens a session from ``{"app", "user", "subscriptions", "state"?, "server_style"?,
        "explain"?, "log_url"?}``. Raises the :class:`flexrules.Error` of a bad field."""

    def judge(self, changeset: Mapping[str, Any]) -> dict[str, Any]:
        """Judges one uploaded changeset and applies its accepted writes to the session's
        state: the line ``flexrules check --format json`` prints for it."""

    def preflight(self, write: Mapping[str, Any]) -> dict[str, Any]:
        """Would this write be reverted, and why? ``{"accepted": True}`` or ``{"accepted":
        False, "table", "pk", "reason", "log_reason"}``; the state is left unchanged."""

    def close(self) -> None:
        """Frees the session; later calls raise :class:`flexrules.SessionClosedError`."""

    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Session: ...
    def __exit__(self, type: Optional[type[BaseException]], value: Optional[BaseException], traceback: Any) -> bool: ...
