"""Shared readers of the repository's fixtures: the inputs and golden outputs the command line
and the Rust API are tested against, read here by value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

#: The repository's root (bindings/python/tests/ is three levels below it).
ROOT = Path(__file__).resolve().parents[3]


def path(relative: str) -> Path:
    return ROOT / relative


def read_json(relative: str) -> Any:
    return json.loads(path(relative).read_text())


def ndjson(relative: str) -> list[Any]:
    lines = path(relative).read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def app_files(relative: str) -> dict[str, str]:
    """An exported app directory as the API's file map: each file's path inside the export to
    its text (text, not parsed JSON, so that a malformed file stays malformed)."""
    root = path(relative)
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*.json"))
        if p.is_file()
    }


@pytest.fixture
def check_request() -> dict[str, Any]:
    """The inputs of `flexrules check` in cli/tests/cli/check.rs and tests/api, by value."""
    return {
        "app": str(path("fixtures/apps/car")),
        "user": read_json("fixtures/users/u1.json"),
        "subscriptions": read_json("fixtures/judge/cli/subscriptions.json"),
        "state": ndjson("fixtures/judge/cli/state.ndjson"),
        "changesets": ndjson("fixtures/judge/cli/changesets.ndjson"),
    }


@pytest.fixture
def demo_request() -> dict[str, Any]:
    """The seed scenario (fixtures/demo): the Car app, its user and subscription, its writes."""
    return {
        "app": str(path("fixtures/apps/car")),
        "user": read_json("fixtures/demo/user.json"),
        "subscriptions": read_json("fixtures/demo/subscriptions.json"),
        "changesets": ndjson("fixtures/demo/changesets.ndjson"),
    }
