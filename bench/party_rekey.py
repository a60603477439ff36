"""``fengqiao keys rekey`` at scale, on PostgreSQL: every stored party and matter key recomputed
under a new party key.

    python -m bench.party_rekey [--cases 20000]

Creates a throw-away database on the server of TEST_DATABASE_URL / BENCH_DATABASE_URL, migrates
it, writes N cases through the projection's own ``upsert_case`` under key A (a dispute and a
petition of the samples' parties, alternately, each with its own number), then times the re-key
to key B (every case rewritten) and a second run (nothing left to rewrite: what resuming or
re-running costs).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid

from activities.store import repositories
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.party_rekey import rekey_party_keys
from bench.postgres import postgres_admin
from tests.principals import ensure_centers
from tests.samples import PETITION_INTAKE
from tests.worklist_support import CaseAt

KEY_A = b"a" * 32
KEY_B = b"b" * 32


async def load(url: str, cases: int) -> None:
    dispute = CaseAt("JF-2026-000001", center="xw-center").do("accept").case
    petition = CaseAt("XF-2026-000001", center="xw-center", **PETITION_INTAKE).case
    engine = create_engine(url, pool_size=1)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await ensure_centers(session)
        for start in range(0, cases, 500):
            async with engine.begin() as connection:
                for i in range(start, min(cases, start + 500)):
                    template = dispute if i % 2 == 0 else petition
                    prefix = "JF" if i % 2 == 0 else "XF"
                    state = template.model_copy(update={"case_id": f"{prefix}-2026-{i:06d}"})
                    await repositories.upsert_case(
                        state, connection=connection, party_hash_key=KEY_A
                    )
    finally:
        await engine.dispose()


async def main_async(args: argparse.Namespace) -> int:
    admin = postgres_admin()
    if admin is None:
        return 2
    name = f"bench_rekey_{uuid.uuid4().hex[:8]}"
    url = await admin.create(name)
    try:
        await upgrade_async(url)
        print(f"loading {args.cases} cases into {name}", file=sys.stderr)
        await load(url, args.cases)
        engine = create_engine(url, pool_size=1)
        try:
            started = time.perf_counter()
            first = await rekey_party_keys(engine, current=KEY_B, earlier=[KEY_A])
            rekeyed = time.perf_counter() - started
            started = time.perf_counter()
            second = await rekey_party_keys(engine, current=KEY_B, earlier=[KEY_A])
            again = time.perf_counter() - started
        finally:
            await engine.dispose()
    finally:
        await admin.drop(name)
    print(f"\n{first.cases} cases")
    print("| run | cases rewritten | time | cases/s |\n|---|---:|---:|---:|")
    print(f"| re-key A → B | {first.changed} | {rekeyed:.1f} s | {first.cases / rekeyed:.0f} |")
    print(f"| run again | {second.changed} | {again:.1f} s | {second.cases / again:.0f} |")
    return 0 if first.changed == first.cases and second.changed == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=20_000)
    raise SystemExit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
