"""Open cases at scale (在办案件规模): memory, evicted cases, timer lateness.

    python -m bench.scale [--open 10000] [--concurrency 16] [--cache 1000] [--burst 1000]
                          [--burst-wait 180]

Real processes: the Temporal dev server (file persistence), one ``fengqiao worker`` (its
workflow cache ``--cache``) and one ``fengqiao api`` on a fresh PostgreSQL database.

1. Intake: ``--open`` cases registered and accepted through the API at ``--concurrency``, each
   with its statutory clocks armed; the rate of every block of 1,000 (does it hold to the last?)
   and the resident memory of the server and the worker before and after (per open case).
2. Eviction: a command to the oldest cases (out of the worker's cache once ``--open`` exceeds
   ``--cache``: rebuilt from their histories) against the newest (cached): medians.
3. Timer burst: ``--burst`` cases registered at major risk under a policy whose escalation
   re-notifies ``--burst-wait`` seconds after the alert, so that many timers fall due within a
   minute or two; each timer's lateness (fired − started − its timeout, from the histories).

Prints the figures; nothing is asserted (bench/chaos.py is the one that asserts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from activities.runtime import devstack
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry
from activities.store.migrate import upgrade_async
from bench.throughput import fresh_postgres, percentile
from tests.engine_keys import ENV_A
from tests.principals import bearer, seed_database
from tests.samples import ACTION_PATHS, action_bodies, china_today, intake_body

BLOCK = 1000


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _fast_escalation(directory: Path, wait_seconds: float) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    override = {
        "jurisdiction": "320102",
        "version": "scale-burst",
        "chains": [
            {
                "chain_id": "major-risk",
                "risk_levels": ["major", "critical"],
                "levels": [
                    {
                        "level": 1,
                        "role": "responsible_person",
                        "wait_hours": wait_seconds / 3600,
                        "renotify": 1,
                    },
                    {"level": 2, "role": "unit_head_or_leader", "wait_hours": 24, "renotify": 0},
                ],
            }
        ],
    }
    (directory / "burst.json").write_text(json.dumps(override), encoding="utf-8")


async def _bounded(count: int, concurrency: int, job: Any) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> Any:
        async with gate:
            return await job(n)

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def _post(api: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(path, json=body)
    assert response.status_code in (200, 201), (path, response.text)
    answer: dict[str, Any] = response.json()
    return answer


async def _timer_lateness(client: Client, case_ids: list[str], since: float) -> list[float]:
    """Seconds each timer that fired after ``since`` (epoch) fired late."""
    late: list[float] = []
    for case_id in case_ids:
        started: dict[int, float] = {}
        async for event in client.get_workflow_handle(case_id).fetch_history_events():
            at = event.event_time.ToDatetime().timestamp()
            if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
                timeout = event.timer_started_event_attributes.start_to_fire_timeout
                started[event.event_id] = at + timeout.ToTimedelta().total_seconds()
            elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
                due = started.get(event.timer_fired_event_attributes.started_event_id)
                if due is not None and due >= since:
                    late.append(max(0.0, at - due))
    return late


async def run(plan: argparse.Namespace) -> dict[str, Any]:
    base = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    database_url, drop = await fresh_postgres(base)
    workdir = Path(tempfile.mkdtemp(prefix="fengqiao-scale-"))
    _fast_escalation(workdir / "policy", plan.burst_wait)
    processes = []
    try:
        await upgrade_async(database_url)
        keys = await seed_database(database_url)
        ports = devstack.DevServerPorts()
        api_port = devstack.free_port()
        env = {
            "FENGQIAO_DATABASE_URL": database_url,
            "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
            "FENGQIAO_TASK_QUEUE": "scale-cases",
            "FENGQIAO_API_HOST": "127.0.0.1",
            "FENGQIAO_API_PORT": str(api_port),
            "FENGQIAO_ENV": "production",
            "FENGQIAO_POLICY_DIR": str(workdir / "policy"),
            "FENGQIAO_WORKER_MAX_CACHED_WORKFLOWS": str(plan.cache),
            **ENV_A,
        }
        server = devstack.spawn(
            devstack.temporal_dev_server_command(workdir / "temporal.db", ports, ui=False),
            log_file=workdir / "temporal.log",
        )
        processes.append(server)
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        worker = devstack.spawn(
            devstack.python_module_command("worker"), env=env, log_file=workdir / "worker.log"
        )
        api_process = devstack.spawn(
            devstack.python_module_command("api"), env=env, log_file=workdir / "api.log"
        )
        processes += [worker, api_process]
        devstack.wait_for_port(api_port, timeout=60, process=api_process)
        bodies = action_bodies(china_today())
        result: dict[str, Any] = {"open": plan.open, "cache": plan.cache}
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{api_port}", timeout=300, headers=bearer(keys["mediator"])
        ) as api:
            # Warm up: the first case pays for imports and connections.
            await _post(api, "/v1/cases", intake_body(title="预热"))
            memory_before = {"server": rss_mib(server.pid), "worker": rss_mib(worker.pid)}

            case_ids: list[str] = []
            rates: list[float] = []
            for first in range(0, plan.open, BLOCK):
                size = min(BLOCK, plan.open - first)
                started = time.monotonic()

                async def open_case(n: int, first: int = first) -> str:
                    case = await _post(api, "/v1/cases", intake_body(title=f"规模{first + n}"))
                    await _post(api, f"/v1/cases/{case['case_id']}/accept", bodies["accept"])
                    return str(case["case_id"])

                case_ids += await _bounded(size, plan.concurrency, open_case)
                rates.append(size / (time.monotonic() - started))
                print(f"opened {len(case_ids):>6}: {rates[-1]:.2f} cases/s", flush=True)
            memory_after = {"server": rss_mib(server.pid), "worker": rss_mib(worker.pid)}
            result["intake_rate_per_block"] = [round(rate, 2) for rate in rates]
            result["memory_mib"] = {"before": memory_before, "after": memory_after}
            result["kib_per_open_case"] = {
                name: round((memory_after[name] - memory_before[name]) * 1024 / plan.open, 1)
                for name in memory_before
            }

            async def timed_plan(case_id: str) -> float:
                started = time.monotonic()
                await _post(api, f"/v1/cases/{case_id}/{ACTION_PATHS['plan']}", bodies["plan"])
                return (time.monotonic() - started) * 1000

            oldest = [await timed_plan(case_id) for case_id in case_ids[:20]]
            newest = [await timed_plan(case_id) for case_id in case_ids[-20:]]
            result["command_ms_evicted_median"] = round(statistics.median(oldest), 1)
            result["command_ms_cached_median"] = round(statistics.median(newest), 1)

            burst_start = time.time()

            async def major(n: int) -> str:
                body = intake_body(title=f"时限集中到期{n}", risk_level="major")
                return str((await _post(api, "/v1/cases", body))["case_id"])

            burst = await _bounded(plan.burst, plan.concurrency, major)
            registered_in = time.time() - burst_start
            result["burst_registered_seconds"] = round(registered_in, 1)
            # Every re-notification falls due ``burst_wait`` after its alert; wait them out.
            await asyncio.sleep(
                max(0.0, burst_start + registered_in + plan.burst_wait + 30 - time.time())
            )
        client = await connect_with_retry(
            Settings(temporal_address=env["FENGQIAO_TEMPORAL_ADDRESS"], **_keys_only()),
        )
        late = await _timer_lateness(client, burst, burst_start + plan.burst_wait - 1)
        result["burst_timers_fired"] = len(late)
        if late:
            result["timer_lateness_s"] = {
                "p50": round(percentile(late, 0.5), 2),
                "p99": round(percentile(late, 0.99), 2),
                "max": round(max(late), 2),
            }
        return result
    finally:
        for process in reversed(processes):
            devstack.stop(process)
        await drop()


def _keys_only() -> dict[str, Any]:
    """The test keyring of ENV_A as settings (the bench's processes run with it)."""
    return {
        "payload_keys": ENV_A["FENGQIAO_PAYLOAD_KEYS"],
        "command_keys": ENV_A["FENGQIAO_COMMAND_KEYS"],
    }


def parser() -> argparse.ArgumentParser:
    parsed = argparse.ArgumentParser(prog="bench.scale", description=__doc__.split("\n")[0])
    parsed.add_argument("--open", type=int, default=10_000)
    parsed.add_argument("--concurrency", type=int, default=16)
    parsed.add_argument("--cache", type=int, default=1000)
    parsed.add_argument("--burst", type=int, default=1000)
    parsed.add_argument("--burst-wait", type=float, default=180.0)
    return parsed


def main(argv: list[str] | None = None) -> int:
    result = asyncio.run(run(parser().parse_args(argv)))
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
