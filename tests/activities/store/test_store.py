"""The store on PostgreSQL and SQLite: idempotent appends, the read model, lists, case numbers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.store import repositories
from activities.store.case_numbers import reserve_case_number
from activities.store.tables import CaseRow
from activities.tasks.projection import CaseStore
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.search import search_plan
from domain.case.state import CaseState
from domain.values import CaseKind
from tests.samples import T0, command, register
from workflows.contract import ProjectionBatch


def _history(case_id: str, *actions: str, **intake: object) -> list[Event]:
    envelope = c.CommandEnvelope(
        command_id=f"{case_id}-r", actor="登记员", command=register(case_id=case_id, **intake)
    )
    events = decide(None, envelope, now=T0)
    for n, action in enumerate(actions, start=1):
        state = fold(events)
        envelope = c.CommandEnvelope(
            command_id=f"{case_id}-{n}", actor="王芳", command=command(action)
        )
        events += decide(state, envelope, now=T0 + timedelta(minutes=n))
    return events


async def _project(engine: AsyncEngine, events: list[Event]) -> CaseState:
    state = fold(events)
    assert state is not None
    batch = ProjectionBatch(case_id=state.case_id, events=tuple(events), state=state)
    env = ActivityEnvironment()
    await env.run(CaseStore(engine).project_case_events, batch)
    return state


async def test_append_is_idempotent_on_case_and_seq(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    events = _history("JF-2026-100001", "accept", "plan")
    async with engine.begin() as connection:
        assert await repositories.append_events(tuple(events[:2]), connection=connection) == 2
    async with engine.begin() as connection:
        # A retried batch overlapping what is stored adds only the new event.
        assert await repositories.append_events(tuple(events), connection=connection) == 1
    async with sessionmaker() as session:
        stored = await repositories.case_events("JF-2026-100001", session=session)
    assert stored == events


async def test_read_model_never_goes_back_to_an_older_state(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    events = _history("JF-2026-100002", "accept", "plan")
    newer = await _project(engine, events)
    await _project(engine, events[:2])  # a late, older batch
    async with sessionmaker() as session:
        assert await repositories.get_case("JF-2026-100002", session=session) == newer


async def test_chinese_text_round_trips(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    events = _history("JF-2026-100003", title="王某诉赵某「宅基地」纠纷——𠀀字测试")
    state = await _project(engine, events)
    async with sessionmaker() as session:
        stored = await repositories.get_case("JF-2026-100003", session=session)
    assert stored is not None
    assert stored.title == "王某诉赵某「宅基地」纠纷——𠀀字测试" == state.title


async def test_list_filters_and_pages(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    town_a = {"county_code": "330106", "town_code": "330106001"}
    town_b = {"county_code": "330106", "town_code": "330106002"}
    for n in range(5):
        await _project(
            engine,
            _history(
                f"JF-2026-2000{n:02d}",
                *(("accept", "plan") if n % 2 else ()),
                jurisdiction=town_a if n < 3 else town_b,
                title=f"物业纠纷第{n}号",
                category="property_management",
            ),
        )

    async def ids(where: repositories.CaseFilter, limit: int = 50) -> list[str]:
        found: list[str] = []
        cursor = None
        while True:
            async with sessionmaker() as session:
                page = await repositories.list_cases(
                    where, cursor=cursor, limit=limit, session=session
                )
            found += [item.case_id for item in page.items]
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    everything = await ids(repositories.CaseFilter(jurisdiction="330106"))
    assert sorted(everything) == [f"JF-2026-2000{n:02d}" for n in range(5)]
    assert await ids(repositories.CaseFilter(jurisdiction="330106"), limit=2) == everything
    assert sorted(await ids(repositories.CaseFilter(jurisdiction="330106002"))) == [
        "JF-2026-200003",
        "JF-2026-200004",
    ]
    assert sorted(await ids(repositories.CaseFilter(jurisdiction="330106", stage="accepted"))) == [
        "JF-2026-200001",
        "JF-2026-200003",
    ]
    first = search_plan("第4号", reveal=False, key=None)
    assert await ids(repositories.CaseFilter(jurisdiction="330106", search=first)) == [
        "JF-2026-200004"
    ]
    assert sorted(
        await ids(
            repositories.CaseFilter(
                responsible_unit="梅园新村街道人民调解委员会", jurisdiction="330106"
            )
        )
    ) == ["JF-2026-200001", "JF-2026-200003"]
    # A query of nothing searchable (a LIKE wildcard) finds nothing.
    nothing = search_plan("%", reveal=False, key=None)
    assert await ids(repositories.CaseFilter(jurisdiction="330106", search=nothing)) == []


async def test_case_numbers_are_unique_under_concurrency(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    numbers = await asyncio.gather(
        *(
            reserve_case_number(sessionmaker, kind=CaseKind.DISPUTE, year=2031, key=f"k-{n}")
            for n in range(20)
        )
    )
    assert sorted(number for number, _ in numbers) == [f"JF-2031-{n:06d}" for n in range(1, 21)]
    assert not any(retried for _, retried in numbers)


async def test_the_same_intake_key_gets_the_same_number(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    same = await asyncio.gather(
        *(
            reserve_case_number(sessionmaker, kind=CaseKind.DISPUTE, year=2032, key="same-key")
            for _ in range(5)
        )
    )
    assert len({number for number, _ in same}) == 1
    assert sum(not retried for _, retried in same) == 1  # one request created it
    number, retried = await reserve_case_number(
        sessionmaker, kind=CaseKind.PETITION, year=2032, key="other"
    )
    assert number.startswith("XF-2032-")
    assert not retried


async def test_schema_is_migrated(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        versions = set(
            (await session.scalars(text("SELECT version_num FROM alembic_version"))).all()
        )
    from alembic.script import ScriptDirectory

    from activities.store.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    assert versions == heads == {"0031"}


async def test_pages_split_equal_timestamps_by_case_id(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Cases registered in the same instant page by case_id (newest first), each exactly once,
    wherever a page boundary falls among them."""
    same = T0 + timedelta(days=400)
    ids = [f"JF-2026-3000{n:02d}" for n in range(7)]
    rows = [
        {
            "case_id": case_id,
            "kind": "dispute",
            "stage": "registered",
            "category": "labour",
            "channel": "walk_in",
            "title": f"同一时刻登记{n}",
            "description": "",
            "jurisdiction_code": "340102001",
            "risk_level": "low",
            "registered_at": same if 1 <= n <= 5 else same + timedelta(seconds=1 - n // 6 * 2),
            "updated_at": same,
            "seq": 1,
            "state": {},
        }
        for n, case_id in enumerate(ids)
    ]
    async with engine.begin() as connection:
        await connection.execute(CaseRow.__table__.insert(), rows)
    # Newest first, then the five of the same instant by case_id descending, then the oldest.
    expected = [ids[0], ids[5], ids[4], ids[3], ids[2], ids[1], ids[6]]
    where = repositories.CaseFilter(jurisdiction="340102")
    for limit in range(1, 9):
        found: list[str] = []
        cursor = None
        while True:
            async with sessionmaker() as session:
                page = await repositories.list_cases(
                    where, cursor=cursor, limit=limit, session=session
                )
            assert len(page.items) <= limit
            found += [item.case_id for item in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert found == expected, limit
    # A cursor at a row in the middle of the tie continues after it, not after the instant.
    async with sessionmaker() as session:
        first = await repositories.list_cases(where, cursor=None, limit=3, session=session)
        assert [item.case_id for item in first.items] == expected[:3]
        rest = await repositories.list_cases(
            where, cursor=first.next_cursor, limit=50, session=session
        )
    assert [item.case_id for item in rest.items] == expected[3:]
    assert rest.next_cursor is None
