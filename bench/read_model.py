"""The read model's list and count queries at scale, on PostgreSQL.

    python -m bench.read_model [--cases 1000000] [--runs 3] [--warmup 20] [--samples 20]
                               [--database NAME] [--keep]

Creates a throw-away database on the server of TEST_DATABASE_URL / BENCH_DATABASE_URL, migrates
it, and fills ``cases`` with N synthetic rows in SQL (INSERT … SELECT generate_series): four
counties of 12 towns of 20 villages (320102 / 320102001 / 320102001001), a tenth of the cases held
at county level and a fifth at town level, every stage, kind, category and channel, responsible
units and package leaders on part of them, registered over two years (to the second, so some
share a timestamp), and a ~5 KB case document per row (stored out of line, as real ones are).
Then ANALYZE and VACUUM, and each query the API runs for 案件列表 and 案件统计 is timed through the
real repository functions on one pooled connection: ``--warmup`` executions first (asyncpg
prepares each statement, and PostgreSQL may switch a prepared statement to its generic plan after
five executions), then ``--samples`` timed ones. Prints p50/p95 per query and run, then the
medians over the runs. ``--database NAME --keep`` keep and reuse a loaded database (the reuse is
migrated to head first, so the same rows measure the schema before and after a migration).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from activities.store import repositories, worklists
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.repositories import CaseFilter
from activities.store.worklists import WorkFilter
from bench.postgres import postgres_admin
from domain.case.search import SearchPlan, search_plan
from domain.case.worklist import LEADER_KINDS

COUNTIES = ("320102", "320104", "320105", "320106")
TOWNS = 12
VILLAGES = 20
BATCH = 100_000
TARGET_MS = 100.0

# The reach of a county leader, and of a town center's and the county labour room's staff
# (the cases related to their organisation).
COUNTY = CaseFilter(within="320102")
TOWN_CENTER = CaseFilter(organisation="center-320102003")
ROOM = CaseFilter(organisation="room-320102")
# 积案: the rows are registered up to 2026-11-30; 90 days before.
BACKLOG_BEFORE = datetime(2026, 9, 1, tzinfo=UTC)
# Worklists: an organisation's, its "mine", a county and a town leader's.
TOWN_WORK = WorkFilter(organisation="center-320102003")
ROOM_WORK = WorkFilter(organisation="room-320102")
LEADER = tuple(sorted(kind.value for kind in LEADER_KINDS))
COUNTY_LEADER_WORK = WorkFilter(within="320102", kinds=LEADER)
TOWN_LEADER_WORK = WorkFilter(within="320102003", kinds=LEADER)

_POOL = """
CREATE TEMP TABLE bench_documents AS
SELECT n, json_build_object(
    'schema', 'case-state/v3',
    'notes', (SELECT string_agg(md5(n::text || '-' || k::text), ' ')
              FROM generate_series(1, 70) AS k),
    'events', (SELECT json_agg(json_build_object(
                    'type', 'stage_changed', 'actor', '调解员' || k, 'seq', k,
                    'at', '2025-03-01T08:00:00+08:00', 'stage', 'mediating'))
               FROM generate_series(1, 25) AS k)
) AS doc
FROM generate_series(0, 999) AS n
"""

_FILL = """
INSERT INTO cases (case_id, kind, stage, category, channel, title, description,
                   jurisdiction_code, risk_level, responsible_unit, responsible_person,
                   package_leader, registered_at, updated_at, seq, state, matter_key, center_id,
                   holder_id, incoming_id, reporter_id, grid_code, due_rank, next_due_at,
                   next_due_name, next_due_org, persons, parties_label)
SELECT
    'FQ' || lpad(g.i::text, 10, '0'),
    CASE WHEN g.i % 5 = 0 THEN 'petition' ELSE 'dispute' END,
    CASE WHEN g.i % 5 = 0
         THEN (ARRAY['registered','accepted','replied','review_requested','reviewed',
                     'second_review_requested','final','closed'])[1 + (g.h % 8)]
         ELSE (ARRAY['registered','accepted','declined','mediating','agreement_reached',
                     'confirmation_pending','confirmation_rejected','following_up',
                     'mediation_failed','withdrawn','closed'])[1 + (g.h % 11)] END,
    (ARRAY['marriage_family','neighbourhood','labour','medical','traffic',
           'property_management','land_demolition','environment','consumer','contract',
           'land_contract','other'])[1 + (g.h / 11 % 12)],
    (ARRAY['walk_in','letter','online','hotline','grid_report','police_referral',
           'petition_referral','court_referral','court_commissioned'])[1 + (g.h / 7 % 9)],
    '案件' || g.i || ' ' || (ARRAY['邻里噪音','工资拖欠','物业费','医疗费用','交通事故赔偿',
                                   '宅基地界址','婚姻财产','消费退款'])[1 + (g.h / 3 % 8)],
    '当事人反映' || (ARRAY['楼上装修噪音扰民','公司拖欠三个月工资','小区物业服务不到位',
                           '手术后并发症赔偿','电动车与汽车碰撞','相邻宅基地边界不清',
                           '离婚财产分割','网购商品拒不退款'])[1 + (g.h / 5 % 8)]
        || '，请求调解。编号' || g.i,
    g.county || CASE WHEN g.level = 0 THEN ''
                     ELSE lpad(g.town::text, 3, '0')
                          || CASE WHEN g.level = 1 THEN '' ELSE lpad(g.village::text, 3, '0') END
                END,
    (ARRAY['low','low','low','elevated','elevated','major','critical'])[1 + (g.h / 13 % 7)],
    CASE WHEN g.h % 3 = 0 THEN NULL ELSE '责任单位' || (g.h / 17 % 300) END,
    CASE WHEN g.h % 3 = 0 THEN NULL ELSE '责任人' || (g.h / 19 % 2000) END,
    CASE WHEN g.h % 4 = 0 THEN NULL ELSE '包案领导' || (g.h / 23 % 500) END,
    g.registered,
    g.registered + (g.h % 2592000) * interval '1 second',
    1 + g.h % 40,
    d.doc,
    md5(g.i::text),
    g.center,
    CASE WHEN g.h / 41 % 100 < 4 THEN 'room-' || g.county ELSE g.center END,
    CASE WHEN g.h / 43 % 100 < 5 THEN 'room-' || g.county END,
    'user-' || (g.h % 5000),
    CASE WHEN g.level = 2 AND g.h % 10 = 3
         THEN g.county || lpad(g.town::text, 3, '0') || lpad(g.village::text, 3, '0') || '001'
    END,
    coalesce(g.due, timestamptz '9999-12-31 00:00:00+00'),
    g.due,
    CASE WHEN g.due IS NOT NULL THEN '受理期限' END,
    CASE WHEN g.due IS NOT NULL THEN g.center END,
    CASE WHEN g.h % 3 = 0 THEN NULL ELSE '|责任人' || (g.h / 19 % 2000) || '|' END,
    '当事人' || (g.h % 997) || ' 等2人'
FROM (
    SELECT t.*, 'center-' || t.county
                || CASE WHEN t.level = 0 THEN '' ELSE lpad(t.town::text, 3, '0') END AS center,
           -- The nearest running clock: none on a quarter of the cases (and the ended ones).
           CASE WHEN t.h % 4 = 0 OR t.h % 11 IN (2, 9, 10) THEN NULL
                ELSE timestamptz '2026-12-01 00:00:00+08' + (t.h % 120) * interval '1 day'
                     + (t.h % 86400) * interval '1 second' END AS due
    FROM (
    SELECT s.i, s.h,
           (ARRAY['320102','320104','320105','320106'])[1 + s.h / 29 % 4] AS county,
           CASE WHEN s.h % 10 = 0 THEN 0 WHEN s.h % 10 < 3 THEN 1 ELSE 2 END AS level,
           1 + s.h / 31 % 12 AS town,
           1 + s.h / 37 % 20 AS village,
           timestamptz '2024-11-30 00:00:00+08'
               + (s.h % (730 * 86400 / 4)) * 4 * interval '1 second' AS registered
    FROM (SELECT i, hashint4(i) & 2147483647 AS h
          FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS i) AS s
    ) AS t
) AS g
JOIN bench_documents AS d ON d.n = g.i % 1000
"""


# Each county's center, labour room (cases transferred or moved to it) and department (assigned
# cases), and its 12 town centers (cases.center_id references organisations).
_ORGANISATIONS = """
INSERT INTO organisations (org_id, name, type, level, jurisdiction_code, categories, active)
SELECT o.org_id, o.org_id, o.type, o.level, o.code, '[]', true
FROM (
    SELECT p || c AS org_id, t AS type, 'county' AS level, c AS code
    FROM unnest(ARRAY['320102','320104','320105','320106']) AS c,
         (VALUES ('center-', 'center'), ('room-', 'sector_room'), ('dept-', 'department'))
             AS k(p, t)
    UNION ALL
    SELECT 'center-' || c || lpad(n::text, 3, '0'), 'center', 'town', c || lpad(n::text, 3, '0')
    FROM unnest(ARRAY['320102','320104','320105','320106']) AS c, generate_series(1, 12) AS n
) AS o
ON CONFLICT DO NOTHING
"""

# Every organisation related to each case: holder, registrar, a former holder where the case
# moved, the room a transfer awaits, the department of one case in 25.
_RELATIONS = """
INSERT INTO case_organisations (case_id, org_id, relation, reach, registered_at, stage, kind,
                                category, jurisdiction_code, due_rank)
SELECT r.case_id, r.org_id, r.relation, r.reach, c.registered_at, c.stage, c.kind, c.category,
       c.jurisdiction_code, c.due_rank
FROM (
    SELECT case_id, holder_id AS org_id, 'holder' AS relation, true AS reach FROM cases
    UNION ALL SELECT case_id, incoming_id, 'incoming', incoming_id <> holder_id FROM cases
              WHERE incoming_id IS NOT NULL
    UNION ALL SELECT case_id, center_id, 'registrar', center_id <> holder_id FROM cases
    UNION ALL SELECT case_id, center_id, 'former', false FROM cases WHERE holder_id <> center_id
    UNION ALL SELECT case_id, 'dept-' || left(jurisdiction_code, 6), 'assignee', true FROM cases
              WHERE (hashtext(case_id) & 2147483647) % 25 = 0
) AS r
JOIN cases AS c ON c.case_id = r.case_id
"""

# Work items of the open cases, in the shares a county might see: every new intake, every
# awaited transfer, one report-back in 25, a warned clock in 17, an overdue one in 19, the
# follow-ups of every agreement, a lift suggestion in 97.
_WORK_ITEMS = """
INSERT INTO work_items (case_id, item_key, org_id, kind, due_at, rank_at, since, summary,
                        assignment_no, clock_id, person, jurisdiction_code, case_kind, title,
                        stage, category, registered_at)
SELECT w.case_id, w.item_key, w.org_id, w.kind, w.due_at,
       coalesce(w.due_at, timestamptz '9999-12-31 00:00:00+00'), w.since, w.kind, w.no,
       w.clock_id, CASE WHEN c.responsible_person IS NOT NULL
                        THEN '|' || c.responsible_person || '|' END,
       c.jurisdiction_code, c.kind, c.title, c.stage, c.category, c.registered_at
FROM (
    SELECT case_id, 'intake' AS item_key, holder_id AS org_id, 'new_intake' AS kind,
           CASE WHEN kind = 'petition' THEN registered_at + interval '15 days' END AS due_at,
           registered_at AS since, NULL::integer AS no, NULL AS clock_id
    FROM cases WHERE stage = 'registered'
    UNION ALL
    SELECT case_id, 'transfer', incoming_id, 'incoming_transfer',
           updated_at + interval '2 days', updated_at, NULL, 'TAKE'
    FROM cases WHERE incoming_id IS NOT NULL AND stage NOT IN ('closed', 'withdrawn')
    UNION ALL
    SELECT case_id, 'assignment:1', 'dept-' || left(jurisdiction_code, 6), 'report_back_due',
           registered_at + interval '20 days', registered_at, 1, 'A4-1'
    FROM cases WHERE (hashtext(case_id) & 2147483647) % 25 = 0
                 AND stage NOT IN ('closed', 'withdrawn')
    UNION ALL
    SELECT case_id, 'clock:B2', holder_id, 'clock_warning',
           updated_at + interval '3 days', updated_at, NULL, 'B2'
    FROM cases WHERE (hashtext(case_id) & 2147483647) % 17 = 1
                 AND stage NOT IN ('closed', 'withdrawn')
    UNION ALL
    SELECT case_id, 'clock:PLAN-1', holder_id, 'clock_overdue',
           updated_at - interval '1 day', updated_at, NULL, 'PLAN-1'
    FROM cases WHERE (hashtext(case_id) & 2147483647) % 19 = 2
                 AND stage NOT IN ('closed', 'withdrawn')
    UNION ALL
    SELECT case_id, 'clock:FU', holder_id, 'follow_up_due',
           updated_at + interval '30 days', updated_at, NULL, 'FU'
    FROM cases WHERE stage IN ('agreement_reached', 'following_up')
    UNION ALL
    SELECT case_id, 'lift', holder_id, 'lift_suggested', NULL, updated_at, NULL, NULL
    FROM cases WHERE (hashtext(case_id) & 2147483647) % 97 = 3
                 AND stage NOT IN ('closed', 'withdrawn')
) AS w
JOIN cases AS c ON c.case_id = w.case_id
"""

# Two party keys a case, from a pool of 400,000 people each (so a person has a few cases).
_PARTIES = """
INSERT INTO case_parties (case_id, party_key)
SELECT case_id, encode(sha256(convert_to('p' || (h % 400000), 'UTF8')), 'hex') FROM (
    SELECT case_id, hashtext(case_id) & 2147483647 AS h FROM cases) AS s
UNION ALL
SELECT case_id, encode(sha256(convert_to('q' || (h / 7 % 400000), 'UTF8')), 'hex') FROM (
    SELECT case_id, hashtext(case_id) & 2147483647 AS h FROM cases) AS s
"""
# 我的在办 by id (migration 0022): the 责任人 of the open cases as users (责任人N → user u-N).
_PEOPLE = """
INSERT INTO case_people (case_id, person_key)
SELECT case_id, 'user:u-' || substr(responsible_person, 4) FROM cases
WHERE responsible_person IS NOT NULL AND stage NOT IN ('closed', 'withdrawn')
"""
MINE = ("user:u-42",)  # 责任人42 by id
SIDE_TABLES = ("cases", "case_organisations", "work_items", "case_parties", "case_people")
PERSON_KEY = "p42"  # a party of the pool (its key is SHA-256 of this)


async def load(engine: AsyncEngine, cases: int) -> None:
    started = time.perf_counter()
    async with engine.connect() as connection:
        await connection.execute(text("SET synchronous_commit = off"))
        await connection.execute(text(_ORGANISATIONS))
        await connection.execute(text(_POOL))
        for first in range(1, cases + 1, BATCH):
            last = min(first + BATCH - 1, cases)
            await connection.execute(text(_FILL), {"first": first, "last": last})
            await connection.commit()
            print(f"  {last:>9} rows  {time.perf_counter() - started:6.0f} s", file=sys.stderr)
        for name, statement in (
            ("case_organisations", _RELATIONS),
            ("work_items", _WORK_ITEMS),
            ("case_parties", _PARTIES),
            ("case_people", _PEOPLE),
        ):
            await connection.execute(text(statement))
            await connection.commit()
            print(f"  {name:<18} {time.perf_counter() - started:6.0f} s", file=sys.stderr)
    # VACUUM sets the visibility map (index-only scans), as autovacuum would on a live table.
    await vacuum(engine)
    print(f"  loaded and analysed in {time.perf_counter() - started:.0f} s", file=sys.stderr)


async def vacuum(engine: AsyncEngine, tables: tuple[str, ...] = SIDE_TABLES) -> None:
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            await autocommit.execute(text(f"VACUUM ANALYZE {table}"))


async def _cursor_for(page: int, where: CaseFilter, session: AsyncSession) -> str | None:
    """The cursor that asks for ``page`` (50 a page) of the county list, found once with OFFSET."""
    if page == 1:
        return None
    row = (
        await session.execute(
            text(
                "SELECT registered_at, case_id FROM cases WHERE jurisdiction_code LIKE :prefix "
                "ORDER BY registered_at DESC, case_id DESC OFFSET :offset LIMIT 1"
            ),
            {"prefix": f"{where.within}%", "offset": 50 * (page - 1) - 1},
        )
    ).first()
    # A small load has fewer pages: the query then runs as page 1.
    return None if row is None else repositories.encode_cursor(row)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Query:
    name: str
    run: Callable[[AsyncSession], Awaitable[Any]]
    exempt: bool = False  # text search: measured, not held to the target


def _listing(
    where: CaseFilter, cursor: str | None = None, *, by_deadline: bool = False
) -> Callable[[AsyncSession], Any]:
    async def run(session: AsyncSession) -> Any:
        return await repositories.list_cases(
            where, cursor=cursor, limit=50, session=session, by_deadline=by_deadline
        )

    return run


def _stats(where: CaseFilter) -> Callable[[AsyncSession], Any]:
    async def run(session: AsyncSession) -> Any:
        return await repositories.count_cases(where, session=session)

    return run


def _narrowed(reach: CaseFilter, **filters: Any) -> CaseFilter:
    return CaseFilter(**filters, within=reach.within, organisation=reach.organisation)


def _stats_and_backlog(where: CaseFilter) -> Callable[[AsyncSession], Any]:
    async def run(session: AsyncSession) -> Any:
        return await repositories.count_cases_and_backlog(
            where, backlog_before=BACKLOG_BEFORE, session=session
        )

    return run


def _work(where: WorkFilter, kind: str | None = None, cursor: str | None = None) -> Any:
    async def run(session: AsyncSession) -> Any:
        return await worklists.list_work(where, kind=kind, cursor=cursor, limit=50, session=session)

    return run


def _work_counts(where: WorkFilter) -> Callable[[AsyncSession], Any]:
    async def run(session: AsyncSession) -> Any:
        counts = await worklists.count_work(where, session=session)
        backlog = CaseFilter(
            within=where.within, holder=where.organisation, backlog_before=BACKLOG_BEFORE
        )
        return counts, await worklists.count_matching(backlog, session=session)

    return run


def _backlog_group(where: CaseFilter) -> Callable[[AsyncSession], Any]:
    async def run(session: AsyncSession) -> Any:
        return await worklists.list_backlog(where, cursor=None, limit=50, session=session)

    return run


def _same_party(where: CaseFilter) -> Callable[[AsyncSession], Any]:
    key = hashlib.sha256(PERSON_KEY.encode()).hexdigest()

    async def run(session: AsyncSession) -> Any:
        return await worklists.cases_of_parties([key], where, limit=50, session=session)

    return run


async def _work_cursor_for(page: int, where: WorkFilter, session: AsyncSession) -> str | None:
    """The cursor of ``page`` (50 a page) of an organisation's worklist, found with OFFSET."""
    found = await worklists.list_work(
        where, kind=None, cursor=None, limit=50 * (page - 1), session=session
    )
    return found.next_cursor


async def queries(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Query]:
    async with sessionmaker() as session:
        page50 = await _cursor_for(50, COUNTY, session)
        page1000 = await _cursor_for(1000, COUNTY, session)
        room_page20 = await _work_cursor_for(20, ROOM_WORK, session)
    n = _narrowed
    backlog = {"backlog_before": BACKLOG_BEFORE}
    return [
        Query("list county, page 1", _listing(COUNTY)),
        Query("list county, page 50", _listing(COUNTY, page50)),
        Query("list county, page 1000", _listing(COUNTY, page1000)),
        Query("list town center, page 1", _listing(TOWN_CENTER)),
        Query("list stage=mediating", _listing(n(COUNTY, stage="mediating"))),
        Query("list kind=petition", _listing(n(COUNTY, kind="petition"))),
        Query("list category=labour", _listing(n(COUNTY, category="labour"))),
        Query("list jurisdiction=county", _listing(n(COUNTY, jurisdiction="320102"))),
        Query("list jurisdiction=town", _listing(n(COUNTY, jurisdiction="320102003"))),
        Query("list jurisdiction=village", _listing(n(COUNTY, jurisdiction="320102003007"))),
        Query("list responsible_unit", _listing(n(COUNTY, responsible_unit="责任单位42"))),
        Query("list package_leader", _listing(n(COUNTY, package_leader="包案领导42"))),
        Query("list q, matching", _listing(n(COUNTY, search=_plan("工资"))), exempt=True),
        Query("list q, no match", _listing(n(COUNTY, search=_plan("不存在的词"))), exempt=True),
        Query("stats county", _stats(COUNTY)),
        Query("stats town center", _stats(TOWN_CENTER)),
        Query("stats county, category=labour", _stats(n(COUNTY, category="labour"))),
        Query("stats county, jurisdiction=town", _stats(n(COUNTY, jurisdiction="320102003"))),
        Query("stats county, jurisdiction=village", _stats(n(COUNTY, jurisdiction="320102003007"))),
        # issue 11: reach by related organisation, holder/incoming, 积案, worklists, parties
        Query("list room (related), page 1", _listing(ROOM)),
        Query("list town center, stage=mediating", _listing(n(TOWN_CENTER, stage="mediating"))),
        Query("list county, holder=room", _listing(n(COUNTY, holder="room-320102"))),
        Query("list county, incoming=room", _listing(n(COUNTY, incoming="room-320102"))),
        Query("list county, backlog", _listing(n(COUNTY, **backlog))),
        Query("list town center, backlog", _listing(n(TOWN_CENTER, **backlog))),
        Query("list room, backlog", _listing(n(ROOM, **backlog))),
        Query("stats+backlog county", _stats_and_backlog(COUNTY)),
        Query("stats+backlog town center", _stats_and_backlog(TOWN_CENTER)),
        Query("stats+backlog room", _stats_and_backlog(ROOM)),
        Query(
            "stats+backlog county, category=labour",
            _stats_and_backlog(n(COUNTY, category="labour")),
        ),
        Query("worklist town center", _work(TOWN_WORK)),
        Query("worklist room", _work(ROOM_WORK)),
        Query("worklist room, page 20", _work(ROOM_WORK, cursor=room_page20)),
        Query("worklist room, group=incoming", _work(ROOM_WORK, "incoming_transfer")),
        Query(
            "worklist town center, mine",
            _work(WorkFilter(organisation="center-320102003", person="责任人42")),
        ),
        Query("worklist county leader", _work(COUNTY_LEADER_WORK)),
        Query("worklist town leader", _work(TOWN_LEADER_WORK)),
        Query("worklist counts town center", _work_counts(TOWN_WORK)),
        Query("worklist counts room", _work_counts(ROOM_WORK)),
        Query("worklist counts county leader", _work_counts(COUNTY_LEADER_WORK)),
        Query(
            "worklist backlog group, room",
            _backlog_group(CaseFilter(holder="room-320102", backlog_before=BACKLOG_BEFORE)),
        ),
        Query("worklist backlog group, county", _backlog_group(n(COUNTY, **backlog))),
        Query("same party, county", _same_party(COUNTY)),
        Query("same party, town center", _same_party(TOWN_CENTER)),
        # issue 18: by deadline (nearest first, no clock last), 我的在办
        Query("list county, by deadline", _listing(COUNTY, by_deadline=True)),
        Query("list town center, by deadline", _listing(TOWN_CENTER, by_deadline=True)),
        Query("list room, by deadline", _listing(ROOM, by_deadline=True)),
        Query(
            "list county, labour, by deadline",
            _listing(n(COUNTY, category="labour"), by_deadline=True),
        ),
        Query(
            "holding organisation, town center",
            _listing(n(TOWN_CENTER, holder="center-320102003", open_only=True), by_deadline=True),
        ),
        Query(
            "holding mine, town center",
            _listing(n(TOWN_CENTER, people=MINE, open_only=True), by_deadline=True),
        ),
        Query(
            "holding mine, county leader",
            _listing(n(COUNTY, people=MINE, open_only=True), by_deadline=True),
        ),
    ]


def _plan(text: str) -> SearchPlan:
    return search_plan(text, reveal=False, key=None)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(
    sessionmaker: async_sessionmaker[AsyncSession], query: Query, warmup: int, samples: int
) -> tuple[float, float]:
    times: list[float] = []
    for execution in range(warmup + samples):
        async with sessionmaker() as session:
            started = time.perf_counter()
            await query.run(session)
            elapsed = (time.perf_counter() - started) * 1000
        if execution >= warmup:
            times.append(elapsed)
    return statistics.median(times), _percentile(times, 0.95)


async def main_async(args: argparse.Namespace) -> int:
    admin = postgres_admin()
    if admin is None:
        return 2
    name = args.database or f"bench_read_model_{uuid.uuid4().hex[:8]}"
    try:
        url = await admin.create(name)
    except asyncpg.DuplicateDatabaseError:
        url = admin.url_for(name)  # a kept database, reused
    keep = args.keep or bool(args.database)
    try:
        await upgrade_async(url)
        # One connection: every execution of a statement lands where it was prepared.
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
                print(f"reusing {name} ({stored} cases)", file=sys.stderr)
                await vacuum(engine)
            sessionmaker = create_sessionmaker(engine)
            measured = await queries(sessionmaker)
            results: dict[str, list[tuple[float, float]]] = {q.name: [] for q in measured}
            for run in range(args.runs):
                print(f"run {run + 1}/{args.runs}", file=sys.stderr)
                for query in measured:
                    p50, p95 = await measure(sessionmaker, query, args.warmup, args.samples)
                    results[query.name].append((p50, p95))
                    print(
                        f"  {query.name:<38} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms", file=sys.stderr
                    )
        finally:
            await engine.dispose()
    finally:
        if not keep:
            await admin.drop(name)
        else:
            print(f"kept database {name}", file=sys.stderr)
    print(f"\nmedians of {args.runs} runs, {args.warmup} warm-up + {args.samples} timed executions")
    print("| query | p50 ms | p95 ms |\n|---|---:|---:|")
    over = 0
    for query in measured:
        p50 = statistics.median(r[0] for r in results[query.name])
        p95 = statistics.median(r[1] for r in results[query.name])
        flag = ""
        if query.exempt:
            flag = " (exempt)"
        elif p95 > TARGET_MS:
            flag, over = " **over target**", over + 1
        print(f"| {query.name}{flag} | {p50:.1f} | {p95:.1f} |")
    return 1 if over else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--database", help="reuse (and keep) this database if it has cases")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    raise SystemExit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
