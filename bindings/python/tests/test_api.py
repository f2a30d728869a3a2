"""`flexrules.call` answers as the Rust API and the command line do: every result is checked
against the golden outputs the command line's tests use (fixtures/), and every request also
through `call_json`, which hands JSON text straight to the Rust API (`api::call_str`), so the
dict conversion in both directions is checked against the API's own parser and printer."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import flexrules
from conftest import ROOT, ndjson, path, read_json


def ok(operation: str, request: Any) -> Any:
    """The result of a call that must succeed, after checking that the text path agrees."""
    response = flexrules.call(operation, request)
    assert response["ok"] is True, response
    assert response["api_version"] == flexrules.API_VERSION == 1
    assert_same_as_text(operation, request, response)
    return response["result"]


def assert_same_as_text(operation: str, request: Any, response: dict[str, Any]) -> None:
    text = flexrules.call_json(operation, json.dumps(request))
    assert json.loads(text) == response


def test_check_answers_the_golden_lines_of_the_command_line(check_request):
    assert ok("check", check_request) == ndjson("fixtures/judge/cli/expected-2023.ndjson")


def test_explain_answers_the_golden_explanations(demo_request):
    want = ndjson("fixtures/explain/seed.ndjson")
    assert ok("explain", demo_request) == want
    assert ok("check", {**demo_request, "explain": True}) == want


def test_validate_reports_what_the_command_line_prints_for_every_fixture_app():
    expected = read_json("fixtures/validate/expected.json")
    assert expected, "no fixture apps"
    for name, want in expected.items():
        problems = ok("validate", {"app": str(path(f"fixtures/apps/{name}"))})
        assert [p["text"] for p in problems] == want["stdout"], name
        # `validate` exits 1 exactly when a problem is an error.
        assert any(p["severity"] == "error" for p in problems) == (want["exit"] == 1), name


def translate_cases() -> list[dict[str, Any]]:
    return ndjson("fixtures/translate/cases.ndjson")


@pytest.mark.parametrize("case", translate_cases(), ids=lambda c: c["name"])
def test_translate_and_query_answer_each_rule_case(case):
    schema = read_json("fixtures/translate/item.schema.json")
    objects = ndjson("fixtures/translate/item.objects.ndjson")
    request = {"schema": schema, "query": case["query"], "args": case["args"]}
    if "filter" in case:
        assert ok("translate", request) == case["filter"]
        keys = ok("query", {**request, "objects": objects})
        assert keys == [objects[i]["_id"] for i in case["matches"]]
    else:
        with pytest.raises(flexrules.QueryError) as caught:
            flexrules.run("translate", request)
        assert caught.value.message == case["error"]
        assert caught.value.kind in ("query", "translate")
        assert caught.value.pointer == "/query"


def test_query_batch_answers_each_entry():
    schema = read_json("fixtures/translate/item.schema.json")
    objects = ndjson("fixtures/translate/item.objects.ndjson")
    batch = [{"query": "miles < 10"}, {"query": "miles >"}, {"args": []}]
    answers = ok("query", {"schema": schema, "objects": objects, "batch": batch})
    assert answers[0] == {"matches": [objects[0]["_id"]]}
    assert set(answers[1]) == {"error"}
    assert answers[2] == {"error": "/batch/2: missing string `query`"}


CLIENT_UPLOADS = sorted(p.name[: -len(".upload.bin")] for p in path("fixtures/realm-sync/client").glob("*.upload.bin"))


@pytest.mark.parametrize("name", CLIENT_UPLOADS)
def test_decode_gives_realm_cores_parse_of_each_client_upload(name):
    sample = read_json(f"fixtures/realm-sync/client/{name}.json")
    data = path(f"fixtures/realm-sync/client/{name}.upload.bin").read_bytes()
    decoded = ok("decode", {"bytes": base64.b64encode(data).decode()})
    assert decoded["message"] == "upload"
    changeset = decoded["changesets"][0]
    assert changeset["instructions"] == sample["parsed_by_realm_core"]["instructions"]
    assert changeset["interned_strings"] == sample["parsed_by_realm_core"]["interned_strings"]


def test_version_lists_the_operations_and_the_package_version():
    version = ok("version", {})
    assert version["operations"] == flexrules.OPERATIONS
    assert version["version"] == flexrules.__version__
    assert version["api_version"] == flexrules.API_VERSION
    # Every listed operation is known: an empty request is refused for its fields, not its name.
    for operation in version["operations"]:
        response = flexrules.call(operation, {})
        assert response["ok"] or response["error"]["kind"] != "unknown_operation", operation


def test_values_round_trip_exactly():
    # Python's own types go in and come back as the same values (tuples as lists); the objects'
    # primary keys are what a `query` answers.
    keys = [-(2**63), 2**63 - 1, 1.5, "ß→λ", None, True, (1, [2, None]), {"a": {"b": []}}]
    schema = {"title": "T", "properties": {}}
    request = {"schema": schema, "objects": [{"_id": k} for k in keys], "query": "TRUEPREDICATE"}
    assert ok("query", request) == json.loads(json.dumps(keys))


def test_integers_past_64_bit_signed_are_read_as_the_text_path_reads_them():
    request = {"schema": {"title": "T", "properties": {}}, "objects": [{"_id": 2**64 - 1}],
               "query": "TRUEPREDICATE"}
    assert ok("query", request) == [float(2**64 - 1)]


def test_a_result_deeper_than_any_request_converts(demo_request):
    # An explanation takes about two levels per level of the query it explains, so a query at
    # the nesting bound gives a result far deeper than a request may be.
    query = "miles < 100"
    for i in range(126):
        query = f"(miles > {i} {'AND' if i % 2 else 'OR'} {query})"
    request = {**demo_request, "subscriptions": [{"table": "Car", "query": query}],
               "changesets": demo_request["changesets"][:1]}
    lines = ok("explain", request)

    def depth(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        return 1

    assert depth(lines) > 2 * 126
