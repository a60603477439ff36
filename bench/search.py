"""The search box (检索) at scale, on PostgreSQL.

    python -m bench.search [--cases 1000000] [--warmup 5] [--samples 25]
                           [--database NAME] [--keep] [--explain]

Fills a throw-away database with ``bench.read_model``'s generator (its organisations, reach rows,
work items and party keys), then gives every case Chinese text and parties: a title and a
description drawn from phrases of the categories (鱼塘 in about one case of 38, 工资 one of 9,
拆迁 one of 23), an applicant and a respondent named from 120 surnames and 160 given-name
characters, each with a mobile, one description in ten quoting a phone; and the search terms
the projection would write (``domain.case.search.terms_for``, the search key of development).
One case in 10,000 gets a rare word (鳜鱼) in its title. The postings (``case_search_terms``)
are filled as migration 0023 fills them, their key built after, then VACUUM ANALYZE.

Each query of the search box is timed through the real repository functions (the page of 50,
then ``case_search.search_hits`` for the page) on one pooled connection, for three reaches: the
whole store, a county leader (320102, a quarter of the rows, may not reveal) and a town
centre's mediator (``center-320102003``, may reveal: a whole phone is looked up by its hash).
``--warmup`` executions, then ``--samples`` timed; prints p50 and p99 per query and reach;
``--explain`` the EXPLAIN (ANALYZE, BUFFERS) of each statement of the typical searches.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import asyncpg
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from activities.runtime.settings import DEVELOPMENT_SEARCH_KEY
from activities.store import case_search, repositories, search_postings
from activities.store.case_list import search_scope
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import alembic_config
from activities.store.repositories import SUMMARY_COLUMNS, CaseFilter
from bench.postgres import postgres_admin
from bench.read_model import load, vacuum
from domain.case.search import SearchPlan, search_plan, terms_for
from domain.people.privacy import scrub_text

TARGET_MS = 100.0
KEY = DEVELOPMENT_SEARCH_KEY
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符"
)[:120]
GIVEN = (
    "建华国明伟芳秀英敏静丽强磊军洋勇艳杰娟涛超霞平刚桂兰玉萍红梅鹏辉斌宇浩凯峰亮健波宁坤林海"
    "文德志成东春雪荣新金燕飞晓欣瑞龙云鑫昊然梓涵子轩思雨嘉怡佳俊博晨阳佩琳倩婷颖慧娜琴蓉丹凤"
    "洁莉彬锋刚毅武忠诚信义礼智仁和顺福寿康宝贵财旺兴盛昌隆祥瑞吉庆喜乐安泰永长春秋冬夏松柏竹"
)[:160]
# (phrase, weight): what a dispute is about; 工资 in about 1/8 of the cases, 拆迁 1/20, 鱼塘 1/30.
SUBJECTS = (
    ("拖欠工资", 8),
    ("加班工资未付", 4),
    ("房屋拆迁补偿", 5),
    ("鱼塘承包", 3),
    ("邻里噪音扰民", 8),
    ("宅基地界址不清", 6),
    ("物业费收取", 7),
    ("交通事故赔偿", 8),
    ("医疗费用争议", 6),
    ("婚姻财产分割", 7),
    ("网购退款", 6),
    ("土地流转租金", 5),
    ("山林权属", 3),
    ("装修质量", 5),
    ("借款未还", 8),
    ("房屋租赁押金", 6),
    ("养犬伤人", 2),
    ("排水堵塞", 3),
)
DETAILS = (
    "双方多次协商未果",
    "村委会曾出面调处",
    "涉及金额较大",
    "当事人情绪激动",
    "已持续半年以上",
    "要求尽快解决",
    "曾向派出所报警",
    "双方均为本村村民",
)
_WEIGHTED = tuple(subject for subject, weight in SUBJECTS for _ in range(weight))


def _h(i: int, salt: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{salt}{i}".encode(), digest_size=8).digest(), "big")


def person(i: int, side: str) -> tuple[str, str]:
    """The name and mobile of a case's applicant (``a``) or respondent (``r``)."""
    h = _h(i, side)
    given = GIVEN[h // 7 % len(GIVEN)] + (GIVEN[h // 1301 % len(GIVEN)] if h % 3 else "")
    return SURNAMES[h % len(SURNAMES)] + given, f"1{3 + h // 17 % 7}{h // 97 % 10**9:09d}"


@dataclass(frozen=True)
class Synthetic:
    case_id: str
    title: str
    description: str
    parties: tuple[tuple[str, str | None, str | None], ...]


def synthetic(i: int) -> Synthetic:
    h = _h(i, "t")
    subject = _WEIGHTED[h % len(_WEIGHTED)]
    detail = DETAILS[h // 31 % len(DETAILS)]
    (a_name, a_phone), (r_name, r_phone) = person(i, "a"), person(i, "r")
    phone = f"，联系电话{a_phone}" if h // 7 % 10 == 0 else ""
    return Synthetic(
        case_id=f"FQ{i:010d}",
        title=f"{a_name[0]}某与{r_name[0]}某{subject}纠纷",
        description=f"申请人反映{subject}问题，{detail}{phone}，请求调解。",
        parties=((a_name, a_phone, None), (r_name, r_phone, None)),
    )


def _records(first: int, last: int) -> Iterator[tuple[str, str, str, str, str, str]]:
    for i in range(first, last + 1):
        case = synthetic(i)
        terms = terms_for(case.case_id, case.parties, case.title, case.description, key=KEY)
        yield (
            case.case_id,
            case.title,
            case.description,
            scrub_text(case.title),
            scrub_text(case.description),
            terms,
        )


# As migration 0023 fills the postings from the stored terms.
_POSTINGS = r"""
INSERT INTO case_search_terms (term, registered_at, case_id, jurisdiction_code)
SELECT p.term, c.registered_at, c.case_id, c.jurisdiction_code
FROM cases AS c,
     LATERAL (SELECT DISTINCT regexp_replace(w.word, '^[fi]_', 'p_') AS term
              FROM unnest(string_to_array(c.search_terms, ' ')) AS w(word)
              WHERE w.word <> '' AND length(w.word) <= 100
                AND w.word !~ '^d_[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$') AS p
"""
RARE = "鳜鱼"
# One case in 10,000 gets the rare word in its title (and its terms: 鳜, 鱼, 鳜鱼).
_RARE = f"""
UPDATE cases SET title = title || '（{RARE}）', masked_title = masked_title || '（{RARE}）',
       search_terms = search_terms || ' t_{RARE[0]} t_{RARE[1]} t_{RARE}'
WHERE right(case_id, 4) = '0007'
"""


async def fill_text(url: str, cases: int) -> None:
    """Chinese titles, descriptions and the search terms into every case, the postings after."""
    started = time.perf_counter()
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute("SET synchronous_commit = off")
        await connection.execute("SET maintenance_work_mem = '512MB'")
        await connection.execute(
            "CREATE UNLOGGED TABLE bench_text (case_id varchar(32) PRIMARY KEY, title text, "
            "description text, masked_title text, masked_description text, search_terms text)"
        )
        step = 100_000
        for first in range(1, cases + 1, step):
            last = min(first + step - 1, cases)
            await connection.copy_records_to_table(
                "bench_text", records=list(_records(first, last))
            )
            print(f"  terms {last:>9}  {time.perf_counter() - started:6.0f} s", file=sys.stderr)
        await connection.execute(
            "UPDATE cases AS c SET title = t.title, description = t.description, "
            "masked_title = t.masked_title, masked_description = t.masked_description, "
            "search_terms = t.search_terms FROM bench_text AS t WHERE c.case_id = t.case_id"
        )
        print(f"  updated  {time.perf_counter() - started:6.0f} s", file=sys.stderr)
        await connection.execute("DROP TABLE bench_text")
        await post(connection)
        print(f"  posted   {time.perf_counter() - started:6.0f} s", file=sys.stderr)
    finally:
        await connection.close()


async def add_rare(url: str) -> bool:
    """A database loaded before the rare word (and migrated to 0023): give it the word."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        if await connection.fetchval("SELECT count(*) FROM cases WHERE title LIKE $1", f"%{RARE}%"):
            return False
        await connection.execute(_RARE)
        await connection.execute(
            "DELETE FROM case_search_terms WHERE right(case_id, 4) = '0007' AND term LIKE 't\\_%'"
        )
        await connection.execute(
            _POSTINGS + " WHERE right(c.case_id, 4) = '0007' AND p.term LIKE 't\\_%'"
        )
        return True
    finally:
        await connection.close()


async def post(connection: asyncpg.Connection) -> None:
    """The rare word, then the postings of every case (the key built after the rows)."""
    await connection.execute(_RARE)
    await connection.execute("TRUNCATE case_search_terms")
    await connection.execute("ALTER TABLE case_search_terms DROP CONSTRAINT pk_case_search_terms")
    await connection.execute(_POSTINGS)
    await connection.execute(
        "ALTER TABLE case_search_terms ADD CONSTRAINT pk_case_search_terms "
        "PRIMARY KEY (term, registered_at, case_id) INCLUDE (jurisdiction_code)"
    )


@dataclass(frozen=True)
class Reach:
    name: str
    where: CaseFilter
    reveal: bool


REACHES = (
    Reach("whole store", CaseFilter(), False),
    Reach("county leader 320102", CaseFilter(within="320102"), False),
    Reach("town centre mediator", CaseFilter(organisation="center-320102003"), True),
)


async def _target(session: AsyncSession) -> int:
    """A case of the town centre (so every reach holds it): its parties are searched for."""
    case_id = await session.scalar(
        text(
            "SELECT case_id FROM case_organisations WHERE org_id = 'center-320102003' "
            "AND reach ORDER BY registered_at DESC, case_id DESC OFFSET 10 LIMIT 1"
        )
    )
    return int(str(case_id)[2:])


# The searches whose plans ``--explain`` shows: (reach, q); the party's name filled in below.
TYPICAL = {
    ("whole store", "鱼塘"),
    ("whole store", RARE),
    ("whole store", "不存在的词"),
    ("county leader 320102", "工资"),
    ("town centre mediator", "工资"),
    ("whole store", "工资 鱼塘"),
}


def queries(target: int) -> list[tuple[str, str, bool]]:
    """(label, q, only for a revealing reader)."""
    name, phone = person(target, "a")
    case_id = f"FQ{target:010d}"
    return [
        ("鱼塘 (1 in 38)", "鱼塘", False),
        ("工资 (1 in 9)", "工资", False),
        ("拆迁 (1 in 23)", "拆迁", False),
        (f"rare word {RARE} (1 in 10,000)", RARE, False),
        (f"full name {name}", name, False),
        (f"surname + given {name[:2]}", name[:2], False),
        (f"surname {name[0]}", name[0], False),
        ("phone last four", phone[-4:], False),
        ("whole phone (may reveal)", phone, True),
        ("whole case number", case_id, False),
        ("partial number", case_id[-6:], False),
        ("no match", "不存在的词", False),
        ("two common words never together (工资 鱼塘)", "工资 鱼塘", False),
    ]


async def search_once(session: AsyncSession, where: CaseFilter, plan: SearchPlan) -> int:
    found = replace(where, search=plan)
    page = await repositories.list_cases(found, cursor=None, limit=50, session=session)
    ids = [item.case_id for item in page.items]
    await case_search.search_hits(ids, plan, key=KEY, session=session)
    return len(ids)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(
    sessionmaker: async_sessionmaker[AsyncSession],
    where: CaseFilter,
    plan: SearchPlan,
    warmup: int,
    samples: int,
) -> tuple[float, float, int]:
    times: list[float] = []
    hits = 0
    for execution in range(warmup + samples):
        async with sessionmaker() as session:
            started = time.perf_counter()
            hits = await search_once(session, where, plan)
            elapsed = (time.perf_counter() - started) * 1000
        if execution >= warmup:
            times.append(elapsed)
    return statistics.median(times), _percentile(times, 0.99), hits


async def explain(engine: AsyncEngine, where: CaseFilter, plan: SearchPlan) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement the search runs for its first page: the
    capped counts, then each walk (rank and alternative) until the page is full."""
    plans: list[str] = []
    async with create_sessionmaker(engine)() as session:
        terms = sorted(search_postings.plan_terms(plan))
        counts = await search_postings.capped_counts(set(terms), session)
        statement = str(search_postings._COUNTS).replace(":cap", str(search_postings.CAP))
        literal = "ARRAY[" + ",".join(f"'{t}'" for t in terms) + "]"
        plans.append(
            await _explain(session, statement.replace("CAST(:terms AS varchar[])", literal))
        )
        found, earlier = search_postings.walks(plan, counts)
        page = 0
        for walk in found:
            if page > 50:  # the search stops when the page is full
                break
            query = search_postings.walk_query(
                walk,
                earlier[walk.rank_index],
                scope=search_scope(where),
                after=None,
                limit=51,
                columns=SUMMARY_COLUMNS,
            )
            compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
            plans.append(await _explain(session, str(compiled)))
            page += len((await session.execute(query)).all())
    return plans


async def _explain(session: AsyncSession, statement: str) -> str:
    rows = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}"))
    return statement.strip() + "\n" + "\n".join(row[0] for row in rows)


async def main_async(args: argparse.Namespace) -> int:
    admin = postgres_admin()
    if admin is None:
        return 2
    name = args.database or f"bench_search_{uuid.uuid4().hex[:8]}"
    try:
        url = await admin.create(name)
    except asyncpg.DuplicateDatabaseError:
        url = admin.url_for(name)
    keep = args.keep or bool(args.database)
    try:
        # The schema only: the synthetic documents are no cases for the read model's rebuild.
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        engine = create_engine(url, pool_size=1, pre_ping=False)
        try:
            async with engine.connect() as connection:
                stored = int(
                    (await connection.execute(text("SELECT count(*) FROM cases"))).scalar_one()
                )
            if stored == 0:
                print(f"loading {args.cases} cases into {name}", file=sys.stderr)
                await load(engine, args.cases)
                await fill_text(url, args.cases)
                await vacuum(engine, ("cases", "case_search_terms"))
            else:
                print(f"reusing {name} ({stored} cases)", file=sys.stderr)
                if await add_rare(url):
                    await vacuum(engine, ("cases", "case_search_terms"))
            sessionmaker = create_sessionmaker(engine)
            async with sessionmaker() as session:
                target = await _target(session)
            results: list[tuple[str, str, float, float, int]] = []
            worst: tuple[float, Reach, SearchPlan] | None = None
            typical: list[tuple[str, str, list[str]]] = []
            for reach in REACHES:
                for label, q, revealing in queries(target):
                    if revealing and not reach.reveal:
                        continue
                    if args.only and args.only not in label:
                        continue
                    plan = search_plan(q, reveal=reach.reveal, key=KEY if reach.reveal else None)
                    p50, p99, hits = await measure(
                        sessionmaker, reach.where, plan, args.warmup, args.samples
                    )
                    results.append((reach.name, label, p50, p99, hits))
                    print(
                        f"  {reach.name:<22} {label:<28} p50 {p50:7.1f} p99 {p99:7.1f} ms "
                        f"({hits} on page 1)",
                        file=sys.stderr,
                    )
                    if worst is None or p99 > worst[0]:
                        worst = (p99, reach, plan)
                    if args.explain and (reach.name, q) in TYPICAL:
                        explained = await explain(engine, reach.where, plan)
                        typical.append((reach.name, label, explained))
            assert worst is not None
        finally:
            await engine.dispose()
    finally:
        if not keep:
            await admin.drop(name)
        else:
            print(f"kept database {name}", file=sys.stderr)
    print(f"\n{args.cases} cases; {args.warmup} warm-up then {args.samples} timed runs each\n")
    print("| reach | query | p50 ms | p99 ms | hits on page 1 (of 50) |")
    print("|---|---|---:|---:|---:|")
    for reach_name, label, p50, p99, hits in results:
        flag = " **over target**" if p99 > TARGET_MS else ""
        print(f"| {reach_name} | {label}{flag} | {p50:.1f} | {p99:.1f} | {hits} |")
    print(f"\nslowest: {worst[1].name}, p99 {worst[0]:.1f} ms\n")
    for reach_name, label, shown in typical:
        print(f"\n### {reach_name}: {label}\n")
        for one in shown:
            print(one + "\n")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--samples", type=int, default=25)
    parser.add_argument("--database")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only", help="only the queries whose label holds this text")
    parser.add_argument("--explain", action="store_true", help="plans of the typical searches")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
