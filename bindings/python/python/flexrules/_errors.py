"""The exceptions of flexrules: one class per family of the API's error kinds.

Every ``ok: false`` answer of the API becomes an instance of the class of its ``kind``, carrying
the API's ``kind``, ``message`` and ``pointer`` (the JSON pointer of the request field at fault)
unchanged, so that a program can switch on the class or on ``kind``.
"""

from __future__ import annotations


class Error(Exception):
    """An error answer of the flexrules API (the base of every flexrules exception)."""

    kind: str
    message: str
    pointer: str

    def __init__(self, kind: str, message: str, pointer: str = "") -> None:
        super().__init__(kind, message, pointer)
        self.kind = kind
        self.message = message
        self.pointer = pointer

    def __str__(self) -> str:
        # The API error's own rendering: the pointer (`/` for the request itself), then the message.
        return f"{self.pointer or '/'}: {self.message}"


class RequestError(Error, ValueError):
    """The request is malformed: not a JSON object, a field missing, unknown or mistyped, a
    value Python cannot pass as JSON, or an unknown operation (kinds ``bad_request`` and
    ``unknown_operation``)."""


class AppError(Error):
    """The exported app cannot be loaded (kind ``app``)."""


class InputError(Error, ValueError):
    """A user, subscription, state entry, changeset, write or table schema of the wrong shape
    (kinds ``user``, ``input`` and ``schema``)."""


class SubscriptionError(Error):
    """A subscription the Flexible Sync subset refuses, as the server does with error 226
    (kind ``subscription``)."""


class QueryError(Error, ValueError):
    """A query that does not parse or bind, or that MongoDB cannot express exactly (kinds
    ``query`` and ``translate``)."""


class ProtocolError(Error, ValueError):
    """Sync protocol bytes that cannot be decoded (kind ``protocol``)."""


class SessionClosedError(Error):
    """A call on a session after ``close()`` (kind ``invalid_handle``)."""


class InternalError(Error):
    """A fault inside the engine; never expected, always a bug (kind ``internal``)."""


#: The class each error kind is raised as. A kind this table does not know (from a newer
#: engine) is raised as the base class, ``Error``.
KINDS: dict[str, type[Error]] = {
    "bad_request": RequestError,
    "unknown_operation": RequestError,
    "app": AppError,
    "user": InputError,
    "input": InputError,
    "schema": InputError,
    "subscription": SubscriptionError,
    "query": QueryError,
    "translate": QueryError,
    "protocol": ProtocolError,
    "invalid_handle": SessionClosedError,
    "internal": InternalError,
}


def error_for(kind: str, message: str, pointer: str) -> Error:
    """The exception for one API error (called by the native module)."""
    return KINDS.get(kind, Error)(kind, message, pointer)
