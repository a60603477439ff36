"""检索 on both stores (issue 18): two-character words (鱼塘, 工资, 拆迁), ranking (number, party,
title, description; newest first within each), the reader's reach (another organisation's or
another county's cases neither listed nor counted), and the projection keeping the index in
step when a case's words change. Cases projected as the workflow projects them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.runtime.settings import DEVELOPMENT_SEARCH_KEY
from activities.store import repositories
from activities.store.repositories import CaseFilter
from activities.tasks.projection import CaseStore
from domain.case.search import search_plan
from domain.case.search_index import postings
from tests.principals import CENTER, OTHER_CENTER, OTHER_COUNTY_PLACE, ensure_centers
from tests.samples import T0
from tests.worklist_support import CaseAt
from workflows.contract import ProjectionBatch

KEY = DEVELOPMENT_SEARCH_KEY
PHONE = "13955501234"


def _party(name: str, phone: str | None = None) -> dict[str, Any]:
    return {"name": name, **({"phone": phone} if phone else {})}


async def _project(engine: AsyncEngine, case: CaseAt) -> None:
    batch = ProjectionBatch(case_id=case.case.case_id, events=tuple(case.events), state=case.case)
    await ActivityEnvironment().run(CaseStore(engine, search_key=KEY).project_case_events, batch)


def _case(n: int, *, hours: int, center: str = CENTER, **intake: Any) -> CaseAt:
    """Case JF-2026-7000{n}, registered ``hours`` after T0 (a later one is newer)."""
    intake.setdefault("applicants", [_party("张伟")])
    intake.setdefault("respondents", [_party("李娜")])
    intake.setdefault("title", "相邻通行纠纷")
    intake.setdefault("description", "双方多次争吵，请求调解。")
    return CaseAt(f"JF-2026-7000{n:02d}", center=center, at=T0 + timedelta(hours=hours), **intake)


@pytest.fixture(scope="module")
async def cases(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker.begin() as session:
        await ensure_centers(session)
    built = [
        # 鱼塘 in a description, two titles (older, newer), a party's name, a newer description.
        _case(1, hours=1, description="双方因鱼塘放水发生争执。"),
        _case(2, hours=2, title="承包鱼塘纠纷（一）"),
        _case(3, hours=3, title="承包鱼塘纠纷（二）", category="land_contract"),
        _case(4, hours=4, applicants=[_party("周鱼塘", PHONE)]),
        _case(5, hours=5, description="又涉及鱼塘一事，拖欠工资。"),
        # 工资 and 拆迁; 鱼 and 塘 apart are not the word 鱼塘.
        _case(6, hours=6, title="拖欠工资纠纷", description="房屋拆迁补偿未到位。"),
        _case(7, hours=7, description="鱼，塘边的树被砍。"),
        # Another center's case, and one of another county, both with 鱼塘 and the phone.
        _case(
            8, hours=8, center=OTHER_CENTER, title="鱼塘纠纷", applicants=[_party("周某", PHONE)]
        ),
        _case(9, hours=9, title="鱼塘纠纷", jurisdiction=OTHER_COUNTY_PLACE),
        # A surname, and a case quoting another's number.
        _case(10, hours=10, applicants=[_party("欧阳明")], description="与JF-2026-700001同一纠纷"),
    ]
    for case in built:
        await _project(engine, case)


async def _ids(
    sessionmaker: async_sessionmaker[AsyncSession],
    q: str,
    where: CaseFilter | None = None,
    *,
    reveal: bool = False,
    limit: int = 2,
) -> list[str]:
    """Every page of the search (small pages: the cursor crosses ranks)."""
    plan = search_plan(q, reveal=reveal, key=KEY if reveal else None)
    found: list[str] = []
    cursor = None
    while True:
        async with sessionmaker() as session:
            page = await repositories.list_cases(
                CaseFilter(**{**(where or CaseFilter()).__dict__, "search": plan}),
                cursor=cursor,
                limit=limit,
                session=session,
            )
        found += [item.case_id.removeprefix("JF-2026-7000") for item in page.items]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


async def _count(sessionmaker: async_sessionmaker[AsyncSession], q: str, where: CaseFilter) -> int:
    plan = search_plan(q, reveal=False, key=None)
    async with sessionmaker() as session:
        counts = await repositories.count_cases(
            CaseFilter(**{**where.__dict__, "search": plan}), session=session
        )
    return sum(counts.values())


async def test_a_two_character_word_is_found_ranked_party_title_description_newest_first(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # Party, then titles newest first (09 and 08 too: the whole store), then descriptions.
    assert await _ids(sessionmaker, "鱼塘") == ["04", "09", "08", "03", "02", "05", "01"]
    assert await _ids(sessionmaker, "工资") == ["06", "05"]
    assert await _ids(sessionmaker, "拆迁") == ["06"]
    # The characters apart (鱼，塘) are not the word; a word nobody wrote finds nothing.
    assert "07" not in await _ids(sessionmaker, "鱼塘")
    assert await _ids(sessionmaker, "塘鱼") == []
    # Every pair of a longer query must be there: 鱼塘 and 工资 together only in 05.
    assert await _ids(sessionmaker, "鱼塘 工资") == ["05"]


async def test_the_number_first_a_surname_finds_names_but_not_descriptions(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    assert await _ids(sessionmaker, "JF-2026-700001") == ["01", "10"]
    assert await _ids(sessionmaker, "欧阳") == ["10"]
    assert await _ids(sessionmaker, "欧") == ["10"]
    # 周 is 04's and 08's surname, and a title's character nowhere; 鱼 alone: 04's name, titles.
    assert await _ids(sessionmaker, "周") == ["08", "04"]
    assert await _ids(sessionmaker, "鱼") == ["04", "09", "08", "03", "02"]


async def test_a_reach_sees_and_counts_only_its_own_cases(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    center = CaseFilter(organisation=CENTER)
    # The center registered 09 in another county: its reach holds it; 08 is another center's.
    assert await _ids(sessionmaker, "鱼塘", center) == ["04", "09", "03", "02", "05", "01"]
    assert await _count(sessionmaker, "鱼塘", center) == 6
    other = CaseFilter(organisation=OTHER_CENTER)
    assert await _ids(sessionmaker, "鱼塘", other) == ["08"]
    assert await _count(sessionmaker, "鱼塘", other) == 1
    assert await _ids(sessionmaker, "欧阳", other) == []
    assert await _count(sessionmaker, "欧阳", other) == 0
    # With another filter of the list (over the cases, not the index).
    labour = CaseFilter(organisation=CENTER, category="land_contract")
    assert await _ids(sessionmaker, "鱼塘", labour) == ["03"]
    assert await _ids(sessionmaker, "鱼塘", CaseFilter(category="land_contract")) == ["03"]
    assert await _count(sessionmaker, "鱼塘", labour) == 1
    # A county's leader: not the other county's 09.
    county = CaseFilter(within="320102")
    assert await _ids(sessionmaker, "鱼塘", county) == ["04", "08", "03", "02", "05", "01"]
    assert await _count(sessionmaker, "鱼塘", county) == 6
    assert await _ids(sessionmaker, "鱼塘", CaseFilter(within="320104")) == ["09"]
    # The phone's last four in reach; the whole number only by its keyed hash (may reveal).
    assert await _ids(sessionmaker, PHONE[-4:], center) == ["04"]
    assert await _ids(sessionmaker, PHONE, center, reveal=True) == ["04"]
    assert await _ids(sessionmaker, PHONE, other, reveal=True) == ["08"]
    assert await _ids(sessionmaker, PHONE, center) == []


async def test_the_index_follows_a_case_whose_words_change(
    engine: AsyncEngine, cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case = _case(11, hours=11, title="拆迁安置纠纷").do("accept")
    await _project(engine, case)
    assert await _ids(sessionmaker, "安置") == ["11"]
    # A later state with other words (as a run before events-only projection sends it).
    state = case.case.model_copy(update={"title": "宅基地界址纠纷", "seq": case.case.seq + 1})
    batch = ProjectionBatch(case_id=state.case_id, events=tuple(case.events), state=state)
    await ActivityEnvironment().run(CaseStore(engine, search_key=KEY).project_case_events, batch)
    assert await _ids(sessionmaker, "安置") == []
    assert await _ids(sessionmaker, "界址") == ["11"]
    # An older state never comes back, in the case nor in the index.
    await _project(engine, _case(11, hours=11, title="拆迁安置纠纷"))
    assert await _ids(sessionmaker, "安置") == []
    if engine.dialect.name == "postgresql":
        async with sessionmaker() as session:
            stored = await session.scalar(
                text("SELECT search_terms FROM cases WHERE case_id = 'JF-2026-700011'")
            )
            posted = await session.scalars(
                text(
                    "SELECT term FROM case_search_terms WHERE case_id = 'JF-2026-700011' "
                    "ORDER BY term"
                )
            )
            assert list(posted) == postings(stored)
