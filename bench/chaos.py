"""Faults at scale: a benchmark that asserts (故障演练).

    python -m bench.chaos [--cases 200] [--concurrency 16] [--kills 20]
                          [--temporal-restarts 2] [--outage-seconds 60]

Real processes on this machine: the Temporal dev server (file persistence), two ``fengqiao
worker`` and one ``fengqiao api``, PostgreSQL behind a loopback proxy the run can cut. N case
lifecycles (intake + 12 commands; one case in four registered at major risk, so alerts are
raised and delivered) run at the given concurrency while, spread over the run by progress,
random workers are SIGKILLed and started again, the Temporal server is killed and restarted on
its file, and PostgreSQL is cut off for the outage's length. A client retries a refused or lost
command with the same idempotency key, as a user's console does.

Afterwards it asserts, and exits 1 if any fails: ``fengqiao audit verify --all`` is clean; every
case's events are stored exactly once (seq 1..N, no gap, no repeat); no case is stuck (every
case closed, the read model at the workflow's seq); every alert delivery was made once (no
delivery id succeeded twice, every alert notified). CI runs it small
(``tests/e2e/test_chaos_bench.py``); the figures in the README come from the full run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from activities.runtime import devstack
from activities.store.engine import create_engine
from activities.store.migrate import upgrade_async
from bench.throughput import fresh_postgres
from tests.engine_keys import ENV_A
from tests.principals import bearer, seed_database
from tests.samples import ACTION_PATHS, LIFECYCLE, action_bodies, china_today, intake_body
from tests.tcp_proxy import TcpProxy

RETRY_STATUSES = {502, 503, 504}


@dataclass
class Faults:
    kills: int = 0
    temporal_restarts: int = 0
    outage_seconds: float = 0.0
    retries: int = 0


@dataclass
class System:
    env: dict[str, str]
    logs: Path
    server_command: list[str]
    grpc_port: int
    api_url: str
    server: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    api: subprocess.Popen[bytes] | None = None
    spawned: int = 0

    def spawn_worker(self) -> subprocess.Popen[bytes]:
        self.spawned += 1
        return devstack.spawn(
            devstack.python_module_command("worker"),
            env=self.env,
            log_file=self.logs / f"worker-{self.spawned}.log",
        )

    def start_server(self) -> None:
        self.server = devstack.spawn(self.server_command, log_file=self.logs / "temporal.log")
        devstack.wait_for_port(self.grpc_port, timeout=60, process=self.server)

    def stop_all(self) -> None:
        for process in (self.api, *self.workers, self.server):
            if process is not None:
                devstack.stop(process)


async def _post(
    api: httpx.AsyncClient, path: str, body: dict[str, Any], key: str, faults: Faults
) -> httpx.Response:
    """One command, retried with its key until a process takes it (at most ~10 minutes)."""
    for _ in range(1200):
        try:
            response = await api.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code not in RETRY_STATUSES:
            return response
        faults.retries += 1
        await asyncio.sleep(0.5)
    raise AssertionError(f"{path}: never taken")


async def _chaos(
    system: System,
    done: Callable[[], float],
    proxy: TcpProxy,
    plan: argparse.Namespace,
    faults: Faults,
    rng: random.Random,
) -> None:
    """Faults spread over the run by progress (the fraction of commands done)."""
    events: list[tuple[float, str]] = [
        ((n + 1) / (plan.kills + 1), "kill") for n in range(plan.kills)
    ]
    events += [
        ((n + 1) / (plan.temporal_restarts + 1) - 0.05, "temporal")
        for n in range(plan.temporal_restarts)
    ]
    if plan.outage_seconds > 0:
        events.append((0.45, "outage"))
    for at, kind in sorted(events):
        while done() < at:
            await asyncio.sleep(0.05)
        if kind == "kill":
            index = rng.randrange(len(system.workers))
            system.workers[index].kill()  # SIGKILL: no shutdown, no cleanup
            system.workers[index].wait()
            system.workers[index] = system.spawn_worker()
            faults.kills += 1
        elif kind == "temporal":
            assert system.server is not None
            system.server.kill()
            system.server.wait()
            system.start_server()
            faults.temporal_restarts += 1
        else:
            proxy.cut()
            started = time.monotonic()
            await asyncio.sleep(plan.outage_seconds)
            proxy.restore()
            faults.outage_seconds += time.monotonic() - started


async def _rows(database_url: str, sql: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return list(await connection.execute(text(sql)))
    finally:
        await engine.dispose()


async def _settled(api: httpx.AsyncClient, case_ids: list[str], timeout: float) -> list[str]:
    """Cases whose read model has not reached the workflow's seq within ``timeout`` (stuck)."""
    deadline = time.monotonic() + timeout
    pending = list(case_ids)
    while pending and time.monotonic() < deadline:
        still: list[str] = []
        for case_id in pending:
            try:
                stored = (await api.get(f"/v1/cases/{case_id}")).json()
                live = (await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})).json()
            except (httpx.TransportError, ValueError):
                still.append(case_id)
                continue
            if stored.get("seq") != live.get("seq") or stored.get("stage") != "closed":
                still.append(case_id)
        pending = still
        if pending:
            await asyncio.sleep(1.0)
    return pending


async def run(plan: argparse.Namespace) -> dict[str, Any]:
    """Run the drill; the findings (the caller asserts on them)."""
    base = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    direct_url, drop = await fresh_postgres(base)
    rng = random.Random(plan.seed)
    workdir = Path(tempfile.mkdtemp(prefix="fengqiao-chaos-"))
    proxy: TcpProxy | None = None
    system: System | None = None
    try:
        await upgrade_async(direct_url)
        keys = await seed_database(direct_url)
        url = make_url(direct_url)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        proxied = url.set(host="127.0.0.1", port=await proxy.start())
        ports = devstack.DevServerPorts()
        api_port = devstack.free_port()
        env = {
            "FENGQIAO_DATABASE_URL": proxied.render_as_string(hide_password=False),
            "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
            "FENGQIAO_TASK_QUEUE": "chaos-cases",
            "FENGQIAO_API_HOST": "127.0.0.1",
            "FENGQIAO_API_PORT": str(api_port),
            "FENGQIAO_ENV": "production",
            "FENGQIAO_COMMAND_TIMEOUT_SECONDS": "20",
            **ENV_A,
        }
        system = System(
            env=env,
            logs=workdir,
            server_command=devstack.temporal_dev_server_command(
                workdir / "temporal.db", ports, ui=False
            ),
            grpc_port=ports.grpc,
            api_url=f"http://127.0.0.1:{api_port}",
        )
        system.start_server()
        system.workers = [system.spawn_worker() for _ in range(2)]
        system.api = devstack.spawn(
            devstack.python_module_command("api"), env=env, log_file=workdir / "api.log"
        )
        devstack.wait_for_port(api_port, timeout=60, process=system.api)
        faults = Faults()
        total = plan.cases * (1 + len(LIFECYCLE))
        done = [0]
        bodies = action_bodies(china_today())
        started = time.monotonic()
        async with httpx.AsyncClient(
            base_url=system.api_url, timeout=120, headers=bearer(keys["mediator"])
        ) as api:
            gate = asyncio.Semaphore(plan.concurrency)

            async def lifecycle(n: int) -> str:
                async with gate:
                    risk = "major" if n % 4 == 0 else "low"
                    body = intake_body(title=f"故障演练{n}", risk_level=risk)
                    created = await _post(api, "/v1/cases", body, f"chaos-{n}", faults)
                    assert created.status_code in (200, 201), created.text
                    case_id: str = created.json()["case_id"]
                    done[0] += 1
                    for step, action in enumerate(LIFECYCLE):
                        path = f"/v1/cases/{case_id}/{ACTION_PATHS[action]}"
                        response = await _post(
                            api, path, bodies[action], f"{case_id}-{step}", faults
                        )
                        assert response.status_code == 200, (case_id, action, response.text)
                        done[0] += 1
                    return case_id

            drivers = [asyncio.create_task(lifecycle(n)) for n in range(plan.cases)]
            chaos = asyncio.create_task(
                _chaos(system, lambda: done[0] / total, proxy, plan, faults, rng)
            )
            case_ids = await asyncio.gather(*drivers)
            await chaos
            elapsed = time.monotonic() - started
            stuck = await _settled(api, case_ids, timeout=plan.settle_seconds)
        verify = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "worker", "audit", "verify", "--all"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=1800,
        )
        seqs: dict[str, list[int]] = {}
        for case_id, seq in await _rows(
            direct_url, "SELECT case_id, seq FROM case_events ORDER BY case_id, seq, id"
        ):
            seqs.setdefault(case_id, []).append(seq)
        lost = [
            c for c in case_ids if not seqs.get(c) or seqs[c] != list(range(1, len(seqs[c]) + 1))
        ]
        duplicated = [c for c in case_ids if len(set(seqs.get(c, []))) != len(seqs.get(c, []))]
        twice = await _rows(
            direct_url,
            "SELECT delivery_id FROM alert_deliveries WHERE succeeded "
            "GROUP BY delivery_id HAVING count(*) > 1",
        )
        alerts = await _rows(
            direct_url,
            "SELECT count(DISTINCT alert_id) FROM alert_deliveries WHERE succeeded",
        )
        # Workflow tasks lost after their projection wrote (a worker killed inside one, a task
        # the restarting server dropped): their events were set aside by the attempt that
        # decided again (case_events_superseded), never left in the chain.
        aside = await _rows(
            direct_url,
            "SELECT count(*), count(DISTINCT (case_id, superseded_by)) FROM case_events_superseded",
        )
        return {
            "cases": len(set(case_ids)),
            "seconds": round(elapsed, 1),
            "kills": faults.kills,
            "temporal_restarts": faults.temporal_restarts,
            "outage_seconds": round(faults.outage_seconds, 1),
            "retries": faults.retries,
            "verify_exit": verify.returncode,
            "verify_tail": verify.stdout.strip().splitlines()[-1:] if verify.stdout else [],
            "lost": lost,
            "duplicated": [c for c in duplicated if c not in lost],
            "stuck": stuck,
            "deliveries_twice": [row[0] for row in twice],
            "alerts_delivered": int(alerts[0][0]),
            "major_cases": (plan.cases + 3) // 4,
            "events_set_aside": int(aside[0][0]),
            "attempts_set_aside": int(aside[0][1]),
        }
    finally:
        if system is not None:
            system.stop_all()
        if proxy is not None:
            await proxy.stop()
        await drop()


def failures(result: dict[str, Any]) -> list[str]:
    problems = []
    if result["verify_exit"] != 0:
        problems.append(f"audit verify --all failed: {result['verify_tail']}")
    for name in ("lost", "duplicated", "stuck", "deliveries_twice"):
        if result[name]:
            problems.append(f"{name}: {result[name][:10]}")
    if result["alerts_delivered"] < result["major_cases"]:
        problems.append(f"alerts delivered {result['alerts_delivered']} < {result['major_cases']}")
    return problems


def parser() -> argparse.ArgumentParser:
    parsed = argparse.ArgumentParser(prog="bench.chaos", description=__doc__.split("\n")[0])
    parsed.add_argument("--cases", type=int, default=200)
    parsed.add_argument("--concurrency", type=int, default=16)
    parsed.add_argument("--kills", type=int, default=20)
    parsed.add_argument("--temporal-restarts", type=int, default=2)
    parsed.add_argument("--outage-seconds", type=float, default=60.0)
    parsed.add_argument("--settle-seconds", type=float, default=300.0)
    parsed.add_argument("--seed", type=int, default=20261206)
    return parsed


async def main_async(argv: list[str] | None = None) -> int:
    plan = parser().parse_args(argv)
    result = await run(plan)
    for key, value in result.items():
        shown = len(value) if isinstance(value, list) and key != "verify_tail" else value
        print(f"{key:>18}: {shown}")
    problems = failures(result)
    for problem in problems:
        print(f"FAILED {problem}")
    print("chaos: OK" if not problems else "chaos: FAILED")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(main_async(argv))


if __name__ == "__main__":
    sys.exit(main())
