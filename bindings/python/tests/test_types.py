"""The type stubs match the native module as built (mypy's stubtest), and the package checks
under `mypy --strict`. CI installs mypy; without it these tests are skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import flexrules

pytest.importorskip("mypy")


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, check=False, timeout=600
    )


def test_the_stubs_match_the_native_module():
    result = mypy("mypy.stubtest", "flexrules._native")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_installed_package_type_checks_strictly():
    package = Path(flexrules.__file__).parent
    assert (package / "py.typed").exists() and (package / "_native.pyi").exists()
    result = mypy("mypy", "--strict", "--no-incremental", "-p", "flexrules")
    assert result.returncode == 0, result.stdout + result.stderr
