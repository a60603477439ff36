"""Helpers for the 2026.2 counting tests: the shipped rules, counted through the clock API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from activities.policy.book import PolicyBook
from domain.case.clocks import Clock, GrantedExtension, Pause, legal_schedule, start_clock
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.clock_rules import ClockRule
from domain.deadlines.counting import FactDate
from domain.deadlines.periods import Due
from domain.values import CHINA_TZ
from tests.domain.official_calendar import OFFICIAL

RULES: dict[str, ClockRule] = {r.rule_id: r for r in PolicyBook.load().base.rules}


def china(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ)


@dataclass(frozen=True)
class Row:
    """One row of a table: a rule, the legal facts, the last day worked out by hand."""

    rule_id: str
    start: date
    expected: date
    recorded: date | None = None  # the day the fact was entered (补录 when later than start)
    pauses: tuple[tuple[date, date], ...] = ()  # (pause date, day counting resumes)
    extension: int | None = None
    agreed_end: date | None = None
    cap_start: date | None = None  # C5: the court's acceptance
    fixed_day: date | None = None
    provisional: bool = False
    note: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"{self.rule_id}:{self.start}→{self.expected} {self.note}".strip()


def count(row: Row, calendar: HolidayCalendar = OFFICIAL) -> tuple[Clock, Due]:
    rule = RULES[row.rule_id]
    fact = rule.counted_from or rule.start_on[0]
    recorded = china(row.recorded or row.start)
    cap_start = None
    if rule.cap is not None:
        cap_start = FactDate(fact=rule.cap.from_event, on=row.cap_start or row.start)
    clock = start_clock(
        rule,
        clock_id=row.rule_id,
        now=recorded,
        calendar=calendar,
        fixed_day=row.fixed_day,
        start=FactDate(fact=fact, on=row.start, recorded_at=recorded),
        cap_start=cap_start,
    )
    pauses = tuple(
        Pause(
            reason=rule.pausable_for[0],
            started_at=china(paused),
            ended_at=china(resumed),
        )
        for paused, resumed in row.pauses
    )
    extensions: tuple[GrantedExtension, ...] = ()
    if row.extension is not None or row.agreed_end is not None:
        assert rule.extension is not None, f"{row.rule_id} allows no extension"
        extensions = (
            GrantedExtension(
                length=row.extension,
                new_end=row.agreed_end,
                approver=rule.extension.approver,
                reason="案情复杂",
                granted_at=recorded + timedelta(days=1),
            ),
        )
    if pauses or extensions:
        clock = clock.model_copy(update={"pauses": pauses, "extensions": extensions})
        clock = clock.model_copy(update={"schedule": legal_schedule(clock, rule, calendar)})
    return clock, clock.schedule.due
