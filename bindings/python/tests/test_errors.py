"""Every error path: each kind of the API's errors reaches Python as the `flexrules.Error`
subclass of its family, with the API's kind, message and pointer; `call` answers the same
errors as `ok: false` responses, as the Rust API does."""

from __future__ import annotations

import base64
import json
import pickle
import re
from typing import Any

import pytest

import flexrules
from conftest import app_files, path, read_json
from test_api import assert_same_as_text

CAR = str(path("fixtures/apps/car"))


def demo_session_request(**changes: Any) -> dict[str, Any]:
    request = {
        "app": CAR,
        "user": read_json("fixtures/demo/user.json"),
        "subscriptions": read_json("fixtures/demo/subscriptions.json"),
    }
    request.update(changes)
    return request


def expect_error(operation: str, request: Any, cls: type, kind: str, pointer: str) -> flexrules.Error:
    """`call` answers the error (as the text path does) and `run` raises it as `cls`."""
    response = flexrules.call(operation, request)
    assert response["ok"] is False, response
    assert response["error"]["kind"] == kind, response
    assert response["error"]["pointer"] == pointer, response
    with pytest.raises(cls) as caught:
        flexrules.run(operation, request)
    error = caught.value
    assert (error.kind, error.message, error.pointer) == (kind, response["error"]["message"], pointer)
    return error


# Requests whose error the JSON text path answers identically (the request is valid JSON).
API_ERRORS = [
    ("not an object", "check", [], flexrules.RequestError, "bad_request", ""),
    ("unknown field", "version", {"extra": 1}, flexrules.RequestError, "bad_request", "/extra"),
    ("missing field", "translate", {"query": "x"}, flexrules.RequestError, "bad_request", "/schema"),
    ("bad style", "check", {**demo_session_request(), "changesets": [], "server_style": "1999"},
     flexrules.RequestError, "bad_request", "/server_style"),
    ("bad base64", "decode", {"bytes": "!!!"}, flexrules.RequestError, "bad_request", "/bytes"),
    ("unknown operation", "frobnicate", {}, flexrules.RequestError, "unknown_operation", ""),
    ("missing app", "validate", {"app": str(path("fixtures/no-such-app"))}, flexrules.AppError, "app", "/app"),
    ("user id not a string", "check", {**demo_session_request(user={"id": 3}), "changesets": []},
     flexrules.InputError, "user", "/user/id"),
    ("write without op", "preflight", {**demo_session_request(), "write": {"table": "Car"}},
     flexrules.InputError, "input", "/write"),
    ("state without object", "check", {**demo_session_request(), "changesets": [], "state": [{"table": "Car"}]},
     flexrules.InputError, "input", "/state/0"),
    ("bad schema", "query", {"schema": read_json("fixtures/cli/bad_schema.json"), "objects": [], "query": "x == 1"},
     flexrules.InputError, "schema", "/schema/properties/x/bsonType"),
    ("refused subscription", "check",
     {**demo_session_request(subscriptions=read_json("fixtures/judge/cli/bad-subscription.json")), "changesets": []},
     flexrules.SubscriptionError, "subscription", "/subscriptions/0"),
    ("query syntax", "query", {"schema": {"title": "T"}, "objects": [], "query": "a =="},
     flexrules.QueryError, "query", "/query"),
    ("no exact filter", "translate",
     {"schema": read_json("fixtures/translate/item.schema.json"), "query": "miles > price"},
     flexrules.QueryError, "translate", "/query"),
    ("bad protocol bytes", "decode", {"bytes": base64.b64encode(b"garbage").decode()},
     flexrules.ProtocolError, "protocol", "/bytes"),
]


@pytest.mark.parametrize("case", API_ERRORS, ids=lambda c: c[0])
def test_each_api_error_is_raised_as_its_class(case):
    _, operation, request, cls, kind, pointer = case
    expect_error(operation, request, cls, kind, pointer)
    assert_same_as_text(operation, request, flexrules.call(operation, request))


def test_a_bad_write_in_a_changeset_is_named_by_pointer(check_request):
    check_request["changesets"][1]["writes"][0]["op"] = "upsert"
    expect_error("check", check_request, flexrules.InputError, "input", "/changesets/1/writes/0/op")
    changeset = check_request.pop("changesets")[1]
    session = flexrules.Session.open(check_request)
    with pytest.raises(flexrules.InputError) as caught:
        session.judge(changeset)
    assert caught.value.pointer == "/writes/0/op"
    with pytest.raises(flexrules.InputError) as caught:
        session.preflight({"table": "Car"})
    assert (caught.value.kind, caught.value.pointer) == ("input", "")


def test_a_session_that_cannot_open_raises():
    with pytest.raises(flexrules.SubscriptionError) as caught:
        flexrules.App.load(CAR).session(
            read_json("fixtures/demo/user.json"), [{"table": "Nope", "query": "x == 1"}]
        )
    assert caught.value.pointer == "/subscriptions/0"
    assert "Nope" in caught.value.message
    with pytest.raises(flexrules.RequestError):
        flexrules.Session.open([])
    with pytest.raises(flexrules.InputError):
        flexrules.App.load(CAR).session({"id": 3}, [])


INVALID_APPS = read_json("fixtures/invalid-apps/expected.json")


@pytest.mark.parametrize("name", sorted(INVALID_APPS))
def test_a_broken_app_raises_app_error_naming_file_and_pointer(name):
    want = INVALID_APPS[name]
    directory = path(f"fixtures/invalid-apps/{name}")
    with pytest.raises(flexrules.AppError) as caught:
        flexrules.App.load(directory)
    assert caught.value.message == f"{directory}/{want}"
    assert caught.value.pointer == "/app"
    # Given as files, the pointer goes into the file map: /app/<file, escaped>/<pointer in it>.
    with pytest.raises(flexrules.AppError) as caught:
        flexrules.App.from_files(app_files(f"fixtures/invalid-apps/{name}"))
    file = want.split("#")[0].split(":")[0]
    escaped = file.replace("~", "~0").replace("/", "~1")
    assert caught.value.pointer.startswith(f"/app/{escaped}")
    if "#" in want:
        assert caught.value.pointer == f"/app/{escaped}" + want.split("#", 1)[1].split(":")[0]


class Opaque:
    pass


selfish: dict[str, Any] = {}
selfish["again"] = selfish

# Python values with no JSON counterpart: `call` answers bad_request naming where each sits.
UNCONVERTIBLE = [
    ("set", {"app": [{"x~/y": {1, 2}}]}, "/app/0/x~0~1y", "a Python `set` is not a JSON value"),
    ("object", {"user": {"id": Opaque()}}, "/user/id", "a Python `Opaque` is not a JSON value"),
    ("bytes", {"bytes": b"\x00"}, "/bytes", "a Python `bytes` is not a JSON value"),
    ("nan", {"args": [float("nan")]}, "/args/0", "the float nan is not a JSON number"),
    ("infinity", {"args": [1, float("-inf")]}, "/args/1", "the float -inf is not a JSON number"),
    ("huge int", {"args": [2**70]}, "/args/0", f"the integer {2**70} does not fit in 64 bits"),
    ("int key", {"app": {1: "x"}}, "/app", "a dict key must be a string, not a `int`"),
    ("lone surrogate", {"query": "\ud800"}, "/query", "the string is not valid UTF-8"),
]


@pytest.mark.parametrize("case", UNCONVERTIBLE, ids=lambda c: c[0])
def test_a_value_json_cannot_hold_is_refused_by_pointer(case):
    _, request, pointer, message = case
    error = expect_error("query", request, flexrules.RequestError, "bad_request", pointer)
    assert error.message.startswith(message)
    session = flexrules.Session.open(demo_session_request())
    with pytest.raises(flexrules.RequestError) as caught:
        session.preflight({"op": "insert", "table": "Car", "object": request})
    assert caught.value.pointer == "/object" + pointer


def test_a_dict_that_contains_itself_is_refused_at_the_depth_bound():
    # The 128th container from the converted value's root is refused: the request's in `call`,
    # the write's in a session.
    error = expect_error("query", {"app": selfish}, flexrules.RequestError, "bad_request",
                         "/app" + "/again" * 126)
    assert error.message == "the value nests deeper than 128 levels (or contains itself)"
    session = flexrules.Session.open(demo_session_request())
    with pytest.raises(flexrules.RequestError) as caught:
        session.preflight({"op": "insert", "table": "Car", "object": {"app": selfish}})
    assert caught.value.pointer == "/object/app" + "/again" * 125


def test_nesting_at_the_bound_is_accepted_and_one_deeper_refused():
    def nested(depth: int) -> Any:
        value: Any = 0
        for _ in range(depth):
            value = [value]
        return value

    # The request object is the first container, its `args` array the second: 127 containers
    # are accepted and 128 refused, on the dict path as serde_json does on the text path.
    at_bound = {"schema": {"title": "T"}, "objects": [], "query": "TRUEPREDICATE", "args": nested(126)}
    assert flexrules.call("query", at_bound)["ok"] is True
    assert_same_as_text("query", at_bound, flexrules.call("query", at_bound))
    too_deep = {**at_bound, "args": nested(127)}
    response = flexrules.call("query", too_deep)
    assert response["error"]["kind"] == "bad_request"
    # The JSON text of the same request is refused too (serde_json's recursion limit).
    assert json.loads(flexrules.call_json("query", json.dumps(too_deep)))["ok"] is False


def test_text_that_is_not_json_is_a_bad_request():
    response = json.loads(flexrules.call_json("check", "{not json"))
    assert response["ok"] is False
    assert response["error"]["kind"] == "bad_request"
    assert response["error"]["message"].startswith("malformed JSON at line 1, column 2")


def test_error_values_print_pickle_and_compare_as_the_api_renders_them():
    error = flexrules.QueryError("query", "bad query", "/query")
    assert str(error) == "/query: bad query"
    assert str(flexrules.RequestError("bad_request", "not an object")) == "/: not an object"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is flexrules.QueryError
    assert (copy.kind, copy.message, copy.pointer) == ("query", "bad query", "/query")
    assert isinstance(error, ValueError) and isinstance(error, flexrules.Error)


def documented_kinds() -> list[str]:
    """The error kinds docs/api.md lists (the sentence "`kind` is one of ...")."""
    text = (path("docs/api.md")).read_text()
    sentence = re.search(r"`kind` is one of (.*?)\.\s*A request member", text, re.DOTALL)
    assert sentence, "docs/api.md no longer lists the error kinds"
    return re.findall(r"`([a-z_]+)`", sentence.group(1))


def test_every_documented_kind_has_its_class_and_unknown_kinds_fall_back_to_error():
    from flexrules import _errors

    kinds = documented_kinds()
    assert "internal" in kinds and "invalid_handle" in kinds
    assert sorted(kinds) == sorted(_errors.KINDS)
    for kind in kinds:
        error = _errors.error_for(kind, "m", "/p")
        assert type(error) is _errors.KINDS[kind] and type(error) is not flexrules.Error
    assert type(_errors.error_for("from_a_newer_engine", "m", "")) is flexrules.Error
    assert type(_errors.error_for("internal", "m", "")) is flexrules.InternalError
