"""Open cases at scale (在办案件规模): intake rate, memory per open case, evicted cases, a burst.

    python -m bench.scale [--open 10000] [--concurrency 16] [--cache 0] [--block 1000]
                          [--burst 1000] [--burst-groups 50] [--burst-pace 4] [--burst-window 60]

Real processes: the Temporal dev server (file persistence), one ``fengqiao worker`` (its
workflow cache ``--cache``; 0: the setting's default) and one ``fengqiao api`` on a fresh
PostgreSQL database.

1. Intake: ``--open`` cases registered and accepted through the API at ``--concurrency``, each
   with its statutory clocks armed. For every block of ``--block`` cases: the rate, the latency
   of each request, the CPU per case of the server, the worker, the API and this database's
   PostgreSQL backends, and the resident memory of the server and the worker (its growth per
   open case; the server's SQLite file per case).
2. A command to cases out of the worker's cache (the oldest: evicted once ``--open`` exceeds the
   cache, else after a restart of the worker, rebuilt from their histories) against cached
   ones (the newest): medians.
3. Timer burst (``bench.scale_burst``): ``--burst`` cases whose escalation falls due within
   ``--burst-window`` seconds; each timer's lateness: fired by the server, handled by the case
   (its escalation recorded), projected (the alert in the store).

Prints the figures; nothing is asserted (bench/chaos.py is the one that asserts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from activities.runtime import devstack
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry
from activities.store.migrate import upgrade_async
from bench.scale_burst import BurstPlan, TimerFiring, firings, write_policies
from bench.throughput import cpu_seconds, fresh_postgres, percentile
from tests.engine_keys import ENV_A
from tests.principals import bearer, seed_database
from tests.samples import ACTION_PATHS, action_bodies, china_today, intake_body

SAMPLE = 20  # cases commanded on each side of the eviction comparison


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def database_cpu(name: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to database ``name`` (by its title)."""
    found: dict[int, float] = {}
    marker = f" {name} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes() + b" ":
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


class Meter:
    """CPU of the processes and this database's backends between two readings."""

    def __init__(self, processes: dict[str, int], database: str) -> None:
        self.processes = processes
        self.database = database
        self._start = self._read()

    def _read(self) -> tuple[dict[str, float], dict[int, float]]:
        return (
            {name: cpu_seconds(pid) for name, pid in self.processes.items()},
            database_cpu(self.database),
        )

    def lap(self) -> dict[str, float]:
        """CPU seconds per process since the last lap."""
        now = self._read()
        (before, backends_before), (after, backends_after) = self._start, now
        spent = {name: after[name] - before[name] for name in after}
        spent["postgres"] = sum(
            cpu - backends_before.get(pid, 0.0) for pid, cpu in backends_after.items()
        )
        self._start = now
        return spent


async def _bounded(count: int, concurrency: int, job: Any) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> Any:
        async with gate:
            return await job(n)

    return list(await asyncio.gather(*(one(n) for n in range(count))))


class Api:
    """The bench's HTTP client; every request's latency kept by path kind."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.latency: dict[str, list[float]] = {}

    async def post(self, kind: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        response = await self.client.post(path, json=body)
        self.latency.setdefault(kind, []).append(time.monotonic() - started)
        assert response.status_code in (200, 201), (path, response.text)
        answer: dict[str, Any] = response.json()
        return answer

    def take(self) -> dict[str, list[float]]:
        taken, self.latency = self.latency, {}
        return taken


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.5) * 1000, 1),
        "p99": round(percentile(values, 0.99) * 1000, 1),
    }


async def intake(
    api: Api, plan: argparse.Namespace, meter: Meter, pids: dict[str, int], db_file: Path
) -> tuple[list[str], list[dict[str, Any]]]:
    bodies = action_bodies(china_today())
    case_ids: list[str] = []
    blocks: list[dict[str, Any]] = []
    meter.lap()
    for first in range(0, plan.open, plan.block):
        size = min(plan.block, plan.open - first)
        started = time.monotonic()

        async def open_case(n: int, first: int = first) -> str:
            case = await api.post("register", "/v1/cases", intake_body(title=f"规模{first + n}"))
            await api.post("accept", f"/v1/cases/{case['case_id']}/accept", bodies["accept"])
            return str(case["case_id"])

        case_ids += await _bounded(size, plan.concurrency, open_case)
        rate = size / (time.monotonic() - started)
        cpu = meter.lap()
        latency = api.take()
        block = {
            "open": len(case_ids),
            "cases_per_s": round(rate, 2),
            "cpu_ms_per_case": {name: round(s * 1000 / size, 1) for name, s in cpu.items()},
            "latency_ms": {kind: _ms(values) for kind, values in latency.items()},
            "rss_mib": {name: round(rss_mib(pid), 1) for name, pid in pids.items()},
            "temporal_db_mib": round(db_file.stat().st_size / 2**20, 1),
        }
        blocks.append(block)
        print(json.dumps(block, ensure_ascii=False), flush=True)
    return case_ids, blocks


async def timed_plan(api: Api, case_id: str) -> float:
    bodies = action_bodies(china_today())
    started = time.monotonic()
    await api.post("plan", f"/v1/cases/{case_id}/{ACTION_PATHS['plan']}", bodies["plan"])
    return (time.monotonic() - started) * 1000


async def burst(api: Api, plan: BurstPlan) -> tuple[list[str], float]:
    """Register the burst's cases group by group, each group at its slot; returns the case ids
    and the burst's start (epoch seconds)."""
    start = time.time()
    case_ids: list[str] = []
    for group in range(plan.groups):
        await asyncio.sleep(max(0.0, start + group * plan.pace - time.time()))
        village = plan.village(group)

        async def major(n: int, group: int = group, village: str = village) -> str:
            body = intake_body(
                title=f"时限集中到期{group}-{n}",
                risk_level="major",
                jurisdiction={
                    "county_code": "320102",
                    "town_code": "320102001",
                    "village_code": village,
                },
            )
            return str((await api.post("burst", "/v1/cases", body))["case_id"])

        case_ids += await _bounded(plan.size(group), 16, major)
    return case_ids, start


def _env(
    database_url: str, ports: devstack.DevServerPorts, api_port: int, policy: Path, cache: int
) -> dict[str, str]:
    env = {
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
        "FENGQIAO_TASK_QUEUE": "scale-cases",
        "FENGQIAO_API_HOST": "127.0.0.1",
        "FENGQIAO_API_PORT": str(api_port),
        "FENGQIAO_ENV": "production",
        "FENGQIAO_POLICY_DIR": str(policy),
        **ENV_A,
    }
    if cache:
        env["FENGQIAO_WORKER_MAX_CACHED_WORKFLOWS"] = str(cache)
    return env


def _lateness(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.5), 2),
        "p99": round(percentile(values, 0.99), 2),
        "max": round(max(values), 2),
    }


async def _burst_outcome(
    temporal: Client,
    case_ids: list[str],
    start: float,
    plan: BurstPlan,
    settle: float,
    meter: Meter,
) -> tuple[list[TimerFiring], dict[str, float]]:
    """Each burst case's timer once it fired and the case stored what it did, read from the
    histories after the last due time (polled, at most ``settle`` seconds more); and the CPU
    seconds each process spent from the first due time until then (the polls included)."""
    await asyncio.sleep(max(0.0, start + plan.first_due - 1 - time.time()))
    meter.lap()
    await asyncio.sleep(max(0.0, start + plan.last_due + 2 - time.time()))
    deadline = time.time() + settle
    since = start + plan.first_due - plan.margin
    found: dict[str, list[TimerFiring]] = {}
    pending = list(case_ids)
    while pending:
        for case_id in pending:
            found[case_id] = await firings(temporal, case_id, since)
        pending = [
            case_id
            for case_id in pending
            if not found[case_id] or any(f.projected is None for f in found[case_id])
        ]
        if not pending or time.time() > deadline:
            break
        await asyncio.sleep(2)
    cpu = meter.lap()
    return [firing for case_firings in found.values() for firing in case_firings], cpu


async def run(plan: argparse.Namespace) -> dict[str, Any]:
    base = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    database_url, drop = await fresh_postgres(base)
    database = database_url.rsplit("/", 1)[1]
    workdir = Path(tempfile.mkdtemp(prefix="fengqiao-scale-"))
    bursting = BurstPlan(
        plan.burst, min(plan.burst_groups, max(1, plan.burst)), plan.burst_pace, plan.burst_window
    )
    write_policies(workdir / "policy", bursting)
    cache = plan.cache or Settings().worker_max_cached_workflows
    processes: dict[str, Any] = {}
    try:
        await upgrade_async(database_url)
        keys = await seed_database(database_url)
        ports = devstack.DevServerPorts()
        api_port = devstack.free_port()
        env = _env(database_url, ports, api_port, workdir / "policy", plan.cache)
        db_file = workdir / "temporal.db"
        processes["server"] = devstack.spawn(
            devstack.temporal_dev_server_command(db_file, ports, ui=False),
            log_file=workdir / "temporal.log",
        )
        devstack.wait_for_port(ports.grpc, timeout=60, process=processes["server"])

        def start_worker() -> None:
            processes["worker"] = devstack.spawn(
                devstack.python_module_command("worker"), env=env, log_file=workdir / "worker.log"
            )

        start_worker()
        processes["api"] = devstack.spawn(
            devstack.python_module_command("api"), env=env, log_file=workdir / "api.log"
        )
        devstack.wait_for_port(api_port, timeout=60, process=processes["api"])
        result: dict[str, Any] = {"open": plan.open, "cache": cache, "block": plan.block}
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{api_port}", timeout=300, headers=bearer(keys["mediator"])
        ) as client:
            api = Api(client)
            # Warm up: the first cases pay for imports, connections and the sandbox.
            await _bounded(4, 4, lambda n: api.post("warm", "/v1/cases", intake_body(title="预热")))
            api.take()
            pids = {name: process.pid for name, process in processes.items()}
            memory = {name: rss_mib(pid) for name, pid in pids.items()}
            db_before = db_file.stat().st_size
            meter = Meter(pids, database)
            case_ids, blocks = await intake(api, plan, meter, pids, db_file)
            rates = [block["cases_per_s"] for block in blocks]
            result["intake_rate_per_block"] = rates
            result["intake_blocks"] = blocks
            after = {name: rss_mib(pid) for name, pid in pids.items()}
            result["memory_mib"] = {"before": memory, "after": after}
            result["kib_per_open_case"] = {
                name: round((after[name] - memory[name]) * 1024 / plan.open, 1)
                for name in ("server", "worker")
            }
            result["temporal_db_kib_per_case"] = round(
                (db_file.stat().st_size - db_before) / 1024 / plan.open, 1
            )

            sample = min(SAMPLE, len(case_ids) // 2)
            cached = [await timed_plan(api, case_id) for case_id in case_ids[-sample:]]
            if cache >= plan.open + 5:
                # Nothing fell out of the cache: a restarted worker rebuilds every case.
                devstack.stop(processes["worker"])
                start_worker()
                await timed_plan(api, case_ids[sample])  # the new worker's first task
                result["evicted_by"] = "worker restart"
            else:
                result["evicted_by"] = f"cache of {cache} < {plan.open} open cases"
            evicted = [await timed_plan(api, case_id) for case_id in case_ids[:sample]]
            result["command_ms_cached_median"] = round(statistics.median(cached), 1)
            result["command_ms_evicted_median"] = round(statistics.median(evicted), 1)

            burst_ids, burst_start = await burst(api, bursting)
            result["burst_registered_seconds"] = round(time.time() - burst_start, 1)
        temporal = await connect_with_retry(
            Settings(temporal_address=env["FENGQIAO_TEMPORAL_ADDRESS"], **_keys_only()),
        )
        pids = {name: process.pid for name, process in processes.items()}
        fired, cpu = await _burst_outcome(
            temporal, burst_ids, burst_start, bursting, plan.burst_settle, Meter(pids, database)
        )
        result["burst_timers_fired"] = len(fired)
        result["burst_cpu_ms_per_timer"] = {
            name: round(seconds * 1000 / max(1, len(fired)), 1) for name, seconds in cpu.items()
        }
        result["burst_unhandled"] = len(burst_ids) - sum(1 for f in fired if f.projected)
        if fired:
            dues = sorted(f.due for f in fired)
            result["burst_due_spread_s"] = round(dues[-1] - dues[0], 1)
            result["burst_due_max_per_minute"] = max(
                sum(1 for d in dues if start <= d < start + 60) for start in dues
            )
            result["timer_lateness_s"] = {
                "fired": _lateness([f.fired - f.due for f in fired]),
                "handled": _lateness([f.handled - f.due for f in fired if f.handled]),
                "projected": _lateness([f.projected - f.due for f in fired if f.projected]),
            }
            result["burst_task_queued_s"] = _lateness(
                [f.queued for f in fired if f.queued is not None]
            )
        return result
    finally:
        for process in reversed(list(processes.values())):
            devstack.stop(process)
        await drop()
        shutil.rmtree(workdir, ignore_errors=True)


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
    parsed.add_argument("--cache", type=int, default=0, help="0: the setting's default")
    parsed.add_argument("--block", type=int, default=1000)
    parsed.add_argument("--burst", type=int, default=1000)
    parsed.add_argument("--burst-groups", type=int, default=50)
    parsed.add_argument("--burst-pace", type=float, default=4.0)
    parsed.add_argument("--burst-window", type=float, default=60.0)
    parsed.add_argument("--burst-settle", type=float, default=300.0)
    return parsed


def summary(result: dict[str, Any]) -> list[str]:
    """The figures, one line each."""
    blocks = result["intake_blocks"]
    first, last = blocks[0]["cpu_ms_per_case"], blocks[-1]["cpu_ms_per_case"]
    lines = [
        f"open cases {result['open']}, worker cache {result['cache']}",
        f"intake cases/s per {result['block']}: "
        + ", ".join(f"{rate:.2f}" for rate in result["intake_rate_per_block"]),
        "CPU ms per case, first -> last block: "
        + ", ".join(f"{name} {first[name]:.0f} -> {last[name]:.0f}" for name in first),
        f"memory per open case: server {result['kib_per_open_case']['server']} KiB, "
        f"worker {result['kib_per_open_case']['worker']} KiB, "
        f"Temporal's file {result['temporal_db_kib_per_case']} KiB",
        f"command to an evicted case ({result['evicted_by']}): "
        f"{result['command_ms_evicted_median']} ms median; "
        f"cached: {result['command_ms_cached_median']} ms",
        f"burst: {result['burst_timers_fired']} timers due within "
        f"{result.get('burst_due_spread_s', 0)} s (at most "
        f"{result.get('burst_due_max_per_minute', 0)} in one minute), "
        f"{result['burst_unhandled']} not handled; CPU ms per timer "
        + ", ".join(f"{k} {v:.0f}" for k, v in result.get("burst_cpu_ms_per_timer", {}).items()),
    ]
    for stage, figures in result.get("timer_lateness_s", {}).items():
        lines.append(
            f"timer lateness, {stage}: p50 {figures['p50']} s, p99 {figures['p99']} s, "
            f"max {figures['max']} s"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    result = asyncio.run(run(parser().parse_args(argv)))
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print("\n".join(summary(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
