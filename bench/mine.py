"""我的在办 (``holding=mine``) before and after migration 0022, on PostgreSQL.

    python -m bench.mine [--cases 100000] [--runs 5] [--warmup 10] [--samples 20]
                         [--database NAME] [--keep]

Loads the synthetic county of ``bench.read_model`` (its 责任人N are users u-N in
``case_people``) and times one page (50, nearest deadline first) of a person's open cases two
ways on the same rows, for a town center's mediator (the organisation's reach rows) and a county
leader (a jurisdiction subtree):

- **by name** — the query before 0022: ``cases.persons LIKE '%|责任人42|%'``, which no index
  serves;
- **by id** — the repository's query now: the cases whose ``case_people`` rows hold
  ``user:u-42`` (``ix_case_people_key``).

Both must list the same cases. Prints p50/p95 per run and the medians over the runs, and the
plan of each query.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import repositories
from activities.store.case_list import SUMMARY_COLUMNS, filtered_query, order_columns
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.repositories import CaseFilter
from activities.store.tables import CaseRow
from bench.postgres import postgres_admin
from bench.read_model import MINE, load, measure, vacuum
from bench.read_model import Query as Timed

NAME = "责任人42"
REACHES = {
    "town center mediator": CaseFilter(organisation="center-320102003", open_only=True),
    "county leader": CaseFilter(within="320102", open_only=True),
}
Run = Callable[[AsyncSession], Awaitable[list[str]]]


def by_name_query(reach: CaseFilter) -> Any:
    """The page as it was asked before 0022 (the name inside ``cases.persons``)."""
    key, case_id = order_columns(reach, by_deadline=True)
    query = filtered_query(select(*SUMMARY_COLUMNS, key.label("due_rank")), reach)
    query = query.where(CaseRow.persons.like(f"%|{NAME}|%"))
    return query.order_by(key.asc(), case_id.asc()).limit(51)


def by_name(reach: CaseFilter) -> Run:
    async def run(session: AsyncSession) -> list[str]:
        return [row.case_id for row in await session.execute(by_name_query(reach))][:50]

    return run


def _mine(reach: CaseFilter) -> CaseFilter:
    return CaseFilter(
        within=reach.within, organisation=reach.organisation, open_only=True, people=MINE
    )


def by_id_query(reach: CaseFilter) -> Any:
    """The query ``repositories.list_cases`` runs for the page by id (for its plan)."""
    where = _mine(reach)
    key, case_id = order_columns(where, by_deadline=True)
    query = filtered_query(select(*SUMMARY_COLUMNS, key.label("due_rank")), where)
    return query.order_by(key.asc(), case_id.asc()).limit(51)


def by_id(reach: CaseFilter) -> Run:
    where = _mine(reach)

    async def run(session: AsyncSession) -> list[str]:
        page = await repositories.list_cases(
            where, cursor=None, limit=50, session=session, by_deadline=True
        )
        return [item.case_id for item in page.items]

    return run


async def _plan(sessionmaker: async_sessionmaker[AsyncSession], query: Any) -> str:
    async with sessionmaker() as session:
        compiled = query.compile(
            dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}
        )
        rows = await session.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF) {compiled}"))
        return "\n".join(f"    {line}" for (line,) in rows)


async def main_async(args: argparse.Namespace) -> int:
    admin = postgres_admin()
    if admin is None:
        return 2
    name = args.database or f"bench_mine_{uuid.uuid4().hex[:8]}"
    try:
        url = await admin.create(name)
    except asyncpg.DuplicateDatabaseError:
        url = admin.url_for(name)
    keep = args.keep or bool(args.database)
    results: dict[str, list[float]] = {}
    try:
        await upgrade_async(url)
        engine = create_engine(url, pool_size=1, pre_ping=False)
        try:
            async with engine.connect() as connection:
                stored = int(
                    (await connection.execute(text("SELECT count(*) FROM cases"))).scalar_one()
                )
            if stored == 0:
                print(f"loading {args.cases} cases into {name}", file=sys.stderr)
                await load(engine, args.cases)
            else:
                await vacuum(engine)
            sessionmaker = create_sessionmaker(engine)
            timed: list[Timed] = []
            for label, reach in REACHES.items():
                async with sessionmaker() as session:
                    old, new = await by_name(reach)(session), await by_id(reach)(session)
                if old != new:
                    print(f"{label}: the two queries differ: {old} / {new}", file=sys.stderr)
                    return 1
                print(f"{label}: {len(new)} cases on the page", file=sys.stderr)
                timed += [
                    Timed(f"{label}, by name", by_name(reach)),
                    Timed(f"{label}, by id", by_id(reach)),
                ]
            for run in range(args.runs):
                print(f"run {run + 1}/{args.runs}", file=sys.stderr)
                for query in timed:
                    p50, p95 = await measure(sessionmaker, query, args.warmup, args.samples)
                    results.setdefault(query.name, []).append(p50)
                    results.setdefault(query.name + " p95", []).append(p95)
                    print(
                        f"  {query.name:<34} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms", file=sys.stderr
                    )
            for label, reach in REACHES.items():
                for way, query_of in (("by name", by_name_query), ("by id", by_id_query)):
                    plan = await _plan(sessionmaker, query_of(reach))
                    print(f"\nplan, {label}, {way}:\n{plan}")
        finally:
            await engine.dispose()
    finally:
        if not keep:
            await admin.drop(name)
        else:
            print(f"kept database {name}", file=sys.stderr)
    print(f"\nmedians of {args.runs} runs ({args.warmup} warm-up + {args.samples} timed each)")
    print("| 我的在办 | p50 ms | p95 ms |\n|---|---:|---:|")
    for query in timed:
        p50 = statistics.median(results[query.name])
        p95 = statistics.median(results[query.name + " p95"])
        print(f"| {query.name} | {p50:.1f} | {p95:.1f} |")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--database", help="reuse (and keep) this database if it has cases")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    raise SystemExit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
