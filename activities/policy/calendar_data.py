"""Loads the official holiday calendar (节假日安排) the domain counts statutory periods against.

The base is the ``chinesecalendar`` package, which transcribes each year's notice of the State
Council General Office (国务院办公厅关于XXXX年部分节假日安排的通知). A notice is published around
November for the following year, often before a package release carries it, so a deployment can
add or correct a year with a JSON file in a data directory, one file per year::

    {
      "year": 2027,
      "source": "国务院办公厅关于2027年部分节假日安排的通知",
      "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
      "adjusted_workdays": ["2027-02-07"]
    }

The years after the last published one carry their statutory holidays
(``domain.deadlines.statutory``: 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆 as
《全国年节及纪念日放假办法》 fixes them), so a clock counted under policy 2026.2 that runs into
such a year still skips them; only the 调休 swaps are
unknown until the notice comes, and the count says it is provisional. ``chinesecalendar`` 1.11.0
(the newest release) covers 2004–2026; no 2027 notice has been published.

``holidays`` lists every day off of the notice (weekend days of a holiday block included);
``adjusted_workdays`` lists the weekend days worked instead (调休上班日). A file replaces the
package's data for its year whole. Files are read in name order; two files for one year, or a
malformed file, are refused with an error naming the file, since a silently wrong calendar would
move legal deadlines. This is the only module that imports ``chinese_calendar``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Self

import chinese_calendar  # type: ignore[import-untyped]
from chinese_calendar import constants
from pydantic import Field, ValidationError, model_validator

from domain.base import Frozen
from domain.deadlines.calendar import HolidayCalendar, is_weekend
from domain.deadlines.statutory import with_statutory_years

# How many years after the last published one get their statutory holidays filled in.
STATUTORY_YEARS_AHEAD = 3


class CalendarDataError(ValueError):
    """A holiday data file (or its directory) cannot be used."""


class YearArrangement(Frozen):
    """One year's published arrangement, as written in a deployment data file."""

    year: int = Field(ge=1900, le=9999)
    source: str = Field(min_length=1, max_length=500)
    holidays: tuple[date, ...]
    adjusted_workdays: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        stray = [d for d in (*self.holidays, *self.adjusted_workdays) if d.year != self.year]
        if stray:
            raise ValueError(f"days outside {self.year}: {', '.join(map(str, stray))}")
        weekdays = [d for d in self.adjusted_workdays if not is_weekend(d)]
        if weekdays:
            raise ValueError(
                f"adjusted working days must fall on a weekend: {', '.join(map(str, weekdays))}"
            )
        both = sorted(set(self.holidays) & set(self.adjusted_workdays))
        if both:
            raise ValueError(
                f"days both holiday and adjusted working day: {', '.join(map(str, both))}"
            )
        return self


def package_calendar() -> HolidayCalendar:
    """The calendar as published in the installed ``chinesecalendar`` package."""
    holidays = tuple(constants.holidays)
    return HolidayCalendar(
        version=f"chinesecalendar-{chinese_calendar.__version__}",
        years=tuple({day.year for day in holidays}),
        holidays=holidays,
        # The package lists only 调休 working days; keep the weekend ones, the rest change nothing.
        adjusted_workdays=tuple(day for day in constants.workdays if is_weekend(day)),
    )


def read_arrangement(path: Path) -> YearArrangement:
    """One data file, validated; any problem is a ``CalendarDataError`` naming the file."""
    try:
        return YearArrangement.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as error:
        raise CalendarDataError(f"holiday data file {path}: {error}") from error


def load_calendar(extra_dir: Path | None = None) -> HolidayCalendar:
    """The package calendar with every ``*.json`` arrangement in ``extra_dir`` laid over it.

    The version is ``chinesecalendar-<package version>`` plus ``+<year>`` per overlaid year, so
    a period records which data it was computed with; the statutory holidays of the
    ``STATUTORY_YEARS_AHEAD`` years after the last published one are filled in.
    """
    calendar = package_calendar()
    if extra_dir is None:
        return _with_years_ahead(calendar)
    if not extra_dir.is_dir():
        raise CalendarDataError(f"holiday data directory {extra_dir} does not exist")
    seen: dict[int, Path] = {}
    for path in sorted(extra_dir.glob("*.json")):
        arrangement = read_arrangement(path)
        if arrangement.year in seen:
            raise CalendarDataError(
                f"holiday data file {path}: year {arrangement.year} "
                f"is already given by {seen[arrangement.year]}"
            )
        seen[arrangement.year] = path
        calendar = calendar.with_year(
            arrangement.year,
            arrangement.holidays,
            arrangement.adjusted_workdays,
            version=f"{calendar.version}+{arrangement.year}",
        )
    return _with_years_ahead(calendar)


def _with_years_ahead(calendar: HolidayCalendar) -> HolidayCalendar:
    """The statutory holidays of the years after the last published one (provisional data)."""
    last = max(calendar.years)
    return with_statutory_years(calendar, range(last + 1, last + 1 + STATUTORY_YEARS_AHEAD))
