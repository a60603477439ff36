"""The 2026.2 counting engine: hours, the why, the old snapshot path, and its properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from activities.policy.book import LEGACY_POLICY_2026_1, PolicyBook
from domain.case.clocks import schedule, start_clock
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.clock_rules import ClockRule, Counting
from domain.deadlines.counting import (
    CapSpec,
    ExtensionGrant,
    FactDate,
    PauseSpan,
    PeriodSpec,
    add_months,
)
from domain.deadlines.periods import PeriodUnit
from domain.deadlines.reckoning import reckon
from domain.deadlines.why import StepKind
from domain.values import CHINA_TZ
from tests.domain.counting_cases import Row, china, count
from tests.domain.official_calendar import OFFICIAL

DAYS = PeriodUnit.CALENDAR_DAYS
WORKING = PeriodUnit.WORKING_DAYS
MONTHS = PeriodUnit.MONTHS
HOURS = PeriodUnit.HOURS


def fact(day: date, name: str = "case_accepted", **extra: object) -> FactDate:
    return FactDate.model_validate({"fact": name, "on": day, **extra})


# --- hours (民法典 Art.201(2)) ---


def test_an_hour_period_ends_exactly_n_hours_after_the_stated_moment() -> None:
    moment = datetime(2026, 9, 30, 10, 17, tzinfo=CHINA_TZ)
    recorded = datetime(2026, 10, 2, 9, 0, tzinfo=CHINA_TZ)
    start = FactDate(fact="case_registered", on=date(2026, 9, 30), at=moment, recorded_at=recorded)
    due = reckon(PeriodSpec(length=72, unit=HOURS, start=start), OFFICIAL)
    # 72 hours later is 3 Oct 10:17, inside 国庆: an hour period does not move off a holiday.
    assert due.due_at == datetime(2026, 10, 3, 2, 17, tzinfo=UTC)
    assert due.last_day is None
    kinds = [s.kind for s in due.why]
    assert kinds == [StepKind.START, StepKind.LATE_ENTRY, StepKind.PERIOD, StepKind.END]
    assert "2026-09-30 10:17（北京时间）" in due.why[0].zh
    assert "2026-10-03 10:17" in due.why[-1].zh
    extended = reckon(
        PeriodSpec(
            length=72,
            unit=HOURS,
            start=start,
            extensions=(ExtensionGrant(approver="法官", length=24, unit=HOURS),),
        ),
        OFFICIAL,
    )
    assert extended.due_at == due.due_at + timedelta(hours=24)


def test_an_hour_period_needs_its_moment_and_takes_no_pause() -> None:
    with pytest.raises(ValidationError, match="stated moment"):
        PeriodSpec(length=24, unit=HOURS, start=fact(date(2026, 3, 2)))
    moment = china(date(2026, 3, 2))
    with pytest.raises(ValidationError, match="pauses"):
        PeriodSpec(
            length=24,
            unit=HOURS,
            start=fact(date(2026, 3, 2), at=moment),
            pauses=(PauseSpan(reason="appraisal", paused_on=date(2026, 3, 2)),),
        )
    with pytest.raises(ValidationError, match="not on"):
        fact(date(2026, 3, 3), at=moment)


# --- the why tells the whole story, in order, in China time ---


def test_a_paused_extended_capped_clock_tells_every_step_in_order() -> None:
    start = fact(date(2026, 2, 1), "court_acceptance_recorded")
    spec = PeriodSpec(
        length=15,
        unit=DAYS,
        start=start.model_copy(update={"recorded_at": china(date(2026, 2, 4))}),
        pauses=(
            PauseSpan(
                reason="appraisal",
                note="笔迹鉴定",
                paused_on=date(2026, 2, 3),
                resumed_on=date(2026, 2, 5),
            ),
        ),
        extensions=(ExtensionGrant(approver="院长", reason="案情复杂", length=10),),
        cap=CapSpec(rule_id="C5", length=30, unit=DAYS, start=start),
    )
    due = reckon(spec, OFFICIAL)
    kinds = [s.kind for s in due.why]
    assert kinds == [
        StepKind.START,
        StepKind.LATE_ENTRY,
        StepKind.NOT_COUNTED,
        StepKind.PAUSE,
        StepKind.PERIOD,
        StepKind.HOLIDAY_MOVE,
        StepKind.EXTENSION,
        StepKind.CAP,
        StepKind.END,
        StepKind.CALENDAR,
    ]
    why = {s.kind: s for s in due.why}
    assert why[StepKind.LATE_ENTRY].count == 3
    pause = why[StepKind.PAUSE]
    assert (pause.day, pause.until, pause.count) == (date(2026, 2, 3), date(2026, 2, 4), 2)
    assert "鉴定" in pause.zh
    assert "笔迹鉴定" in pause.zh
    # 1 Feb + 15 + 2 paused = 18 Feb (春节) → 24 Feb; +10 = 6 Mar; C5 = 3 Mar binds.
    assert why[StepKind.PERIOD].day == date(2026, 2, 18)
    move = why[StepKind.HOLIDAY_MOVE]
    assert (move.until, move.day, move.name) == (date(2026, 2, 18), date(2026, 2, 24), "春节")
    extension = why[StepKind.EXTENSION]
    assert extension.name == "院长"
    assert extension.count == 10
    assert extension.until == date(2026, 2, 24)  # from the end after the move
    assert "自原期间届满之日 2026-02-24" in extension.zh
    cap = why[StepKind.CAP]
    assert cap.day == date(2026, 3, 3)
    assert "上限约束本期间" in cap.zh
    assert "the cap binds" in cap.en
    assert due.last_day == date(2026, 3, 3)
    assert "24:00（北京时间）" in why[StepKind.END].zh
    for step in due.why:  # never a raw UTC timestamp
        assert "Z" not in step.zh.replace("C5", "")
        assert "+00:00" not in step.en


def test_a_cap_that_does_not_bind_says_so() -> None:
    _, due = count(Row("C4", date(2026, 3, 2), date(2026, 3, 17)))
    cap = next(s for s in due.why if s.kind is StepKind.CAP)
    assert "不约束" in cap.zh
    assert "does not bind" in cap.en


def test_a_still_open_pause_is_listed_but_not_yet_deducted() -> None:
    open_pause = PauseSpan(reason="appraisal", paused_on=date(2026, 3, 10))
    spec = PeriodSpec(length=30, unit=DAYS, start=fact(date(2026, 3, 2)), pauses=(open_pause,))
    due = reckon(spec, OFFICIAL)
    assert due.last_day == date(2026, 4, 1)
    assert any(s.kind is StepKind.PAUSE and "尚未恢复" in s.zh for s in due.why)


def test_a_provisional_clock_says_which_year_and_why() -> None:
    _, due = count(Row("FU", date(2026, 12, 2), date(2027, 1, 4), provisional=True))
    step = next(s for s in due.why if s.kind is StepKind.PROVISIONAL)
    assert step.name == "2027"
    assert "尚未公布" in step.zh
    assert "调休" in step.zh
    assert "元旦 2027-01-01" in step.zh
    move = next(s for s in due.why if s.kind is StepKind.HOLIDAY_MOVE)
    assert move.name == "元旦"


def test_a_weekend_move_is_named_the_weekend() -> None:
    # 4 Jun + 30 = Sat 4 Jul, a plain weekend → Mon 6 Jul.
    _, due = count(Row("FU", date(2026, 6, 4), date(2026, 7, 6)))
    move = next(s for s in due.why if s.kind is StepKind.HOLIDAY_MOVE)
    assert move.name == "周末"


def test_an_agreed_new_end_must_lengthen_the_period() -> None:
    spec = PeriodSpec(
        length=30,
        unit=WORKING,
        start=fact(date(2026, 9, 15)),
        extensions=(ExtensionGrant(approver="医调委与医患双方", new_end=date(2026, 10, 30)),),
    )
    with pytest.raises(ValueError, match="must be after"):
        reckon(spec, OFFICIAL)


def test_months_count_to_the_corresponding_day() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


# --- the old snapshot path counts exactly as before ---

LEGACY = {r.rule_id: r for r in PolicyBook.load(base_file=LEGACY_POLICY_2026_1).base.rules}


def test_the_2026_1_rules_name_no_counting_and_keep_the_old_results() -> None:
    assert PolicyBook.load(base_file=LEGACY_POLICY_2026_1).base.version == "2026.1"
    assert all(r.counting is Counting.RECORDED_2026_1 for r in LEGACY.values())
    b2 = LEGACY["B2"]
    now = datetime(2026, 1, 31, 2, tzinfo=UTC)
    clock = start_clock(b2, clock_id="B2", now=now, calendar=OFFICIAL)
    assert clock.start is None  # no legal facts are kept on the old path
    assert clock.schedule == schedule(b2, started_at=now, calendar=OFFICIAL)
    # B2 as 30 days: 31 Jan + 30 = 2 Mar (the 2026.2 rule says 28 Feb).
    assert clock.schedule.due.last_day == date(2026, 3, 2)
    assert clock.schedule.due.why == ()
    # C5 counted from the application, as the 2026.1 data says.
    assert LEGACY["C4"].cap is not None
    assert LEGACY["C4"].cap.from_event == "judicial_confirmation_applied"


def test_old_snapshots_without_the_new_fields_still_load() -> None:
    document = LEGACY["B2"].model_dump(mode="json")
    del document["counting"], document["mediation_types"], document["counted_from"]
    assert ClockRule.model_validate(document).counting is Counting.RECORDED_2026_1


def test_a_2026_1_rule_cannot_use_what_only_2026_2_counts() -> None:
    document = LEGACY["B2"].model_dump(mode="json")
    with pytest.raises(ValidationError, match="need counting 2026.2"):
        ClockRule.model_validate({**document, "length": 1, "unit": "months"})


# --- properties ---

starts = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
calendars = st.sampled_from(
    [OFFICIAL, HolidayCalendar(version="none", years=(), holidays=(), adjusted_workdays=())]
)
units = st.sampled_from([DAYS, WORKING, MONTHS, HOURS])


def _spec(start: date, length: int, unit: PeriodUnit, **extra: object) -> PeriodSpec:
    at = china(start) if unit is HOURS else None
    return PeriodSpec.model_validate(
        {"length": length, "unit": unit, "start": fact(start, at=at), **extra}
    )


@settings(max_examples=150, deadline=None)
@given(starts, starts, st.integers(0, 120), units, calendars)
def test_a_later_start_never_gives_an_earlier_end(
    a: date, b: date, length: int, unit: PeriodUnit, calendar: HolidayCalendar
) -> None:
    if unit is MONTHS:
        length = length % 25
    early, late = sorted((a, b))
    assert (
        reckon(_spec(early, length, unit), calendar).due_at
        <= reckon(_spec(late, length, unit), calendar).due_at
    )


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(1, 120), st.integers(1, 120), st.integers(0, 60), calendars)
def test_a_pause_of_k_counted_days_moves_a_calendar_clock_by_k_days(
    start: date, length: int, offset: int, k: int, calendar: HolidayCalendar
) -> None:
    offset = min(offset, length)  # the pause begins on a counted day: start < paused_on
    paused_on = start + timedelta(days=offset)
    pause = PauseSpan(reason="appraisal", paused_on=paused_on, resumed_on=paused_on + timedelta(k))
    plain = reckon(_spec(start, length, DAYS), calendar)
    paused = reckon(_spec(start, length, DAYS, pauses=(pause,)), calendar)
    nominal = next(s.day for s in paused.why if s.kind is StepKind.PERIOD)
    assert nominal == start + timedelta(days=length + k)
    assert next(s.count for s in paused.why if s.kind is StepKind.PAUSE) == k
    assert paused.due_at >= plain.due_at


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(1, 60), st.integers(0, 60), st.integers(0, 30), calendars)
def test_a_working_day_pause_removes_exactly_its_working_days(
    start: date, length: int, offset: int, k: int, calendar: HolidayCalendar
) -> None:
    paused_on = start + timedelta(days=1 + offset)
    pause = PauseSpan(reason="appraisal", paused_on=paused_on, resumed_on=paused_on + timedelta(k))
    plain = reckon(_spec(start, length, WORKING), calendar)
    paused = reckon(_spec(start, length, WORKING, pauses=(pause,)), calendar)
    assert plain.last_day is not None
    assert paused.last_day is not None
    not_counted = next(s.count for s in paused.why if s.kind is StepKind.PAUSE)
    if paused_on <= plain.last_day:  # a pause after the end changes nothing
        counted_span = [
            d
            for d in (paused_on + timedelta(n) for n in range(k))
            if d <= paused.last_day and _working(calendar, d)
        ]
        assert not_counted == len(counted_span)
    days = [start + timedelta(n) for n in range(1, (paused.last_day - start).days + 1)]
    counted = [d for d in days if _working(calendar, d) and not pause.excludes(d)]
    assert len(counted) == length
    assert paused.due_at >= plain.due_at


def _working(calendar: HolidayCalendar, day: date) -> bool:
    from domain.deadlines.daybook import DayBook

    return DayBook(calendar).is_working_day(day)


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(1, 90), units, st.integers(1, 60), st.integers(1, 90), calendars)
def test_an_extension_never_shortens(
    start: date,
    length: int,
    unit: PeriodUnit,
    more: int,
    later: int,
    calendar: HolidayCalendar,
) -> None:
    if unit is MONTHS:
        length = length % 13 or 1
    plain = reckon(_spec(start, length, unit), calendar)
    grant = ExtensionGrant(approver="主任", length=more, unit=DAYS if unit is MONTHS else unit)
    extended = reckon(_spec(start, length, unit, extensions=(grant,)), calendar)
    assert extended.due_at > plain.due_at
    if plain.last_day is not None:
        agreed = ExtensionGrant(approver="双方", new_end=plain.last_day + timedelta(days=later))
        assert reckon(_spec(start, length, unit, extensions=(agreed,)), calendar).due_at > (
            plain.due_at
        )


def test_a_cap_that_does_not_bind_leaves_the_due_final_though_it_runs_into_a_new_year() -> None:
    """A court's 15 days end in October 2026 (published); a three-month cap would end in 2027
    (no notice yet) but does not bind: the due time depends on no unpublished day, so it is not
    暂定. A cap that binds in the unpublished year leaves it 暂定."""
    start = fact(date(2026, 10, 20), "court_acceptance_recorded")
    loose = CapSpec(rule_id="C5", length=3, unit=MONTHS, start=fact(date(2026, 10, 1)))
    due = reckon(PeriodSpec(length=15, unit=DAYS, start=start, cap=loose), OFFICIAL)
    assert due.last_day is not None
    assert due.last_day.year == 2026
    assert "上限不约束本期间" in next(s.zh for s in due.why if s.kind is StepKind.CAP)
    assert due.provisional is False
    assert not any(s.kind is StepKind.PROVISIONAL for s in due.why)

    late = fact(date(2026, 12, 20), "court_acceptance_recorded")
    tight = CapSpec(rule_id="C5", length=20, unit=DAYS, start=fact(date(2026, 12, 25)))
    bound = reckon(PeriodSpec(length=60, unit=DAYS, start=late, cap=tight), OFFICIAL)
    assert bound.last_day is not None
    assert bound.last_day.year == 2027
    assert bound.provisional is True
