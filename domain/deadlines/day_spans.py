"""Runs of days: the days between two dates, grouped into spans and written out (for the why)."""

from __future__ import annotations

from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def days_between(after: date, last: date) -> list[date]:
    """The days ``d`` with ``after < d <= last``."""
    return [after + timedelta(days=n) for n in range(1, (last - after).days + 1)]


def day_spans(days: list[date]) -> list[tuple[date, date]]:
    spans: list[tuple[date, date]] = []
    for day in days:
        if spans and spans[-1][1] + ONE_DAY == day:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def span_text(first: date, last: date, joiner: str) -> str:
    return str(first) if first == last else f"{first}{joiner}{last}"
