"""The local activity that hands a new case the policy in force (rules, chain, calendar)."""

from __future__ import annotations

from collections.abc import Iterable

from temporalio import activity

from activities.policy.book import PolicyBook
from domain.case.policy import CasePolicy, case_policy
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.statutory import with_statutory_years
from workflows.contract import POLICY_ACTIVITY, PolicyRequest

# A case snapshots the holiday data of the years its clocks can reach; later years are
# provisional until their notice is loaded (recorded as ClocksRescheduled).
YEARS_SNAPSHOTTED = 3


def calendar_slice(
    calendar: HolidayCalendar, first_year: int, years: int, *, also: Iterable[int] = ()
) -> HolidayCalendar:
    """The ``years`` years from ``first_year`` a case keeps, and the years ``also`` (those of its
    facts outside them): the published arrangements, and for each year without one its
    statutory holidays (read by 2026.2 counting only)."""
    wanted = set(range(first_year, first_year + years)) | set(also)
    published = HolidayCalendar(
        version=calendar.version,
        years=tuple(y for y in calendar.years if y in wanted),
        holidays=tuple(d for d in calendar.holidays if d.year in wanted),
        adjusted_workdays=tuple(d for d in calendar.adjusted_workdays if d.year in wanted),
        provisional=tuple(p for p in calendar.provisional if p.year in wanted),
    )
    return with_statutory_years(published, sorted(wanted))


class PolicyProvider:
    def __init__(self, book: PolicyBook, calendar: HolidayCalendar) -> None:
        self._book = book
        self._calendar = calendar

    @activity.defn(name=POLICY_ACTIVITY)
    async def load_case_policy(self, request: PolicyRequest) -> CasePolicy:
        return case_policy(
            self._book.for_jurisdiction(request.jurisdiction_code),
            calendar_slice(self._calendar, request.year, YEARS_SNAPSHOTTED, also=request.years),
            kind=request.kind,
            category=request.category,
            channel=request.channel,
            risk=request.risk_level,
        )
