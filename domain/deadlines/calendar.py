"""The official holiday calendar (节假日安排) that statutory periods are counted against.

Each year the State Council General Office (国务院办公厅) publishes which days are statutory
holidays (法定节假日) and which weekend days are worked instead (调休上班日). Only published years
are known; for any other year the calendar falls back to the weekends-only rule and callers mark
the result provisional. The data comes from outside the domain
(see ``activities.policy.calendar_data``) and travels inside workflow state, so the model is
plain JSON-serialisable data.

An unpublished year may also carry its *statutory* holidays (``provisional``): the days fixed in
advance by 《全国年节及纪念日放假办法》, computed by ``domain.deadlines.statutory``. Only the
counting rules of policy version 2026.2 (``domain.deadlines.reckoning``) read them; the methods
below keep answering for published years only, so cases counted under 2026.1 count exactly as
before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
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


class Festival(StrEnum):
    """The statutory holidays of 《全国年节及纪念日放假办法》 (全体公民放假的节日)."""

    NEW_YEAR = "new_year"  # 元旦
    SPRING_FESTIVAL = "spring_festival"  # 春节
    QINGMING = "qingming"  # 清明节
    LABOUR_DAY = "labour_day"  # 劳动节
    DRAGON_BOAT = "dragon_boat"  # 端午节
    MID_AUTUMN = "mid_autumn"  # 中秋节
    NATIONAL_DAY = "national_day"  # 国庆节


FESTIVAL_NAMES: dict[Festival, tuple[str, str]] = {
    Festival.NEW_YEAR: ("元旦", "New Year's Day"),
    Festival.SPRING_FESTIVAL: ("春节", "Spring Festival"),
    Festival.QINGMING: ("清明节", "Qingming Festival"),
    Festival.LABOUR_DAY: ("劳动节", "Labour Day"),
    Festival.DRAGON_BOAT: ("端午节", "Dragon Boat Festival"),
    Festival.MID_AUTUMN: ("中秋节", "Mid-Autumn Festival"),
    Festival.NATIONAL_DAY: ("国庆节", "National Day"),
}


class StatutoryDay(Frozen):
    """One day off fixed by law (e.g. 2027-02-05, 春节: 除夕)."""

    day: date
    festival: Festival


class ProvisionalYear(Frozen):
    """A year without a published notice: its statutory holidays only (调休 still unknown)."""

    year: int
    basis: str  # the measure applied and how lunar dates and 清明 were computed
    days: tuple[StatutoryDay, ...]

    @model_validator(mode="after")
    def _in_year(self) -> ProvisionalYear:
        stray = [d.day for d in self.days if d.day.year != self.year]
        if stray:
            raise ValueError(f"statutory days outside {self.year}: {_show(stray)}")
        return self


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
    # Statutory holidays computed for unpublished years (read by the 2026.2 counting only).
    provisional: tuple[ProvisionalYear, ...] = ()

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
        filled = [p.year for p in self.provisional]
        if len(filled) != len(set(filled)) or years & set(filled):
            raise ValueError("a provisional year is given twice or is also published")
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

    def publishes_the_same(self, other: HolidayCalendar) -> bool:
        """Whether ``other`` holds the same published arrangements (computed years aside)."""
        return (self.version, self.years, self.holidays, self.adjusted_workdays) == (
            other.version,
            other.years,
            other.holidays,
            other.adjusted_workdays,
        )

    def holds_year(self, year: int) -> bool:
        """Whether the calendar carries ``year`` at all: published, or its statutory days."""
        return self.covers(year) or self.provisional_year(year) is not None

    def held_years(self) -> tuple[int, ...]:
        """Every year the calendar carries, published or computed (sorted)."""
        return tuple(sorted({*self.years, *(p.year for p in self.provisional)}))

    def with_years_of(self, other: HolidayCalendar, years: Iterable[int]) -> HolidayCalendar:
        """This calendar with ``years`` taken from ``other`` (a later copy of the data in force).

        A year ``other`` publishes is added with its notice and the version becomes ``other``'s
        (the data now comes from it too); a year it only computes keeps its statutory days.
        Years this calendar already holds are left as they are (a case's snapshot changes only
        when a notice is pushed to it)."""
        wanted = sorted({y for y in years if not self.holds_year(y)})
        published = [y for y in wanted if other.covers(y)]
        merged = self
        for year in published:
            merged = merged.with_year(
                year,
                (d for d in other.holidays if d.year == year),
                (d for d in other.adjusted_workdays if d.year == year),
                version=other.version,
            )
        computed = [p for y in wanted if (p := other.provisional_year(y)) is not None]
        if not computed:
            return merged
        return HolidayCalendar(
            version=merged.version,
            years=merged.years,
            holidays=merged.holidays,
            adjusted_workdays=merged.adjusted_workdays,
            provisional=tuple(sorted((*merged.provisional, *computed), key=lambda p: p.year)),
        )

    def provisional_year(self, year: int) -> ProvisionalYear | None:
        """The statutory holidays computed for unpublished ``year``, if the calendar has them."""
        return next((p for p in self.provisional if p.year == year), None)

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
        A provisional (computed) arrangement of ``year`` gives way to the published one.
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
            provisional=tuple(p for p in self.provisional if p.year != year),
        )


def _weekdays_upto(ordinal: int) -> int:
    """Mon–Fri days with ordinal in ``1..ordinal``; ordinal 1 (0001-01-01) is a Monday."""
    weeks, extra = divmod(ordinal, 7)
    return weeks * 5 + min(extra, 5)


def _show(days: Iterable[date]) -> str:
    shown = sorted(set(days))
    text = ", ".join(d.isoformat() for d in shown[:10])
    return text + (f" (+{len(shown) - 10} more)" if len(shown) > 10 else "")
