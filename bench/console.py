"""Console pages at 100k cases: server-side render time of each page, p50/p95.

    python -m bench.console [--cases 100000] [--runs 3] [--database NAME --keep]

Makes a throw-away database on the server of ``TEST_DATABASE_URL`` (or ``BENCH_DATABASE_URL``),
fills ``cases`` with ``bench.read_model``'s synthetic rows, signs in a town center's mediator, a
county leader and an auditor (real sessions), and requests each page through the app in process
(ASGI, no network): the time is what the server spends from request to the last byte of HTML.
Pages that need no case workflow: the case list (plain, filtered, text search, page 2), the
leader's board (counts by stage, overdue, inbox, 包案), the alert inbox, the audit search.
Target: p95 within 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
from sqlalchemy import text

from activities.identity import passwords, principals
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from api.app import create_app
from bench.read_model import load
from domain.access import Principal, Role
from domain.sign_in import SignInPolicy
from tests.databases import PostgresAdmin

TARGET_MS = 150.0
USERS = (
    Principal(
        user_id="bench-mediator",
        display_name="王芳",
        role=Role.MEDIATOR,
        jurisdiction="320102",
        center_id="center-320102003",
    ),
    Principal(
        user_id="bench-leader", display_name="包案领导7", role=Role.LEADER, jurisdiction="320102"
    ),
    Principal(
        user_id="bench-auditor", display_name="吴明", role=Role.AUDITOR, jurisdiction="320102"
    ),
)
PAGES = (
    ("bench-mediator", "case list, town center", "/cases"),
    ("bench-mediator", "case list, stage=mediating", "/cases?stage=mediating"),
    ("bench-mediator", "case list, category=labour", "/cases?category=labour"),
    ("bench-mediator", "alert inbox", "/alerts"),
    ("bench-leader", "case list, county leader", "/cases"),
    ("bench-leader", "case list, village filter", "/cases?jurisdiction=320102003004"),
    ("bench-leader", "leader board (counts, overdue, 包案)", "/leader"),
    ("bench-auditor", "audit search, q (text scan)", "/audit?q=工资"),
    ("bench-auditor", "audit search, no query", "/audit"),
)


async def _sessions(url: str) -> dict[str, str]:
    engine = create_engine(url)
    tokens: dict[str, str] = {}
    try:
        async with create_sessionmaker(engine).begin() as session:
            for user in USERS:
                if await principals.get_user(user.user_id, session=session) is None:
                    await principals.create_user(user, session=session)
                opened = await passwords.open_session(
                    user.user_id,
                    method="password",
                    now=datetime.now(UTC),
                    policy=SignInPolicy(),
                    session=session,
                )
                tokens[user.user_id] = opened.token
    finally:
        await engine.dispose()
    return tokens


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def main_async(args: argparse.Namespace) -> int:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        print("set TEST_DATABASE_URL (or BENCH_DATABASE_URL) to a PostgreSQL URL", file=sys.stderr)
        return 2
    admin = PostgresAdmin(base)
    name = args.database or f"bench_console_{uuid.uuid4().hex[:8]}"
    try:
        url = await admin.create(name)
    except asyncpg.DuplicateDatabaseError:
        url = admin.url_for(name)
    keep = args.keep or bool(args.database)
    results: dict[str, list[tuple[float, float]]] = {label: [] for _, label, _ in PAGES}
    try:
        await upgrade_async(url)
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                stored = (await connection.execute(text("SELECT count(*) FROM cases"))).scalar()
            if not stored:
                print(f"loading {args.cases} cases into {name}", file=sys.stderr)
                await load(engine, args.cases)
        finally:
            await engine.dispose()
        tokens = await _sessions(url)
        app = create_app(Settings(database_url=url, temporal_address="127.0.0.1:1"))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            for run in range(args.runs):
                print(f"run {run + 1}/{args.runs}", file=sys.stderr)
                for user_id, label, path in PAGES:
                    async with httpx.AsyncClient(
                        transport=transport,
                        base_url="http://console.bench",
                        cookies={"fq_session": tokens[user_id]},
                    ) as client:
                        timings: list[float] = []
                        for n in range(args.warmup + args.samples):
                            started = time.perf_counter()
                            response = await client.get(path)
                            elapsed = (time.perf_counter() - started) * 1000
                            assert response.status_code == 200, (path, response.status_code)
                            if n >= args.warmup:
                                timings.append(elapsed)
                    p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
                    results[label].append((p50, p95))
                    print(f"  {label:<40} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", file=sys.stderr)
    finally:
        if not keep:
            await admin.drop(name)
        else:
            print(f"kept database {name}", file=sys.stderr)
    print(f"\n{args.cases} cases; medians of {args.runs} runs ({args.samples} timed requests each)")
    print("| page | p50 ms | p95 ms |\n|---|---:|---:|")
    over = 0
    for _, label, _ in PAGES:
        p50 = statistics.median(r[0] for r in results[label])
        p95 = statistics.median(r[1] for r in results[label])
        flag = ""
        if p95 > TARGET_MS:
            flag, over = " **over target**", over + 1
        print(f"| {label}{flag} | {p50:.1f} | {p95:.1f} |")
    return 1 if over else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database", help="reuse (and keep) this database if it has cases")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
