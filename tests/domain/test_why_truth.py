"""The why tells the truth: a pause's days are never told as counted; a paused clock says so.

Counted by hand against the official 2026 arrangement (``OFFICIAL``): Sun 20 Sep worked (调休),
中秋 Fri 25 – Sun 27 Sep, 国庆 Thu 1 – Wed 7 Oct, Sat 10 Oct worked (调休).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain.case.clocks import ClockStatus
from domain.case.pause_status import paused_status
from domain.deadlines.counting import FactDate, PauseSpan, PeriodSpec
from domain.deadlines.periods import PeriodUnit
from domain.deadlines.reckoning import reckon
from domain.deadlines.why import StepKind
from domain.values import CHINA_TZ
from tests.domain.handoff_cases import Case
from tests.domain.official_calendar import OFFICIAL


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=CHINA_TZ).astimezone(UTC)


def test_a_worked_sunday_inside_a_working_day_pause_is_not_listed_as_counted() -> None:
    spec = PeriodSpec(
        length=10,
        unit=PeriodUnit.WORKING_DAYS,
        start=FactDate(fact="case_accepted", on=date(2026, 9, 15)),
        pauses=(
            PauseSpan(
                reason="appraisal", paused_on=date(2026, 9, 18), resumed_on=date(2026, 9, 23)
            ),
        ),
    )
    due = reckon(spec, OFFICIAL)
    # 10 working days from Tue 15 Sep: Wed 16 (1), Thu 17 (2); paused Fri 18 – Tue 22 (its
    # working days Fri 18, Sun 20 (调休), Mon 21, Tue 22 not counted); Wed 23 (3), Thu 24 (4);
    # 中秋 25–27 skipped; Mon 28 – Wed 30 (5–7); 国庆 1–7 Oct skipped; Thu 8 (8), Fri 9 (9);
    # Sat 10 Oct, worked (调休), is the 10th and the last day: it does not move.
    assert due.last_day == date(2026, 10, 10)
    pause = next(step for step in due.why if step.kind is StepKind.PAUSE)
    assert pause.count == 4
    adjusted = [step for step in due.why if step.kind is StepKind.ADJUSTED_WORKDAY]
    assert adjusted, "Sat 10 Oct is told as a worked day"
    for step in adjusted:
        assert "2026-09-20" not in step.zh, step.zh
        assert "2026-09-20" not in step.en, step.en
    assert any("2026-10-10" in step.zh for step in adjusted)


def test_a_paused_clock_says_since_when_and_the_days_used_and_left() -> None:
    case = Case(now=at(date(2026, 9, 15)), category="medical")
    case.do("accept", accepted_on="2026-09-15")
    case.do("start_mediation", started_on="2026-09-15")
    e4 = case.state.clock("E4")
    assert e4 is not None
    assert paused_status(e4, OFFICIAL) is None  # running: its due date holds
    case.do("pause_clock", after=timedelta(days=8), clock_id="E4", reason="appraisal")
    e4 = case.state.clock("E4")
    assert e4 is not None
    assert e4.status is ClockStatus.PAUSED
    status = paused_status(e4, OFFICIAL)
    assert status is not None
    # Paused on Wed 23 Sep. Counted before it: Wed 16, Thu 17, Fri 18, Sun 20 (调休), Mon 21,
    # Tue 22 = 6 working days; 30 − 6 = 24 left.
    assert (status.since, status.used, status.left) == (date(2026, 9, 23), 6, 24)
    assert status.zh == (
        "因鉴定自 2026-09-23 起中止计时，此前已计 6 个工作日，尚余 24 个工作日；"
        "恢复计时后重新计算最后一日，原定期限暂不适用"
    )
    assert "appraisal" not in status.zh
