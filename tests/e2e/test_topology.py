"""The production topology on one machine: two API processes and two worker processes against
one Temporal dev server and PostgreSQL. Lifecycles are driven through both APIs; one worker and
one API are SIGKILLed mid-load. Every case completes, and every event is stored exactly once."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from activities.runtime import devstack
from activities.store.engine import create_engine
from tests.e2e.conftest import until, wait_ready
from tests.engine_keys import ENV_A
from tests.principals import bearer, seed_database
from tests.samples import ACTION_PATHS, LIFECYCLE, action_bodies, china_today, intake_body

pytestmark = pytest.mark.e2e

CASES = 12
# Answers that mean "this process cannot take it now; ask again (the other API, the same key)".
RETRY_STATUSES = {502, 503, 504}


@dataclass
class Topology:
    env: dict[str, str]
    logs: Path
    database_url: str
    keys: dict[str, str]
    api_urls: list[str]
    server: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    apis: list[subprocess.Popen[bytes] | None] = field(default_factory=list)

    def start_worker(self, n: int) -> subprocess.Popen[bytes]:
        return devstack.spawn(
            devstack.python_module_command("worker"),
            env=self.env,
            log_file=self.logs / f"worker-{n}.log",
        )

    def start_api(self, n: int) -> subprocess.Popen[bytes]:
        port = self.api_urls[n].rsplit(":", 1)[1]
        return devstack.spawn(
            devstack.python_module_command("api"),
            env={**self.env, "FENGQIAO_API_PORT": port},
            log_file=self.logs / f"api-{n}.log",
        )


@pytest.fixture(scope="module")
async def topology(
    fresh_database_url: object, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Topology]:
    database_url = await fresh_database_url("postgresql")  # type: ignore[operator]
    logs = tmp_path_factory.mktemp("topology-logs")
    ports = devstack.DevServerPorts()
    env = {
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
        "FENGQIAO_TASK_QUEUE": "topology-cases",
        "FENGQIAO_API_HOST": "127.0.0.1",
        "FENGQIAO_ENV": "production",
        **ENV_A,
    }
    running = Topology(
        env=env,
        logs=logs,
        database_url=database_url,
        keys=await seed_database(database_url),
        api_urls=[f"http://127.0.0.1:{devstack.free_port()}" for _ in range(2)],
    )
    try:
        running.server = devstack.spawn(
            devstack.temporal_dev_server_command(logs / "temporal.db", ports, ui=False),
            log_file=logs / "temporal.log",
        )
        devstack.wait_for_port(ports.grpc, timeout=60, process=running.server)
        running.workers = [running.start_worker(n) for n in range(2)]
        running.apis = [running.start_api(n) for n in range(2)]
        for url, process in zip(running.api_urls, running.apis, strict=True):
            await wait_ready(url, process)
        yield running
    finally:
        for process in (*running.apis, *running.workers, running.server):
            if process is not None:
                devstack.stop(process)


class TwoApis:
    """Sends each request to one API and, when that one cannot answer, to the other with the
    same idempotency key (what a load balancer in front of the replicas does)."""

    def __init__(self, clients: list[httpx.AsyncClient]) -> None:
        self.clients = clients
        self.turn = itertools.count()
        self.failovers = 0

    async def post(self, path: str, body: dict[str, Any], key: str) -> httpx.Response:
        first = next(self.turn)
        for attempt in range(40):
            client = self.clients[(first + attempt) % len(self.clients)]
            try:
                response = await client.post(path, json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError:
                self.failovers += 1
                await asyncio.sleep(0.05)
                continue
            if response.status_code not in RETRY_STATUSES:
                return response
            self.failovers += 1
            await asyncio.sleep(0.05)
        raise AssertionError(f"{path}: no API answered")


async def _event_seqs(database_url: str) -> dict[str, list[int]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT case_id, seq FROM case_events ORDER BY case_id, seq, id")
            )
            seqs: dict[str, list[int]] = {}
            for case_id, seq in rows:
                seqs.setdefault(case_id, []).append(seq)
            return seqs
    finally:
        await engine.dispose()


async def test_two_apis_and_two_workers_survive_a_kill_of_each(topology: Topology) -> None:
    headers = bearer(topology.keys["mediator"])
    clients = [
        httpx.AsyncClient(base_url=url, timeout=120, headers=headers) for url in topology.api_urls
    ]
    apis = TwoApis(clients)
    bodies = action_bodies(china_today())
    progress: dict[str, int] = {}
    try:

        async def drive(n: int) -> str:
            created = await apis.post("/v1/cases", intake_body(title=f"拓扑测试{n}"), f"topo-{n}")
            assert created.status_code in (200, 201), created.text
            case_id: str = created.json()["case_id"]
            progress[case_id] = 0
            for step, action in enumerate(LIFECYCLE):
                path = f"/v1/cases/{case_id}/{ACTION_PATHS[action]}"
                response = await apis.post(path, bodies[action], f"{case_id}-{step}")
                assert response.status_code == 200, (case_id, action, response.text)
                progress[case_id] = step + 1
            return case_id

        drivers = [asyncio.create_task(drive(n)) for n in range(CASES)]
        # Mid-load: every case registered and moving, none finished.
        await until(
            lambda: len(progress) == CASES and min(progress.values()) >= 2, drivers, timeout=300
        )
        assert max(progress.values()) < len(LIFECYCLE)
        topology.workers[0].kill()  # SIGKILL: no shutdown, no cleanup
        topology.workers[0].wait()
        dead_api = topology.apis[0]
        assert dead_api is not None
        dead_api.kill()
        dead_api.wait()
        topology.apis[0] = None
        case_ids = await asyncio.wait_for(asyncio.gather(*drivers), timeout=600)

        assert apis.failovers > 0  # the killed API was in the path and the other took over
        seqs = await _event_seqs(topology.database_url)
        survivor = clients[1]
        for case_id in case_ids:
            case = (await survivor.get(f"/v1/cases/{case_id}")).json()
            assert case["stage"] == "closed", case_id
            # Every event exactly once, none missing.
            assert seqs[case_id] == list(range(1, case["seq"] + 1)), (case_id, seqs[case_id])
            live = (
                await survivor.get(f"/v1/cases/{case_id}", params={"consistent": "true"})
            ).json()
            assert live["seq"] == case["seq"]
        assert len(set(case_ids)) == CASES  # a retried registration made no second case
    finally:
        for client in clients:
            await client.aclose()
