"""访调对接 survives a worker SIGKILLed between its two steps: the link is on the petition, the
dispute not yet open; a fresh worker finishes it, and exactly one dispute exists.

Real processes: the Temporal dev server, a worker whose "open the dispute" step stalls
(``stalling_diversion_worker.py``), then ``python -m worker worker``; the API runs in process.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from temporalio.client import Client, WorkflowExecutionStatus

from activities.runtime import devstack
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry
from activities.store.engine import create_engine
from api.app import create_app
from domain.case.labels import CHANNEL_LABELS
from domain.case.stages import Stage
from domain.values import Channel
from tests.api.helpers import act, case_in_stage
from tests.engine_keys import COMMAND_A, ENV_A, PAYLOAD_A
from tests.principals import bearer, seed_database
from worker import WORKFLOWS
from workflows.contract import DIVERSION_WORKFLOW, WORKFLOW_TYPE, diversion_workflow_id

pytestmark = pytest.mark.e2e

STALLING_WORKER = Path(__file__).with_name("stalling_diversion_worker.py")
TASK_QUEUE = "diversion-restart"


async def _until(condition: Any, timeout: float, what: str) -> None:
    for _ in range(int(timeout * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def _rows(database_url: str, sql: str, **params: str) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params)]
    finally:
        await engine.dispose()


async def _workflows(client: Client, workflow_type: str) -> list[tuple[str, Any]]:
    query = f"WorkflowType = '{workflow_type}'"
    return [(e.id, e.status) async for e in client.list_workflows(query)]


async def test_a_diversion_survives_a_worker_killed_between_its_two_steps(
    fresh_database_url: Any, tmp_path: Path
) -> None:
    database_url = await fresh_database_url("postgresql")
    keys = await seed_database(database_url)
    ports = devstack.DevServerPorts()
    server = devstack.spawn(
        devstack.temporal_dev_server_command(tmp_path / "temporal.db", ports, ui=False),
        log_file=tmp_path / "temporal.log",
    )
    env = {
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
        "FENGQIAO_TASK_QUEUE": TASK_QUEUE,
        "FENGQIAO_ARCHIVE_INTERVAL_SECONDS": "0",
        **ENV_A,
    }
    marker = tmp_path / "opening-the-dispute.json"
    workers = []
    try:
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        workers.append(
            devstack.spawn(
                [sys.executable, str(STALLING_WORKER), str(marker)],
                env=env,
                log_file=tmp_path / "stalling-worker.log",
            )
        )
        settings = Settings(
            database_url=database_url,
            temporal_address=env["FENGQIAO_TEMPORAL_ADDRESS"],
            task_queue=TASK_QUEUE,
            command_timeout_seconds=120,
            payload_keys=SecretStr(PAYLOAD_A),
            command_keys=SecretStr(COMMAND_A),
        )
        client = await connect_with_retry(settings)
        app = create_app(settings, temporal=client, workflows=WORKFLOWS)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://fengqiao.test",
                headers=bearer(keys["mediator"]),
                timeout=180,
            ) as api,
        ):
            petition = await case_in_stage(api, Stage.ACCEPTED, "petition")
            petition_id = petition["case_id"]
            diverting = asyncio.create_task(act(api, petition_id, "divert_to_mediation"))

            # Between the two steps: the link is recorded, the dispute is not open.
            await _until(marker.exists, 60, "the stalled step")
            dispute_id = json.loads(marker.read_text(encoding="utf-8"))["dispute_case_id"]
            linked = await api.get(f"/v1/cases/{petition_id}", params={"consistent": "true"})
            assert linked.json()["diverted_to"] == dispute_id
            assert (await api.get(f"/v1/cases/{dispute_id}")).status_code == 404
            assert not diverting.done()

            workers[-1].kill()  # SIGKILL in the middle of the diversion
            workers[-1].wait()
            workers.append(
                devstack.spawn(
                    devstack.python_module_command("worker"),
                    env=env,
                    log_file=tmp_path / "worker.log",
                )
            )

            response = await diverting
            assert response.status_code == 200, response.text
            assert response.json()["diverted_to"] == dispute_id
            again = await act(api, petition_id, "divert_to_mediation")  # a retried request
            assert again.status_code == 200, again.text
            assert again.json()["diverted_to"] == dispute_id

            timeline = (await api.get(f"/v1/cases/{petition_id}/timeline")).json()["entries"]
            links = [e for e in timeline if e["type"] == "diverted_to_mediation"]
            assert [link["data"]["dispute_case_id"] for link in links] == [dispute_id]
            dispute = (await api.get(f"/v1/cases/{dispute_id}")).json()
            assert dispute["kind"] == "dispute"
            assert dispute["channel"] == Channel.PETITION_REFERRAL.value
            assert dispute["labels"]["channel"] == CHANNEL_LABELS[Channel.PETITION_REFERRAL]
            assert dispute["labels"]["channel"] == "访调对接"
            assert dispute["title"] == petition["title"]
            opened = (await api.get(f"/v1/cases/{dispute_id}/timeline")).json()["entries"]
            assert opened[0]["type"] == "case_registered"
            assert opened[0]["command_id"] == f"intake:divert:{petition_id}"  # the link back

        # Exactly one dispute: in the read model, in the event log and in Temporal.
        disputes = await _rows(database_url, "SELECT case_id FROM cases WHERE kind = 'dispute'")
        assert disputes == [(dispute_id,)]
        registrations = await _rows(
            database_url,
            "SELECT case_id, count(*) FROM case_events WHERE type = 'case_registered' "
            "AND case_id LIKE 'JF-%' GROUP BY case_id",
        )
        assert registrations == [(dispute_id, 1)]
        cases = await _workflows(client, WORKFLOW_TYPE)
        assert sorted(case_id for case_id, _ in cases) == sorted([petition_id, dispute_id])
        diversions = await _workflows(client, DIVERSION_WORKFLOW)
        assert diversions == [
            (diversion_workflow_id(petition_id), WorkflowExecutionStatus.COMPLETED)
        ]
    finally:
        for worker in workers:
            devstack.stop(worker)
        devstack.stop(server)
