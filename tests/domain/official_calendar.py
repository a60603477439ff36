"""The official 2025 and 2026 holiday arrangements, transcribed from the State Council notices.

``tests/activities/test_calendar_data.py`` and ``tests/domain/test_statutory.py`` check them
against the ``chinesecalendar`` package. 2027 has no notice yet (``chinesecalendar`` 1.11.0, the
newest release, ends with 2026), so a count that reaches 2027 with ``OFFICIAL`` is provisional.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.deadlines.calendar import HolidayCalendar


def span(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


HOLIDAYS_2025 = (
    date(2025, 1, 1),
    *span(date(2025, 1, 28), date(2025, 2, 4)),  # 春节
    *span(date(2025, 4, 4), date(2025, 4, 6)),  # 清明节
    *span(date(2025, 5, 1), date(2025, 5, 5)),  # 劳动节
    *span(date(2025, 5, 31), date(2025, 6, 2)),  # 端午节
    *span(date(2025, 10, 1), date(2025, 10, 8)),  # 国庆节、中秋节
)
ADJUSTED_2025 = (
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
)
HOLIDAYS_2026 = (
    *span(date(2026, 1, 1), date(2026, 1, 3)),  # 元旦
    *span(date(2026, 2, 15), date(2026, 2, 23)),  # 春节
    *span(date(2026, 4, 4), date(2026, 4, 6)),  # 清明节
    *span(date(2026, 5, 1), date(2026, 5, 5)),  # 劳动节
    *span(date(2026, 6, 19), date(2026, 6, 21)),  # 端午节
    *span(date(2026, 9, 25), date(2026, 9, 27)),  # 中秋节
    *span(date(2026, 10, 1), date(2026, 10, 7)),  # 国庆节
)
ADJUSTED_2026 = (
    date(2026, 1, 4),  # Sunday
    date(2026, 2, 14),  # Saturday
    date(2026, 2, 28),  # Saturday
    date(2026, 5, 9),  # Saturday
    date(2026, 9, 20),  # Sunday
    date(2026, 10, 10),  # Saturday
)

OFFICIAL = HolidayCalendar(
    version="test-2025-2026",
    years=(2025, 2026),
    holidays=HOLIDAYS_2025 + HOLIDAYS_2026,
    adjusted_workdays=ADJUSTED_2025 + ADJUSTED_2026,
)
