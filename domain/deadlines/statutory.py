"""Statutory holidays fixed in advance (法定节假日), for years whose notice is not yet published.

《全国年节及纪念日放假办法》 (国务院令第795号, 2024 revision, in force 2025-01-01) fixes the days
off of every year: 元旦 1 day (1 January); 春节 4 days (除夕 and 正月初一至初三); 清明节 1 day
(the day of the 清明 solar term); 劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节
1 day (八月十五); 国庆节 3 days (1–3 October). Before 2025 the 2013 revision applied: 春节
初一至初三 only, 劳动节 1 May only. What the State Council's annual notice adds — the 调休
swaps that join these days to weekends — cannot be known in advance, so a period counted with
these days stays provisional.

Lunar dates and the 清明 solar term come from ``lunar-python`` (6tail): it is pure Python (no
compiled extension, no dependency, no file or network access; the one ``datetime.now()`` in it,
in ``Solar.fromBaZi``, is never reached from here), MIT-licensed, actively maintained, and
computes the 24 solar terms astronomically (寿星万年历 algorithms) rather than from a table that
ends in some year. The alternatives were weighed: ``sxtwl`` is a C++ extension (a wheel per
platform); ``lunardate`` and ``zhdate`` convert lunar dates from a table but know no solar terms,
so 清明 would need a second source; ``cnlunar`` is an almanac (宜忌, 八字) far beyond this need;
``borax`` is a general toolbox. The library's results for 1901–2099 are kept as data in
``domain.deadlines.lunar_table`` (a workflow reads them without running the library, whose lazy
imports its sandbox refuses); ``computed_festivals`` runs the library, and the tests check the table
against it for every year and the resulting holidays against the official 2024–2026
arrangements in ``chinesecalendar``.

The results are plain data (``ProvisionalYear``), so a case keeps the days it was counted with
(``with_statutory_years``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from domain.deadlines.calendar import Festival, HolidayCalendar, ProvisionalYear, StatutoryDay
from domain.deadlines.lunar_table import FESTIVALS, FIRST_YEAR, LAST_YEAR

# The first year of the 2024 revision (国务院令第795号); earlier years follow the 2013 revision.
REVISION_2024_FROM = 2025
MEASURE_2024 = "《全国年节及纪念日放假办法》（国务院令第795号，2025年1月1日起施行）"
MEASURE_2013 = "《全国年节及纪念日放假办法》（2013年修订）"
ONE_DAY = timedelta(days=1)
# The release that generated domain.deadlines.lunar_table (pinned in pyproject.toml; a test
# checks it).
LIBRARY = "lunar-python 1.4.8"


def computed_festivals(year: int) -> tuple[date, date, date, date]:
    """正月初一, 清明, 端午 and 中秋 of ``year`` computed with lunar-python (not in workflows)."""
    from lunar_python import Lunar, Solar  # imported here: only the tests and tools run it

    def solar(lunar_month: int, lunar_day: int) -> date:
        s = Lunar.fromYmd(year, lunar_month, lunar_day).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    term = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    qingming = date(term.getYear(), term.getMonth(), term.getDay())
    return solar(1, 1), qingming, solar(5, 5), solar(8, 15)


def festivals(year: int) -> tuple[date, date, date, date]:
    """正月初一, 清明, 端午 and 中秋 of ``year``, from ``domain.deadlines.lunar_table``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"statutory holidays are known for {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    new_year, qingming, dragon_boat, mid_autumn = FESTIVALS[year]
    return (
        date(year, new_year // 100, new_year % 100),
        date(year, 4, qingming),
        date(year, dragon_boat // 100, dragon_boat % 100),
        date(year, mid_autumn // 100, mid_autumn % 100),
    )


@lru_cache(maxsize=256)
def statutory_days(year: int) -> tuple[StatutoryDay, ...]:
    """The days off that the measure in force in ``year`` fixes, in date order.

    Days of the previous or next year are never returned: 除夕 is always in late January or
    February of ``year`` itself (正月初一 falls between 21 January and 20 February).
    """
    spring, qingming, dragon_boat, mid_autumn = festivals(year)  # spring: 正月初一
    spring_days = [spring, spring + ONE_DAY, spring + 2 * ONE_DAY]
    labour = [date(year, 5, 1)]
    if year >= REVISION_2024_FROM:
        spring_days.insert(0, spring - ONE_DAY)  # 除夕, the day before 正月初一
        labour.append(date(year, 5, 2))
    days = [
        StatutoryDay(day=date(year, 1, 1), festival=Festival.NEW_YEAR),
        *(StatutoryDay(day=d, festival=Festival.SPRING_FESTIVAL) for d in spring_days),
        StatutoryDay(day=qingming, festival=Festival.QINGMING),
        *(StatutoryDay(day=d, festival=Festival.LABOUR_DAY) for d in labour),
        StatutoryDay(day=dragon_boat, festival=Festival.DRAGON_BOAT),
        StatutoryDay(day=mid_autumn, festival=Festival.MID_AUTUMN),
        *(StatutoryDay(day=date(year, 10, d), festival=Festival.NATIONAL_DAY) for d in (1, 2, 3)),
    ]
    return tuple(sorted(days, key=lambda d: d.day))


def measure_of(year: int) -> str:
    return MEASURE_2024 if year >= REVISION_2024_FROM else MEASURE_2013


def provisional_year(year: int) -> ProvisionalYear:
    """``year``'s statutory holidays as data, with the measure and the library that gave them."""
    return ProvisionalYear(
        year=year,
        basis=f"{measure_of(year)}；农历日期与清明节气由 {LIBRARY} 计算",
        days=statutory_days(year),
    )


def with_statutory_years(calendar: HolidayCalendar, years: Iterable[int]) -> HolidayCalendar:
    """``calendar`` with the statutory holidays of each unpublished year of ``years`` filled in.

    Published years are left alone (the notice is the authority), and so are years already
    filled. The version is unchanged: the published data did not change.
    """
    missing = sorted(
        {y for y in years if not calendar.covers(y) and calendar.provisional_year(y) is None}
    )
    if not missing:
        return calendar
    filled = (*calendar.provisional, *(provisional_year(y) for y in missing))
    return HolidayCalendar(
        version=calendar.version,
        years=calendar.years,
        holidays=calendar.holidays,
        adjusted_workdays=calendar.adjusted_workdays,
        provisional=tuple(sorted(filled, key=lambda p: p.year)),
    )
