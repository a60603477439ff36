"""The Schedules of the recurring work (排查 per cadence, the holiday-data push) on the dev server:
created once however often workers start, and an administrator's pause survives a restart."""

from __future__ import annotations

import uuid

import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.policy.screening import load_screening_policy
from activities.tasks.schedules import ensure_schedules, list_schedules, set_paused
from domain.values import CHINA_TZ
from workflows.report_contract import MONTHLY_REPORT_SCHEDULE
from workflows.screening_contract import CALENDAR_PUSH_SCHEDULE, screening_schedule_id

EXPECTED = {
    screening_schedule_id("village-weekly"),
    screening_schedule_id("town-half-monthly"),
    screening_schedule_id("county-monthly"),
    CALENDAR_PUSH_SCHEDULE,
    MONTHLY_REPORT_SCHEDULE,  # 月报
}


@pytest.fixture
async def client(temporal_env: WorkflowEnvironment) -> Client:
    # A namespace of its own: schedule ids are per namespace, and nothing else uses this one.
    target = temporal_env.client.service_client.config.target_host
    namespace = f"sched-{uuid.uuid4().hex[:8]}"
    await temporal_env.client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=namespace, workflow_execution_retention_period=Duration(seconds=86400)
        )
    )
    return await Client.connect(target, namespace=namespace)


async def test_schedules_are_created_once_and_a_pause_survives_a_second_start(
    client: Client,
) -> None:
    policy = load_screening_policy()
    first = await ensure_schedules(client, policy, "cases")
    assert set(first) == EXPECTED
    # A second worker start (or a restart) creates nothing and changes nothing.
    assert await ensure_schedules(client, policy, "cases") == []
    views = {view.schedule_id: view for view in await list_schedules(client, policy, "cases")}
    assert set(views) == EXPECTED
    assert not any(view.paused for view in views.values())
    weekly = views[screening_schedule_id("village-weekly")]
    assert weekly.label.startswith("每周排查")
    assert weekly.next_runs  # the next Monday 00:05 China time
    for run in weekly.next_runs:
        local = run.astimezone(CHINA_TZ)
        assert (local.weekday(), local.hour, local.minute) == (0, 0, 5)

    await set_paused(client, weekly.schedule_id, paused=True, note="春节暂停")
    assert await ensure_schedules(client, policy, "cases") == []
    after = {view.schedule_id: view for view in await list_schedules(client, policy, "cases")}
    assert after[weekly.schedule_id].paused
    assert after[weekly.schedule_id].note == "春节暂停"
    await set_paused(client, weekly.schedule_id, paused=False, note="恢复")
    resumed = {view.schedule_id: view for view in await list_schedules(client, policy, "cases")}
    assert not resumed[weekly.schedule_id].paused
