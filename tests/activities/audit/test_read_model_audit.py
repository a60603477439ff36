"""Verification of the read model against the fold of its events, and of the cases the workflow
itself projects (across a store outage and continue-as-new)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import text
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment

from activities.runtime.settings import Settings
from activities.store import repositories
from activities.tasks.projection import CaseStore
from domain.case import commands as c
from domain.case.state import CaseState
from tests.activities.audit.chain_support import (
    Store,
    bypassing_triggers,
    new_case_id,
    projected_case,
    verify,
)
from tests.samples import china_today, command, register
from worker import build_worker, case_activities
from workflows.contract import (
    APPLY_UPDATE,
    PROJECT_ACTIVITY,
    STATE_QUERY,
    WORKFLOW_TYPE,
    CaseWorkflowInput,
    ProjectionBatch,
    ProjectionResult,
)

# -- (e) a tampered read model ------------------------------------------------------------------


async def test_a_tampered_read_model_is_reported(store: Store) -> None:
    case_id = await projected_case(store)
    edit = (
        """(state::jsonb || '{"stage": "closed", "title": "已篡改"}'::jsonb)::json"""
        if store.backend == "postgresql"
        else "json_set(state, '$.stage', 'closed', '$.title', '已篡改')"
    )
    async with store.engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE cases SET state = {edit}, stage = 'closed' WHERE case_id = :c"),
            {"c": case_id},
        )

    report = await verify(store, case_id)
    assert report.chain_ok  # the events are intact
    assert not report.read_model_matches
    assert not report.ok
    differences = "\n".join(report.read_model_differences)
    assert "state.stage: read model 'closed', events give 'mediating'" in differences
    assert "state.title" in differences
    assert "cases.stage: read model 'closed', events give 'mediating'" in differences


async def _edit_state(store: Store, case_id: str, *, postgresql: str, sqlite: str) -> None:
    edit = postgresql if store.backend == "postgresql" else sqlite
    async with store.engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE cases SET state = {edit} WHERE case_id = :c"), {"c": case_id}
        )


async def test_a_lost_last_event_shows_in_the_read_model(store: Store) -> None:
    case_id = await projected_case(store)
    async with bypassing_triggers(store) as connection:
        await connection.execute(
            text("DELETE FROM case_events WHERE case_id = :c AND seq = 5"), {"c": case_id}
        )
    report = await verify(store, case_id)
    assert report.chain_ok  # what is left is a valid chain of 4 events
    assert not report.ok
    assert "state.seq: read model 5, events give 4" in report.read_model_differences


async def test_pre_clock_cases_may_lack_milestones_but_not_alter_them(store: Store) -> None:
    """Cases registered before clocks (no policy snapshot) continued-as-new without milestones."""
    lacking, altered = await projected_case(store), await projected_case(store)
    await _edit_state(
        store,
        lacking,
        postgresql="(state::jsonb #- '{milestones,case_accepted}')::json",
        sqlite="json_remove(state, '$.milestones.case_accepted')",
    )
    assert (await verify(store, lacking)).ok
    await _edit_state(
        store,
        altered,
        postgresql=(
            "jsonb_set(state::jsonb, '{milestones,plan_revised}', '\"2020-01-01T00:00:00Z\"')::json"
        ),
        sqlite="json_set(state, '$.milestones.plan_revised', '2020-01-01T00:00:00Z')",
    )
    report = await verify(store, altered)
    assert not report.read_model_matches
    assert report.read_model_differences[0].startswith("state.milestones.plan_revised:")


async def test_a_missing_read_model_row_is_reported(store: Store) -> None:
    case_id = await projected_case(store)
    async with store.engine.begin() as connection:
        await connection.execute(text("DELETE FROM cases WHERE case_id = :c"), {"c": case_id})
    report = await verify(store, case_id)
    assert report.chain_ok
    assert report.read_model_differences == ["the read model has no row for this case"]


# -- the workflow's own projections -------------------------------------------------------------


@dataclass
class FlakyStore:
    """The real store behind a connection that fails the next ``failures`` attempts."""

    store: CaseStore
    failures: int = 0

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project(self, batch: ProjectionBatch) -> ProjectionResult:
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("database unavailable")
        return await self.store.project_case_events(batch)


async def test_a_case_run_by_the_workflow_verifies_across_outage_and_continue_as_new(
    store: Store, temporal_env: WorkflowEnvironment
) -> None:
    """Events re-sent after a store outage and a state handed over by continue-as-new."""
    client: Client = temporal_env.client
    task_queue = f"chain-audit-{store.backend}"
    settings = Settings(database_url=store.url, task_queue=task_queue)
    case_id = new_case_id()
    async with httpx.AsyncClient(trust_env=False) as http:
        activities = case_activities(store.engine, settings, http)
        flaky = FlakyStore(CaseStore(store.engine))
        activities[0] = flaky.project
        async with build_worker(client, task_queue, activities):

            async def apply(action: str) -> CaseState:
                envelope = c.CommandEnvelope(
                    command_id=str(uuid.uuid4()),
                    actor="王芳",
                    command=command(action, china_today()),
                )
                handle = client.get_workflow_handle(case_id)
                # The update answers with the case's seq; the case after it comes from the query.
                await handle.execute_update(APPLY_UPDATE, envelope, result_type=RawValue)
                state: CaseState = await handle.query(STATE_QUERY, result_type=CaseState)
                return state

            await client.execute_update_with_start_workflow(
                APPLY_UPDATE,
                c.CommandEnvelope(
                    command_id=str(uuid.uuid4()), actor="登记员", command=register(case_id)
                ),
                start_workflow_operation=WithStartWorkflowOperation(
                    WORKFLOW_TYPE,
                    CaseWorkflowInput(max_history_events=20),
                    id=case_id,
                    task_queue=task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                ),
                result_type=RawValue,
            )
            handle = client.get_workflow_handle(case_id)
            first_run = (await handle.describe()).run_id
            await apply("accept")
            flaky.failures = 6  # more than one attempt's retries: the case marks the store down
            await apply("plan")
            for _ in range(4):
                await apply("plan")
            state = await apply("assign_package_leader")
            for _ in range(300):
                async with store.sessionmaker() as session:
                    stored = await repositories.count_events(case_id, session=session)
                if stored >= state.seq and flaky.failures == 0:
                    break
                await asyncio.sleep(0.05)
            for _ in range(200):  # the hand-over follows the last update's workflow task
                if (await handle.describe()).run_id != first_run:
                    break
                await asyncio.sleep(0.05)
            assert (await handle.describe()).run_id != first_run  # continued as new
            current = await handle.query(STATE_QUERY, result_type=CaseState)
    assert current == state
    report = await verify(store, case_id)
    assert report.ok, report
    assert report.events == state.seq

    # This case has its policy snapshot: a milestone missing from its read model is a difference.
    await _edit_state(
        store,
        case_id,
        postgresql="(state::jsonb #- '{milestones,case_accepted}')::json",
        sqlite="json_remove(state, '$.milestones.case_accepted')",
    )
    differences = (await verify(store, case_id)).read_model_differences
    assert differences == ["state.milestones.case_accepted: missing from the read model"]
