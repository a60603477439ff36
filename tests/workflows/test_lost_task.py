"""A workflow task lost after its projection wrote to the store (local-projection-v1).

The case writes each command's events from inside the workflow task that decided them. Here the
task fails right after the store took them, as if its worker had died before Temporal heard back;
Temporal hands the command to a new attempt, which decides it again at a later moment. On both
stores: the command is answered once, the chain holds the later attempt's events (the case the
workflow holds), the lost attempt's events are set aside intact, and the chain verifies.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from temporalio import activity, workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    Worker,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from activities.audit.chain_audit import verify_case
from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.sql import utc
from activities.store.tables import CaseRow, SupersededEventRow
from activities.tasks.projection import CaseStore
from domain.case import commands as c
from domain.case.state import CaseState
from tests.samples import china_today, register
from tests.samples import command as sample_command
from worker import WORKFLOWS, policy_provider
from workflows.contract import (
    APPLY_UPDATE,
    DELIVER_ACTIVITY,
    STATE_QUERY,
    WORKFLOW_TYPE,
    AlertDelivery,
    DeliveryOutcome,
    new_case_input,
)

# Update ids whose first task is to be lost, and those lost already (the worker runs workflows
# outside the sandbox, so the interceptor sees these across attempts).
_TO_LOSE: set[str] = set()
_LOST: set[str] = set()


class _LoseTheFirstTask(Interceptor):
    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _Inbound


class _Inbound(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        return await super().execute_workflow(input)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        result = await super().handle_update_handler(input)
        if input.id in _TO_LOSE and input.id not in _LOST and not workflow.unsafe.is_replaying():
            _LOST.add(input.id)
            # Not a Temporal failure: the whole workflow task fails, after the store took the
            # command's events, and Temporal tries the task again.
            raise RuntimeError("the worker died before its workflow task completed")
        return result


@activity.defn(name=DELIVER_ACTIVITY)
async def _deliver(delivery: AlertDelivery) -> DeliveryOutcome:
    return DeliveryOutcome(delivered=("test",))


@pytest.fixture(scope="module")
async def client(
    temporal_env: WorkflowEnvironment, engine: AsyncEngine
) -> AsyncIterator[tuple[Client, str]]:
    queue = f"lost-task-{engine.dialect.name}"
    worker = Worker(
        temporal_env.client,
        task_queue=queue,
        workflows=list(WORKFLOWS),
        activities=[
            CaseStore(engine).project_case_events,
            _deliver,
            policy_provider(Settings()).load_case_policy,
        ],
        interceptors=[_LoseTheFirstTask()],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    async with worker:
        yield temporal_env.client, queue


async def test_a_command_whose_task_is_lost_is_stored_as_the_attempt_that_counted(
    client: tuple[Client, str], engine: AsyncEngine
) -> None:
    temporal, queue = client
    case_id = f"JF-2026-{uuid.uuid4().int % 10**9:09d}"
    operation: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
        WORKFLOW_TYPE,
        new_case_input(),
        id=case_id,
        task_queue=queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    intake = c.CommandEnvelope(command_id="intake", actor="登记员", command=register(case_id))
    await temporal.execute_update_with_start_workflow(
        APPLY_UPDATE, intake, start_workflow_operation=operation, result_type=RawValue
    )
    handle = temporal.get_workflow_handle(case_id)
    for action in ("accept", "plan"):
        update_id = f"{case_id}-{action}"
        _TO_LOSE.add(update_id)
        envelope = c.CommandEnvelope(
            command_id=action, actor="王芳", command=sample_command(action, china_today())
        )
        await handle.execute_update(APPLY_UPDATE, envelope, id=update_id, result_type=RawValue)
        assert update_id in _LOST

    state = await handle.query(STATE_QUERY, result_type=CaseState)
    async with AsyncSession(engine) as session:
        stored = await session.scalar(select(CaseRow.state).where(CaseRow.case_id == case_id))
        chain = await repositories.case_events(case_id, session=session)
        aside = list(
            await session.scalars(
                select(SupersededEventRow).where(SupersededEventRow.case_id == case_id)
            )
        )
        report = await verify_case(session, case_id)
    assert stored == state.model_dump(mode="json")  # the store holds the case the workflow holds
    assert [event.seq for event in chain] == list(range(1, state.seq + 1))
    assert {row.command_id for row in aside} == {"accept", "plan"}  # each lost attempt's events
    for command_id in ("accept", "plan"):
        kept = {event.seq: event for event in chain if event.command_id == command_id}
        lost = {row.seq: row for row in aside if row.command_id == command_id}
        assert set(lost) == set(kept)  # the same seqs, decided at another moment
        assert all(utc(lost[seq].occurred_at) < kept[seq].at for seq in kept)
    assert report.ok, report
