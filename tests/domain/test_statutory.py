"""Statutory holidays of unpublished years (《全国年节及纪念日放假办法》) and holiday names.

The lunar table is checked against lunar-python for every year it holds, and the resulting
statutory days against the official 2024–2026 arrangements that ``chinesecalendar`` 1.11.0
transcribes (the newest release on PyPI; it has no 2027 notice).
"""

from __future__ import annotations

from datetime import date
from importlib.metadata import version

import chinese_calendar
import pytest
from pydantic import ValidationError

from domain.deadlines.calendar import Festival, HolidayCalendar
from domain.deadlines.daybook import DayBook
from domain.deadlines.lunar_table import FESTIVALS, FIRST_YEAR, LAST_YEAR
from domain.deadlines.statutory import (
    LIBRARY,
    computed_festivals,
    festivals,
    provisional_year,
    statutory_days,
    with_statutory_years,
)
from tests.domain.official_calendar import OFFICIAL, span

CC_NAMES = {
    "New Year's Day": Festival.NEW_YEAR,
    "Spring Festival": Festival.SPRING_FESTIVAL,
    "Tomb-sweeping Day": Festival.QINGMING,
    "Labour Day": Festival.LABOUR_DAY,
    "Dragon Boat Festival": Festival.DRAGON_BOAT,
    "Mid-autumn Festival": Festival.MID_AUTUMN,
    "National Day": Festival.NATIONAL_DAY,
}


def test_the_lunar_table_is_what_lunar_python_computes_for_every_year() -> None:
    assert set(FESTIVALS) == set(range(FIRST_YEAR, LAST_YEAR + 1))
    wrong = [y for y in FESTIVALS if festivals(y) != computed_festivals(y)]
    assert not wrong, f"regenerate domain/deadlines/lunar_table.py for {wrong}"


def test_the_library_named_in_the_data_is_the_one_installed() -> None:
    assert LIBRARY == f"lunar-python {version('lunar_python')}"
    assert chinese_calendar.__version__ == "1.11.0"  # newest on PyPI: it ends with 2026


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_statutory_day_is_an_official_holiday_of_the_same_festival(year: int) -> None:
    days = statutory_days(year)
    for day in days:
        on_holiday, name = chinese_calendar.get_holiday_detail(day.day)
        assert on_holiday, day
        assert CC_NAMES[name] is day.festival, day
    # 2024 still followed the 2013 revision (11 days); from 2025 the 2024 revision (13 days).
    assert len(days) == (11 if year == 2024 else 13)


def test_2027_by_hand() -> None:
    # 正月初一 2027 is Saturday 6 February (除夕 Friday 5 February); 清明 5 April; 端午 (五月初五)
    # 9 June; 中秋 (八月十五) 15 September.
    expected = {
        date(2027, 1, 1): Festival.NEW_YEAR,
        **dict.fromkeys(span(date(2027, 2, 5), date(2027, 2, 8)), Festival.SPRING_FESTIVAL),
        date(2027, 4, 5): Festival.QINGMING,
        date(2027, 5, 1): Festival.LABOUR_DAY,
        date(2027, 5, 2): Festival.LABOUR_DAY,
        date(2027, 6, 9): Festival.DRAGON_BOAT,
        date(2027, 9, 15): Festival.MID_AUTUMN,
        **dict.fromkeys(span(date(2027, 10, 1), date(2027, 10, 3)), Festival.NATIONAL_DAY),
    }
    assert {d.day: d.festival for d in statutory_days(2027)} == expected


def test_a_year_outside_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="2100"):
        statutory_days(2100)


def test_filling_a_provisional_year_is_data_and_publishing_replaces_it() -> None:
    filled = with_statutory_years(OFFICIAL, [2026, 2027, 2028])
    assert [p.year for p in filled.provisional] == [2027, 2028]  # 2026 is published
    assert filled.provisional_year(2027) == provisional_year(2027)
    assert "国务院令第795号" in filled.provisional[0].basis
    assert "lunar-python" in filled.provisional[0].basis
    assert with_statutory_years(filled, [2027]) is filled
    # The round trip through JSON (workflow state) keeps it.
    assert HolidayCalendar.model_validate_json(filled.model_dump_json()) == filled
    # The legacy methods do not see it: 2026.1 counting is unchanged.
    assert filled.is_working_day(date(2027, 10, 1))
    published = filled.with_year(2027, [date(2027, 10, 1)], [], version="v+2027")
    assert [p.year for p in published.provisional] == [2028]


def test_a_provisional_year_cannot_also_be_published() -> None:
    with pytest.raises(ValidationError):
        HolidayCalendar(
            version="x",
            years=(2027,),
            holidays=(),
            adjusted_workdays=(),
            provisional=(provisional_year(2027),),
        )


@pytest.mark.parametrize(
    ("day", "zh", "en"),
    [
        (date(2026, 10, 3), "国庆节", "National Day"),
        (date(2026, 10, 7), "国庆节", "National Day"),  # a weekday given off in lieu
        (date(2026, 2, 15), "春节", "Spring Festival"),  # the Sunday that opens the block
        (date(2026, 2, 23), "春节", "Spring Festival"),
        (date(2026, 9, 26), "中秋节", "Mid-Autumn Festival"),
        (date(2026, 5, 3), "劳动节", "Labour Day"),
        (date(2026, 1, 3), "元旦", "New Year's Day"),
        (date(2026, 3, 7), "周末", "the weekend"),
        (date(2025, 10, 5), "国庆节、中秋节", "National Day and Mid-Autumn Festival"),
        # Unpublished 2027: statutory days joined to the weekend.
        (date(2027, 10, 2), "国庆节", "National Day"),
        (date(2027, 2, 7), "春节", "Spring Festival"),
        (date(2027, 1, 2), "元旦", "New Year's Day"),
    ],
)
def test_rest_days_are_named_for_their_holiday(day: date, zh: str, en: str) -> None:
    assert DayBook(OFFICIAL).rest_name(day) == (zh, en)


def test_the_day_book_skips_statutory_days_of_an_unpublished_year_only() -> None:
    book = DayBook(OFFICIAL)
    assert not book.is_working_day(date(2027, 2, 5))  # 除夕, a Friday
    assert not book.is_working_day(date(2027, 10, 1))  # 国庆, a Friday
    assert book.is_working_day(date(2027, 10, 4))  # a Monday: the 调休 is not known yet
    assert not book.is_working_day(date(2026, 10, 7))  # published: given off in lieu
    assert book.is_working_day(date(2026, 10, 10))  # published: 调休 Saturday
    assert book.uncovered_years() == [2027]
