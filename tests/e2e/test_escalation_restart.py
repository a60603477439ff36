"""A worker killed (SIGKILL) while an escalation waits: after a restart the escalation fires once.

Real processes and real time: the Temporal dev server, ``fengqiao worker`` and a deployment
policy override that shortens the major-risk chain to seconds.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import RawValue, WorkflowIDConflictPolicy

from activities.runtime import devstack
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry
from activities.store.engine import create_engine
from activities.store.migrate import upgrade_async
from domain.case import commands as c
from domain.case.alerts import AlertKind
from domain.case.state import CaseState
from tests.engine_keys import COMMAND_A, ENV_A, PAYLOAD_A
from tests.samples import register
from workflows.contract import APPLY_UPDATE, STATE_QUERY, WORKFLOW_TYPE, CaseWorkflowInput

pytestmark = pytest.mark.e2e

STEP_SECONDS = 6.0


def _fast_chain_override(directory: Path) -> None:
    directory.mkdir()
    hours = STEP_SECONDS / 3600
    override = {
        "jurisdiction": "320102",
        "version": "fast-escalation-test",
        "chains": [
            {
                "chain_id": "major-risk",
                "risk_levels": ["major", "critical"],
                "levels": [
                    {"level": 1, "role": "responsible_person", "wait_hours": hours, "renotify": 1},
                    {"level": 2, "role": "unit_head_or_leader", "wait_hours": 1, "renotify": 0},
                ],
            }
        ],
    }
    (directory / "fast.json").write_text(json.dumps(override), encoding="utf-8")


async def _state(client: Client, case_id: str) -> CaseState:
    state: CaseState = await client.get_workflow_handle(case_id).query(
        STATE_QUERY, result_type=CaseState
    )
    return state


async def _deliveries(database_url: str, alert_id: str) -> list[tuple[str, int]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT delivery_id, count(*) FROM alert_deliveries WHERE alert_id = :a "
                    "GROUP BY delivery_id ORDER BY delivery_id"
                ),
                {"a": alert_id},
            )
            return [(delivery_id, count) for delivery_id, count in rows]
    finally:
        await engine.dispose()


async def test_an_escalation_waiting_in_a_killed_worker_fires_once(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'fengqiao.db'}"
    await upgrade_async(database_url)
    _fast_chain_override(tmp_path / "policy")
    ports = devstack.DevServerPorts()
    server = devstack.spawn(
        devstack.temporal_dev_server_command(tmp_path / "temporal.db", ports, ui=False),
        log_file=tmp_path / "temporal.log",
    )
    env = {
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_TASK_QUEUE": "restart-tests",
        "FENGQIAO_POLICY_DIR": str(tmp_path / "policy"),
        **ENV_A,
    }
    workers = []

    def start_worker() -> None:
        workers.append(
            devstack.spawn(
                devstack.python_module_command("worker"),
                env=env,
                log_file=tmp_path / f"worker-{len(workers) + 1}.log",
            )
        )

    try:
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        start_worker()
        client = await connect_with_retry(
            Settings(
                temporal_address=env["FENGQIAO_TEMPORAL_ADDRESS"],
                payload_keys=SecretStr(PAYLOAD_A),
                command_keys=SecretStr(COMMAND_A),
            )
        )
        case_id = f"JF-2026-{uuid.uuid4().int % 10**6:06d}"
        await client.execute_update_with_start_workflow(
            APPLY_UPDATE,
            c.CommandEnvelope(
                command_id="intake", actor="登记员", command=register(case_id, risk_level="major")
            ),
            start_workflow_operation=WithStartWorkflowOperation(
                WORKFLOW_TYPE,
                CaseWorkflowInput(),
                id=case_id,
                task_queue="restart-tests",
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            ),
            result_type=RawValue,
        )
        state = await _state(client, case_id)
        assert state.policy is not None
        assert "fast-escalation-test" in state.policy.version
        report = next(a for a in state.alerts if a.kind is AlertKind.MAJOR_REPORT)

        workers[-1].kill()  # SIGKILL while the escalation waits for its next step
        workers[-1].wait()
        await asyncio.sleep(STEP_SECONDS + 2)  # the step falls due while no worker runs
        start_worker()

        for _ in range(300):
            alert = (await _state(client, case_id)).alert(report.alert_id)
            if alert is not None and len(alert.notifications) >= 2:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # anything that would fire twice has had time to
        alert = (await _state(client, case_id)).alert(report.alert_id)
        assert alert is not None
        assert [(n.level, n.attempt) for n in alert.notifications][:2] == [(1, 1), (1, 2)]
        assert sum(1 for n in alert.notifications if (n.level, n.attempt) == (1, 2)) == 1
        deliveries = await _deliveries(database_url, report.alert_id)
        assert (f"{report.alert_id}-L1-N2", 1) in deliveries
        assert all(count == 1 for _, count in deliveries)
    finally:
        for worker in workers:
            devstack.stop(worker)
        devstack.stop(server)
