"""The Python examples of the documentation run as written (from the repository's root, as
they say): the package's README and the Python subsection of the repository's README."""

from __future__ import annotations

import re

import pytest

from conftest import path

DOCS = ["bindings/python/README.md", "README.md"]


def python_blocks(relative: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", path(relative).read_text(), re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("doc", DOCS)
def test_each_python_example_runs(doc, monkeypatch):
    blocks = python_blocks(doc)
    assert blocks, f"{doc} has no Python example"
    monkeypatch.chdir(path("."))
    for block in blocks:
        exec(compile(block, doc, "exec"), {})
