"""What kind of day each day is, as the 2026.2 counting rules read the holiday calendar.

A published year answers from the State Council's notice (``HolidayCalendar``). An unpublished
year still has its statutory holidays (《全国年节及纪念日放假办法》): the ones the calendar carries
for it (``HolidayCalendar.provisional``, the case's recorded data) or, failing that, the ones
``domain.deadlines.statutory`` computes; its 调休 swaps are unknown, so any count that looks at
such a year is provisional. The book remembers which years it was asked about, so the count can
say which of them made it provisional, and it names rest days (国庆节, 春节, 周末) for the
explanation.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.deadlines.calendar import (
    FESTIVAL_NAMES,
    Festival,
    HolidayCalendar,
    ProvisionalYear,
    is_weekend,
)
from domain.deadlines.lunar_table import FIRST_YEAR, LAST_YEAR
from domain.deadlines.statutory import provisional_year, statutory_days

ONE_DAY = timedelta(days=1)
# A holiday block with its weekends is at most nine days (春节 2026): look no further for a name.
_BLOCK_REACH = 12


class DayBook:
    """Working days and rest days for one count; not shared between counts."""

    def __init__(self, calendar: HolidayCalendar) -> None:
        self.calendar = calendar
        self._consulted: set[int] = set()
        self._statutory: dict[int, ProvisionalYear] = {}

    def _provisional(self, year: int) -> ProvisionalYear:
        known = self._statutory.get(year)
        if known is None:
            known = self.calendar.provisional_year(year) or provisional_year(year)
            self._statutory[year] = known
        return known

    def _is_working_day(self, day: date) -> bool:
        if self.calendar.covers(day.year):
            return self.calendar.is_working_day(day)
        if any(d.day == day for d in self._provisional(day.year).days):
            return False
        return not is_weekend(day)

    def is_working_day(self, day: date) -> bool:
        """工作日: the notice's answer for a published year, else Mon–Fri less statutory days."""
        self._consulted.add(day.year)
        return self._is_working_day(day)

    def is_adjusted_workday(self, day: date) -> bool:
        """A weekend day worked under a published notice (调休上班日)."""
        return self.calendar.covers(day.year) and self.calendar.is_adjusted_workday(day)

    def is_holiday(self, day: date) -> bool:
        """A day off of a published holiday block, or a statutory day of an unpublished year."""
        if self.calendar.covers(day.year):
            return self.calendar.is_holiday(day)
        return any(d.day == day for d in self._provisional(day.year).days)

    def consulted(self) -> frozenset[int]:
        """The years looked at so far (to forget a count whose result was not used)."""
        return frozenset(self._consulted)

    def forget_since(self, consulted: frozenset[int]) -> None:
        """Forget the years looked at since ``consulted``: a cap that does not bind leaves the
        result independent of them, so they make it no more provisional."""
        self._consulted &= set(consulted)

    def uncovered_years(self) -> list[int]:
        """Years this count looked at that have no published notice (sorted)."""
        return sorted(y for y in self._consulted if not self.calendar.covers(y))

    def provisional_days(self, year: int) -> ProvisionalYear:
        return self._provisional(year)

    def rest_name(self, day: date) -> tuple[str, str]:
        """The name of the run of rest days around ``day``: e.g. ("国庆节", "National Day").

        A run holding a statutory holiday is named after it (a weekend joined to 春节 is 春节);
        a bare weekend is 周末; a weekday given off with no festival in reach, 法定节假日.
        """
        block = [day]
        for step in (-ONE_DAY, ONE_DAY):
            current = day
            for _ in range(_BLOCK_REACH):
                current += step
                if self._is_working_day(current):
                    break
                block.append(current)
        festivals = self._festivals(block)
        if festivals:
            names = [FESTIVAL_NAMES[f] for f in festivals]
            return "、".join(n[0] for n in names), " and ".join(n[1] for n in names)
        if all(is_weekend(d) for d in block):
            return "周末", "the weekend"
        return "法定节假日", "a statutory holiday"

    def _festivals(self, days: list[date]) -> list[Festival]:
        """The festivals whose statutory days fall on ``days``, in calendar order, once each."""
        found: dict[Festival, date] = {}
        for year in sorted({d.year for d in days}):
            if not FIRST_YEAR <= year <= LAST_YEAR:
                continue  # no festival data: the run is named by its weekdays alone
            fixed = {s.day: s.festival for s in statutory_days(year)}
            if not self.calendar.covers(year):
                fixed = {s.day: s.festival for s in self._provisional(year).days}
            for d in days:
                festival = fixed.get(d)
                if festival is not None and (festival not in found or d < found[festival]):
                    found[festival] = d
        return sorted(found, key=lambda f: found[f])
