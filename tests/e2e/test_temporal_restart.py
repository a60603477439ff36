"""The Temporal dev server (file persistence) restarts mid-lifecycle: no case is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from activities.runtime import devstack
from api.idempotency import scoped_key
from tests.api.helpers import act, create_case
from tests.e2e.conftest import wait_ready
from tests.principals import USERS, bearer, seed_database
from tests.samples import LIFECYCLE

pytestmark = pytest.mark.e2e


async def _act_until_taken(api: httpx.AsyncClient, case_id: str, action: str, key: str) -> Any:
    for _ in range(120):
        response = await act(api, case_id, action, key=key)  # one key: a retry applies once
        if response.status_code != 503:
            assert response.status_code == 200, response.text
            return response.json()
        await asyncio.sleep(0.5)
    raise AssertionError(f"{action} was never taken")


async def test_a_temporal_restart_mid_lifecycle_loses_no_case(
    tmp_path: Path, fresh_database_url: object
) -> None:
    database_url = await fresh_database_url("postgresql")  # type: ignore[operator]
    keys = await seed_database(database_url)
    ports = devstack.DevServerPorts()
    api_port = devstack.free_port()
    env = {
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
        "FENGQIAO_TASK_QUEUE": "temporal-restart",
        "FENGQIAO_API_PORT": str(api_port),
        "FENGQIAO_COMMAND_TIMEOUT_SECONDS": "5",
    }
    server_command = devstack.temporal_dev_server_command(tmp_path / "temporal.db", ports, ui=False)
    server = devstack.spawn(server_command, log_file=tmp_path / "temporal-1.log")
    others = []
    try:
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        others.append(
            devstack.spawn(
                devstack.python_module_command("worker"), env=env, log_file=tmp_path / "worker.log"
            )
        )
        others.append(
            devstack.spawn(
                devstack.python_module_command("api"), env=env, log_file=tmp_path / "api.log"
            )
        )
        url = f"http://127.0.0.1:{api_port}"
        await wait_ready(url)
        async with httpx.AsyncClient(
            base_url=url, timeout=60, headers=bearer(keys["mediator"])
        ) as api:
            case = await create_case(api)
            case_id = case["case_id"]
            half = len(LIFECYCLE) // 2
            for n, action in enumerate(LIFECYCLE[:half]):
                await _act_until_taken(api, case_id, action, f"{case_id}-{n}")

            devstack.stop(server)  # the engine goes away mid-lifecycle
            down = await act(api, case_id, LIFECYCLE[half], key=f"{case_id}-{half}")
            assert down.status_code == 503  # refused cleanly, to be retried with the same key
            server = devstack.spawn(server_command, log_file=tmp_path / "temporal-2.log")
            devstack.wait_for_port(ports.grpc, timeout=60, process=server)

            for n, action in enumerate(LIFECYCLE[half:], start=half):
                state = await _act_until_taken(api, case_id, action, f"{case_id}-{n}")
            assert state["stage"] == "closed"
            timeline = (await api.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
            assert [e["seq"] for e in timeline] == list(range(1, state["seq"] + 1))
            steps = [e["command_id"] for e in timeline if e["type"] != "policy_snapshotted"]
            for n in range(len(LIFECYCLE)):
                # every command landed (under the sender's own key, api/idempotency.py)
                assert scoped_key(USERS["mediator"], f"{case_id}-{n}") in steps
    finally:
        for process in others:
            devstack.stop(process)
        devstack.stop(server)
