"""Pushing newly published holiday data (节假日安排) to open cases with provisional clocks.

The activity of ``CalendarPushWorkflow``: one page of open cases at a time, in case-number order,
each case answering an update with bounded concurrency; a case that does not answer is logged and
left for the next push.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
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
from workflows.screening_contract import (
    PUSH_CALENDAR_PAGE_ACTIVITY,
    CalendarPage,
    CalendarPageResult,
)

_ENDED = ("closed", "withdrawn")
# A case answers an update in milliseconds; one that does not within this (its worker away, its
# task queue unpolled) is left for the next push rather than holding up every other case.
ANSWER_SECONDS = 10.0
AT_ONCE = 8

log = structlog.get_logger(__name__)


class CalendarPusher:
    """The push activity, with the client that reaches the cases and the holiday data loaded
    when the worker started."""

    def __init__(
        self,
        client: Client,
        sessionmaker: async_sessionmaker[AsyncSession],
        calendar: HolidayCalendar,
        *,
        answer_seconds: float = ANSWER_SECONDS,
    ) -> None:
        self._client = client
        self._sessionmaker = sessionmaker
        self._calendar = calendar
        self._answer_seconds = answer_seconds

    @activity.defn(name=PUSH_CALENDAR_PAGE_ACTIVITY)
    async def push_calendar_page(self, page: CalendarPage) -> CalendarPageResult:
        async with self._sessionmaker() as session:
            rows = (
                await session.execute(
                    select(CaseRow.case_id, CaseRow.state)
                    .where(CaseRow.stage.not_in(_ENDED), CaseRow.case_id > page.after)
                    .order_by(CaseRow.case_id)
                    .limit(page.limit)
                )
            ).all()
        if not rows:
            return CalendarPageResult(pushed=(), unanswered=0, last=None)
        states = [CaseState.model_validate(state) for _, state in rows]
        pushed = await push_to_cases(
            self._client, states, self._calendar, answer_seconds=self._answer_seconds
        )
        wanted = sum(1 for state in states if _provisional(state))
        return CalendarPageResult(
            pushed=tuple(pushed), unanswered=wanted - len(pushed), last=rows[-1][0]
        )


def _provisional(state: CaseState) -> bool:
    return any(c.is_open and c.schedule.due.provisional for c in state.clocks)


async def push_calendar(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    calendar: HolidayCalendar,
    *,
    answer_seconds: float = ANSWER_SECONDS,
) -> list[str]:
    """Every page at once, in this process (what one run of the workflow does; for tests)."""
    pusher = CalendarPusher(client, sessionmaker, calendar, answer_seconds=answer_seconds)
    after, pushed = "", list[str]()
    while True:
        page = await pusher.push_calendar_page(CalendarPage(after=after))
        pushed += page.pushed
        if page.last is None:
            return pushed
        after = page.last


async def push_to_cases(
    client: Client,
    states: list[CaseState],
    calendar: HolidayCalendar,
    *,
    answer_seconds: float = ANSWER_SECONDS,
) -> list[str]:
    """Hand ``calendar`` to every case of ``states`` holding a provisional clock; returns their
    ids. Each case recomputes its provisional due times and records ClocksRescheduled; a case whose
    clocks are all final is left alone, so pushing twice changes nothing the second time. A
    case that does not answer within ``answer_seconds`` is left out (and logged) for the next push.
    """
    wanted = [state for state in states if _provisional(state)]
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
            finally:
                if activity.in_activity():
                    activity.heartbeat()  # the page is alive, however long its cases take
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
