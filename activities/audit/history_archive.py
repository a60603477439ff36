"""历史归档: every closed case run's Temporal history kept for good (replayed by ``audit.replay``).

Temporal deletes a closed run's history once the namespace retention period is over; the audit
trail must outlive that. Every worker sweeps now and then: closed ``CaseWorkflow`` runs that are
not yet in ``history_archives`` are fetched and stored verbatim. The insert does nothing on a
run already stored, so workers sweeping at the same time store each run once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import structlog
from pydantic import AwareDatetime
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecution
from temporalio.service import RPCError, RPCStatusCode

from activities.store.sql import insert_for, utc
from activities.store.tables import HistoryArchiveRow
from domain.base import Frozen
from workflows.contract import WORKFLOW_TYPE

log = structlog.get_logger("fengqiao.history_archive")

CLOSED_CASE_RUNS = f"WorkflowType = '{WORKFLOW_TYPE}' AND ExecutionStatus != 'Running'"
# How many runs one sweep archives at most; the rest wait for the next sweep.
SWEEP_LIMIT = 200
PAGE_SIZE = 100
# An incremental sweep looks back this far before the previous complete sweep began, for
# visibility records that arrive late and for clock skew between the worker and Temporal.
VISIBILITY_LAG = timedelta(minutes=15)
# Every so often a sweep looks at every closed run Temporal still holds, not only recent ones.
FULL_SWEEP_EVERY = timedelta(hours=1)

_CLOSING_EVENTS: dict[int, str] = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "completed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continued_as_new",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "failed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "terminated",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "canceled",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: "timed_out",
}
# Failures that say Temporal itself is away: the whole sweep stops and waits for the next one.
_TEMPORAL_AWAY = frozenset(
    {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED}
)


class ArchivedRun(Frozen):
    """One run stored by a sweep."""

    workflow_id: str
    run_id: str
    status: str
    closed_at: AwareDatetime
    event_count: int


# -- the archive table ------------------------------------------------------------------------


async def stored_run_ids(run_ids: Sequence[str], *, session: AsyncSession) -> set[str]:
    if not run_ids:
        return set()
    rows = await session.scalars(
        select(HistoryArchiveRow.run_id).where(HistoryArchiveRow.run_id.in_(run_ids))
    )
    return set(rows)


async def store_history(run: ArchivedRun, history_json: str, *, session: AsyncSession) -> bool:
    """Store one run's history unless it is stored already; True when this call stored it."""
    statement = (
        insert_for(session, HistoryArchiveRow)
        .values(
            workflow_id=run.workflow_id,
            run_id=run.run_id,
            status=run.status,
            closed_at=run.closed_at,
            event_count=run.event_count,
            history=history_json,
        )
        .on_conflict_do_nothing(index_elements=["workflow_id", "run_id"])
        .returning(HistoryArchiveRow.run_id)
    )
    result = await session.execute(statement)
    return result.first() is not None


async def case_archives(case_id: str, *, session: AsyncSession) -> list[HistoryArchiveRow]:
    rows = await session.scalars(
        select(HistoryArchiveRow)
        .where(HistoryArchiveRow.workflow_id == case_id)
        .order_by(HistoryArchiveRow.closed_at, HistoryArchiveRow.run_id)
    )
    return list(rows)


# -- archiving --------------------------------------------------------------------------------


async def archive_closed(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    limit: int = SWEEP_LIMIT,
    closed_after: datetime | None = None,
) -> list[ArchivedRun]:
    """Archive closed case runs not archived yet (at most ``limit``); returns those stored now.

    ``closed_after`` narrows the sweep to runs closed since then (None: every closed run
    Temporal still holds). Safe to run in several processes at once.
    """
    query = CLOSED_CASE_RUNS
    if closed_after is not None:
        since = closed_after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        query += f" AND CloseTime >= '{since}'"
    stored: list[ArchivedRun] = []
    page: list[WorkflowExecution] = []
    async for execution in client.list_workflows(query, page_size=PAGE_SIZE):
        page.append(execution)
        if len(page) == PAGE_SIZE:
            stored += await _archive_page(client, sessionmaker, page, limit - len(stored))
            page = []
            if len(stored) >= limit:
                return stored
    stored += await _archive_page(client, sessionmaker, page, limit - len(stored))
    return stored


async def _archive_page(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    executions: list[WorkflowExecution],
    room: int,
) -> list[ArchivedRun]:
    if not executions or room <= 0:
        return []
    async with sessionmaker() as session:
        known = await stored_run_ids([ex.run_id for ex in executions], session=session)
    stored: list[ArchivedRun] = []
    for execution in executions:
        if execution.run_id in known or len(stored) >= room:
            continue
        try:
            archived = await _archive_run(client, sessionmaker, execution)
        except RPCError as error:
            if error.status in _TEMPORAL_AWAY:
                raise
            # This run only (e.g. a history too large for one response): the others go on,
            # and the run is tried again by the next full sweep.
            log.error(
                "history_not_archived",
                workflow_id=execution.id,
                run_id=execution.run_id,
                error=f"{error.status!r}: {error}",
            )
            continue
        if archived is not None:
            stored.append(archived)
    return stored


async def _archive_run(
    client: Client, sessionmaker: async_sessionmaker[AsyncSession], execution: WorkflowExecution
) -> ArchivedRun | None:
    handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
    try:
        history = await handle.fetch_history()
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        # Deleted between the listing and the fetch: nothing left to keep.
        log.error(
            "history_gone_before_archiving",
            workflow_id=execution.id,
            run_id=execution.run_id,
            error=str(error),
        )
        return None
    last = history.events[-1] if history.events else None
    status = _CLOSING_EVENTS.get(last.event_type) if last is not None else None
    if last is None or status is None:
        # Visibility said closed but the history does not end in a close: try next sweep.
        log.warning("history_not_closed_yet", workflow_id=execution.id, run_id=execution.run_id)
        return None
    run = ArchivedRun(
        workflow_id=execution.id,
        run_id=execution.run_id,
        status=status,
        closed_at=utc(last.event_time.ToDatetime(tzinfo=UTC)),
        event_count=len(history.events),
    )
    async with sessionmaker() as session, session.begin():
        inserted = await store_history(run, history.to_json(), session=session)
    if not inserted:  # another worker stored it meanwhile
        return None
    log.info(
        "history_archived",
        case_id=run.workflow_id,
        workflow_id=run.workflow_id,
        run_id=run.run_id,
        status=run.status,
        events=run.event_count,
    )
    return run


async def archive_periodically(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    interval_seconds: float,
    limit: int = SWEEP_LIMIT,
) -> None:
    """Sweep every ``interval_seconds`` (±20 %) until cancelled; a failed sweep (store or
    Temporal away) is logged and the next one tries again.

    After a sweep that stored fewer than ``limit`` runs, every run closed before it began is
    archived, so the next sweep only asks for runs closed since then (less ``VISIBILITY_LAG``);
    a full sweep still runs every ``FULL_SWEEP_EVERY``.
    """
    covered_until: datetime | None = None
    last_full_sweep = 0.0
    while True:
        began = datetime.now(UTC)
        full = covered_until is None or time.monotonic() - last_full_sweep >= (
            FULL_SWEEP_EVERY.total_seconds()
        )
        since = None if full or covered_until is None else covered_until - VISIBILITY_LAG
        try:
            stored = await archive_closed(client, sessionmaker, limit=limit, closed_after=since)
        except Exception as error:  # any failure waits for the next sweep
            log.warning("history_sweep_failed", error=f"{type(error).__name__}: {error}")
        else:
            if len(stored) < limit:
                covered_until = began
                if full:
                    last_full_sweep = time.monotonic()
            if stored:
                log.info("history_sweep_done", archived=len(stored), full=full)
        await asyncio.sleep(interval_seconds * random.uniform(0.8, 1.2))
