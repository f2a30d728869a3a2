"""flexrules: judge Flexible Sync uploads as the server would, from Python.

A thin layer over the engine's versioned JSON API (docs/api.md of the flexrules repository):

- :func:`call` answers any operation (``query``, ``translate``, ``validate``, ``check``,
  ``explain``, ``preflight``, ``decode``, ``version``) with the API's whole response dict;
  :func:`run` gives its ``result`` or raises.
- :class:`App` and :class:`Session` keep what is costly to set up (the loaded app, the user's
  role, the compiled subscriptions), so that many changesets or writes are judged against them.

Errors are raised as subclasses of :class:`Error` carrying the API's ``kind``, ``message`` and
``pointer``. The engine runs without the GIL, so sessions may be used from several threads.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Sequence, Union

from ._errors import (
    AppError,
    Error,
    InputError,
    InternalError,
    ProtocolError,
    QueryError,
    RequestError,
    SessionClosedError,
    SubscriptionError,
    error_for,
)
from ._native import API_VERSION, OPERATIONS, Session, __version__, call, call_json

__all__ = [
    "API_VERSION",
    "OPERATIONS",
    "App",
    "AppError",
    "Error",
    "InputError",
    "InternalError",
    "ProtocolError",
    "QueryError",
    "RequestError",
    "Session",
    "SessionClosedError",
    "SubscriptionError",
    "__version__",
    "call",
    "call_json",
    "run",
]


def run(operation: str, request: Mapping[str, Any]) -> Any:
    """The ``result`` of :func:`call`, or the :class:`Error` subclass of its error."""
    response = call(operation, request)
    if response["ok"]:
        return response["result"]
    error = response["error"]
    raise error_for(error["kind"], error["message"], error["pointer"])


class App:
    """An exported App Services app (its rules, schemas and sync configuration).

    The app is checked to load when the ``App`` is made; each :meth:`session` then opens a
    session on it. An app given by path is read again by each :meth:`session`, so edits to the
    export are seen by the sessions opened after them.
    """

    __slots__ = ("_source",)

    def __init__(self, source: Union[str, Mapping[str, Any]]) -> None:
        """Prefer :meth:`load` or :meth:`from_files`, which check that the app loads."""
        self._source = source

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "App":
        """The app exported in the directory ``path`` (made absolute now, so that a later
        change of working directory does not matter). Raises :class:`AppError`."""
        app = cls(os.path.abspath(os.fspath(path)))
        app.validate()
        return app

    @classmethod
    def from_files(cls, files: Mapping[str, Any]) -> "App":
        """The app whose export files are given as a mapping of each file's path inside the
        export (``"sync/config.json"``, ``"data_sources/mongodb-atlas/db/Car/rules.json"``)
        to its contents, as parsed JSON or as JSON text. Raises :class:`AppError`."""
        app = cls(dict(files))
        app.validate()
        return app

    @property
    def source(self) -> Union[str, Mapping[str, Any]]:
        """The directory path or the file mapping the app was made from."""
        return self._source

    def validate(self) -> list[dict[str, Any]]:
        """The problems ``flexrules validate`` reports for this app (empty when none): each
        ``{"file", "pointer", "role", "severity", "message", "text"}``."""
        result: list[dict[str, Any]] = run("validate", {"app": self._source})
        return result

    def session(
        self,
        user: Mapping[str, Any],
        subscriptions: Sequence[Mapping[str, Any]],
        *,
        state: Optional[Sequence[Mapping[str, Any]]] = None,
        server_style: Optional[str] = None,
        explain: bool = False,
        log_url: Optional[str] = None,
    ) -> Session:
        """Opens a session of ``user`` (``{"id", "type"?, "data"?, "custom_data"?, ...}``)
        with its ``subscriptions`` (``[{"name"?, "table", "query", "args"?}]``) against the
        server's ``state`` (``[{"table", "object"}]``). Raises :class:`InputError`,
        :class:`SubscriptionError` (a subscription the server refuses, error 226), ...."""
        request: dict[str, Any] = {"app": self._source, "user": user, "subscriptions": subscriptions}
        if state is not None:
            request["state"] = state
        if server_style is not None:
            request["server_style"] = server_style
        if explain:
            request["explain"] = True
        if log_url is not None:
            request["log_url"] = log_url
        return Session.open(request)

    def __repr__(self) -> str:
        if isinstance(self._source, str):
            return f"App.load({self._source!r})"
        return f"App.from_files(<{len(self._source)} files>)"
