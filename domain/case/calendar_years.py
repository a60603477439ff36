"""The years of holiday data (节假日安排) a case keeps: those of its facts, not only of intake.

A case snapshots the holiday calendar when it is registered (``PolicySnapshotted``). A period
counts from its legal fact's date, however late the office records it (补录), so a case
registered in January 2027 for an application received in September 2026 counts its first
periods through 国庆 2026: its calendar must hold the 2026 notice (its 调休 working days and
holiday blocks), or the count treats 2026 as an unpublished year.

* at intake the workflow asks for the years from the earliest stated fact on
  (``intake_years``);
* a later command that states a date in a year the case's calendar does not hold
  (``years_lacking``) makes the workflow fetch that year's data first and record it
  (``extend_calendar``: ``ClocksRescheduled`` with ``years_added``), before the command itself.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.case import commands as c
from domain.case import events as e
from domain.case.decide import reschedule_provisional
from domain.case.state import CaseState
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.lunar_table import FIRST_YEAR, LAST_YEAR


def stated_years(command: c.Command) -> tuple[int, ...]:
    """The years of the dates ``command`` states (its legal dates and deadlines), sorted.

    Only the command's own date fields count: dates inside its details (an agreement item's
    due day) are not facts a period starts from. Years the statutory holiday data cannot
    compute are left out (the count treats them as weekends-only years)."""
    years = {
        value.year
        for name in type(command).model_fields
        if isinstance(value := getattr(command, name), date) and not isinstance(value, datetime)
    }
    return tuple(sorted(y for y in years if FIRST_YEAR <= y <= LAST_YEAR))


def intake_years(command: c.Register, registered_year: int) -> tuple[int, ...]:
    """The years before the year of registration that a new case's calendar must also hold:
    from the year its application was received (empty when received the same year)."""
    received = command.received_on
    if received is None or received.year >= registered_year:
        return ()
    return tuple(range(max(received.year, FIRST_YEAR), registered_year))


def years_lacking(state: CaseState | None, command: c.Command) -> tuple[int, ...]:
    """Years a date of ``command`` falls in that the case's calendar holds no data for."""
    if state is None or state.policy is None:
        return ()
    calendar = state.policy.calendar
    return tuple(y for y in stated_years(command) if not calendar.holds_year(y))


def extend_calendar(
    state: CaseState, fetched: HolidayCalendar, years: tuple[int, ...], *, now: datetime
) -> list[e.Event]:
    """Add ``years`` from ``fetched`` (the data in force now) to the case's calendar, recorded as
    one ``ClocksRescheduled`` (its provisional clocks counted again with the added years)."""
    if state.policy is None:
        return []
    held = state.policy.calendar
    extended = held.with_years_of(fetched, years)
    added = tuple(y for y in years if extended.holds_year(y) and not held.holds_year(y))
    if not added:
        return []
    return reschedule_provisional(state, extended, now=now, years_added=added)
