"""`flexrules.App` and `flexrules.Session`: a session answers each changeset as `check` does for
the same request (and so as the command line's golden lines), a preflight agrees with the
judgement and leaves the state alone, and a closed session refuses politely."""

from __future__ import annotations

import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import flexrules
from conftest import app_files, ndjson, path


def open_without_changesets(request: dict[str, Any]) -> tuple[flexrules.Session, list[Any]]:
    request = dict(request)
    changesets = request.pop("changesets")
    return flexrules.Session.open(request), changesets


def test_a_session_judges_as_check_does(check_request):
    golden = ndjson("fixtures/judge/cli/expected-2023.ndjson")
    assert flexrules.run("check", check_request) == golden
    session, changesets = open_without_changesets(check_request)
    assert [session.judge(c) for c in changesets] == golden


def test_app_session_judges_the_seed_scenario_as_explain_does(demo_request):
    app = flexrules.App.load(path("fixtures/apps/car"))
    session = app.session(demo_request["user"], demo_request["subscriptions"], explain=True)
    lines = [session.judge(c) for c in demo_request["changesets"]]
    assert lines == ndjson("fixtures/explain/seed.ndjson")


def test_preflight_agrees_with_the_judgement_and_leaves_the_state(check_request):
    session, changesets = open_without_changesets(check_request)
    lines = flexrules.run("check", check_request)
    single = 0
    for changeset, line in zip(changesets, lines):
        writes = changeset["writes"]
        verdict = session.preflight(writes[0]) if len(writes) == 1 else None
        if verdict is not None:
            # Asked again, the same answer: the preflight changed nothing.
            assert session.preflight(writes[0]) == verdict
        assert session.judge(changeset) == line
        if verdict is None:
            continue
        single += 1
        assert verdict["accepted"] == (line["rejected"] == [])
        if not verdict["accepted"]:
            assert verdict["reason"] == line["rejected"][0]["reason"]
    assert single > 0, "the fixture has no single-write changeset"


def test_an_app_given_as_files_answers_as_its_directory(check_request):
    texts = app_files("fixtures/apps/car")
    by_text = flexrules.App.from_files(texts)
    by_value = flexrules.App.from_files({name: json.loads(text) for name, text in texts.items()})
    by_dir = flexrules.App.load(path("fixtures/apps/car"))
    changesets = check_request["changesets"]
    sessions = [
        app.session(check_request["user"], check_request["subscriptions"], state=check_request["state"])
        for app in (by_text, by_value, by_dir)
    ]
    golden = ndjson("fixtures/judge/cli/expected-2023.ndjson")
    assert [[s.judge(c) for c in changesets] for s in sessions] == [golden] * 3


def test_a_loaded_app_does_not_depend_on_the_working_directory(tmp_path, monkeypatch, demo_request):
    monkeypatch.chdir(path("."))
    app = flexrules.App.load("fixtures/apps/car")
    monkeypatch.chdir(tmp_path)
    assert os.path.isabs(app.source)
    session = app.session(demo_request["user"], demo_request["subscriptions"])
    assert session.judge(demo_request["changesets"][0])["accepted"] == 1


def test_validate_lists_an_apps_problems():
    app = flexrules.App.load(path("fixtures/apps/non-sync-roles"))
    problems = app.validate()
    assert problems and all(p["severity"] in ("error", "warning") for p in problems)
    assert flexrules.App.load(path("fixtures/apps/car")).validate() == []


def test_the_2024_server_style_words_the_error_as_the_golden_text(check_request):
    app = flexrules.App.load(path("fixtures/apps/car"))
    session = app.session(
        check_request["user"],
        check_request["subscriptions"],
        state=check_request["state"],
        server_style="2024",
    )
    messages = [
        (m.group(1), int(m.group(2)))
        for m in re.finditer(
            r"^  error 231: (.*) \(compensating write at server version (\d+)\)$",
            path("fixtures/judge/cli/expected-2024.txt").read_text(),
            re.MULTILINE,
        )
    ]
    lines = [session.judge(c) for c in check_request["changesets"]]
    got = [
        (line["error"]["message"], line["error"]["body"]["compensatingWriteServerVersion"])
        for line in lines
        if line["error"] is not None
    ]
    assert messages and got == messages


def test_the_log_url_is_passed_to_the_error(demo_request):
    url = path("fixtures/demo/log-url.txt").read_text().strip()
    app = flexrules.App.load(path("fixtures/apps/car"))
    session = app.session(demo_request["user"], demo_request["subscriptions"], log_url=url)
    line = session.judge(demo_request["changesets"][1])
    assert line["error"]["body"]["logURL"] == url


def test_a_closed_session_raises_and_closing_twice_is_harmless(demo_request):
    write = demo_request["changesets"][0]["writes"][0]
    with flexrules.App.load(path("fixtures/apps/car")).session(
        demo_request["user"], demo_request["subscriptions"]
    ) as session:
        assert not session.closed
        assert session.preflight(write) == {"accepted": True}
    assert session.closed
    assert "closed" in repr(session)
    for method, argument in ((session.preflight, write), (session.judge, demo_request["changesets"][0])):
        with pytest.raises(flexrules.SessionClosedError) as caught:
            method(argument)
        assert caught.value.kind == "invalid_handle"
    session.close()
    assert session.closed


def test_threads_share_a_session(demo_request):
    session, changesets = open_without_changesets(demo_request)
    writes = [c["writes"][0] for c in changesets]
    want = [session.preflight(w) for w in writes]
    assert [v["accepted"] for v in want] == [True, False, False]

    def preflight_all(_: int) -> list[Any]:
        return [session.preflight(w) for w in writes for _ in range(50)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(preflight_all, range(8)))
    assert all(a == [v for v in want for _ in range(50)] for a in answers)


def test_close_while_other_threads_judge(demo_request):
    # A close racing preflights on other threads: each call either answers or raises
    # SessionClosedError, and nothing hangs (close never waits on a running judgement).
    session, changesets = open_without_changesets(demo_request)
    write = changesets[0]["writes"][0]
    outcomes: list[str] = []
    start = threading.Barrier(5)

    def worker() -> None:
        start.wait()
        for _ in range(200):
            try:
                assert session.preflight(write) == {"accepted": True}
                outcomes.append("answered")
            except flexrules.SessionClosedError:
                outcomes.append("closed")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    start.wait()
    session.close()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    assert len(outcomes) == 800
    with pytest.raises(flexrules.SessionClosedError):
        session.preflight(write)
