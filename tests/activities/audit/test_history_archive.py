"""History archive: closed case runs outlive Temporal's retention and replay from the archive.

Runs on both stores against the session's dev server and real worker (``stack``). Retention is
simulated by deleting the workflow execution from Temporal after it was archived.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowHistory,
)
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.audit.history_archive import ArchivedRun, archive_closed, archive_periodically
from activities.audit.replay import has_completed_workflow_task, replay_case, replay_history
from activities.runtime.devstack import free_port
from activities.runtime.payload_codec import encrypting_converter
from activities.store import repositories
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.tables import HistoryArchiveRow
from api.cli.audit import replay_cli
from domain.case import commands as c
from domain.case.stages import Stage
from domain.case.state import CaseState
from tests.conftest import Stack
from tests.engine_keys import ENV_A, KEYS_A
from tests.replay.drifted_workflow import DriftedCaseWorkflow
from tests.samples import LIFECYCLE, china_today, register
from tests.samples import command as sample_command
from worker import WORKFLOWS
from workflows.contract import APPLY_UPDATE, WORKFLOW_TYPE, CaseWorkflowInput

REPO = Path(__file__).resolve().parents[3]
EVERYTHING = 100_000  # a sweep limit no test reaches: other tests' closed runs share the namespace


def _case_id() -> str:
    return f"JF-2026-{uuid.uuid4().int % 10**9:09d}"


async def _open_case(stack: Stack, case_id: str, start: CaseWorkflowInput | None = None) -> None:
    await stack.client.execute_update_with_start_workflow(
        APPLY_UPDATE,
        c.CommandEnvelope(command_id=f"{case_id}-r", actor="登记员", command=register(case_id)),
        start_workflow_operation=WithStartWorkflowOperation(
            WORKFLOW_TYPE,
            start or CaseWorkflowInput(),
            id=case_id,
            task_queue=stack.settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        ),
        result_type=RawValue,
    )


async def _apply(stack: Stack, case_id: str, actions: Sequence[str]) -> None:
    handle = stack.client.get_workflow_handle(case_id)
    for action in actions:
        envelope = c.CommandEnvelope(
            command_id=str(uuid.uuid4()),
            actor="王芳",
            command=sample_command(action, china_today()),
        )
        await handle.execute_update(APPLY_UPDATE, envelope, result_type=RawValue)


async def _drive(stack: Stack, case_id: str, actions: Sequence[str]) -> CaseState:
    """Apply the commands, then wait for the case's (last) run to complete."""
    await _apply(stack, case_id, actions)
    await stack.client.get_workflow_handle(case_id).result()
    # The run answers with the case's seq; the ended case is in the store.
    async with stack.sessionmaker() as session:
        final = await repositories.get_case(case_id, session=session)
    assert final is not None
    return final


async def _closed_runs(client: Client, case_id: str, expected: int) -> list[str]:
    """The case's closed run ids (oldest first), once visibility lists ``expected`` of them."""
    query = f"WorkflowId = '{case_id}' AND ExecutionStatus != 'Running'"
    for _ in range(200):
        runs = [(ex.start_time, ex.run_id) async for ex in client.list_workflows(query)]
        if len(runs) >= expected:
            return [run_id for _, run_id in sorted(runs)]
        await asyncio.sleep(0.05)
    raise AssertionError(f"visibility never listed {expected} closed runs of {case_id}")


async def _delete_from_temporal(client: Client, case_id: str, run_ids: Sequence[str]) -> None:
    """What the namespace retention period does to a closed run, now."""
    for run_id in run_ids:
        await client.workflow_service.delete_workflow_execution(
            DeleteWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=case_id, run_id=run_id),
            )
        )
    for run_id in run_ids:
        for _ in range(200):
            if not await _temporal_has(client, case_id, run_id):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"Temporal still holds {case_id}/{run_id}")


async def _temporal_has(client: Client, case_id: str, run_id: str) -> bool:
    try:
        await client.get_workflow_handle(case_id, run_id=run_id).fetch_history()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def _archived(stack: Stack, case_id: str) -> list[HistoryArchiveRow]:
    async with stack.sessionmaker() as session:
        rows = await session.scalars(
            select(HistoryArchiveRow)
            .where(HistoryArchiveRow.workflow_id == case_id)
            .order_by(HistoryArchiveRow.closed_at)
        )
        return list(rows)


def _of(case_id: str, runs: list[ArchivedRun]) -> list[ArchivedRun]:
    return [run for run in runs if run.workflow_id == case_id]


@dataclass
class ClosedCase:
    """A case driven through its whole life, archived, then deleted from Temporal."""

    case_id: str
    run_id: str
    history_json: str  # as Temporal gave it before the deletion
    first_sweep: list[ArchivedRun]
    second_sweep: list[ArchivedRun]


@pytest.fixture(scope="module")
async def closed_case(stack: Stack) -> ClosedCase:
    case_id = _case_id()
    await _open_case(stack, case_id)
    final = await _drive(stack, case_id, LIFECYCLE)
    assert final.stage is Stage.CLOSED
    [run_id] = await _closed_runs(stack.client, case_id, 1)
    history = await stack.client.get_workflow_handle(case_id, run_id=run_id).fetch_history()

    first = await archive_closed(stack.client, stack.sessionmaker, limit=EVERYTHING)
    second = await archive_closed(stack.client, stack.sessionmaker, limit=EVERYTHING)
    await _delete_from_temporal(stack.client, case_id, [run_id])
    return ClosedCase(case_id, run_id, history.to_json(), first, second)


async def test_a_closed_case_is_archived_once_byte_for_byte(
    stack: Stack, closed_case: ClosedCase
) -> None:
    case_id = closed_case.case_id
    assert [run.run_id for run in _of(case_id, closed_case.first_sweep)] == [closed_case.run_id]
    assert _of(case_id, closed_case.second_sweep) == []  # a second sweep adds nothing
    [row] = await _archived(stack, case_id)
    assert row.run_id == closed_case.run_id
    assert row.status == "completed"
    # The same history Temporal holds. Not compared as text: to_json() writes protobuf map
    # fields (marker details) in no fixed order, so two fetches may differ in key order.
    assert json.loads(row.history) == json.loads(closed_case.history_json)
    history = WorkflowHistory.from_json(case_id, row.history)
    assert history.events == WorkflowHistory.from_json(case_id, closed_case.history_json).events
    assert row.event_count == len(history.events)
    [again] = await _archived(stack, case_id)
    assert again.history == row.history  # the text as stored, byte for byte
    assert row.closed_at is not None
    assert row.archived_at is not None


async def test_the_archive_alone_replays_a_case_temporal_no_longer_has(
    stack: Stack, closed_case: ClosedCase
) -> None:
    for client in (stack.client, None):
        # Without Temporal the deployment's payload keys still open the archived ciphertext
        # (``fengqiao audit replay`` builds them from settings).
        report = await replay_case(
            stack.sessionmaker,
            client,
            closed_case.case_id,
            workflows=WORKFLOWS,
            data_converter=stack.client.data_converter,
        )
        assert report.ok, report
        assert [(run.run_id, run.source, run.ok) for run in report.runs] == [
            (closed_case.run_id, "archive", True)
        ]
        assert report.runs[0].events == len(
            WorkflowHistory.from_json("x", closed_case.history_json).events
        )


async def test_the_audit_command_replays_from_the_archive(
    stack: Stack, closed_case: ClosedCase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await replay_cli(stack.settings, closed_case.case_id, workflows=WORKFLOWS) == 0
    out = capsys.readouterr().out
    assert closed_case.run_id in out
    assert "确定性重放通过 / replays deterministically" in out
    assert "不可达" not in out

    assert (
        await replay_cli(stack.settings, _case_id(), workflows=WORKFLOWS) == 1
    )  # a case nobody has heard of
    assert "未找到案件" in capsys.readouterr().out


async def test_the_audit_command_works_without_temporal(
    stack: Stack, closed_case: ClosedCase
) -> None:
    """``fengqiao audit replay CASE`` as a process, with Temporal unreachable: archive only."""
    env = {
        **os.environ,
        "FENGQIAO_DATABASE_URL": stack.settings.resolved_database_url,
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "FENGQIAO_TEMPORAL_NAMESPACE": stack.settings.temporal_namespace,
        **ENV_A,  # the payload keys open the archived ciphertext
    }
    command = [sys.executable, "-m", "worker", "audit", "replay", closed_case.case_id]
    done = await asyncio.to_thread(
        subprocess.run, command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Temporal unreachable" in done.stdout
    assert closed_case.run_id in done.stdout
    assert "every run replays deterministically" in done.stdout


async def test_an_incompatible_workflow_change_fails_the_archived_replay(
    stack: Stack, closed_case: ClosedCase
) -> None:
    report = await replay_case(
        stack.sessionmaker,
        None,
        closed_case.case_id,
        workflows=[DriftedCaseWorkflow],
        data_converter=stack.client.data_converter,
    )
    assert not report.ok
    [run] = report.runs
    assert not run.ok
    assert run.error is not None
    assert "nondetermin" in run.error.lower()


async def test_every_run_of_a_case_that_continued_as_new_is_archived(stack: Stack) -> None:
    case_id = _case_id()
    await _open_case(stack, case_id, CaseWorkflowInput(max_history_events=25))
    final = await _drive(stack, case_id, ("accept", *["plan"] * 8, "start_mediation", "withdraw"))
    assert final.stage is Stage.WITHDRAWN
    runs: list[str] = []
    for _ in range(100):  # the last run closes after the one before it was listed
        handle = stack.client.get_workflow_handle(case_id)
        last = (await handle.describe()).run_id
        runs = await _closed_runs(stack.client, case_id, 2)
        if runs[-1] == last:
            break
        await asyncio.sleep(0.05)
    assert len(runs) >= 2, "the case never continued as new"

    stored = _of(case_id, await archive_closed(stack.client, stack.sessionmaker, limit=EVERYTHING))
    assert sorted(run.run_id for run in stored) == sorted(runs)
    rows = await _archived(stack, case_id)
    assert [row.run_id for row in rows] == runs
    assert [row.status for row in rows] == ["continued_as_new"] * (len(runs) - 1) + ["completed"]
    assert all(row.event_count > 0 for row in rows)

    await _delete_from_temporal(stack.client, case_id, runs)
    report = await replay_case(stack.sessionmaker, stack.client, case_id, workflows=WORKFLOWS)
    assert report.ok, report
    assert [(run.run_id, run.source) for run in report.runs] == [(r, "archive") for r in runs]


async def _settled_runs(client: Client, case_id: str) -> tuple[list[str], str]:
    """(closed run ids oldest first, the open run) once the case has stopped continuing as new
    and visibility agrees twice in a row."""
    previous: tuple[list[str], str] | None = None
    for _ in range(200):
        runs = sorted(
            [
                (ex.start_time, ex.run_id, ex.status)
                async for ex in client.list_workflows(f"WorkflowId = '{case_id}'")
            ],
            key=lambda run: run[0],
        )
        open_runs = [
            run_id for _, run_id, status in runs if status == WorkflowExecutionStatus.RUNNING
        ]
        closed = [run_id for _, run_id, status in runs if status != WorkflowExecutionStatus.RUNNING]
        current = (closed, open_runs[0]) if len(open_runs) == 1 else None
        if current is not None and current == previous and runs[-1][1] == current[1]:
            return current
        previous = current
        await asyncio.sleep(0.1)
    raise AssertionError(f"the runs of {case_id} never settled")


async def test_the_open_run_is_replayed_live_next_to_the_archive(stack: Stack) -> None:
    case_id = _case_id()
    await _open_case(stack, case_id, CaseWorkflowInput(max_history_events=25))
    await _apply(stack, case_id, ("accept", *["plan"] * 8))
    closed, open_run = await _settled_runs(stack.client, case_id)
    assert closed, "the case never continued as new"
    await archive_closed(stack.client, stack.sessionmaker, limit=EVERYTHING)

    report = await replay_case(stack.sessionmaker, stack.client, case_id, workflows=WORKFLOWS)
    assert report.ok, report
    assert [(run.run_id, run.source) for run in report.runs] == [
        *[(run_id, "archive") for run_id in closed],
        (open_run, "live"),
    ]
    archive_only = await replay_case(
        stack.sessionmaker,
        None,
        case_id,
        workflows=WORKFLOWS,
        data_converter=stack.client.data_converter,
    )
    assert [run.run_id for run in archive_only.runs] == closed
    await _drive(stack, case_id, ("withdraw",))


async def test_a_run_that_never_ran_workflow_code_is_reported_not_replayed(stack: Stack) -> None:
    """Started on a queue no worker polls, then terminated: no workflow task ever completed."""
    case_id = _case_id()
    handle = await stack.client.start_workflow(
        WORKFLOW_TYPE, CaseWorkflowInput(), id=case_id, task_queue=f"nobody-{uuid.uuid4().hex}"
    )
    await handle.terminate("opened by mistake")
    [run_id] = await _closed_runs(stack.client, case_id, 1)
    [stored] = _of(
        case_id, await archive_closed(stack.client, stack.sessionmaker, limit=EVERYTHING)
    )
    assert stored.status == "terminated"

    started = time.monotonic()
    report = await replay_case(
        stack.sessionmaker,
        None,
        case_id,
        workflows=WORKFLOWS,
        data_converter=stack.client.data_converter,
    )
    assert time.monotonic() - started < 10
    assert report.ok
    [run] = report.runs
    assert (run.run_id, run.skipped, run.ok) == (run_id, True, True)


async def test_a_stalled_replay_is_cut_off_by_the_timeout() -> None:
    """The SDK's Replayer stalls on a history of a lone WorkflowExecutionStarted event, and
    ``asyncio.timeout`` cannot interrupt it; ``replay_history`` gives up on its own."""
    recorded = next((REPO / "tests/replay/histories").glob("*_withdrawn.json"))
    full = WorkflowHistory.from_json("JF-2026-000001", recorded.read_text())
    lone_start = WorkflowHistory("JF-2026-000001", full.events[:1])
    assert not has_completed_workflow_task(lone_start)
    assert has_completed_workflow_task(full)

    started = time.monotonic()
    converter = encrypting_converter(KEYS_A.payload)  # recorded histories: plain or under key A
    error = await replay_history(
        lone_start, workflows=WORKFLOWS, timeout=1.5, data_converter=converter
    )
    assert error is not None
    assert "replay did not finish" in error
    assert time.monotonic() - started < 5
    assert (
        await replay_history(full, workflows=WORKFLOWS, data_converter=converter) is None
    )  # and replays after it still work


async def test_the_archive_refuses_update_and_delete(stack: Stack, closed_case: ClosedCase) -> None:
    statements = [
        "UPDATE history_archives SET status = 'completed', history = '{}'",
        "DELETE FROM history_archives",
    ]
    if stack.backend == "postgresql":
        statements.append("TRUNCATE history_archives")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            async with stack.sessionmaker() as session, session.begin():
                await session.execute(text(statement))
    [row] = await _archived(stack, closed_case.case_id)
    assert json.loads(row.history) == json.loads(closed_case.history_json)


async def test_concurrent_sweeps_store_each_run_once(stack: Stack) -> None:
    """Two worker processes sweeping at the same moment: no error, one row per run."""
    case_ids = [_case_id() for _ in range(3)]
    for case_id in case_ids:
        await _open_case(stack, case_id)
        await _drive(stack, case_id, ("decline", "close"))
    for case_id in case_ids:
        await _closed_runs(stack.client, case_id, 1)
    other = create_engine(stack.settings.resolved_database_url)
    try:
        sweeps = await asyncio.gather(
            archive_closed(stack.client, stack.sessionmaker, limit=EVERYTHING),
            archive_closed(stack.client, create_sessionmaker(other), limit=EVERYTHING),
        )
    finally:
        await other.dispose()
    for case_id in case_ids:
        assert len(_of(case_id, sweeps[0]) + _of(case_id, sweeps[1])) == 1
        assert len(await _archived(stack, case_id)) == 1


@dataclass
class FlakyStore:
    """A sessionmaker whose first calls fail, as a store that is away for a while."""

    sessionmaker: Any
    failures_left: int
    calls: int = 0

    def __call__(self) -> Any:
        self.calls += 1
        if self.failures_left > 0:
            self.failures_left -= 1
            raise ConnectionRefusedError("the store is away")
        return self.sessionmaker()


async def test_a_failed_sweep_is_tried_again_and_never_stops_the_archiver(stack: Stack) -> None:
    case_id = _case_id()
    await _open_case(stack, case_id)
    await _drive(stack, case_id, ("decline", "close"))
    await _closed_runs(stack.client, case_id, 1)
    store = FlakyStore(stack.sessionmaker, failures_left=3)
    archiver = asyncio.create_task(
        archive_periodically(stack.client, store, interval_seconds=0.05, limit=EVERYTHING)
    )
    try:
        for _ in range(200):
            if await _archived(stack, case_id):
                break
            assert not archiver.done(), archiver
            await asyncio.sleep(0.05)
        assert len(await _archived(stack, case_id)) == 1
        assert store.failures_left == 0
        calls = store.calls
        for _ in range(200):  # still sweeping: another call comes, the archiver has not ended
            if store.calls > calls:
                break
            assert not archiver.done(), archiver
            await asyncio.sleep(0.05)
        assert not archiver.done()
        assert store.calls > calls
    finally:
        archiver.cancel()
        await asyncio.gather(archiver, return_exceptions=True)


async def test_an_unknown_or_malformed_case_is_reported_not_replayed(stack: Stack) -> None:
    unknown = await replay_case(stack.sessionmaker, stack.client, _case_id(), workflows=WORKFLOWS)
    assert not unknown.ok
    assert unknown.runs == ()
    assert "未找到案件" in (unknown.error or "")
    malformed = await replay_case(
        stack.sessionmaker, stack.client, "JF' OR WorkflowId != '", workflows=WORKFLOWS
    )
    assert not malformed.ok
    assert "not a valid case id" in (malformed.error or "")
