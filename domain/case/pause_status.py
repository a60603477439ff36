"""A clock paused now (中止计时): since when, for what, the days used and the days left.

While a clock is paused its recorded due time no longer holds: the end is counted again when
counting resumes (docs/domain.md: a pause excludes every day from the pause date through the day
before counting resumes). The clocks view shows this instead of the old due date. Days used
count from the day after the start through the day before the pause, as the period counts
them (working days for a working-day clock, calendar days otherwise; earlier pauses left out);
the days left are the period's length (with approved extensions) less those used.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.base import Frozen
from domain.case.clocks import Clock, ClockStatus
from domain.case.labels import pause_reason_label
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.counting import add_months
from domain.deadlines.daybook import DayBook
from domain.deadlines.periods import PeriodUnit
from domain.values import china_date

ONE_DAY = timedelta(days=1)


class PausedStatus(Frozen):
    """What a paused clock's view says in place of its due date."""

    since: date  # the pause date (中止计时之日), itself not counted
    reason: str
    reason_label: str
    used: int | None  # counted before the pause (None: an hour clock, or an agreed new end)
    left: int | None
    unit_label: str
    zh: str
    en: str


def paused_status(clock: Clock, calendar: HolidayCalendar) -> PausedStatus | None:
    """The pause in progress on ``clock``; None when it is not paused."""
    if clock.status is not ClockStatus.PAUSED or not clock.pauses:
        return None
    current = clock.pauses[-1].span()
    working = clock.unit is PeriodUnit.WORKING_DAYS
    unit_zh, unit_en = ("个工作日", "working days") if working else ("日", "days")
    start = clock.start.on if clock.start is not None else china_date(clock.started_at)
    used, left = _used_and_left(clock, start, current.paused_on, calendar)
    label = pause_reason_label(current.reason)
    zh = f"因{label}自 {current.paused_on} 起中止计时"
    en = f"paused for {current.reason} since {current.paused_on}"
    if used is not None and left is not None:
        zh += f"，此前已计 {used} {unit_zh}，尚余 {left} {unit_zh}"
        en += f"; {used} {unit_en} counted before it, {left} {unit_en} left"
    zh += "；恢复计时后重新计算最后一日，原定期限暂不适用"
    en += "; the last day is counted again when counting resumes, the old due date does not hold"
    return PausedStatus(
        since=current.paused_on,
        reason=current.reason,
        reason_label=label,
        used=used,
        left=left,
        unit_label=unit_zh,
        zh=zh,
        en=en,
    )


def _used_and_left(
    clock: Clock, start: date, paused_on: date, calendar: HolidayCalendar
) -> tuple[int | None, int | None]:
    if (
        clock.unit is PeriodUnit.HOURS
        or clock.fixed_day is not None
        or any(x.new_end is not None for x in clock.extensions)
    ):
        return None, None
    book = DayBook(calendar)
    earlier = [p.span() for p in clock.pauses[:-1]]
    used = 0
    day = start + ONE_DAY
    while day < paused_on:
        counts = not any(p.excludes(day) for p in earlier)
        if counts and (clock.unit is not PeriodUnit.WORKING_DAYS or book.is_working_day(day)):
            used += 1
        day += ONE_DAY
    if clock.unit is PeriodUnit.MONTHS:
        total = (add_months(start, clock.length) - start).days
    else:
        total = clock.length
    total += sum(x.length or 0 for x in clock.extensions)
    return used, max(0, total - used)
