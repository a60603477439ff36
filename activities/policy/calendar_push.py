"""Pushing newly published holiday data (节假日安排) to open cases with provisional clocks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import RawValue
from temporalio.service import RPCError, RPCStatusCode

from activities.store.tables import CaseRow
from activities.tasks.policy import YEARS_SNAPSHOTTED, calendar_slice
from domain.case.state import CaseState
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.lunar_table import LAST_YEAR
from domain.values import china_date
from workflows.contract import CALENDAR_UPDATE

_ENDED = ("closed", "withdrawn")


async def push_calendar(
    client: Client, sessionmaker: async_sessionmaker[AsyncSession], calendar: HolidayCalendar
) -> list[str]:
    """Hand ``calendar`` to every open case holding a provisional clock; returns their ids.

    Each case recomputes its provisional due times and records ClocksRescheduled; a case whose
    clocks are all final is left alone, so pushing twice changes nothing the second time.
    """
    async with sessionmaker() as session:
        documents = await session.scalars(select(CaseRow.state).where(CaseRow.stage.not_in(_ENDED)))
        states = [CaseState.model_validate(document) for document in documents]
    pushed: list[str] = []
    for state in states:
        if not any(c.is_open and c.schedule.due.provisional for c in state.clocks):
            continue
        window = calendar_slice(
            calendar, china_date(state.registered.at).year, YEARS_SNAPSHOTTED, also=_years(state)
        )
        try:
            # The answer (the case's seq, or the case from a run before lean-answer-v1) is unused.
            await client.get_workflow_handle(state.case_id).execute_update(
                CALENDAR_UPDATE, window, result_type=RawValue
            )
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            continue  # the case ended meanwhile
        pushed.append(state.case_id)
    return pushed


def _years(state: CaseState) -> list[int]:
    """Besides the years of intake and after: every year the case's calendar holds (those of
    facts before its registration, or added later: a push never drops a year), and every year
    up to the last day of a provisional clock (a long period runs into a year published now)."""
    held = list(state.policy.calendar.held_years()) if state.policy is not None else []
    ends = [
        clock.schedule.due.last_day.year
        for clock in state.clocks
        if clock.is_open and clock.schedule.due.provisional and clock.schedule.due.last_day
    ]
    first = china_date(state.registered.at).year
    reach = range(first, min(max(ends, default=first), LAST_YEAR) + 1)
    return sorted({*held, *reach})
