"""The holiday calendar loaded from the chinesecalendar package and deployment data files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from activities.policy.calendar_data import CalendarDataError, load_calendar, package_calendar
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.periods import PeriodUnit, due_after
from domain.values import CHINA_TZ
from tests.domain.official_calendar import (
    ADJUSTED_2025,
    ADJUSTED_2026,
    HOLIDAYS_2025,
    HOLIDAYS_2026,
    span,
)

PACKAGE_VERSION = "chinesecalendar-1.11.0"

# A hypothetical 2027 arrangement, for the tests only (the real notice is not in the package).
ARRANGEMENT_2027: dict[str, Any] = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知",
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
    "adjusted_workdays": ["2027-01-10"],
}


def write(directory: Path, name: str, content: dict[str, Any] | str) -> Path:
    path = directory / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def in_year(days: tuple[date, ...], year: int) -> tuple[date, ...]:
    return tuple(day for day in days if day.year == year)


@pytest.fixture(scope="module")
def calendar() -> HolidayCalendar:
    return load_calendar()


def test_the_package_calendar_covers_2004_to_2026(calendar: HolidayCalendar) -> None:
    assert calendar.version == PACKAGE_VERSION
    assert calendar.years == tuple(range(2004, 2027))
    assert not calendar.covers(2027)
    assert not calendar.covers(2003)
    assert calendar.publishes_the_same(package_calendar())
    # The years after the last notice carry their statutory holidays (provisional data).
    assert [p.year for p in calendar.provisional] == [2027, 2028, 2029]
    spring_2027 = [d.day for d in calendar.provisional[0].days if d.festival == "spring_festival"]
    assert spring_2027 == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]


def test_the_2026_national_day_and_mid_autumn_arrangement(calendar: HolidayCalendar) -> None:
    national_day = span(date(2026, 10, 1), date(2026, 10, 7))
    mid_autumn = span(date(2026, 9, 25), date(2026, 9, 27))
    assert all(calendar.is_holiday(day) for day in national_day + mid_autumn)
    assert not calendar.is_holiday(date(2026, 9, 30))
    assert not calendar.is_holiday(date(2026, 10, 8))
    assert calendar.is_adjusted_workday(date(2026, 9, 20))  # Sunday
    assert calendar.is_adjusted_workday(date(2026, 10, 10))  # Saturday
    assert calendar.is_working_day(date(2026, 10, 8))
    assert calendar.is_rest_day(date(2026, 10, 11))


def test_the_2026_spring_festival_arrangement(calendar: HolidayCalendar) -> None:
    festival = span(date(2026, 2, 15), date(2026, 2, 23))
    assert all(calendar.is_holiday(day) for day in festival)
    assert not calendar.is_holiday(date(2026, 2, 14))
    assert not calendar.is_holiday(date(2026, 2, 24))
    assert calendar.is_adjusted_workday(date(2026, 2, 14))
    assert calendar.is_adjusted_workday(date(2026, 2, 28))


def test_the_package_agrees_with_the_arrangements_the_domain_tests_use(
    calendar: HolidayCalendar,
) -> None:
    assert in_year(calendar.holidays, 2025) == HOLIDAYS_2025
    assert in_year(calendar.adjusted_workdays, 2025) == ADJUSTED_2025
    assert in_year(calendar.holidays, 2026) == HOLIDAYS_2026
    assert in_year(calendar.adjusted_workdays, 2026) == ADJUSTED_2026


def test_every_day_agrees_with_the_package_own_workday_check(calendar: HolidayCalendar) -> None:
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        assert calendar.is_working_day(day) is chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_the_loaded_calendar_round_trips_through_json(calendar: HolidayCalendar) -> None:
    restored = HolidayCalendar.model_validate(calendar.model_dump(mode="json"))
    assert restored == calendar
    assert restored.is_working_day(date(2026, 10, 10))


def test_an_overlay_adds_a_year_and_names_it_in_the_version(tmp_path: Path) -> None:
    write(tmp_path, "2027.json", ARRANGEMENT_2027)
    write(tmp_path, "README.txt", "not data")
    calendar = load_calendar(tmp_path)
    assert calendar.version == f"{PACKAGE_VERSION}+2027"
    assert calendar.years[-1] == 2027
    assert calendar.is_rest_day(date(2027, 1, 4))  # a Monday off
    assert calendar.is_working_day(date(2027, 1, 10))  # a Sunday worked
    assert calendar.is_rest_day(date(2026, 10, 1))  # package data kept

    start = datetime(2026, 12, 30, 10, tzinfo=CHINA_TZ)
    without = due_after(start, 3, PeriodUnit.CALENDAR_DAYS, load_calendar())
    assert (without.last_day, without.provisional) == (date(2027, 1, 4), True)
    with_overlay = due_after(start, 3, PeriodUnit.CALENDAR_DAYS, calendar)
    assert (with_overlay.last_day, with_overlay.provisional) == (date(2027, 1, 5), False)
    assert with_overlay.due_at == datetime(2027, 1, 5, 16, tzinfo=UTC)


def test_overlays_are_applied_in_file_name_order(tmp_path: Path) -> None:
    write(tmp_path, "b-2027.json", ARRANGEMENT_2027)
    write(tmp_path, "a-2028.json", {"year": 2028, "source": "通知", "holidays": ["2028-01-03"]})
    calendar = load_calendar(tmp_path)
    assert calendar.version == f"{PACKAGE_VERSION}+2028+2027"
    assert calendar.covers(2027)
    assert calendar.covers(2028)
    assert calendar.is_rest_day(date(2028, 1, 3))


def test_an_overlay_replaces_a_published_year_whole(tmp_path: Path) -> None:
    write(tmp_path, "2026.json", {"year": 2026, "source": "更正", "holidays": ["2026-10-01"]})
    calendar = load_calendar(tmp_path)
    assert calendar.version == f"{PACKAGE_VERSION}+2026"
    assert calendar.is_rest_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 2))
    assert calendar.is_rest_day(date(2026, 10, 10))  # the package's adjusted Saturday is gone
    assert calendar.is_rest_day(date(2025, 10, 8))  # other years untouched


def test_an_empty_directory_leaves_the_package_calendar(tmp_path: Path) -> None:
    assert load_calendar(tmp_path) == load_calendar()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "Expecting property name"),
        ({"year": 2027, "holidays": ["2027-01-01"]}, "source"),
        ({**ARRANGEMENT_2027, "holidays": ["2027-13-01"]}, "holidays"),
        ({**ARRANGEMENT_2027, "holidays": ["2028-01-01"]}, "days outside 2027: 2028-01-01"),
        ({**ARRANGEMENT_2027, "adjusted_workdays": ["2027-01-11"]}, "must fall on a weekend"),
        ({**ARRANGEMENT_2027, "adjusted_workdays": ["2027-01-02"]}, "both holiday and adjusted"),
        ({**ARRANGEMENT_2027, "note": "x"}, "note"),
    ],
)
def test_a_bad_data_file_is_refused_naming_the_file(
    tmp_path: Path, content: dict[str, Any] | str, message: str
) -> None:
    path = write(tmp_path, "2027.json", content)
    with pytest.raises(CalendarDataError, match=message) as raised:
        load_calendar(tmp_path)
    assert str(path) in str(raised.value)


def test_two_files_for_one_year_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.json", ARRANGEMENT_2027)
    second = write(tmp_path, "b.json", ARRANGEMENT_2027)
    with pytest.raises(CalendarDataError, match="year 2027 is already given by") as raised:
        load_calendar(tmp_path)
    assert str(second) in str(raised.value)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CalendarDataError, match="does not exist"):
        load_calendar(tmp_path / "missing")
