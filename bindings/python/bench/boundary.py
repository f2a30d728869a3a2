#!/usr/bin/env python3
"""Cost of the Python boundary: the seed's first write (fixtures/demo) preflighted against the
Car app, once through a session handle (opened once, `Session.preflight` each time) and once
through `flexrules.call("preflight", ...)` with the whole request each time.

Prints exactly two lines, `boundary python handle <calls_per_second>` and
`boundary python call <calls_per_second>`, for bindings/boundary.sh to set beside the other
languages. Each rate is the best of a few timed rounds of about `--seconds` each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

try:
    import flexrules
except ImportError:
    sys.exit("boundary.py: the flexrules package is not installed (pip install ./bindings/python)")

ROOT = Path(__file__).resolve().parents[3]


def read_json(relative: str) -> Any:
    return json.loads((ROOT / relative).read_text())


def first_write() -> Any:
    with (ROOT / "fixtures/demo/changesets.ndjson").open() as lines:
        return json.loads(next(lines))["writes"][0]


def rate(f: Callable[[], Any], seconds: float, rounds: int) -> float:
    """Calls per second of `f`, the best of `rounds` rounds of at least `seconds` each."""
    for _ in range(1000):  # warm-up
        f()
    best = 0.0
    for _ in range(rounds):
        calls = 0
        batch = 1000
        start = time.perf_counter()
        while True:
            for _ in range(batch):
                f()
            calls += batch
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        best = max(best, calls / elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one timed round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the best is printed")
    options = parser.parse_args()

    user = read_json("fixtures/demo/user.json")
    subscriptions = read_json("fixtures/demo/subscriptions.json")
    write = first_write()
    app = str(ROOT / "fixtures/apps/car")

    session = flexrules.App.load(app).session(user, subscriptions)
    request = {"app": app, "user": user, "subscriptions": subscriptions, "write": write}
    by_handle = session.preflight(write)
    by_call = flexrules.call("preflight", request)
    # Both paths must give the same, accepted, verdict, or the numbers measure nothing useful.
    if by_call != {"ok": True, "api_version": 1, "result": by_handle} or by_handle != {"accepted": True}:
        print(f"boundary.py: the two paths disagree: {by_handle} / {by_call}", file=sys.stderr)
        return 1

    handle = rate(lambda: session.preflight(write), options.seconds, options.rounds)
    print(f"boundary python handle {handle:.0f}", flush=True)
    call = rate(lambda: flexrules.call("preflight", request), options.seconds, options.rounds)
    print(f"boundary python call {call:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
