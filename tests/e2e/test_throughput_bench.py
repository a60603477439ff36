"""``make bench`` run small: the case API, the case workflow through the client and the minimal
Temporal workflow, side by side on one dev server, each phase's lifecycles all completed and the
comparison printed (the figures themselves are for bench/README.md, not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_make_bench_drives_all_three_phases_and_prints_the_comparison() -> None:
    command = [sys.executable, "-m", "bench.throughput", "--cases", "2", "--rounds", "1"]
    done = subprocess.run(
        [*command, "--concurrency", "2", "--by-action", "--hops"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for line in ("(a) through the API", "(b) case workflow, client", "(c) minimal workflow"):
        assert line in out
    assert "ratio a/c (API / minimal workflow)" in out
    assert "API latency" in out
    # The yardsticks' latency under the same load, to read the API's against.
    assert "(b) latency" in out
    assert "(c) latency" in out
    # Every command of the lifecycle answered (a failed one raises and the run exits non-zero).
    for action in ("cases", "accept", "agreement", "close"):
        assert f"  {action} " in out
    # --hops: every request of the API phase found as its update in its case's history.
    assert "where the time goes" in out
    assert "intake   (    2 requests)" in out
    assert f"command  ({2 * 12:>5} requests)" in out
