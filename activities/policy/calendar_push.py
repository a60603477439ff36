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
        year = china_date(state.registered.at).year
        window = calendar_slice(calendar, year, YEARS_SNAPSHOTTED)
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
