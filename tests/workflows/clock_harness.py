"""A time-skipping Temporal test server with the case worker, for tests of clocks and escalation."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment

from activities.policy.book import LEGACY_POLICY_2026_1, PolicyBook
from activities.policy.calendar_data import load_calendar
from activities.runtime.command_guard import CommandGuard, CommandSigner, RefusedCommand
from activities.runtime.payload_codec import encrypting_converter
from domain.case import commands as c
from domain.case.events import Event
from domain.case.policy import PolicySet
from domain.case.state import CaseState
from domain.deadlines.calendar import HolidayCalendar
from domain.values import china_date
from tests.engine_keys import KEYS_A
from tests.samples import command, register
from tests.switchable_policy import SwitchablePolicy
from worker import build_worker
from workflows.contract import (
    APPLY_UPDATE,
    DELIVER_ACTIVITY,
    PROJECT_ACTIVITY,
    STATE_QUERY,
    WORKFLOW_TYPE,
    AlertDelivery,
    DeliveryOutcome,
    ProjectionBatch,
    ProjectionResult,
    new_case_input,
)

TASK_QUEUE = "clock-tests"


def shifted_national_day_2027() -> dict[str, Any]:
    """Test data, not a real notice: 2026's National Day arrangement moved 364 days (weekdays
    kept) into 2027, because the time-skipping server cannot go back to 2026-10."""
    shift = timedelta(days=364)
    holidays = [date(2026, 10, d) + shift for d in range(1, 8)]
    workdays = [date(2026, 9, 20) + shift, date(2026, 10, 10) + shift]
    return {
        "year": 2027,
        "source": "测试数据：2026年国庆节安排平移364日 / test data, not a published notice",
        "holidays": [d.isoformat() for d in holidays],
        "adjusted_workdays": [d.isoformat() for d in workdays],
    }


@dataclass
class Recorder:
    """Stands in for the store and the channels: what the workflow projected and sent."""

    events: dict[str, list[Event]] = field(default_factory=dict)
    deliveries: list[AlertDelivery] = field(default_factory=list)

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project(self, batch: ProjectionBatch) -> ProjectionResult:
        stored = self.events.setdefault(batch.case_id, [])
        known = {event.seq for event in stored}
        stored.extend(event for event in batch.events if event.seq not in known)
        return ProjectionResult(inserted=len(batch.events))

    @activity.defn(name=DELIVER_ACTIVITY)
    async def deliver(self, delivery: AlertDelivery) -> DeliveryOutcome:
        self.deliveries.append(delivery)
        return DeliveryOutcome(delivered=("recorded",))


@dataclass
class Clockwork:
    env: WorkflowEnvironment
    recorder: Recorder
    policy: SwitchablePolicy
    activities: list[Any]

    @property
    def client(self) -> Client:
        return self.env.client

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def sleep_until(self, moment: datetime) -> None:
        delta = moment - await self.now()
        if delta > timedelta(0):
            await self.env.sleep(delta)

    async def register(
        self, *, patch_baseline: int | None = None, **intake: Any
    ) -> WorkflowHandle[Any, Any]:
        """Register a case as the API does (``patch_baseline=0``: as a case started before patch
        baselines was)."""
        start = new_case_input()
        if patch_baseline is not None:
            start = start.model_copy(update={"patch_baseline": patch_baseline})
        prefix = "XF" if intake.get("kind") == "petition" else "JF"
        case_id = f"{prefix}-2026-{uuid.uuid4().int % 10**6:06d}"
        await self.client.execute_update_with_start_workflow(
            APPLY_UPDATE,
            c.CommandEnvelope(
                command_id=str(uuid.uuid4()),
                actor="登记员",
                command=register(case_id=case_id, **intake),
            ),
            start_workflow_operation=WithStartWorkflowOperation(
                WORKFLOW_TYPE,
                start,
                id=case_id,
                task_queue=TASK_QUEUE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            ),
            result_type=RawValue,
        )
        return self.client.get_workflow_handle(case_id)

    async def act(
        self, handle: WorkflowHandle[Any, Any], action: str, actor: str = "王芳", **overrides: Any
    ) -> CaseState:
        today = china_date(await self.now())
        envelope = c.CommandEnvelope(
            command_id=str(uuid.uuid4()), actor=actor, command=command(action, today, **overrides)
        )
        # The update answers with the case's seq; the case after it comes from the query.
        await handle.execute_update(APPLY_UPDATE, envelope, result_type=RawValue)
        return await self.state(handle)

    async def state(self, handle: WorkflowHandle[Any, Any]) -> CaseState:
        state: CaseState = await handle.query(STATE_QUERY, result_type=CaseState)
        return state


def legacy_policy() -> PolicySet:
    """The rule set shipped before 2026.2 (counting 2026.1): for tests of the old snapshot path."""
    return PolicyBook.load(base_file=LEGACY_POLICY_2026_1).base


def policy_before_handoffs() -> PolicySet:
    """The shipped set as it was before 2026.3: no hand-off clocks (签收, 交办反馈), no lift
    rules, version 2026.2 (for tests of a case registered before the hand-off rules)."""
    base = PolicyBook.load().base
    return base.model_copy(
        update={
            "version": "2026.2",
            "rules": tuple(r for r in base.rules if not r.for_handoffs),
            "lift_rules": (),
        }
    )


def calendar_with(tmp: Path, arrangement: dict[str, Any] | None) -> HolidayCalendar:
    if arrangement is None:
        return load_calendar()
    import json

    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / f"{arrangement['year']}.json").write_text(json.dumps(arrangement, ensure_ascii=False))
    return load_calendar(tmp)


@asynccontextmanager
async def clockwork(
    calendar: HolidayCalendar, policy: PolicySet | None = None, *, deliver: Any = None
) -> AsyncIterator[Clockwork]:
    """``deliver`` replaces the recording notifier (e.g. the real one, with channels)."""
    book = PolicyBook.load() if policy is None else PolicyBook(policy)
    provider = SwitchablePolicy(book, calendar)
    recorder = Recorder()
    refused: list[RefusedCommand] = []
    activities: list[Any] = [
        recorder.project,
        deliver or recorder.deliver,
        provider.load_case_policy,
    ]
    # As deployed: payloads encrypted, commands signed and checked (test keys A). The check's age
    # bound is the skipped clock's years, not an hour: a test jumps months between commands.
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=encrypting_converter(KEYS_A.payload),
        interceptors=[CommandSigner(KEYS_A.command)],
        test_server_existing_path=str(Path(sys.executable).parent / "temporal-test-server"),
    )
    guard = CommandGuard(KEYS_A.command, refused.append, max_age=timedelta(days=3650))
    try:
        async with build_worker(env.client, TASK_QUEUE, activities, guard=guard):
            yield Clockwork(env, recorder, provider, activities)
    finally:
        await env.shutdown()
