"""重放验证: a case's archived and live Temporal histories replayed with the workflow code now
deployed, proof that it takes the decisions the case's history records.

The workflow classes are handed in by the caller (the composition root), so nothing here imports
workflow code.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Replayer

from activities.audit.history_archive import case_archives
from domain.base import Frozen
from workflows.contract import WORKFLOW_TYPE

# A replay that runs longer than this is reported as failed rather than waited for.
REPLAY_TIMEOUT_SECONDS = 120.0
# Case numbers such as JF-2026-000001; anything else never reaches a visibility query.
CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


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


def has_completed_workflow_task(history: WorkflowHistory) -> bool:
    """A history without one holds no decision of the workflow code (and stalls the Replayer)."""
    return any(
        event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for event in history.events
    )


async def replay_history(
    history: WorkflowHistory,
    *,
    workflows: Sequence[type],
    timeout: float = REPLAY_TIMEOUT_SECONDS,
    data_converter: DataConverter = pydantic_data_converter,
) -> str | None:
    """Replay one history with ``workflows``; None when it replays deterministically, else why.

    ``data_converter`` must hold the deployment's payload keys (histories written since payload
    encryption are ciphertext; older ones pass through it as they are).

    The Replayer runs on a thread of its own with its own event loop: a replay that stalls
    inside the SDK core does not answer cancellation, so ``asyncio.timeout`` around it in this
    loop would hang too. A stalled thread is abandoned (daemon) and reported as a failure.
    """
    outcome: Future[str | None] = Future()

    async def _replay() -> str | None:
        replayer = Replayer(workflows=list(workflows), data_converter=data_converter)
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
    workflows: Sequence[type],
    timeout: float = REPLAY_TIMEOUT_SECONDS,
    data_converter: DataConverter | None = None,
) -> ReplayReport:
    """Replay every archived run of the case, and (with a client) every run Temporal still
    holds that is not archived, oldest first. Payloads are read with ``data_converter``, else
    the client's (which holds the payload keys)."""
    converter = data_converter or (
        client.data_converter if client is not None else pydantic_data_converter
    )
    if not CASE_ID.fullmatch(case_id):
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
        await _replay_run(run_id, source, history, workflows, timeout, converter)
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
    converter: DataConverter,
) -> RunReplay:
    events = len(history.events)
    if not has_completed_workflow_task(history):
        return RunReplay(run_id=run_id, source=source, events=events, ok=True, skipped=True)
    failure = await replay_history(
        history, workflows=workflows, timeout=timeout, data_converter=converter
    )
    return RunReplay(run_id=run_id, source=source, events=events, ok=failure is None, error=failure)
