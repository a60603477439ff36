"""The official holiday calendar (节假日安排) that statutory periods are counted against.

Each year the State Council General Office (国务院办公厅) publishes which days are statutory
holidays (法定节假日) and which weekend days are worked instead (调休上班日). Only published years
are known; for any other year the calendar falls back to the weekends-only rule and callers mark
the result provisional. The data comes from outside the domain
(see ``activities.policy.calendar_data``) and travels inside workflow state, so the model is
plain JSON-serialisable data.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import PrivateAttr, field_validator, model_validator

from domain.base import Frozen

SATURDAY = 5


def is_weekend(day: date) -> bool:
    """Saturday or Sunday (休息日 under the 5-day working week)."""
    return day.weekday() >= SATURDAY


@dataclass(frozen=True)
class _Index:
    """Membership sets built once per instance; the sources are kept to detect a stale copy."""

    years: frozenset[int]
    holidays: frozenset[date]
    adjusted_workdays: frozenset[date]
    sources: tuple[object, ...] = field(compare=False, repr=False)


class HolidayCalendar(Frozen):
    """官方节假日安排: statutory holidays (法定节假日) and adjusted working days (调休上班日).

    ``holidays`` lists every day off of a published holiday block, weekend days included, so a
    weekday given off in lieu (调休休息日) is a holiday too. ``adjusted_workdays`` are the weekend
    days worked instead. Both hold only days of ``years``: a year is either published in full or
    not at all, and an unpublished year is counted Monday–Friday.
    """

    version: str
    years: tuple[int, ...]
    holidays: tuple[date, ...]
    adjusted_workdays: tuple[date, ...]

    _index: _Index | None = PrivateAttr(default=None)

    @field_validator("years", "holidays", "adjusted_workdays", mode="after")
    @classmethod
    def _sorted_unique(cls, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(sorted(set(values)))

    @model_validator(mode="after")
    def _consistent(self) -> HolidayCalendar:
        years = set(self.years)
        outside = [d for d in (*self.holidays, *self.adjusted_workdays) if d.year not in years]
        if outside:
            raise ValueError(f"days outside the covered years: {_show(outside)}")
        weekdays = [d for d in self.adjusted_workdays if not is_weekend(d)]
        if weekdays:
            raise ValueError(f"adjusted working days must fall on a weekend: {_show(weekdays)}")
        both = sorted(set(self.holidays) & set(self.adjusted_workdays))
        if both:
            raise ValueError(f"days both holiday and adjusted working day: {_show(both)}")
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._index = self._build_index()

    def _build_index(self) -> _Index:
        return _Index(
            years=frozenset(self.years),
            holidays=frozenset(self.holidays),
            adjusted_workdays=frozenset(self.adjusted_workdays),
            sources=(self.years, self.holidays, self.adjusted_workdays),
        )

    def _lookup(self) -> _Index:
        # model_copy(update=...) skips validation and copies the private index: rebuild if stale.
        index = self._index
        current = (self.years, self.holidays, self.adjusted_workdays)
        if index is None or any(a is not b for a, b in zip(index.sources, current, strict=True)):
            index = self._build_index()
            self._index = index
        return index

    def covers(self, year: int) -> bool:
        """Whether the official arrangement for ``year`` has been published and loaded."""
        return year in self._lookup().years

    def is_holiday(self, day: date) -> bool:
        """A day off of a published holiday block (法定节假日, including 调休 days off)."""
        return day in self._lookup().holidays

    def is_adjusted_workday(self, day: date) -> bool:
        """A weekend day that is worked (调休上班日)."""
        return day in self._lookup().adjusted_workdays

    def is_working_day(self, day: date) -> bool:
        """工作日: in a covered year not a holiday and a weekday or 调休上班日; else Mon–Fri."""
        index = self._lookup()
        if day.year not in index.years:
            return not is_weekend(day)
        if day in index.holidays:
            return False
        return not is_weekend(day) or day in index.adjusted_workdays

    def is_rest_day(self, day: date) -> bool:
        """法定休假日 as courts read it: a statutory holiday or an un-worked weekend day."""
        return not self.is_working_day(day)

    def working_days_between(self, start_day: date, end_day: date) -> int:
        """Working days ``d`` with ``start_day < d <= end_day`` (0 if ``end_day <= start_day``).

        Counted arithmetically (weekdays, minus weekday holidays, plus adjusted working days),
        so a range of many years costs no more than a short one.
        """
        if end_day <= start_day:
            return 0
        first = start_day.toordinal() + 1
        last = end_day.toordinal()
        count = _weekdays_upto(last) - _weekdays_upto(first - 1)
        # Every listed day lies in a covered year, so each one adjusts the Mon–Fri count.
        lo = bisect_left(self.holidays, date.fromordinal(first))
        hi = bisect_right(self.holidays, end_day)
        count -= sum(1 for d in self.holidays[lo:hi] if not is_weekend(d))
        lo = bisect_left(self.adjusted_workdays, date.fromordinal(first))
        hi = bisect_right(self.adjusted_workdays, end_day)
        return count + (hi - lo)

    def with_year(
        self,
        year: int,
        holidays: Iterable[date],
        adjusted_workdays: Iterable[date],
        version: str,
    ) -> HolidayCalendar:
        """A new calendar with ``year``'s published arrangement added, or replacing the old one.

        ``version`` is the version of the resulting calendar, so a period computed with it can be
        traced to the data used. Days outside ``year`` are refused: a year is replaced whole.
        """
        new_holidays = tuple(holidays)
        new_workdays = tuple(adjusted_workdays)
        stray = [d for d in (*new_holidays, *new_workdays) if d.year != year]
        if stray:
            raise ValueError(f"days outside {year}: {_show(stray)}")
        return HolidayCalendar(
            version=version,
            years=(*(y for y in self.years if y != year), year),
            holidays=(*(d for d in self.holidays if d.year != year), *new_holidays),
            adjusted_workdays=(
                *(d for d in self.adjusted_workdays if d.year != year),
                *new_workdays,
            ),
        )


def _weekdays_upto(ordinal: int) -> int:
    """Mon–Fri days with ordinal in ``1..ordinal``; ordinal 1 (0001-01-01) is a Monday."""
    weeks, extra = divmod(ordinal, 7)
    return weeks * 5 + min(extra, 5)


def _show(days: Iterable[date]) -> str:
    shown = sorted(set(days))
    text = ", ".join(d.isoformat() for d in shown[:10])
    return text + (f" (+{len(shown) - 10} more)" if len(shown) > 10 else "")
