"""The open-cases benchmark (bench/scale.py) run tiny: it completes and prints every figure, and
every clock of its burst fires and is handled (no timings asserted)."""

from __future__ import annotations

import pytest

from bench import scale

pytestmark = pytest.mark.e2e


async def test_a_tiny_scale_run_prints_every_figure_and_handles_every_burst_clock() -> None:
    plan = scale.parser().parse_args(
        ["--open", "6", "--block", "3", "--concurrency", "3", "--burst", "4"]
        + ["--burst-groups", "2", "--burst-pace", "2", "--burst-window", "2"]
        + ["--burst-settle", "180"]
    )
    result = await scale.run(plan)

    assert [block["open"] for block in result["intake_blocks"]] == [3, 6]
    assert all(rate > 0 for rate in result["intake_rate_per_block"])
    # The cache holds every case, so the evicted side is measured after a worker restart.
    assert result["evicted_by"] == "worker restart"
    assert result["command_ms_evicted_median"] > 0
    assert result["command_ms_cached_median"] > 0
    # One escalation step per burst case fired, and each case stored what it did.
    assert result["burst_timers_fired"] == 4
    assert result["burst_unhandled"] == 0
    lines = scale.summary(result)
    assert lines[1].startswith("intake cases/s per 3: ")
    assert any(line.startswith("memory per open case: server ") for line in lines)
    assert any(line.startswith("command to an evicted case (worker restart)") for line in lines)
    assert any(line.startswith("burst: 4 timers due within ") for line in lines)
    assert [line.split(",")[0] for line in lines if line.startswith("timer lateness")] == [
        "timer lateness",
        "timer lateness",
        "timer lateness",
    ]
