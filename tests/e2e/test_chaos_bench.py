"""The chaos benchmark (bench/chaos.py) run small: worker kills, a Temporal restart and a
PostgreSQL outage during lifecycles; nothing lost, nothing twice, nothing stuck, audit clean."""

from __future__ import annotations

import pytest

from bench import chaos

pytestmark = pytest.mark.e2e


async def test_a_small_chaos_run_loses_duplicates_and_strands_nothing() -> None:
    plan = chaos.parser().parse_args(
        ["--cases", "8", "--concurrency", "4", "--kills", "3", "--temporal-restarts", "1"]
        + ["--outage-seconds", "5", "--settle-seconds", "180"]
    )
    result = await chaos.run(plan)
    assert chaos.failures(result) == []
    assert result["kills"] == 3
    assert result["temporal_restarts"] == 1
    assert result["outage_seconds"] >= 5
    assert result["cases"] == 8
