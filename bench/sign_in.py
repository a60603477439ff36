"""/healthz while 30 bad console sign-ins arrive at once: its latency, median over runs.

    python -m bench.sign_in [--runs 5] [--concurrent 30] [--hash-on-loop]

Starts the API (uvicorn, in a process of its own) on a throw-away SQLite store holding one user
with a password. Each run sends ``--concurrent`` sign-ins with wrong passwords at once (names of
their own, so no per-account delay answers them early; the per-address count is lifted) and,
while they are in flight, asks ``/healthz`` ten times in a row: the run's figure is the median
of those ten. ``--hash-on-loop`` checks passwords on the event loop with no bound, as before the
thread pool (finding 5), for the comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from activities.runtime.devstack import free_port

PROBES = 10
PROBE_EVERY = 0.02


def _serve(port: int, database_url: str, hash_on_loop: bool) -> None:
    import uvicorn

    from activities.identity import passwords, principals
    from activities.identity.hashing import HashPool
    from activities.runtime.settings import Settings
    from activities.store.engine import create_engine, create_sessionmaker
    from activities.store.migrate import upgrade_async
    from api.app import create_app
    from domain.people.access import Principal, Role

    async def prepare() -> None:
        await upgrade_async(database_url)
        engine = create_engine(database_url)
        async with create_sessionmaker(engine).begin() as session:
            await principals.create_user(
                Principal(
                    user_id="bench", display_name="测试", role=Role.LEADER, jurisdiction="320102"
                ),
                session=session,
            )
            await passwords.set_password("bench", "Bench-password-1", session=session)
        await engine.dispose()

    asyncio.run(prepare())
    if hash_on_loop:  # as before: argon2id on the event loop, every attempt taken on

        async def inline(self: HashPool, stored: str, password: str) -> bool:
            return passwords.verify_password(stored, password)

        HashPool.verify = inline  # type: ignore[method-assign,assignment]
    settings = Settings(
        database_url=database_url,
        log_level="WARNING",
        sign_in_address_max_failures=1_000_000,
        sign_in_max_failures=1_000_000,
        sign_in_account_max_failures=1_000_000,
        sign_in_hash_queue=1_000_000 if hash_on_loop else Settings().sign_in_hash_queue,
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


async def _ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the API did not start")


async def _probe(client: httpx.AsyncClient) -> float:
    start = time.perf_counter()
    assert (await client.get("/healthz")).status_code == 200
    return (time.perf_counter() - start) * 1000


async def _run(client: httpx.AsyncClient, concurrent: int) -> tuple[float, float, dict[int, int]]:
    form = await client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    origin = {"Origin": str(client.base_url).rstrip("/")}

    async def bad() -> int:
        data = {
            "csrf_token": token.group(1),
            "user_id": f"nobody-{uuid.uuid4().hex[:8]}",
            "password": "wrong-password",
        }
        return (await client.post("/signin", data=data, headers=origin)).status_code

    attempts = [asyncio.create_task(bad()) for _ in range(concurrent)]
    await asyncio.sleep(0.02)  # the sign-ins are on the wire
    # Open loop: a probe every PROBE_EVERY seconds whatever the last one waited, so a stalled
    # loop is sampled as often as a free one.
    probes: list[asyncio.Task[float]] = []
    while len(probes) < PROBES or not all(attempt.done() for attempt in attempts):
        probes.append(asyncio.create_task(_probe(client)))
        await asyncio.sleep(PROBE_EVERY)
    times = await asyncio.gather(*probes)
    statuses: dict[int, int] = {}
    for status in await asyncio.gather(*attempts):
        statuses[status] = statuses.get(status, 0) + 1
    return statistics.median(times), max(times), statuses


async def _answer_times(client: httpx.AsyncClient, rounds: int) -> dict[str, float]:
    """Median time of a refused sign-in: a real account's wrong password, a name nobody holds."""
    origin = {"Origin": str(client.base_url).rstrip("/")}
    times: dict[str, list[float]] = {"real account": [], "unknown name": []}
    for _ in range(rounds):
        for kind, name in (("real account", "bench"), ("unknown name", "nobody-bench")):
            form = await client.get("/signin")  # each page sets its own form token
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token is not None
            data = {"csrf_token": token.group(1), "user_id": name, "password": "wrong-password"}
            start = time.perf_counter()
            answer = await client.post("/signin", data=data, headers=origin)
            times[kind].append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 401, answer.status_code
    return {kind: statistics.median(found) for kind, found in times.items()}


async def main_async(args: argparse.Namespace) -> int:
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="bench-sign-in-"))
    url = f"sqlite+aiosqlite:///{folder / 'fengqiao.db'}"
    command = [sys.executable, "-m", "bench.sign_in", "--serve", str(port), url]
    server = subprocess.Popen(
        command + (["--hash-on-loop"] if args.hash_on_loop else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits, trust_env=False
        ) as client:
            await _ready(client)
            medians, slowest = [], []
            for run in range(args.runs):
                median, longest, statuses = await _run(client, args.concurrent)
                medians.append(median)
                slowest.append(longest)
                print(
                    f"run {run + 1}: /healthz median {median:.1f} ms, slowest {longest:.1f} ms;"
                    f" sign-ins {statuses}"
                )
            answers = await _answer_times(client, 20)
            print(
                "refused sign-in, median of 20: "
                + ", ".join(f"{kind} {ms:.1f} ms" for kind, ms in answers.items())
            )
            mode = "hash on the event loop" if args.hash_on_loop else "hash on the thread pool"
            print(
                f"{mode}: /healthz median {statistics.median(medians):.1f} ms,"
                f" slowest {statistics.median(slowest):.1f} ms (medians over {args.runs} runs)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrent", type=int, default=30)
    parser.add_argument("--hash-on-loop", action="store_true")
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "DATABASE_URL"))
    args = parser.parse_args()
    if args.serve:
        _serve(int(args.serve[0]), args.serve[1], args.hash_on_loop)
        return
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
