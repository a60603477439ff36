"""历史归档与重放: every closed case run's Temporal history kept for good, and replayed on demand.

Temporal deletes a closed run's history once the namespace retention period is over; the audit
trail must outlive that. Every worker sweeps now and then: closed ``CaseWorkflow`` runs that are
not yet in ``history_archives`` are fetched and stored verbatim. The insert does nothing on a
run already stored, so workers sweeping at the same time store each run once.

``fengqiao audit replay CASE`` replays every archived run of a case, and any run Temporal still
holds that is not archived yet (the open one), with today's workflow code: proof that the code
now deployed takes the decisions the case's history records.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Literal

import structlog
from pydantic import AwareDatetime
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecution, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Replayer

from activities.settings import Settings
from activities.sql import insert_for, utc
from activities.tables import HistoryArchiveRow
from domain.base import Frozen
from workflows.case_workflow import CaseWorkflow
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
# A replay that runs longer than this is reported as failed rather than waited for.
REPLAY_TIMEOUT_SECONDS = 120.0
CONNECT_TIMEOUT_SECONDS = 10.0

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
# Case numbers such as JF-2026-000001; anything else never reaches a visibility query.
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ArchivedRun(Frozen):
    """One run stored by a sweep."""

    workflow_id: str
    run_id: str
    status: str
    closed_at: AwareDatetime
    event_count: int


class RunReplay(Frozen):
    """How one run of a case replayed; ``skipped`` runs hold no workflow decision to check."""

    run_id: str
    source: Literal["archive", "live"]
    events: int
    ok: bool
    skipped: bool = False
    error: str | None = None


class ReplayReport(Frozen):
    case_id: str
    ok: bool
    runs: tuple[RunReplay, ...] = ()
    error: str | None = None  # why nothing could be replayed (unknown case, bad case id)
    notes: tuple[str, ...] = ()  # e.g. Temporal unreachable: the archive alone was replayed


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


# -- replaying --------------------------------------------------------------------------------


def has_completed_workflow_task(history: WorkflowHistory) -> bool:
    """A history without one holds no decision of the workflow code (and stalls the Replayer)."""
    return any(
        event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for event in history.events
    )


async def replay_history(
    history: WorkflowHistory,
    *,
    workflows: Sequence[type] = (CaseWorkflow,),
    timeout: float = REPLAY_TIMEOUT_SECONDS,
) -> str | None:
    """Replay one history with ``workflows``; None when it replays deterministically, else why.

    The Replayer runs on a thread of its own with its own event loop: a replay that stalls
    inside the SDK core does not answer cancellation, so ``asyncio.timeout`` around it in this
    loop would hang too. A stalled thread is abandoned (daemon) and reported as a failure.
    """
    outcome: Future[str | None] = Future()

    async def _replay() -> str | None:
        replayer = Replayer(workflows=list(workflows), data_converter=pydantic_data_converter)
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        failure = result.replay_failure
        return None if failure is None else f"{type(failure).__name__}: {failure}"

    def _run() -> None:
        try:
            outcome.set_result(asyncio.run(_replay()))
        except BaseException as error:  # handed to the waiting loop, never lost on the thread
            outcome.set_exception(error)

    threading.Thread(target=_run, name=f"replay-{history.workflow_id}", daemon=True).start()
    try:
        return await asyncio.wait_for(asyncio.wrap_future(outcome), timeout)
    except TimeoutError:
        return f"重放超时（{timeout:g} 秒）/ replay did not finish within {timeout:g}s"
    except Exception as error:
        return f"{type(error).__name__}: {error}"


async def replay_case(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: Client | None,
    case_id: str,
    *,
    workflows: Sequence[type] = (CaseWorkflow,),
    timeout: float = REPLAY_TIMEOUT_SECONDS,
) -> ReplayReport:
    """Replay every archived run of the case, and (with a client) every run Temporal still
    holds that is not archived, oldest first."""
    if not _CASE_ID.fullmatch(case_id):
        return ReplayReport(
            case_id=case_id,
            ok=False,
            error=f"不是有效的案件编号 / not a valid case id: {case_id!r}",
        )
    async with sessionmaker() as session:
        rows = await case_archives(case_id, session=session)
    found: list[tuple[str, Literal["archive", "live"], WorkflowHistory]] = [
        (row.run_id, "archive", WorkflowHistory.from_json(case_id, row.history)) for row in rows
    ]
    notes: list[str] = []
    if client is not None:
        try:
            live = await _live_histories(client, case_id, {row.run_id for row in rows})
        except RPCError as error:
            notes.append(
                f"Temporal 查询失败，仅重放归档 / Temporal lookup failed, archive only: {error}"
            )
        else:
            found += [(run_id, "live", history) for run_id, history in live]
    if not found:
        where = "归档或 Temporal / the archive or Temporal" if client else "归档 / the archive"
        return ReplayReport(
            case_id=case_id,
            ok=False,
            error=f"未找到案件 {case_id} 的历史（查找范围：{where}）/ no history of case {case_id}",
            notes=tuple(notes),
        )
    found.sort(key=lambda item: _started_at(item[2]))
    runs = [
        await _replay_run(run_id, source, history, workflows, timeout)
        for run_id, source, history in found
    ]
    return ReplayReport(
        case_id=case_id, ok=all(run.ok for run in runs), runs=tuple(runs), notes=tuple(notes)
    )


async def _live_histories(
    client: Client, case_id: str, archived: set[str]
) -> list[tuple[str, WorkflowHistory]]:
    query = f"WorkflowType = '{WORKFLOW_TYPE}' AND WorkflowId = '{case_id}'"
    histories: list[tuple[str, WorkflowHistory]] = []
    async for execution in client.list_workflows(query):
        if execution.run_id in archived:
            continue
        handle = client.get_workflow_handle(case_id, run_id=execution.run_id)
        try:
            histories.append((execution.run_id, await handle.fetch_history()))
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:  # deleted: its listing is stale
                raise
    return histories


def _started_at(history: WorkflowHistory) -> datetime:
    if not history.events:
        return datetime.max.replace(tzinfo=UTC)
    return history.events[0].event_time.ToDatetime(tzinfo=UTC)


async def _replay_run(
    run_id: str,
    source: Literal["archive", "live"],
    history: WorkflowHistory,
    workflows: Sequence[type],
    timeout: float,
) -> RunReplay:
    events = len(history.events)
    if not has_completed_workflow_task(history):
        return RunReplay(run_id=run_id, source=source, events=events, ok=True, skipped=True)
    failure = await replay_history(history, workflows=workflows, timeout=timeout)
    return RunReplay(run_id=run_id, source=source, events=events, ok=failure is None, error=failure)


# -- fengqiao audit replay CASE ---------------------------------------------------------------

_SOURCE_LABEL = {"archive": "归档 archive", "live": "在线 live"}


async def replay_cli(settings: Settings, case_id: str) -> int:
    """Exit status 0 when every run of the case replays deterministically, 1 otherwise."""
    from activities.db import create_engine, create_sessionmaker
    from activities.temporal_client import connect

    client: Client | None
    try:
        client = await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT_SECONDS)
    except (RuntimeError, TimeoutError, RPCError) as error:
        client = None
        _say(
            f"Temporal（{settings.temporal_address}）不可达，仅重放归档 / "
            f"Temporal unreachable, replaying the archive only: {error}"
        )
    engine = create_engine(settings.resolved_database_url)
    try:
        report = await replay_case(create_sessionmaker(engine), client, case_id)
    except Exception as error:  # the store is away or not migrated
        _say(f"无法读取历史归档 / cannot read the history archive: {type(error).__name__}: {error}")
        return 1
    finally:
        await engine.dispose()
    _print_report(report)
    return 0 if report.ok else 1


def _print_report(report: ReplayReport) -> None:
    for note in report.notes:
        _say(note)
    if report.error is not None:
        _say(f"重放失败 / replay failed: {report.error}")
        return
    _say(
        f"案件 {report.case_id}：{len(report.runs)} 次运行 / case {report.case_id}: "
        f"{len(report.runs)} run(s)"
    )
    for run in report.runs:
        head = f"  运行 run {run.run_id}（{_SOURCE_LABEL[run.source]}，{run.events} 个事件 events）"
        if run.skipped:
            _say(f"{head}：跳过，无已完成的工作流任务 / skipped, no completed workflow task")
        elif run.ok:
            _say(f"{head}：确定性重放通过 / replays deterministically")
        else:
            _say(f"{head}：重放失败 / replay FAILED: {run.error}")
    if report.ok:
        _say("结论：全部运行确定性重放通过 / result: every run replays deterministically")
    else:
        _say("结论：存在不确定性或重放失败 / result: NOT every run replays deterministically")


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201
