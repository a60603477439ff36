"""Pushing newly published holiday data (节假日安排) to open cases with provisional clocks."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
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
# A case answers an update in milliseconds; one that does not within this (its worker away, its
# task queue unpolled) is left for the next push rather than holding up every other case.
ANSWER_SECONDS = 10.0
AT_ONCE = 8

log = structlog.get_logger(__name__)


async def push_calendar(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    calendar: HolidayCalendar,
    *,
    answer_seconds: float = ANSWER_SECONDS,
) -> list[str]:
    """Hand ``calendar`` to every open case holding a provisional clock; returns their ids.

    Each case recomputes its provisional due times and records ClocksRescheduled; a case whose
    clocks are all final is left alone, so pushing twice changes nothing the second time. A
    case that does not answer within ``answer_seconds`` is left out (and logged) for the next push.
    """
    async with sessionmaker() as session:
        documents = await session.scalars(select(CaseRow.state).where(CaseRow.stage.not_in(_ENDED)))
        states = [CaseState.model_validate(document) for document in documents]
    wanted = [
        state
        for state in states
        if any(c.is_open and c.schedule.due.provisional for c in state.clocks)
    ]
    gate = asyncio.Semaphore(AT_ONCE)

    async def push(state: CaseState) -> str | None:
        window = calendar_slice(
            calendar, china_date(state.registered.at).year, YEARS_SNAPSHOTTED, also=_years(state)
        )
        handle = client.get_workflow_handle(state.case_id)
        async with gate:
            try:
                # The answer (the case's seq, or the case from a run before lean-answer-v1) is
                # unused.
                await asyncio.wait_for(
                    handle.execute_update(CALENDAR_UPDATE, window, result_type=RawValue),
                    timeout=answer_seconds,
                )
            except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
                log.warning("calendar_push_unanswered", case_id=state.case_id)
                return None
            except WorkflowUpdateFailedError:
                # The case refused the data (its own check); it keeps what it had.
                log.warning("calendar_push_refused", case_id=state.case_id)
                return None
            except RPCError as error:
                if error.status != RPCStatusCode.NOT_FOUND:
                    log.warning("calendar_push_failed", case_id=state.case_id, status=error.status)
                return None  # the case ended meanwhile, or is left for the next push
        return state.case_id

    answered = await asyncio.gather(*(push(state) for state in wanted))
    return [case_id for case_id in answered if case_id is not None]


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
