"""Statutory period counting against the official holiday calendar (pure: no package data).

The 2025 and 2026 arrangements below are transcribed from the State Council notices;
``tests/activities/policy/test_calendar_data.py`` checks them against the ``chinesecalendar``
package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.deadlines.calendar import HolidayCalendar, is_weekend
from domain.deadlines.periods import (
    Due,
    PeriodUnit,
    due_after,
    end_of_china_day,
    working_days_between,
)
from domain.values import CHINA_TZ, china_date
from tests.domain.official_calendar import (
    OFFICIAL,
    span,
)

DAYS = PeriodUnit.CALENDAR_DAYS
WORKING = PeriodUnit.WORKING_DAYS
HOURS = PeriodUnit.HOURS


def china(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TZ)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- the due instant ---


def test_the_last_day_ends_at_midnight_china_time_which_is_1600_utc() -> None:
    due = end_of_china_day(date(2026, 10, 9))
    assert due == utc(2026, 10, 9, 16)
    assert due.utcoffset() == timedelta(0)
    assert due.astimezone(CHINA_TZ) == china(date(2026, 10, 10), hour=0)


def test_a_calendar_day_period_ends_at_2400_of_its_last_day() -> None:
    due = due_after(china(date(2026, 9, 29)), 10, DAYS, OFFICIAL)
    # 2026-10-09 is a Friday after the National Day holiday: holidays inside the period count.
    assert due.last_day == date(2026, 10, 9)
    assert due.due_at == utc(2026, 10, 9, 16)
    assert due.due_at.tzinfo is UTC
    assert not due.provisional


# --- 开始的当日不计入 ---


def test_the_starting_day_is_not_counted() -> None:
    due = due_after(china(date(2026, 9, 14), hour=23, minute=59), 3, DAYS, OFFICIAL)
    assert due.last_day == date(2026, 9, 17)
    assert due.steps[0] == (
        "起算日 2026-09-14 当日不计入，自 2026-09-15 开始计算 / "
        "the starting day 2026-09-14 is not counted; counting begins on 2026-09-15"
    )


def test_the_starting_day_is_the_china_date_of_the_start_instant() -> None:
    # 2026-09-13 17:00 UTC is already 2026-09-14 01:00 in China.
    from_utc = due_after(utc(2026, 9, 13, 17), 3, DAYS, OFFICIAL)
    new_york = timezone(timedelta(hours=-4))
    from_new_york = due_after(datetime(2026, 9, 13, 13, tzinfo=new_york), 3, DAYS, OFFICIAL)
    assert from_utc.last_day == from_new_york.last_day == date(2026, 9, 17)
    # One minute earlier is still 2026-09-13 in China.
    assert due_after(utc(2026, 9, 13, 15, 59), 3, DAYS, OFFICIAL).last_day == date(2026, 9, 16)


# --- 最后一日是法定休假日的，顺延 ---


def test_a_last_day_in_the_national_day_holiday_moves_to_the_first_working_day_after() -> None:
    due = due_after(china(date(2026, 9, 27)), 5, DAYS, OFFICIAL)
    # Nominal last day 2026-10-02; 10-01…10-07 are holidays, 10-08 (Thursday) is worked.
    assert due.last_day == date(2026, 10, 8)
    assert due.due_at == utc(2026, 10, 8, 16)
    assert not due.provisional
    assert (
        "期间最后一日 2026-10-02 为法定节假日，顺延至 2026-10-08 / the last day 2026-10-02 is a "
        "statutory holiday; the period moves to 2026-10-08, the next working day"
    ) in due.steps


def test_a_last_day_on_a_mid_autumn_sunday_moves_past_the_holiday() -> None:
    # 2026-09-25 (Fri) … 09-27 (Sun) is 中秋节; the next working day is Monday 09-28.
    assert due_after(china(date(2026, 9, 20)), 5, DAYS, OFFICIAL).last_day == date(2026, 9, 28)


def test_a_last_day_on_an_ordinary_weekend_moves_to_monday() -> None:
    saturday = due_after(china(date(2026, 10, 12)), 5, DAYS, OFFICIAL)
    sunday = due_after(china(date(2026, 10, 12)), 6, DAYS, OFFICIAL)
    assert saturday.last_day == sunday.last_day == date(2026, 10, 19)
    assert saturday.due_at == utc(2026, 10, 19, 16)
    assert any("2026-10-17 为休息日，顺延至 2026-10-19" in step for step in saturday.steps)


def test_a_last_day_on_an_adjusted_working_weekend_day_does_not_move() -> None:
    saturday = due_after(china(date(2026, 10, 5)), 5, DAYS, OFFICIAL)
    assert saturday.last_day == date(2026, 10, 10)
    assert saturday.due_at == utc(2026, 10, 10, 16)
    assert any("2026-10-10 为调休上班日，不顺延" in step for step in saturday.steps)
    sunday = due_after(china(date(2026, 9, 15)), 5, DAYS, OFFICIAL)
    assert sunday.last_day == date(2026, 9, 20)


def test_a_last_day_in_the_spring_festival_moves_past_it() -> None:
    # 春节 2026: 02-15 (Sun) … 02-23 (Mon); 02-14 and 02-28 (Saturdays) are worked.
    due = due_after(china(date(2026, 2, 10)), 5, DAYS, OFFICIAL)
    assert due.last_day == date(2026, 2, 24)
    assert due_after(china(date(2026, 2, 10)), 4, DAYS, OFFICIAL).last_day == date(2026, 2, 14)
    assert due_after(china(date(2026, 2, 23)), 5, DAYS, OFFICIAL).last_day == date(2026, 2, 28)


def test_a_weekday_given_off_in_lieu_counts_as_a_holiday() -> None:
    # 2025-10-08 (Wednesday) was a day off of the merged National Day / Mid-Autumn block.
    assert due_after(china(date(2025, 10, 3)), 5, DAYS, OFFICIAL).last_day == date(2025, 10, 9)


# --- 工作日 ---


def test_working_days_skip_the_national_day_holiday_and_count_the_adjusted_saturday() -> None:
    due = due_after(china(date(2026, 9, 29)), 5, WORKING, OFFICIAL)
    # 09-30 (1), holiday 10-01…10-07, 10-08 (2), 10-09 (3), Sat 10-10 worked (4), 10-12 (5).
    assert due.last_day == date(2026, 10, 12)
    assert due.due_at == utc(2026, 10, 12, 16)
    assert not due.provisional
    assert working_days_between(date(2026, 9, 29), date(2026, 10, 12), OFFICIAL) == 5
    steps = "\n".join(due.steps)
    assert "跳过法定节假日 2026-10-01至2026-10-07" in steps
    assert "计入调休上班日 2026-10-10" in steps
    assert "跳过休息日 1 天" in steps


def test_working_days_across_the_spring_festival() -> None:
    # 02-13 Fri (1), 02-14 Sat worked (2), holiday 02-15…02-23, 02-24 Tue (3).
    assert due_after(china(date(2026, 2, 12)), 3, WORKING, OFFICIAL).last_day == date(2026, 2, 24)


def test_working_days_skip_an_ordinary_weekend() -> None:
    friday = date(2026, 9, 11)
    assert due_after(china(friday), 1, WORKING, OFFICIAL).last_day == date(2026, 9, 14)
    assert due_after(china(friday), 5, WORKING, OFFICIAL).last_day == date(2026, 9, 18)


def test_working_days_between_counts_the_days_after_start_up_to_and_including_end() -> None:
    assert working_days_between(date(2026, 9, 14), date(2026, 9, 14), OFFICIAL) == 0
    assert working_days_between(date(2026, 9, 14), date(2026, 9, 13), OFFICIAL) == 0
    assert working_days_between(date(2026, 9, 14), date(2026, 9, 15), OFFICIAL) == 1
    # 2026-09-30 … 10-11: 09-30, 10-08, 10-09, 10-10.
    assert working_days_between(date(2026, 9, 29), date(2026, 10, 11), OFFICIAL) == 4
    # 2026 as a whole: 261 weekdays, 19 weekday holidays, 6 adjusted working days.
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31), OFFICIAL) == 248


# --- years without a published arrangement ---


def test_a_clock_running_into_an_unpublished_year_is_provisional_and_counts_weekends_only() -> None:
    due = due_after(china(date(2026, 12, 30)), 3, DAYS, OFFICIAL)
    # Nominal last day 2027-01-02 is a Saturday; without 2027 data 01-01 is an ordinary Friday.
    assert due.last_day == date(2027, 1, 4)
    assert due.provisional
    assert any("2027 年节假日安排尚未公布" in step for step in due.steps)
    assert due_after(china(date(2026, 12, 30)), 2, DAYS, OFFICIAL).last_day == date(2027, 1, 1)


def test_loading_the_year_makes_the_clock_final() -> None:
    # A hypothetical 2027 arrangement, for the test only: 01-01 … 01-04 off, Sunday 01-10 worked.
    with_2027 = OFFICIAL.with_year(
        2027, span(date(2027, 1, 1), date(2027, 1, 4)), [date(2027, 1, 10)], version="test+2027"
    )
    due = due_after(china(date(2026, 12, 30)), 3, DAYS, with_2027)
    assert due.last_day == date(2027, 1, 5)
    assert not due.provisional
    assert "依据节假日安排 test+2027 / holiday calendar test+2027" in due.steps
    working = due_after(china(date(2027, 1, 8)), 1, WORKING, with_2027)
    assert working.last_day == date(2027, 1, 10)
    assert not working.provisional


def test_working_days_that_cross_into_an_unpublished_year_are_provisional() -> None:
    assert due_after(china(date(2026, 12, 30)), 1, WORKING, OFFICIAL).provisional is False
    into_2027 = due_after(china(date(2026, 12, 30)), 2, WORKING, OFFICIAL)
    assert into_2027.last_day == date(2027, 1, 1)
    assert into_2027.provisional


def test_a_covered_last_day_that_moves_into_an_unpublished_year_is_provisional() -> None:
    calendar = HolidayCalendar(
        version="eve", years=(2026,), holidays=(date(2026, 12, 31),), adjusted_workdays=()
    )
    due = due_after(china(date(2026, 12, 30)), 1, DAYS, calendar)
    assert due.last_day == date(2027, 1, 1)
    assert due.provisional


def test_a_calendar_day_period_only_examines_its_last_day() -> None:
    # Counted from an unpublished year into a published one: the days in between do not matter.
    due = due_after(china(date(2024, 12, 20)), 15, DAYS, OFFICIAL)
    assert due.last_day == date(2025, 1, 6)
    assert not due.provisional


def test_years_before_the_published_data_are_provisional_too() -> None:
    due = due_after(china(date(2003, 9, 29)), 5, DAYS, OFFICIAL)
    assert due.last_day == date(2003, 10, 6)  # 2003-10-04 is a Saturday; no 2003 data
    assert due.provisional


# --- hours, zero and invalid lengths ---


def test_an_hour_period_runs_from_the_start_instant_through_holidays() -> None:
    start = china(date(2026, 9, 30), hour=10, minute=30)
    due = due_after(start, 48, HOURS, OFFICIAL)
    assert due.due_at == utc(2026, 10, 2, 2, 30)
    assert due.last_day is None
    assert not due.provisional
    assert not due_after(china(date(2027, 6, 1)), 24, HOURS, OFFICIAL).provisional


def test_a_zero_day_period_ends_at_the_end_of_the_starting_day_even_on_a_holiday() -> None:
    start = china(date(2026, 10, 3), hour=9)
    for unit in (DAYS, WORKING):
        due = due_after(start, 0, unit, OFFICIAL)
        assert due.last_day == date(2026, 10, 3)
        assert due.due_at == utc(2026, 10, 3, 16)
        assert not due.provisional
    assert due_after(start, 0, HOURS, OFFICIAL).due_at == start


def test_a_naive_start_or_negative_length_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_after(datetime(2026, 9, 29, 10), 5, DAYS, OFFICIAL)
    with pytest.raises(ValueError, match="negative"):
        due_after(china(date(2026, 9, 29)), -1, WORKING, OFFICIAL)


def test_a_period_beyond_the_date_range_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="out of range"):
        due_after(china(date(9999, 12, 20)), 30, DAYS, OFFICIAL)
    with pytest.raises(ValueError, match="out of range"):
        due_after(china(date(9999, 12, 20)), 30, WORKING, OFFICIAL)


def test_due_round_trips_through_json() -> None:
    due = due_after(china(date(2026, 9, 27)), 5, DAYS, OFFICIAL)
    dumped = due.model_dump(mode="json")
    assert dumped["due_at"] == "2026-10-08T16:00:00Z"
    assert Due.model_validate(dumped) == due


def test_due_is_kept_in_utc() -> None:
    due = Due(due_at=china(date(2026, 10, 9), hour=0), last_day=None, provisional=False, steps=())
    assert due.due_at == utc(2026, 10, 8, 16)
    assert due.due_at.utcoffset() == timedelta(0)


# --- the calendar model ---


def test_the_calendar_classifies_days() -> None:
    assert OFFICIAL.covers(2026)
    assert not OFFICIAL.covers(2027)
    assert OFFICIAL.is_rest_day(date(2026, 10, 1))  # holiday on a weekday
    assert OFFICIAL.is_rest_day(date(2026, 10, 3))  # holiday on a Saturday
    assert OFFICIAL.is_working_day(date(2026, 10, 10))  # 调休上班日
    assert OFFICIAL.is_rest_day(date(2026, 10, 17))  # ordinary Saturday
    assert OFFICIAL.is_working_day(date(2026, 10, 8))
    assert OFFICIAL.is_working_day(date(2027, 1, 1))  # unpublished: only weekends rest
    assert OFFICIAL.is_rest_day(date(2027, 1, 2))


def test_the_calendar_sorts_and_deduplicates_its_days() -> None:
    calendar = HolidayCalendar(
        version="v",
        years=(2026, 2025, 2026),
        holidays=(date(2026, 10, 2), date(2025, 1, 1), date(2026, 10, 2)),
        adjusted_workdays=(date(2026, 10, 10), date(2026, 9, 20)),
    )
    assert calendar.years == (2025, 2026)
    assert calendar.holidays == (date(2025, 1, 1), date(2026, 10, 2))
    assert calendar.adjusted_workdays == (date(2026, 9, 20), date(2026, 10, 10))


@pytest.mark.parametrize(
    ("holidays", "adjusted", "message"),
    [
        ((date(2027, 1, 1),), (), "outside the covered years"),
        ((), (date(2026, 10, 9),), "must fall on a weekend"),
        ((date(2026, 10, 10),), (date(2026, 10, 10),), "both holiday and adjusted"),
    ],
)
def test_an_inconsistent_calendar_is_refused(
    holidays: tuple[date, ...], adjusted: tuple[date, ...], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        HolidayCalendar(version="v", years=(2026,), holidays=holidays, adjusted_workdays=adjusted)


def test_the_calendar_is_frozen_and_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        OFFICIAL.version = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        HolidayCalendar.model_validate({**OFFICIAL.model_dump(), "note": "x"})


def test_the_calendar_round_trips_through_json() -> None:
    restored = HolidayCalendar.model_validate_json(OFFICIAL.model_dump_json())
    assert restored == OFFICIAL
    assert restored.is_rest_day(date(2026, 10, 5))
    assert restored.is_working_day(date(2026, 9, 20))
    dumped = OFFICIAL.model_dump(mode="json")
    assert dumped["adjusted_workdays"][0] == "2025-01-26"
    assert HolidayCalendar.model_validate(dumped) == OFFICIAL


def test_with_year_replaces_a_year_whole_and_leaves_the_original_alone() -> None:
    corrected = OFFICIAL.with_year(2026, [date(2026, 10, 1)], [], version="corrected")
    assert corrected.version == "corrected"
    assert corrected.years == (2025, 2026)
    assert corrected.is_working_day(date(2026, 10, 2))
    assert corrected.is_rest_day(date(2026, 10, 10))  # no longer an adjusted working day
    assert corrected.is_rest_day(date(2025, 10, 8))  # other years untouched
    assert OFFICIAL.is_rest_day(date(2026, 10, 2))
    with pytest.raises(ValueError, match="outside 2027"):
        OFFICIAL.with_year(2027, [date(2026, 12, 31)], [], version="bad")


def test_a_copy_with_updated_days_does_not_use_the_stale_index() -> None:
    copy = OFFICIAL.model_copy(update={"holidays": (date(2026, 10, 9),)})
    assert copy.is_rest_day(date(2026, 10, 9))
    assert copy.is_working_day(date(2026, 10, 2))


# --- properties ---

YEARS = (2025, 2026, 2027)


@st.composite
def calendars(draw: st.DrawFn) -> HolidayCalendar:
    """The official calendar, or a random one with holiday blocks and worked weekend days."""
    if draw(st.booleans()):
        return OFFICIAL
    years = draw(st.frozensets(st.sampled_from(YEARS)))
    blocks = draw(
        st.lists(
            st.tuples(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(1, 12)),
            max_size=12,
        )
    )
    days = {start + timedelta(days=n) for start, length in blocks for n in range(length)}
    days = {day for day in days if day.year in years}
    worked = {day for day in sorted(days) if is_weekend(day) and draw(st.booleans())}
    return HolidayCalendar(
        version="random",
        years=tuple(years),
        holidays=tuple(days - worked),
        adjusted_workdays=tuple(worked),
    )


offsets = st.integers(-12 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
starts = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(datetime(2024, 10, 1), datetime(2027, 6, 30)),
    offsets,
)
lengths = st.integers(1, 400)


@settings(max_examples=300, deadline=None)
@given(starts, lengths, calendars())
def test_a_calendar_day_period_ends_on_the_first_working_day_from_its_nominal_end(
    start: datetime, length: int, calendar: HolidayCalendar
) -> None:
    due = due_after(start, length, DAYS, calendar)
    nominal = china_date(start) + timedelta(days=length)
    assert due.last_day is not None
    assert due.due_at > start
    assert due.due_at == end_of_china_day(due.last_day)
    assert due.last_day >= nominal
    assert calendar.is_working_day(due.last_day)
    skipped = [nominal + timedelta(days=n) for n in range((due.last_day - nominal).days)]
    assert all(calendar.is_rest_day(day) for day in skipped)
    if not calendar.covers(due.last_day.year):
        assert due.provisional
    if all(calendar.covers(year) for year in range(nominal.year, due.last_day.year + 1)):
        assert not due.provisional


@settings(max_examples=300, deadline=None)
@given(starts, lengths, calendars())
def test_a_working_day_period_ends_on_its_nth_working_day(
    start: datetime, length: int, calendar: HolidayCalendar
) -> None:
    due = due_after(start, length, WORKING, calendar)
    start_day = china_date(start)
    assert due.last_day is not None
    assert due.due_at > start
    assert due.due_at == end_of_china_day(due.last_day)
    assert calendar.is_working_day(due.last_day)
    assert working_days_between(start_day, due.last_day, calendar) == length
    # The starting day is not counted (民法典 Art.201): only the years of counted days matter.
    first_counted = start_day + timedelta(days=1)
    counted_years = range(first_counted.year, due.last_day.year + 1)
    covered = all(calendar.covers(y) for y in counted_years)
    assert due.provisional is not covered


# The 2026.1 units: months are counted by domain.deadlines.reckoning only
# (tests/domain/test_counting*.py).
LEGACY_UNITS = (DAYS, WORKING, HOURS)


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(0, 300), st.integers(0, 300), st.sampled_from(LEGACY_UNITS), calendars())
def test_a_longer_period_never_ends_earlier(
    start: datetime, a: int, b: int, unit: PeriodUnit, calendar: HolidayCalendar
) -> None:
    shorter, longer = sorted((a, b))
    assert (
        due_after(start, shorter, unit, calendar).due_at
        <= due_after(start, longer, unit, calendar).due_at
    )
    if unit is HOURS:
        assert due_after(start, longer, unit, calendar).due_at == start + timedelta(hours=longer)


@settings(max_examples=200, deadline=None)
@given(
    st.dates(date(2024, 6, 1), date(2028, 6, 30)),
    st.dates(date(2024, 6, 1), date(2028, 6, 30)),
    calendars(),
)
def test_working_days_between_agrees_with_counting_day_by_day(
    first: date, last: date, calendar: HolidayCalendar
) -> None:
    expected = sum(
        calendar.is_working_day(first + timedelta(days=n))
        for n in range(1, (last - first).days + 1)
    )
    assert working_days_between(first, last, calendar) == expected


@settings(max_examples=100, deadline=None)
@given(calendars())
def test_a_calendar_survives_a_json_round_trip(calendar: HolidayCalendar) -> None:
    restored = HolidayCalendar.model_validate(calendar.model_dump(mode="json"))
    assert restored == calendar
    for day in span(date(2025, 1, 1), date(2027, 12, 31)):
        assert restored.is_working_day(day) is calendar.is_working_day(day)
