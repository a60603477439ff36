"""Indicators (考核指标) and the monthly report (月报) at scale, on PostgreSQL.

    python -m bench.indicators [--cases 1000000] [--samples 30] [--database NAME] [--keep]

Creates a throw-away database on the server of TEST_DATABASE_URL / BENCH_DATABASE_URL, migrates
it, and fills ``cases``, ``indicator_facts`` and ``accountability_items`` with N synthetic cases
in SQL (INSERT … SELECT generate_series): ten counties of 10 towns of 10 villages
(320101…320110), registered over 23 months (2025-01 to 2026-11), 85% disputes; of these 90%
accepted, 70% mediated to an end (90% of them with an agreement, 60% of the agreements with
items due, 85% performed), half rated at a 回访 (90% satisfied), 95% concluded on time; 2% of
petitions flagged 越级, 0.5% of disputes 民转刑; a breach on 5% of the cases, an alert on 10%
and a 批示 on 2%. The rows are what the projection writes; no workflow runs.

Then, through the service's own functions:
- the indicators of a county for a month (``indicator_facts.scope_facts`` + ``figures``: the
  query and the counting ``GET /v1/indicators`` does), ``--samples`` times over random counties
  and months after a warm-up: p50 and p95;
- the monthly report of a county (``build_monthly_report`` + the workbook + the PDF, as the
  ``make_monthly_report`` activity does, without the file store): each of three counties timed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime

import asyncpg
from sqlalchemy import text

from activities.policy.indicators import load_indicators
from activities.reports.monthly.build import build_monthly_report
from activities.reports.monthly.printed import render_monthly_pdf
from activities.reports.monthly.workbook import render_workbook
from activities.store import indicator_facts
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from bench.postgres import postgres_admin
from domain.indicators.compute import figures
from domain.indicators.definitions import month_period
from domain.values import CHINA_TZ

COUNTIES = tuple(f"3201{n:02d}" for n in range(1, 11))
BATCH = 100_000
TARGET_INDICATORS_MS = 1000.0
TARGET_REPORT_S = 60.0

# One case i: its county, town, village; registered day d (0..698 from 2025-01-01).
_BASE = """
WITH s AS (
  SELECT i,
         (ARRAY{counties})[1 + (i % 10)] AS county,
         lpad((1 + (i / 10) % 10)::text, 3, '0') AS town,
         lpad((1 + (i / 100) % 10)::text, 3, '0') AS village,
         DATE '2025-01-01' + ((i::bigint * 7919) % 699)::integer AS reg,
         ((i::bigint * 104729) % 1000)::integer AS r,
         (i % 100) < 15 AS petition
  FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS i
)
"""

_FACTS = (
    _BASE
    + """
INSERT INTO indicator_facts (case_id, kind, category, jurisdiction_code, org_id, party_key,
  first_on, last_on, registered_on, accepted_on, mediation_ended_on, agreement_reached_on,
  mediation_failed_on, concluded_on, concluded_on_time_on, agreement_due_on,
  agreement_performed_on, rated_on, satisfied_on, skip_level_on, civil_to_criminal_on)
SELECT case_id, kind, category, place, 'org-' || place, md5((i % (CAST(:n AS integer) / 2))::text),
  reg, greatest(reg, coalesce(rated, ended, acc, reg), coalesce(performed, reg)),
  reg, acc, CASE WHEN NOT petition THEN ended END,
  CASE WHEN NOT petition AND agreement THEN ended END,
  CASE WHEN NOT petition AND ended IS NOT NULL AND NOT agreement THEN ended END,
  coalesce(CASE WHEN petition THEN acc + 20 END, ended),
  CASE WHEN r % 20 <> 0 THEN coalesce(CASE WHEN petition THEN acc + 20 END, ended) END,
  due, performed, rated, CASE WHEN rated IS NOT NULL AND r % 10 <> 0 THEN rated END,
  CASE WHEN petition AND r % 50 = 0 THEN reg END,
  CASE WHEN NOT petition AND r % 200 = 0 THEN reg END
FROM (
  SELECT i, petition, r, reg,
    CASE WHEN petition THEN 'XF-' ELSE 'JF-' END || to_char(i, 'FM00000000') AS case_id,
    CASE WHEN petition THEN 'petition' ELSE 'dispute' END AS kind,
    (ARRAY['neighbourhood','marriage_family','labour','property_management','contract',
           'land_demolition'])[1 + r % 6] AS category,
    county || town || village AS place,
    CASE WHEN r < 900 THEN reg + 1 END AS acc,
    CASE WHEN r < 700 THEN reg + 1 + (r % 40) END AS ended,
    r % 10 <> 0 AS agreement,
    CASE WHEN r < 700 AND r % 10 <> 0 AND r % 5 < 3 THEN reg + 16 + (r % 40) END AS due,
    CASE WHEN r < 700 AND r % 10 <> 0 AND r % 5 < 3 AND r % 7 <> 0 THEN reg + 20 + (r % 40)
    END AS performed,
    CASE WHEN r < 700 AND r % 2 = 0 THEN reg + 30 + (r % 40) END AS rated
  FROM s
) AS c
"""
)

_CASES = (
    _BASE
    + """
INSERT INTO cases (case_id, kind, stage, category, channel, title, description, masked_title,
  jurisdiction_code, risk_level, registered_at, updated_at, seq, state, due_rank, holder_id,
  holder_name, read_model_version)
SELECT CASE WHEN petition THEN 'XF-' ELSE 'JF-' END || to_char(i, 'FM00000000'),
  CASE WHEN petition THEN 'petition' ELSE 'dispute' END,
  (ARRAY['registered','accepted','mediating','agreement_reached','following_up',
         'closed'])[1 + r % 6],
  'neighbourhood', 'walk_in', '某甲与某乙相邻纠纷', '', '某甲与某乙相邻纠纷',
  county || town || village, 'low', reg::timestamptz, reg::timestamptz, 3, '{}',
  TIMESTAMPTZ '9999-12-31', 'org-' || county || town || village, '人民调解委员会', 99
FROM s
"""
)

_ITEMS = (
    _BASE
    + """
INSERT INTO accountability_items (case_id, item_key, kind, jurisdiction_code, org_id, who,
  label, "on", started_at, ended_at, due_on)
SELECT CASE WHEN petition THEN 'XF-' ELSE 'JF-' END || to_char(i, 'FM00000000'), k.key, k.kind,
  county || town || village, 'org-' || county || town || village,
  CASE k.kind WHEN 'instruction' THEN '周军' ELSE '乡镇(街道)领导 ' || county || town END,
  '时限', reg + 10, (reg + 10)::timestamptz,
  CASE WHEN r % 3 <> 0 THEN (reg + 10)::timestamptz + (r % 48) * interval '1 hour' END, reg + 10
FROM s JOIN (VALUES ('breach', 'breach:B2', 50), ('alert', 'alert:A1', 100),
                    ('instruction', 'instruction:1', 20)) AS k(kind, key, per_mille)
  ON s.r < k.per_mille
"""
)


async def load(url: str, cases: int) -> None:
    engine = create_engine(url, pool_size=1, pre_ping=False)
    counties = "[" + ",".join(f"'{c}'" for c in COUNTIES) + "]"
    try:
        for lo in range(1, cases + 1, BATCH):
            hi = min(cases, lo + BATCH - 1)
            async with engine.begin() as connection:
                for statement in (_FACTS, _CASES, _ITEMS):
                    await connection.execute(
                        text(statement.replace("{counties}", counties)),
                        {"lo": lo, "hi": hi, "n": cases},
                    )
            print(f"  {hi} cases", file=sys.stderr)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("indicator_facts", "cases", "accountability_items"):
                await connection.execute(text(f"VACUUM ANALYZE {table}"))
    finally:
        await engine.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(url: str, samples: int) -> tuple[float, float, list[tuple[str, float, int]]]:
    engine = create_engine(url, pool_size=2, pre_ping=False)
    sessionmaker = create_sessionmaker(engine)
    book = load_indicators()
    chance = random.Random(21)
    months = [(2026, m) for m in range(1, 12)]
    timings: list[float] = []
    try:
        for n in range(samples + 5):
            county = chance.choice(COUNTIES)
            period = month_period(*chance.choice(months))
            started = time.perf_counter()
            async with sessionmaker() as session:
                facts, petitions = await indicator_facts.scope_facts(
                    session=session,
                    jurisdiction=county,
                    org_ids=None,
                    category=None,
                    start=period.start,
                    end=period.end,
                )
            figures(book, facts, period, as_of=date(2026, 12, 1), petitions=petitions)
            if n >= 5:  # the first five warm the pool and the plans
                timings.append((time.perf_counter() - started) * 1000)
        reports: list[tuple[str, float, int]] = []
        for county in COUNTIES[:3]:
            started = time.perf_counter()
            async with sessionmaker() as session:
                report = await build_monthly_report(
                    book,
                    jurisdiction=county,
                    month="2026-10",
                    as_of=datetime(2026, 11, 1, 1, tzinfo=CHINA_TZ),
                    session=session,
                )
            render_workbook(report)
            render_monthly_pdf(report)
            reports.append((county, time.perf_counter() - started, len(report.cases)))
    finally:
        await engine.dispose()
    return statistics.median(timings), _percentile(timings, 0.95), reports


async def main_async(args: argparse.Namespace) -> int:
    admin = postgres_admin()
    if admin is None:
        return 2
    name = args.database or f"bench_indicators_{uuid.uuid4().hex[:8]}"
    fresh = True
    try:
        url = await admin.create(name)
    except asyncpg.DuplicateDatabaseError:
        url, fresh = admin.url_for(name), False
    keep = args.keep or bool(args.database)
    try:
        await upgrade_async(url)
        if fresh:
            print(f"loading {args.cases} cases into {name}", file=sys.stderr)
            started = time.perf_counter()
            await load(url, args.cases)
            print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        p50, p95, reports = await measure(url, args.samples)
        engine = create_engine(url, pool_size=1)
        async with engine.connect() as connection:
            stored = (await connection.execute(text("SELECT count(*) FROM cases"))).scalar_one()
        await engine.dispose()
    finally:
        if not keep:
            await admin.drop(name)
        else:
            print(f"kept database {name}", file=sys.stderr)
    print(f"\n{stored} cases, {args.samples} timed county-month indicator sets")
    print("| measure | figure | target |\n|---|---:|---:|")
    print(f"| indicators, county × month, p50 | {p50:.0f} ms | |")
    print(f"| indicators, county × month, p95 | {p95:.0f} ms | < {TARGET_INDICATORS_MS:.0f} ms |")
    for county, seconds, lines in reports:
        print(f"| 月报 {county} 2026-10 ({lines} cases listed) | {seconds:.1f} s | < 60 s |")
    over = p95 > TARGET_INDICATORS_MS or any(s > TARGET_REPORT_S for _, s, _ in reports)
    return 1 if over else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database", help="reuse (and keep) this database if it exists")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    raise SystemExit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
