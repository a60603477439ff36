"""The case's holiday data follows its facts, through the workflow (time-skipping server).

Counts by hand against the 2026 notice of the installed ``chinesecalendar``: 国庆 1–7 Oct 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from domain.case import events as e
from tests.workflows.clock_harness import calendar_with, clockwork

# 09:30 on Sat 2 Jan 2027 in China: the 2027 notice is not in the data, the 2026 one is.
NEW_YEAR_2027 = datetime(2027, 1, 2, 1, 30, tzinfo=UTC)


def _test_notice_2030() -> dict[str, object]:
    """Test data, not a published notice: a 2030 arrangement for a case open that long."""
    return {
        "year": 2030,
        "source": "测试数据 / test data, not a published notice",
        "holidays": ["2030-01-01"],
        "adjusted_workdays": ["2030-01-05"],
    }


async def test_a_case_registered_in_january_counts_its_september_facts_with_that_years_notice(
    tmp_path: Path,
) -> None:
    async with clockwork(calendar_with(tmp_path, _test_notice_2030())) as cw:
        await cw.sleep_until(NEW_YEAR_2027)
        handle = await cw.register(
            kind="petition",
            title="王某反映征地补偿款未足额发放",
            category="land_demolition",
            channel="letter",
            received_on="2026-09-20",
        )
        state = await cw.state(handle)
        assert state.policy is not None
        assert state.policy.calendar.covers(2026)
        a1 = state.clock("A1")
        assert a1 is not None
        # 20 Sep + 15 days = Mon 5 Oct, inside 国庆 (1–7 Oct): the period ends on Thu 8 Oct.
        # Counted without the 2026 notice it would end on Mon 5 Oct, provisionally.
        assert a1.schedule.due.last_day == date(2026, 10, 8)
        assert not a1.schedule.due.provisional
        assert all("尚未公布" not in step.zh for step in a1.schedule.due.why)

        # Three years on, a fact of 2030 (beyond the years snapshotted at intake) brings the
        # 2030 data into the case, recorded once, before the fact's own events.
        await cw.sleep_until(datetime(2030, 1, 10, 1, 30, tzinfo=UTC))
        await cw.act(handle, "accept", accepted_on="2030-01-08")
        await cw.act(handle, "reply", answered_on="2030-01-09")
        state = await cw.state(handle)
        assert state.policy is not None
        assert state.policy.calendar.covers(2030)
        assert state.policy.calendar.is_adjusted_workday(date(2030, 1, 5))
        assert state.policy.calendar.covers(2026)  # kept
        events = cw.recorder.events[state.case_id]
        added = [
            ev
            for ev in events
            if isinstance(ev.body, e.ClocksRescheduled) and ev.body.years_added == (2030,)
        ]
        assert len(added) == 1
        accepted = next(ev for ev in events if ev.type == "case_accepted")
        assert added[0].seq < accepted.seq
