"""The C library (libflexrules_c.so) driven from Python's ctypes.

Its answers are checked against the command line's golden files, a session against one-shot
calls, and hostile arguments (None, invalid UTF-8, invalid JSON, closed and forged handles)
against the `ok: false` responses the header promises.

Run from the repository root after `cargo build --release -p flexrules-c`, either with pytest or
as `python3 bindings/c/tests/test_ctypes.py` (which prints "N passed, N failed"). The library is
`$FLEXRULES_C_LIB`, or target/release/libflexrules_c.so.
"""

import ctypes
import json
import os
import sys
import threading

LIB_PATH = os.environ.get("FLEXRULES_C_LIB", os.path.join("target", "release", "libflexrules_c.so"))
lib = ctypes.CDLL(os.path.abspath(LIB_PATH))

# Responses are taken as void pointers, so that the very pointer can be handed back to
# flexrules_free (a c_char_p result would be copied and the original leaked).
lib.flexrules_call.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
lib.flexrules_call.restype = ctypes.c_void_p
lib.flexrules_free.argtypes = [ctypes.c_void_p]
lib.flexrules_free.restype = None
lib.flexrules_version.argtypes = []
lib.flexrules_version.restype = ctypes.c_char_p
lib.flexrules_session_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.flexrules_session_open.restype = ctypes.c_void_p
lib.flexrules_session_judge.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.flexrules_session_judge.restype = ctypes.c_void_p
lib.flexrules_session_preflight.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.flexrules_session_preflight.restype = ctypes.c_void_p
lib.flexrules_session_close.argtypes = [ctypes.c_void_p]
lib.flexrules_session_close.restype = ctypes.c_int


def take(ptr):
    """The response at `ptr` as a dict; the string is freed."""
    assert ptr, "the library returned NULL"
    try:
        return json.loads(ctypes.string_at(ptr).decode("utf-8"))
    finally:
        lib.flexrules_free(ptr)


def arg(value):
    """A request as the bytes the library reads: dicts become JSON, bytes pass as they are."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")


def call(operation, request):
    return take(lib.flexrules_call(arg(operation), arg(request)))


def open_session(request):
    """(handle, None) or (None, error response)."""
    error = ctypes.c_void_p()
    handle = lib.flexrules_session_open(arg(request), ctypes.byref(error))
    if handle:
        assert not error.value
        return handle, None
    return None, take(error.value)


def judge(handle, changeset):
    return take(lib.flexrules_session_judge(handle, arg(changeset)))


def preflight(handle, write):
    return take(lib.flexrules_session_preflight(handle, arg(write)))


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_ndjson(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def result(response):
    assert response["ok"] is True, response
    assert response["api_version"] == 1, response
    return response["result"]


def error(response, kind):
    assert response["ok"] is False, response
    assert response["api_version"] == 1, response
    assert response["error"]["kind"] == kind, response
    return response["error"]


def check_request():
    """The inputs of cli/tests/cli/check.rs, whose answers are fixtures/judge/cli/expected-2023.ndjson."""
    return {
        "app": "fixtures/apps/car",
        "user": read_json("fixtures/users/u1.json"),
        "subscriptions": read_json("fixtures/judge/cli/subscriptions.json"),
        "state": read_ndjson("fixtures/judge/cli/state.ndjson"),
        "changesets": read_ndjson("fixtures/judge/cli/changesets.ndjson"),
    }


def demo_request():
    return {
        "app": "fixtures/apps/car",
        "user": read_json("fixtures/demo/user.json"),
        "subscriptions": read_json("fixtures/demo/subscriptions.json"),
    }


def test_check_answers_the_golden_lines():
    expected = read_ndjson("fixtures/judge/cli/expected-2023.ndjson")
    assert result(call("check", check_request())) == expected


def test_a_session_judges_the_golden_lines():
    request = check_request()
    changesets = request.pop("changesets")
    handle, err = open_session(request)
    assert err is None, err
    try:
        lines = [result(judge(handle, c)) for c in changesets]
    finally:
        assert lib.flexrules_session_close(handle) == 0
    assert lines == read_ndjson("fixtures/judge/cli/expected-2023.ndjson")


def test_session_preflight_answers_as_the_preflight_call():
    handle, err = open_session(demo_request())
    assert err is None, err
    try:
        writes = [w for c in read_ndjson("fixtures/demo/changesets.ndjson") for w in c["writes"]]
        verdicts = [result(preflight(handle, w)) for w in writes]
        for write, verdict in zip(writes, verdicts):
            one_shot = result(call("preflight", dict(demo_request(), write=write)))
            assert verdict == one_shot, (write, verdict, one_shot)
        # The docs' scenario: accepted, outside the query view, outside the permissions.
        assert [v["accepted"] for v in verdicts] == [True, False, False]
        assert "outside of the current query view" in verdicts[1]["reason"]
    finally:
        assert lib.flexrules_session_close(handle) == 0


def test_version():
    version = lib.flexrules_version().decode()
    assert result(call("version", {}))["version"] == version


def test_every_operation_answers_a_response_for_an_empty_request():
    operations = result(call("version", {}))["operations"]
    assert "preflight" in operations
    for operation in operations:
        response = call(operation, {})
        assert response["api_version"] == 1
        if operation != "version":
            assert response["ok"] is False and response["error"]["kind"] == "bad_request", response


def test_hostile_arguments_of_call():
    assert error(call(None, {}), "bad_request")["message"] == "`operation` is NULL"
    assert error(call("version", None), "bad_request")["message"] == "`request_json` is NULL"
    assert "not UTF-8" in error(call(b"\xff", b"{}"), "bad_request")["message"]
    assert "not UTF-8" in error(call("version", b"{\"\xc3\x28\": 1}"), "bad_request")["message"]
    assert "malformed JSON" in error(call("check", b"{\"app\": [}"), "bad_request")["message"]
    error(call("no_such_operation", {}), "unknown_operation")
    pointer = error(call("check", dict(check_request(), changesets=[{"writes": "x"}])), "input")
    assert pointer["pointer"].startswith("/changesets/0"), pointer


def test_hostile_opens():
    handle, err = open_session(None)
    assert handle is None and error(err, "bad_request")["message"] == "`request_json` is NULL"
    handle, err = open_session(b"{\"app\": \"\xff\"}")
    assert handle is None and "not UTF-8" in error(err, "bad_request")["message"]
    handle, err = open_session(dict(demo_request(), app="fixtures/apps/no-such-app"))
    assert handle is None and "no-such-app" in error(err, "app")["message"]
    bad = dict(demo_request(), subscriptions=[{"table": "Car", "query": "miles <"}])
    handle, err = open_session(bad)
    assert handle is None and error(err, "subscription")["pointer"] == "/subscriptions/0"
    # Without an error pointer, a failed open just answers NULL.
    assert not lib.flexrules_session_open(b"{}", None)


def test_closed_forged_and_null_handles():
    handle, err = open_session(demo_request())
    assert err is None, err
    write = read_ndjson("fixtures/demo/changesets.ndjson")[0]["writes"][0]
    assert result(preflight(handle, write)) == {"accepted": True}
    assert lib.flexrules_session_close(handle) == 0
    assert lib.flexrules_session_close(handle) == -1
    assert "was closed" in error(preflight(handle, write), "invalid_handle")["message"]
    assert "was closed" in error(judge(handle, {"writes": []}), "invalid_handle")["message"]
    assert "NULL" in error(preflight(None, write), "invalid_handle")["message"]
    buffer = ctypes.create_string_buffer(64)
    forged = ctypes.addressof(buffer)
    assert "not a session handle" in error(preflight(forged, write), "invalid_handle")["message"]
    assert lib.flexrules_session_close(forged) == -1
    assert lib.flexrules_session_close(None) == -1


def test_bad_writes_on_an_open_handle():
    handle, err = open_session(demo_request())
    assert err is None, err
    try:
        assert error(preflight(handle, None), "bad_request")["message"] == "`write_json` is NULL"
        assert "not UTF-8" in error(judge(handle, b"\xc0"), "bad_request")["message"]
        error(preflight(handle, b"{\"op\": "), "bad_request")
        error(preflight(handle, {"op": "upsert", "table": "Car"}), "input")
    finally:
        lib.flexrules_session_close(handle)


def test_frees_of_foreign_and_freed_pointers_are_ignored():
    lib.flexrules_free(None)
    lib.flexrules_free(ctypes.addressof(ctypes.create_string_buffer(8)))
    ptr = lib.flexrules_call(b"version", b"{}")
    lib.flexrules_free(ptr)
    lib.flexrules_free(ptr)


def test_one_handle_from_several_threads():
    # ctypes releases the GIL around each foreign call, so these calls overlap in the library.
    handle, err = open_session(demo_request())
    assert err is None, err
    writes = [w for c in read_ndjson("fixtures/demo/changesets.ndjson") for w in c["writes"]]
    expected = [result(preflight(handle, w)) for w in writes]
    answers = []

    def run():
        mine = [[result(preflight(handle, w)) for w in writes] for _ in range(30)]
        answers.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert lib.flexrules_session_close(handle) == 0
    assert len(answers) == 120 and all(a == expected for a in answers)


def main():
    tests = [(name, f) for name, f in sorted(globals().items()) if name.startswith("test_")]
    passed = failed = 0
    for name, test in tests:
        try:
            test()
            passed += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
