"""Throughput of the case API against the bare Temporal baseline, on one dev server.

    python -m bench.throughput [--cases 40] [--concurrency 8] [--rounds 3] [--memory]
                               [--archive] [--phases api,direct,minimal] [--by-action] [--hops]

(a) N full case lifecycles (intake + 11 commands) through the HTTP API, with the real worker
    projecting into PostgreSQL (TEST_DATABASE_URL / BENCH_DATABASE_URL, a fresh database);
(b) the same workflow starts and updates sent straight to Temporal by the client, with a worker
    whose projection activity does nothing;
(c) the yardstick: a minimal Temporal workflow (``bench/minimal_worker.py``) started the same way
    and sent the same number of updates, each running one activity that does nothing.
Each round runs the three, in an order that rotates from round to round; the figures are medians
over the rounds. Prints cases/s, transitions/s, the ratios a/c and a/b, API latency p50/p99 with
the latency of (b) and (c) under the same load beside it, and the update→projection lag p50/p99.
``--hops``: where the API's requests spent their time, from the cases' histories
(``bench/hops.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from activities.runtime import devstack
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect
from activities.store.engine import create_engine
from activities.store.migrate import upgrade_async
from bench.hops import HOPS, Sent, hops, update_times
from domain.case import commands as c
from tests.databases import PostgresAdmin
from tests.engine_keys import ENV_A
from tests.principals import seed_database
from tests.samples import (
    ACTION_PATHS,
    LIFECYCLE,
    action_bodies,
    china_today,
    command,
    intake_body,
    legal_dates,
    register,
)
from workflows.contract import APPLY_UPDATE, WORKFLOW_TYPE, CommandOutcome, new_case_input

TRANSITIONS_PER_CASE = 1 + len(LIFECYCLE)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL process on this machine (it shares the two cores)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
            except (OSError, ValueError):
                continue
    return total


def cpu_snapshot(named: dict[str, int]) -> dict[str, float]:
    snapshot = {name: cpu_seconds(pid) for name, pid in named.items()}
    snapshot["postgres"] = postgres_cpu_seconds()
    return snapshot


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def run_bounded(count: int, concurrency: int, job: Callable[[int], Awaitable[None]]) -> float:
    """Run ``job(i)`` for i < count with at most ``concurrency`` at once; returns seconds."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)

    async def lane() -> None:
        while not queue.empty():
            await job(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return time.perf_counter() - started


async def through_api(
    base_url: str,
    key: str,
    cases: int,
    concurrency: int,
    latencies: dict[str, list[float]],
    sent: list[Sent] | None = None,
) -> float:
    """Full lifecycles over HTTP. aiohttp stands in for the browser console: a lean client, so the
    load generator's own CPU (on the same two cores) does not count against the API."""
    import aiohttp

    today = china_today()
    dates = legal_dates(today)  # every legal date stated, as a careful office sends them
    bodies = {a: {**body, **dates.get(a, {})} for a, body in action_bodies(today).items()}
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as api:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            started, wall = time.perf_counter(), time.time()
            async with api.post(
                path,
                json=body,
                headers={"Idempotency-Key": str(uuid.uuid4()), "Authorization": f"Bearer {key}"},
            ) as response:
                result: dict[str, Any] = await response.json()
                if response.status >= 400:
                    raise RuntimeError(f"{path}: {response.status} {result}")
            # By the path's last part (``cases``: the intake).
            label = path.rsplit("/", 1)[-1]
            latencies.setdefault(label, []).append(time.perf_counter() - started)
            if sent is not None:  # wall clock: the histories' times are the same machine's
                sent.append(Sent(result["case_id"], label, wall, time.time()))
            return result

        async def lifecycle(_index: int) -> None:
            case = await post("/v1/cases", intake_body(received_on=today.isoformat()))
            for action in LIFECYCLE:
                await post(
                    f"/v1/cases/{case['case_id']}/{ACTION_PATHS[action]}",
                    bodies[action],
                )

        return await run_bounded(cases, concurrency, lifecycle)


async def timed(latencies: list[float], call: Awaitable[Any]) -> None:
    """Await one transition, recording how long it took (the yardsticks' latency)."""
    started = time.perf_counter()
    await call
    latencies.append(time.perf_counter() - started)


async def through_client(
    client: Client, task_queue: str, cases: int, concurrency: int, latencies: list[float]
) -> float:
    today = china_today()
    dates = legal_dates(today)
    commands = [command(action, today, **dates.get(action, {})) for action in LIFECYCLE]

    async def lifecycle(_index: int) -> None:
        case_id = f"JF-2099-{uuid.uuid4().int % 10**9:09d}"
        start = client.execute_update_with_start_workflow(
            APPLY_UPDATE,
            c.CommandEnvelope(
                command_id=str(uuid.uuid4()),
                actor="基准测试",
                command=register(case_id, received_on=today.isoformat()),
            ),
            start_workflow_operation=WithStartWorkflowOperation(
                WORKFLOW_TYPE,
                new_case_input(),
                id=case_id,
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            ),
            result_type=CommandOutcome,
        )
        await timed(latencies, start)
        handle = client.get_workflow_handle(case_id)
        for cmd in commands:
            command_id = str(uuid.uuid4())
            update = handle.execute_update(
                APPLY_UPDATE,
                c.CommandEnvelope(command_id=command_id, actor="基准测试", command=cmd),
                id=command_id,
                result_type=CommandOutcome,
            )
            await timed(latencies, update)

    return await run_bounded(cases, concurrency, lifecycle)


async def through_minimal(
    client: Client, task_queue: str, cases: int, concurrency: int, latencies: list[float]
) -> float:
    """The minimal workflow: an update-with-start, then one update per further transition."""
    from bench.minimal_worker import MINIMAL_UPDATE, MINIMAL_WORKFLOW

    async def lifecycle(_index: int) -> None:
        workflow_id = f"MIN-{uuid.uuid4().hex}"
        start = client.execute_update_with_start_workflow(
            MINIMAL_UPDATE,
            {"transition": 0},
            start_workflow_operation=WithStartWorkflowOperation(
                MINIMAL_WORKFLOW,
                id=workflow_id,
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            ),
            result_type=int,
        )
        await timed(latencies, start)
        handle = client.get_workflow_handle(workflow_id)
        for transition in range(1, TRANSITIONS_PER_CASE):
            update = handle.execute_update(
                MINIMAL_UPDATE, {"transition": transition}, id=str(uuid.uuid4()), result_type=int
            )
            await timed(latencies, update)

    return await run_bounded(cases, concurrency, lifecycle)


async def projection_lag(database_url: str) -> list[float]:
    """Seconds from each event's workflow time to its commit into case_events."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT EXTRACT(EPOCH FROM (recorded_at - occurred_at)) FROM case_events")
            )
            return [float(value) for (value,) in rows]
    finally:
        await engine.dispose()


async def fresh_postgres(base_url: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    admin = PostgresAdmin(base_url)
    name = f"fengqiao_bench_{uuid.uuid4().hex[:8]}"
    return await admin.create(name), lambda: admin.drop(name)


def report(
    args: argparse.Namespace,
    rates: dict[str, list[float]],
    by_action: dict[str, list[float]],
    lag: list[float],
    cpu: dict[str, dict[str, float]],
    yardsticks: dict[str, list[float]],
) -> None:
    server = "in memory" if args.memory else "with file persistence"
    per_case = TRANSITIONS_PER_CASE
    total = args.cases * args.rounds

    def ratio(a: str, b: str) -> str:
        if a not in rates or b not in rates:
            return "-"
        ratios = [x / y for x, y in zip(rates[a], rates[b], strict=True)]
        return (
            f"{statistics.median(ratios):.2f} (median of rounds; "
            f"min {min(ratios):.2f}, max {max(ratios):.2f})"
        )

    lines = [
        "",
        f"cases: {args.cases} per round x {args.rounds} rounds, concurrency {args.concurrency}, "
        f"{per_case} transitions per case, dev server {server}",
    ]
    for name, label in PHASES.items():
        if name not in rates:
            continue
        rate = statistics.median(rates[name])
        lines.append(f"{label}  {rate:7.2f} cases/s {rate * per_case:8.1f} transitions/s")
    lines += [
        f"ratio a/c (API / minimal workflow)  {ratio('api', 'minimal')}",
        f"ratio a/b (API / case workflow)     {ratio('api', 'direct')}",
    ]
    latencies = [value for values in by_action.values() for value in values]
    if latencies:
        lines += [
            f"API latency          p50 {percentile(latencies, 0.5) * 1000:6.1f} ms  "
            f"p99 {percentile(latencies, 0.99) * 1000:6.1f} ms  ({len(latencies)} requests)",
            f"update -> projection p50 {percentile(lag, 0.5) * 1000:6.1f} ms  "
            f"p99 {percentile(lag, 0.99) * 1000:6.1f} ms  ({len(lag)} events)",
        ]
    for name, values in yardsticks.items():
        if values:  # the same load through the yardsticks, for reading the API's latency against
            lines.append(
                f"{YARDSTICK_LABELS[name]} p50 {percentile(values, 0.5) * 1000:6.1f} ms  "
                f"p99 {percentile(values, 0.99) * 1000:6.1f} ms  ({len(values)} transitions)"
            )
    if args.by_action:
        for action, values in sorted(by_action.items(), key=lambda kv: -statistics.median(kv[1])):
            lines.append(
                f"  {action:<28} p50 {percentile(values, 0.5) * 1000:6.1f} ms  "
                f"p99 {percentile(values, 0.99) * 1000:6.1f} ms"
            )
    lines += [
        "CPU ms per case      " + "".join(f"{name:>12}" for name in next(iter(cpu.values()))),
    ]
    for name in cpu:
        lines.append(
            f"  ({name:>7})          "
            + "".join(f"{v / total * 1000:12.1f}" for v in cpu[name].values())
        )
    print("\n".join(lines))


async def hops_report(client: Client, sent: list[Sent]) -> str:
    """p50 and p90 of each hop, the intake apart from the commands (``bench/hops.py``), and the
    whole request's p50 and p99."""
    histories = {}
    for case_id in {request.case_id for request in sent}:
        history = await client.get_workflow_handle(case_id).fetch_history()
        histories[case_id] = update_times(history.events)
    lines = [
        "where the time goes (ms, p50 / p90)  "
        + "".join(f"{hop:>14}" for hop in HOPS)
        + "  request p50 / p99"
    ]
    for kind, by_hop in sorted(hops(sent, histories).items(), reverse=True):
        whole = [r.received - r.sent for r in sent if r.kind == kind]
        lines.append(
            f"  {kind:<8} ({len(by_hop[HOPS[0]]):>5} requests)      "
            + "".join(
                f"{percentile(v, 0.5) * 1000:7.1f}/{percentile(v, 0.9) * 1000:<6.1f}"
                for v in by_hop.values()
            )
            + f"  {percentile(whole, 0.5) * 1000:7.1f}/{percentile(whole, 0.99) * 1000:.1f}"
        )
    return "\n".join(lines)


PHASES = {
    "api": "(a) through the API         ",
    "direct": "(b) case workflow, client   ",
    "minimal": "(c) minimal workflow        ",
}


YARDSTICK_LABELS = {"direct": "(b) latency         ", "minimal": "(c) latency         "}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="dev server without a db file")
    parser.add_argument("--by-action", action="store_true", help="API latency per command")
    parser.add_argument(
        "--hops", action="store_true", help="where the API's requests spend their time"
    )
    parser.add_argument(
        "--archive", action="store_true", help="keep the worker's history archiver running"
    )
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help="comma-separated subset of api,direct,minimal (e.g. api alone, to profile it)",
    )
    args = parser.parse_args()

    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    database_url, drop_database = await fresh_postgres(base)
    await upgrade_async(database_url)
    key = (await seed_database(database_url))["mediator"]  # the API authenticates every call
    workdir = Path(tempfile.mkdtemp(prefix="fengqiao-bench-"))
    ports = devstack.DevServerPorts()
    server_command = devstack.temporal_dev_server_command(workdir / "temporal.db", ports, ui=False)
    if args.memory:
        at = server_command.index("--db-filename")
        del server_command[at : at + 2]
    api_port = devstack.free_port()
    env = {
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_API_PORT": str(api_port),
        "FENGQIAO_ENV": "production",
        "FENGQIAO_LOG_LEVEL": "WARNING",
        **ENV_A,  # production refuses to start without engine keys
    }
    processes = []
    try:
        server = devstack.spawn(server_command, log_file=workdir / "temporal.log")
        processes.append(server)
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        # The history archiver reads each closed case's history back from Temporal: work after a
        # case's end, not on the command path the three phases compare (--archive keeps it on).
        api_env = {
            **env,
            "FENGQIAO_TASK_QUEUE": "bench-api",
            "FENGQIAO_ARCHIVE_INTERVAL_SECONDS": "30" if args.archive else "0",
        }
        processes.append(
            devstack.spawn(
                devstack.python_module_command("worker"),
                env=api_env,
                log_file=workdir / "worker.log",
            )
        )
        api = devstack.spawn(
            devstack.python_module_command("api"), env=api_env, log_file=workdir / "api.log"
        )
        processes.append(api)
        processes.append(
            devstack.spawn(
                [sys.executable, "-m", "bench.noop_worker"],
                env={**env, "FENGQIAO_TASK_QUEUE": "bench-direct"},
                log_file=workdir / "noop-worker.log",
            )
        )
        processes.append(
            devstack.spawn(
                [sys.executable, "-m", "bench.minimal_worker"],
                env={**env, "FENGQIAO_TASK_QUEUE": "bench-minimal"},
                log_file=workdir / "minimal-worker.log",
            )
        )
        devstack.wait_for_port(api_port, timeout=60, process=api)
        client = await connect(
            Settings(
                temporal_address=env["FENGQIAO_TEMPORAL_ADDRESS"],
                payload_keys=ENV_A["FENGQIAO_PAYLOAD_KEYS"],
                command_keys=ENV_A["FENGQIAO_COMMAND_KEYS"],
            )
        )
        plain = await Client.connect(env["FENGQIAO_TEMPORAL_ADDRESS"])
        base_url = f"http://127.0.0.1:{api_port}"
        latencies: dict[str, list[float]] = {}
        sent: list[Sent] | None = [] if args.hops else None
        yardsticks: dict[str, list[float]] = {"direct": [], "minimal": []}

        async def phase(name: str, cases: int, concurrency: int, record: bool) -> float:
            if name == "api":
                return await through_api(
                    base_url,
                    key,
                    cases,
                    concurrency,
                    latencies if record else {},
                    sent if record else None,
                )
            timings = yardsticks[name] if record else []
            if name == "direct":
                return await through_client(client, "bench-direct", cases, concurrency, timings)
            return await through_minimal(plain, "bench-minimal", cases, concurrency, timings)

        # Warm every path (imports, connection pools, sticky caches) before measuring.
        chosen = [name for name in PHASES if name in args.phases.split(",")]
        for name in chosen:
            await phase(name, 2, 2, record=False)

        named = {
            "temporal": server.pid,
            "worker": processes[1].pid,
            "api": api.pid,
            "noop-worker": processes[3].pid,
            "min-worker": processes[4].pid,
            "driver": os.getpid(),
        }
        columns = [*named, "postgres"]
        cpu = {name: dict.fromkeys(columns, 0.0) for name in chosen}
        rates: dict[str, list[float]] = {name: [] for name in chosen}
        order = list(chosen)
        for round_no in range(1, args.rounds + 1):
            for name in order:
                before = cpu_snapshot(named)
                seconds = await phase(name, args.cases, args.concurrency, record=True)
                after = cpu_snapshot(named)
                for column in columns:
                    cpu[name][column] += after[column] - before[column]
                rates[name].append(args.cases / seconds)
            order = order[1:] + order[:1]  # rotate: no phase always runs first
            print(
                f"round {round_no}: "
                + ", ".join(f"{name} {rates[name][-1]:.2f} cases/s" for name in chosen),
                flush=True,
            )

        lag = await projection_lag(database_url)
        report(args, rates, latencies, lag, cpu, yardsticks)
        if sent:
            print(await hops_report(plain, sent))
        return 0
    finally:
        for process in reversed(processes):
            devstack.stop(process)
        await drop_database()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
