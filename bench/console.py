"""Console pages at 100k cases: server-side render time of each page, p50/p95.

    python -m bench.console [--cases 100000] [--runs 3] [--database NAME --keep]

Makes a throw-away database on the server of ``TEST_DATABASE_URL`` (or ``BENCH_DATABASE_URL``),
fills it with ``bench.real_cases``: a registry of four counties (places, organisations, a
roster) and N copies of real cases driven through the domain (every stage, hand-offs, clocks and
alerts), stored with the projection's own rows (cases, case_events, case_organisations,
work_items, case_parties, alerts). Then it signs in a town center's mediator, the county labour
room's mediator, a county leader, an auditor and a system administrator (real sessions) and
requests every page they open through the app in process (ASGI, no network): the time is what
the server spends from request to the last byte of HTML. Target: p95 within 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.identity import passwords, principals
from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.repositories import CaseFilter
from api.app import create_app
from bench.postgres import postgres_admin
from bench.read_model import SIDE_TABLES, vacuum
from bench.real_cases import PEOPLE, id_number, load
from domain.people.access import Principal, Role
from domain.people.sign_in import SignInPolicy

TARGET_MS = 150.0
TOWN_CENTER = "center-320102003"
ROOM = "room-320102"
BASE_URL = "http://console.bench"
USERS = (
    Principal(
        user_id="bench-mediator",
        display_name="王芳",
        role=Role.MEDIATOR,
        jurisdiction="320102",
        center_id=TOWN_CENTER,
    ),
    Principal(
        user_id="bench-room",
        display_name="赵强",
        role=Role.MEDIATOR,
        jurisdiction="320102",
        center_id=ROOM,
    ),
    Principal(
        user_id="bench-leader", display_name="包案领导7", role=Role.LEADER, jurisdiction="320102"
    ),
    Principal(
        user_id="bench-auditor", display_name="吴明", role=Role.AUDITOR, jurisdiction="320102"
    ),
    Principal(user_id="bench-admin", display_name="系统管理员", role=Role.SYSTEM_ADMIN),
)
PURPOSE = quote("年度案件质量抽查")


@dataclass(frozen=True)
class Page:
    user: str
    label: str
    path: str
    form: dict[str, str] | None = None  # a POST with the session's form token


async def _deep_cursor(engine: AsyncEngine, where: CaseFilter, page: int) -> str | None:
    """The cursor of ``page`` (50 a page) of a list, as the "下一页" links would reach it."""
    async with create_sessionmaker(engine)() as session:
        found = await repositories.list_cases(
            where, cursor=None, limit=50 * (page - 1), session=session
        )
    return found.next_cursor


async def _sample_cases(engine: AsyncEngine) -> dict[str, str]:
    """Cases the town center's mediator reads, one of each shape the case page shows."""
    shapes = {
        "new intake (登记)": "c.stage = 'registered' AND c.holder_id = :org",
        "mediating, plan and 包案": "c.stage = 'mediating' AND c.holder_id = :org",
        "closed, whole life": "c.stage = 'closed' AND c.kind = 'dispute'",
        "hand-offs (转办 签收, 交办)": "c.holder_id <> c.center_id AND c.incoming_id IS NULL",
        "longest history": "true",
    }
    found: dict[str, str] = {}
    async with engine.connect() as connection:
        for label, condition in shapes.items():
            case_id = (
                await connection.execute(
                    text(
                        "SELECT c.case_id FROM case_organisations o JOIN cases c USING (case_id) "
                        f"WHERE o.org_id = :org AND o.reach AND {condition} "
                        "ORDER BY c.seq DESC, c.case_id LIMIT 1"
                    ),
                    {"org": TOWN_CENTER},
                )
            ).scalar()
            if case_id is not None:
                found[label] = case_id
    return found


async def pages(engine: AsyncEngine) -> list[Page]:
    cases = await _sample_cases(engine)
    county_deep = await _deep_cursor(engine, CaseFilter(within="320102"), 100)
    center_deep = await _deep_cursor(engine, CaseFilter(organisation=TOWN_CENTER), 20)
    longest = cases.get("longest history")
    phone = f"139{42:08d}"  # a person of the pool: their other cases show at intake
    intake = {
        "category": "labour",
        "risk_level": "low",
        "jurisdiction.county_code": "320102",
        "jurisdiction.town_code": "320102003",
        "jurisdiction.village_code": "320102003007",
        "applicants.0.name": "张伟",
        "applicants.0.id_number": id_number(42 % PEOPLE),
        "respondents.0.name": "李娜",
        "respondents.0.phone": phone,
    }
    found = [
        Page("bench-mediator", "worklist, town center", "/worklist"),
        Page("bench-mediator", "worklist, town center, 已逾期", "/worklist?group=clock_overdue"),
        Page("bench-room", "worklist, labour room (待签收)", "/worklist"),
        Page("bench-mediator", "case list, town center", "/cases"),
        Page("bench-mediator", "case list, stage=mediating", "/cases?stage=mediating"),
        Page("bench-mediator", "case list, 积案", "/cases?backlog=true"),
        Page("bench-mediator", "case list, q (text scan)", "/cases?q=" + quote("工资")),
        *(
            [Page("bench-mediator", "case list, page 20", f"/cases?cursor={center_deep}")]
            if center_deep
            else []
        ),
        *(
            Page("bench-mediator", f"case page, {label}", f"/cases/{cid}")
            for label, cid in cases.items()
        ),
        *(
            [
                Page(
                    "bench-mediator",
                    "case page, 转办 picker walked to another county",
                    f"/cases/{longest}?pick=transfer&place=320104",
                ),
                Page(
                    "bench-mediator",
                    "case page, 转办 picker by name (50 of 960)",
                    f"/cases/{longest}?pick=transfer&q=" + quote("调解委员会"),
                ),
            ]
            if longest
            else []
        ),
        Page("bench-mediator", "intake form (登记)", "/cases/new"),
        Page("bench-mediator", "intake 分流 check + same parties", "/cases/new/check", intake),
        Page("bench-leader", "leader board", "/leader"),
        Page("bench-leader", "leader worklist (督办事项)", "/worklist"),
        Page("bench-leader", "alert inbox, leader", "/alerts"),
        Page("bench-mediator", "alert inbox, mediator", "/alerts"),
        Page("bench-leader", "case list, county leader", "/cases"),
        Page("bench-leader", "case list, village filter", "/cases?jurisdiction=320102003007"),
        Page("bench-leader", "case list, category=labour", "/cases?category=labour"),
        *(
            [Page("bench-leader", "case list, county, page 100", f"/cases?cursor={county_deep}")]
            if county_deep
            else []
        ),
        Page("bench-leader", "drill-down: an organisation's cases", f"/cases?holder={ROOM}"),
        Page("bench-auditor", "audit search, q (text scan)", "/audit?q=" + quote("工资")),
        Page("bench-auditor", "audit search, no query", "/audit"),
        Page("bench-auditor", "audit trail (访问留痕)", "/audit/trail"),
        Page("bench-admin", "registry (单位名录)", "/admin/organisations"),
        Page("bench-admin", "registry, a county", "/admin/organisations?place=320102"),
        Page("bench-admin", "registry, a town", "/admin/organisations?place=320102003"),
        Page(
            "bench-admin",
            "registry, by name in a county (50 of 240)",
            "/admin/organisations?place=320102&q=" + quote("调解委员会"),
        ),
        Page("bench-admin", "registry, one organisation", f"/admin/organisations/{TOWN_CENTER}"),
        Page("bench-admin", "users", "/admin/users"),
    ]
    if longest:
        async with engine.connect() as connection:
            registered = (
                await connection.execute(
                    text("SELECT registered_at FROM cases WHERE case_id = :c"), {"c": longest}
                )
            ).scalar_one()
        as_of = (registered + timedelta(days=3)).date().isoformat()  # part-way through its life
        audit = f"/audit/cases/{longest}"  # each read a POST with its purpose (form token)
        purpose = unquote(PURPOSE)
        found += [
            Page(
                "bench-auditor",
                "audit case, timeline",
                audit,
                {"purpose": purpose, "view": "timeline"},
            ),
            Page(
                "bench-auditor",
                "audit case, as of a moment",
                audit,
                {"purpose": purpose, "view": "state", "as_of": as_of},
            ),
            Page(
                "bench-auditor",
                "audit case, chain verification",
                audit,
                {"purpose": purpose, "view": "verify"},
            ),
        ]
    return found


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


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _request(client: httpx.AsyncClient, page: Page, token: str) -> httpx.Response:
    if page.form is None:
        return await client.get(page.path)
    return await client.post(
        page.path, data={**page.form, "csrf_token": token}, headers={"Origin": BASE_URL}
    )


async def _prepare(url: str, args: argparse.Namespace, name: str) -> list[Page]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            stored = (await connection.execute(text("SELECT count(*) FROM cases"))).scalar()
        if not stored:
            print(f"loading {args.cases} cases into {name}", file=sys.stderr)
            started = time.perf_counter()
            await load(engine, args.cases, now=datetime.now(UTC).replace(microsecond=0))
            await vacuum(engine, (*SIDE_TABLES, "alerts", "case_events"))
            print(f"  loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return await pages(engine)
    finally:
        await engine.dispose()


async def main_async(args: argparse.Namespace) -> int:
    admin = postgres_admin()
    if admin is None:
        return 2
    name = args.database or f"bench_console_{uuid.uuid4().hex[:8]}"
    try:
        url = await admin.create(name)
    except asyncpg.DuplicateDatabaseError:
        url = admin.url_for(name)
    keep = args.keep or bool(args.database)
    measured: list[Page] = []
    results: dict[str, list[tuple[float, float]]] = {}
    sizes: dict[str, int] = {}
    try:
        await upgrade_async(url)
        measured = await _prepare(url, args, name)
        if args.only:
            measured = [p for p in measured if args.only in p.label]
        results = {page.label: [] for page in measured}
        tokens = await _sessions(url)
        app = create_app(Settings(database_url=url, temporal_address="127.0.0.1:1"))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            clients = {
                user_id: httpx.AsyncClient(
                    transport=transport, base_url=BASE_URL, cookies={"fq_session": token}
                )
                for user_id, token in tokens.items()
            }
            forms = {}
            for user_id, client in clients.items():
                home = await client.get("/signin")
                found = _TOKEN.search((await client.get("/cases/new")).text) or _TOKEN.search(
                    home.text
                )
                forms[user_id] = found.group(1) if found else ""
            for run in range(args.runs):
                print(f"run {run + 1}/{args.runs}", file=sys.stderr)
                for page in measured:
                    client = clients[page.user]
                    timings: list[float] = []
                    for n in range(args.warmup + args.samples):
                        started = time.perf_counter()
                        response = await _request(client, page, forms[page.user])
                        elapsed = (time.perf_counter() - started) * 1000
                        assert response.status_code == 200, (page.path, response.status_code)
                        sizes[page.label] = len(response.content)
                        if n >= args.warmup:
                            timings.append(elapsed)
                    p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
                    results[page.label].append((p50, p95))
                    print(
                        f"  {page.label:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", file=sys.stderr
                    )
            for client in clients.values():
                await client.aclose()
    finally:
        if not keep:
            await admin.drop(name)
        else:
            print(f"kept database {name}", file=sys.stderr)
    print(f"\n{args.cases} cases; medians of {args.runs} runs ({args.samples} timed requests each)")
    print("| page | p50 ms | p95 ms | HTML bytes |\n|---|---:|---:|---:|")
    over = 0
    for page in measured:
        p50 = statistics.median(r[0] for r in results[page.label])
        p95 = statistics.median(r[1] for r in results[page.label])
        flag = ""
        if p95 > TARGET_MS:
            flag, over = " **over target**", over + 1
        print(f"| {page.label}{flag} | {p50:.1f} | {p95:.1f} | {sizes.get(page.label, 0):,} |")
    return 1 if over else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database", help="reuse (and keep) this database if it has cases")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--only", help="measure only the pages whose label holds this text")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
