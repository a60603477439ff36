"""Statutory period arithmetic (期间计算): when a clock that starts at an event runs out.

The rules are those of 民法典 Arts. 200–204 as courts apply them:

* 按日计算期间，开始的当日不计入，自下一日开始计算 (Art. 201): a period in days is counted from the
  day after the starting event; the starting date is the China-time (UTC+8) date of the event.
* 期间的最后一日的截止时间为二十四时 (Art. 203): the last day ends at 24:00 China time, i.e. the due
  instant is 00:00 China time of the next day. Business-hours cut-offs (有业务时间的) are not
  modelled: they belong to whoever receives a filing, not to the clock.
* 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日 (Art. 203): 法定休假日 is
  read as statutory holidays and un-worked weekends, not 调休上班日, so a calendar-day period whose
  last day is not a working day ends on the next working day.
* 工作日 periods count only working days: weekends and statutory holidays are skipped, 调休上班日
  count. The due instant is 24:00 of the Nth working day after the starting day.
* 按照小时计算期间的，自法律规定或者当事人约定的时间开始计算 (Art. 201): hour periods run from the
  start instant itself, with no rounding to days.

A clock that examines any day of a year without a published arrangement is computed with the
weekends-only rule for that year and marked provisional, to be recomputed once it is published.

This module is the counting of policy version 2026.1, kept unchanged so that cases snapshotted
under it count exactly as before (their due times are recorded in their histories). Rules of
version 2026.2 are counted by ``domain.deadlines.reckoning`` (legal start dates, months, working-day
pauses, extensions from the moved end, caps from their own start, statutory holidays of
unpublished years), which returns the same ``Due`` with typed ``why`` steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, field_validator

from domain.base import Frozen
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.why import WhyStep
from domain.values import CHINA_TZ, china_date

ONE_DAY = timedelta(days=1)


class PeriodUnit(StrEnum):
    """How a period's length is counted."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    # to the corresponding day (民法典 Art.202); counted by domain.deadlines.reckoning only
    MONTHS = "months"


class Due(Frozen):
    """When a period ends, and why.

    A 2026.1 count explains itself in ``steps`` (one "中文 / English" line each); a 2026.2 count
    in ``why`` (typed steps) only, since every due time is recorded in the case's history and
    the same story twice would double its size. Readers use ``explanation`` (lines, either way)
    or ``why`` (typed).
    """

    due_at: AwareDatetime
    last_day: date | None
    provisional: bool
    steps: tuple[str, ...] = ()
    why: tuple[WhyStep, ...] = ()

    @property
    def explanation(self) -> tuple[str, ...]:
        """The explanation as "中文 / English" lines, whichever counting produced it."""
        return self.steps or tuple(step.text for step in self.why)

    @field_validator("due_at", mode="after")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


def end_of_china_day(day: date) -> datetime:
    """24:00 China time of ``day`` (00:00 China time of the next day), as a UTC instant."""
    return (datetime.combine(day, time.min, tzinfo=CHINA_TZ) + ONE_DAY).astimezone(UTC)


def working_days_between(start_day: date, end_day: date, calendar: HolidayCalendar) -> int:
    """The number of working days ``d`` with ``start_day < d <= end_day``."""
    return calendar.working_days_between(start_day, end_day)


def due_after(start: datetime, length: int, unit: PeriodUnit, calendar: HolidayCalendar) -> Due:
    """When a period of ``length`` ``unit`` that starts at instant ``start`` ends.

    ``start`` must be timezone-aware (any zone). A day period of length 0 ends at 24:00 of the
    starting day itself, without moving off a rest day: it means "the same day", not a period
    whose last day could fall on a 法定休假日. An hour period of length 0 is due at ``start``.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime")
    if length < 0:
        raise ValueError(f"a period cannot be negative: {length}")
    if unit is PeriodUnit.MONTHS:
        raise ValueError(
            "periods in months are counted by domain.deadlines.reckoning (policy 2026.2)"
        )
    try:
        if unit is PeriodUnit.HOURS:
            return _hours(start, length)
        if unit is PeriodUnit.CALENDAR_DAYS:
            return _calendar_days(china_date(start), length, calendar)
        return _working_days(china_date(start), length, calendar)
    except OverflowError as error:
        raise ValueError(f"a period of {length} {unit} from {start} ends out of range") from error


def _hours(start: datetime, length: int) -> Due:
    due_at = start.astimezone(UTC) + timedelta(hours=length)
    local_start = start.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    local_due = due_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    return Due(
        due_at=due_at,
        last_day=None,
        provisional=False,
        steps=(
            f"自 {local_start}（北京时间）起算 {length} 小时，不计整日 / "
            f"{length} hours counted from {local_start} China time, not rounded to days",
            f"截止时间为 {local_due}（北京时间）/ the period ends at {local_due} China time "
            f"({_utc(due_at)})",
        ),
    )


def _calendar_days(start_day: date, length: int, calendar: HolidayCalendar) -> Due:
    if length == 0:
        return _same_day(start_day, "日", "days", calendar)
    steps = [_not_counted(start_day)]
    nominal = start_day + timedelta(days=length)
    steps.append(
        f"期间 {length} 日，最后一日为 {nominal} / "
        f"a period of {length} calendar days; the last day is {nominal}"
    )
    last_day = nominal
    while not calendar.is_working_day(last_day):
        last_day += ONE_DAY
    if last_day != nominal:
        if calendar.is_holiday(nominal):
            kind_zh, kind_en = "法定节假日", "a statutory holiday"
        else:
            kind_zh, kind_en = "休息日", "a weekend rest day"
        steps.append(
            f"期间最后一日 {nominal} 为{kind_zh}，顺延至 {last_day} / "
            f"the last day {nominal} is {kind_en}; the period moves to {last_day}, "
            "the next working day"
        )
    elif calendar.is_adjusted_workday(nominal):
        steps.append(
            f"期间最后一日 {nominal} 为调休上班日，不顺延 / "
            f"the last day {nominal} is an adjusted working day (调休); it does not move"
        )
    return _ending(last_day, _years(nominal, last_day), steps, calendar)


def _working_days(start_day: date, length: int, calendar: HolidayCalendar) -> Due:
    if length == 0:
        return _same_day(start_day, "个工作日", "working days", calendar)
    steps = [_not_counted(start_day)]
    counted = 0
    day = start_day
    holidays: list[date] = []
    weekends = 0
    adjusted: list[date] = []
    while counted < length:
        day += ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
            if calendar.is_adjusted_workday(day):
                adjusted.append(day)
        elif calendar.is_holiday(day):
            holidays.append(day)
        else:
            weekends += 1
    steps.append(
        f"期间 {length} 个工作日，第 {length} 个工作日为 {day} / "
        f"a period of {length} working days; working day {length} is {day}"
    )
    if holidays:
        steps.append(
            f"跳过法定节假日 {_ranges(holidays, '至', '、')} / "
            f"statutory holidays skipped: {_ranges(holidays, ' to ', ', ')}"
        )
    if weekends:
        plural = "" if weekends == 1 else "s"
        steps.append(f"跳过休息日 {weekends} 天 / {weekends} weekend rest day{plural} skipped")
    if adjusted:
        steps.append(
            f"计入调休上班日 {_ranges(adjusted, '至', '、')} / "
            f"adjusted working days counted: {_ranges(adjusted, ' to ', ', ')}"
        )
    return _ending(day, _years(start_day + ONE_DAY, day), steps, calendar)


def _same_day(start_day: date, unit_zh: str, unit_en: str, calendar: HolidayCalendar) -> Due:
    steps = [
        f"期间为 0 {unit_zh}，于起算日 {start_day} 当日届满 / "
        f"a period of 0 {unit_en} ends on the starting day {start_day}"
    ]
    return _ending(start_day, (), steps, calendar)


def _ending(
    last_day: date, examined_years: Iterable[int], steps: list[str], calendar: HolidayCalendar
) -> Due:
    due_at = end_of_china_day(last_day)
    steps.append(
        f"截止时间为 {last_day} 24:00（北京时间）/ "
        f"the period ends at 24:00 China time on {last_day} ({_utc(due_at)})"
    )
    steps.append(f"依据节假日安排 {calendar.version} / holiday calendar {calendar.version}")
    uncovered = [year for year in examined_years if not calendar.covers(year)]
    for year in uncovered:
        steps.append(
            f"{year} 年节假日安排尚未公布，该年仅按周末计算，结果为暂定 / "
            f"no official holiday arrangement for {year} is loaded; that year counts weekends "
            "only and the result is provisional"
        )
    return Due(due_at=due_at, last_day=last_day, provisional=bool(uncovered), steps=tuple(steps))


def _not_counted(start_day: date) -> str:
    return (
        f"起算日 {start_day} 当日不计入，自 {start_day + ONE_DAY} 开始计算 / "
        f"the starting day {start_day} is not counted; counting begins on {start_day + ONE_DAY}"
    )


def _years(first: date, last: date) -> range:
    return range(first.year, last.year + 1)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ranges(days: list[date], joiner: str, separator: str) -> str:
    """Consecutive days as ``first<joiner>last``: a holiday block reads as one span."""
    spans: list[tuple[date, date]] = []
    for day in days:
        if spans and spans[-1][1] + ONE_DAY == day:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return separator.join(str(a) if a == b else f"{a}{joiner}{b}" for a, b in spans)
