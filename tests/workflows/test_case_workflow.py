"""CaseWorkflow on the dev server: updates, validation, idempotency, projection, continue-as-new."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.runtime.settings import Settings
from domain.case import commands as c
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.stages import Stage
from domain.case.state import CaseState
from tests.samples import LIFECYCLE, case_steps, china_today, register
from tests.samples import command as sample_command
from worker import build_worker, policy_provider
from workflows.contract import (
    APPLY_UPDATE,
    DELIVER_ACTIVITY,
    PROJECT_ACTIVITY,
    STATE_QUERY,
    WORKFLOW_TYPE,
    AlertDelivery,
    CaseWorkflowInput,
    DeliveryOutcome,
    ProjectionBatch,
    ProjectionResult,
)

TASK_QUEUE = "workflow-tests"


@dataclass
class RecordingStore:
    """Stands in for the database: keeps what was projected, can fail the first calls."""

    events: dict[str, list[Event]] = field(default_factory=dict)
    states: dict[str, CaseState] = field(default_factory=dict)
    failures_left: dict[str, int] = field(default_factory=dict)
    deliveries: list[AlertDelivery] = field(default_factory=list)
    calls: int = 0

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project(self, batch: ProjectionBatch) -> ProjectionResult:
        self.calls += 1
        if self.failures_left.get(batch.case_id, 0) > 0:
            self.failures_left[batch.case_id] -= 1
            raise RuntimeError("database unavailable")
        stored = self.events.setdefault(batch.case_id, [])
        known = {event.seq for event in stored}
        new = [event for event in batch.events if event.seq not in known]
        stored.extend(new)
        # As the real store does: the batch's events folded onto the case it holds.
        state = batch.state or fold(list(batch.events), self.states.get(batch.case_id))
        assert state is not None
        self.states[batch.case_id] = state
        return ProjectionResult(inserted=len(new))

    @activity.defn(name=DELIVER_ACTIVITY)
    async def deliver(self, delivery: AlertDelivery) -> DeliveryOutcome:
        self.deliveries.append(delivery)
        return DeliveryOutcome(delivered=("test",))


@pytest.fixture(scope="module")
async def store() -> RecordingStore:
    return RecordingStore()


@pytest.fixture(scope="module")
async def client(temporal_env: WorkflowEnvironment, store: RecordingStore) -> AsyncIterator[Client]:
    activities = [store.project, store.deliver, policy_provider(Settings()).load_case_policy]
    # In the SDK's sandbox (the deployed worker runs without it): a workflow change that reaches
    # for the clock, randomness or I/O fails here.
    async with build_worker(temporal_env.client, TASK_QUEUE, activities, sandboxed=True):
        yield temporal_env.client


def command(action: str, **overrides: object) -> c.Command:
    return sample_command(action, china_today(), **overrides)


def _case_id() -> str:
    return f"JF-2026-{uuid.uuid4().int % 10**9:09d}"


def _envelope(cmd: c.Command, command_id: str | None = None) -> c.CommandEnvelope:
    return c.CommandEnvelope(command_id=command_id or str(uuid.uuid4()), actor="王芳", command=cmd)


async def _register(
    client: Client, case_id: str, start: CaseWorkflowInput | None = None
) -> WorkflowHandle[object, object]:
    operation = WithStartWorkflowOperation(
        WORKFLOW_TYPE,
        start or CaseWorkflowInput(),
        id=case_id,
        task_queue=TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    await client.execute_update_with_start_workflow(
        APPLY_UPDATE,
        _envelope(register(case_id=case_id)),
        start_workflow_operation=operation,
        result_type=RawValue,
    )
    handle = client.get_workflow_handle(case_id)
    state = await handle.query(STATE_QUERY, result_type=CaseState)
    assert state.stage is Stage.REGISTERED
    return handle


async def _apply(
    handle: WorkflowHandle[object, object], cmd: c.Command, command_id: str | None = None
) -> CaseState:
    """Apply a command; the case after it (the update answers with its seq, the query tells)."""
    await handle.execute_update(APPLY_UPDATE, _envelope(cmd, command_id), result_type=RawValue)
    state: CaseState = await handle.query(STATE_QUERY, result_type=CaseState)
    return state


async def test_lifecycle_runs_to_close_and_the_workflow_completes(
    client: Client, store: RecordingStore
) -> None:
    case_id = _case_id()
    handle = await _register(client, case_id)
    for action in LIFECYCLE:
        state = await _apply(handle, command(action))
        assert store.states[case_id] == state  # the store has it before the update answers

    await handle.result()
    final = await handle.query(STATE_QUERY, result_type=CaseState)
    assert final.stage is Stage.CLOSED
    stored = store.events[case_id]
    assert [event.seq for event in stored] == list(range(1, final.seq + 1))
    assert (
        len(case_steps([event.type for event in stored])) == len(LIFECYCLE) + 1
    )  # with the registration


async def test_forbidden_command_is_refused_before_it_reaches_history(client: Client) -> None:
    case_id = _case_id()
    handle = await _register(client, case_id)
    registered = await handle.query(STATE_QUERY, result_type=CaseState)

    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await _apply(handle, command("close"))
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "forbidden_transition"
    assert "已登记" in cause.details[0]["message_zh"]

    history = await handle.fetch_history()
    accepted = [
        e
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    assert len(accepted) == 1  # only the registration
    assert await handle.query(STATE_QUERY, result_type=CaseState) == registered


async def test_a_retried_update_applies_once(client: Client, store: RecordingStore) -> None:
    case_id = _case_id()
    handle = await _register(client, case_id)
    first = await _apply(handle, command("accept"), command_id="accept-once")
    again = await _apply(handle, command("accept"), command_id="accept-once")
    assert first == again
    types = [event.type for event in store.events[case_id]]
    assert case_steps(types) == ["case_registered", "case_accepted"]
    assert [event.seq for event in store.events[case_id]] == list(range(1, again.seq + 1))


async def test_projection_retries_until_the_store_takes_it(
    client: Client, store: RecordingStore
) -> None:
    case_id = _case_id()
    handle = await _register(client, case_id)
    store.failures_left[case_id] = 3
    state = await _apply(handle, command("accept"))
    assert state.stage is Stage.ACCEPTED
    assert store.failures_left[case_id] == 0
    assert [event.seq for event in store.events[case_id]] == list(range(1, state.seq + 1))


async def test_continue_as_new_carries_the_whole_case(
    client: Client, store: RecordingStore
) -> None:
    case_id = _case_id()
    handle = await _register(client, case_id, CaseWorkflowInput(max_history_events=20))
    await _apply(handle, command("accept"))
    for _ in range(6):
        await _apply(handle, command("plan"))
    state = await _apply(handle, command("plan"), command_id="last-plan")

    description = await client.get_workflow_handle(case_id).describe()
    assert description.run_id != handle.result_run_id  # a new run holds the case now
    current = await client.get_workflow_handle(case_id).query(STATE_QUERY, result_type=CaseState)
    assert current == state
    assert len(current.plans) == 7
    # A retry of a command from before the hand-over is still recognised.
    assert (
        await _apply(client.get_workflow_handle(case_id), command("plan"), "last-plan")
    ) == state
    assert [event.seq for event in store.events[case_id]] == list(range(1, state.seq + 1))


async def test_commands_are_taken_while_the_store_is_down_and_projected_later(
    client: Client, store: RecordingStore
) -> None:
    case_id = _case_id()
    handle = await _register(client, case_id)
    store.failures_left[case_id] = 8  # more than one projection attempt's retries
    state = await _apply(handle, command("accept"))
    assert state.stage is Stage.ACCEPTED  # answered from the case while the store is away
    assert len(store.events[case_id]) < state.seq
    for _ in range(300):
        if len(store.events[case_id]) >= state.seq:
            break
        await asyncio.sleep(0.05)
    assert [event.seq for event in store.events[case_id]] == list(range(1, state.seq + 1))
    assert store.states[case_id] == state
