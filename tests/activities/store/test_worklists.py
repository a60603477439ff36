"""Worklists, reach by related organisation, 积案 and same parties on both stores (hand-written
expectations over a few cases at different states, projected as the workflow projects them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.runtime.settings import DEVELOPMENT_PARTY_KEY
from activities.store import repositories, worklists
from activities.store.repositories import CaseFilter
from activities.store.tables import CaseOrganisationRow, CaseRow
from activities.store.worklists import WorkFilter
from activities.tasks.projection import CaseStore
from domain.case import events as e
from domain.case.worklist import LEADER_KINDS, party_key
from tests.principals import CENTER, OTHER_CENTER, ensure_centers
from tests.samples import PETITION_INTAKE, T0, intake_body
from tests.worklist_support import CaseAt
from workflows.contract import ProjectionBatch

LABOUR_ROOM = "xw-labour-room"
ZHANG_WEI = "110101199003071233"  # the samples' applicant
OTHER_PERSON = [{"name": "周敏", "id_number": "110101198001010037", "phone": "13700001111"}]


async def _project(engine: AsyncEngine, case: CaseAt) -> None:
    batch = ProjectionBatch(case_id=case.case.case_id, events=tuple(case.events), state=case.case)
    await ActivityEnvironment().run(CaseStore(engine).project_case_events, batch)


@pytest.fixture(scope="module")
async def cases(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """JF-…01 old and idle at the center; XF-…02 a new letter (acceptance due 17 March);
    JF-…03 transferred to the labour room (TAKE due 4 March) and assigned to 人社 (due 20 March);
    JF-…04 transferred an hour later, its TAKE clock warned (the center's); XF-…05 another
    center's petition; JF-…06 old but withdrawn; JF-…07 the center's, another person's."""
    async with sessionmaker.begin() as session:
        await ensure_centers(session)
    old = T0 - timedelta(days=100)
    built = [
        CaseAt("JF-2026-500001", center=CENTER, at=old),
        CaseAt("XF-2026-500002", center=CENTER, **PETITION_INTAKE),
        CaseAt("JF-2026-500003", center=CENTER)
        .do("accept")
        .do("transfer")
        .do("assign", deadline="2026-03-20"),
        CaseAt("JF-2026-500004", center=CENTER, at=T0 + timedelta(hours=1))
        .do("accept")
        .do("plan")
        .do("transfer")
        .wait(datetime(2026, 3, 4, 1, 0, tzinfo=UTC)),
        CaseAt("XF-2026-500005", center=OTHER_CENTER, **PETITION_INTAKE),
        CaseAt("JF-2026-500006", center=CENTER, at=T0 - timedelta(days=120)).do("withdraw"),
        CaseAt("JF-2026-500007", center=CENTER, applicants=OTHER_PERSON),
    ]
    for case in built:
        await _project(engine, case)


async def _page_through(
    sessionmaker: async_sessionmaker[AsyncSession],
    where: WorkFilter,
    *,
    kind: str | None = None,
    limit: int = 50,
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    cursor = None
    while True:
        async with sessionmaker() as session:
            page = await worklists.list_work(
                where, kind=kind, cursor=cursor, limit=limit, session=session
            )
        found += [(line.case_id, line.kind) for line in page.items]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


async def test_an_organisations_worklist_is_ordered_by_nearest_due_then_oldest(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    center = WorkFilter(organisation=CENTER)
    expected = [
        ("JF-2026-500004", "clock_warning"),  # TAKE due 4 March 24:00
        ("XF-2026-500002", "new_intake"),  # due 17 March 24:00
        ("JF-2026-500001", "new_intake"),  # no due time, registered 100 days before
        ("JF-2026-500007", "new_intake"),  # no due time, registered at T0
    ]
    assert await _page_through(sessionmaker, center) == expected
    assert await _page_through(sessionmaker, center, limit=1) == expected
    async with sessionmaker() as session:
        counts = await worklists.count_work(center, session=session)
    assert counts == {"clock_warning": 1, "new_intake": 3}
    assert await _page_through(sessionmaker, center, kind="new_intake", limit=2) == expected[1:]
    # The labour room: two transfers due at the same time, the one sent first first.
    assert await _page_through(sessionmaker, WorkFilter(organisation=LABOUR_ROOM)) == [
        ("JF-2026-500003", "incoming_transfer"),
        ("JF-2026-500004", "incoming_transfer"),
    ]
    assert await _page_through(sessionmaker, WorkFilter(organisation="xw-hrss")) == [
        ("JF-2026-500003", "report_back_due")
    ]


async def test_mine_and_a_leaders_worklist(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # 王芳 is the responsible person of JF-…04's plan; nobody is named on the new intakes.
    mine = WorkFilter(organisation=CENTER, person="王芳")
    assert await _page_through(sessionmaker, mine) == [("JF-2026-500004", "clock_warning")]
    assert await _page_through(sessionmaker, WorkFilter(organisation=CENTER, person="王")) == []
    leader = WorkFilter(within="320102", kinds=tuple(sorted(LEADER_KINDS)))
    assert await _page_through(sessionmaker, leader) == [("JF-2026-500004", "clock_warning")]
    elsewhere = WorkFilter(within="330106", kinds=tuple(sorted(LEADER_KINDS)))
    assert await _page_through(sessionmaker, elsewhere) == []


async def _ids(sessionmaker: async_sessionmaker[AsyncSession], where: CaseFilter) -> list[str]:
    async with sessionmaker() as session:
        page = await repositories.list_cases(where, cursor=None, limit=50, session=session)
    return sorted(item.case_id for item in page.items)


async def test_lists_reach_every_organisation_related_to_a_case(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    assert await _ids(sessionmaker, CaseFilter(organisation=LABOUR_ROOM)) == [
        "JF-2026-500003",
        "JF-2026-500004",
    ]
    assert await _ids(sessionmaker, CaseFilter(organisation="xw-hrss")) == ["JF-2026-500003"]
    assert await _ids(sessionmaker, CaseFilter(organisation=OTHER_CENTER)) == ["XF-2026-500005"]
    assert await _ids(sessionmaker, CaseFilter(organisation="xw-police-room")) == []
    assert await _ids(sessionmaker, CaseFilter(incoming=LABOUR_ROOM, within="320102")) == [
        "JF-2026-500003",
        "JF-2026-500004",
    ]
    assert await _ids(sessionmaker, CaseFilter(holder=LABOUR_ROOM)) == []
    async with sessionmaker() as session:
        rows = await session.execute(
            select(CaseOrganisationRow.org_id, CaseOrganisationRow.relation).where(
                CaseOrganisationRow.case_id == "JF-2026-500003"
            )
        )
        holder = await session.scalar(
            select(CaseRow.holder_id).where(CaseRow.case_id == "JF-2026-500003")
        )
    assert sorted(rows) == sorted(
        [
            (LABOUR_ROOM, "incoming"),
            (CENTER, "holder"),
            (CENTER, "registrar"),
            ("xw-hrss", "assignee"),
        ]
    )
    assert holder == CENTER


async def test_backlog_is_open_and_older_than_the_threshold(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    before = T0 - timedelta(days=90)
    # JF-…01 (100 days, open) is backlog; JF-…06 (120 days, withdrawn) is not.
    assert await _ids(sessionmaker, CaseFilter(organisation=CENTER, backlog_before=before)) == [
        "JF-2026-500001"
    ]
    async with sessionmaker() as session:
        by_stage, backlog = await repositories.count_cases_and_backlog(
            CaseFilter(within="320102"), backlog_before=before, session=session
        )
        held, _ = await worklists.list_backlog(
            CaseFilter(holder=CENTER, backlog_before=before), cursor=None, limit=5, session=session
        )
    assert backlog == 1
    assert by_stage == {"registered": 4, "accepted": 2, "withdrawn": 1}
    assert [case.case_id for case in held] == ["JF-2026-500001"]


async def test_same_party_cases_within_reach(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    zhang = party_key(key=DEVELOPMENT_PARTY_KEY, id_number=ZHANG_WEI)
    assert zhang is not None
    async with sessionmaker() as session:
        at_center = await worklists.cases_of_parties(
            [zhang], CaseFilter(organisation=CENTER), limit=50, session=session
        )
        in_county = await worklists.cases_of_parties(
            [zhang], CaseFilter(within="320102"), limit=50, session=session
        )
        keys = await worklists.party_keys_of("JF-2026-500003", session=session)
        related = await worklists.cases_of_parties(
            keys,
            CaseFilter(organisation=LABOUR_ROOM),
            excluding="JF-2026-500003",
            limit=50,
            session=session,
        )
    # The samples' applicant is on every case but JF-…07; XF-…05 is another center's.
    assert sorted(c.case_id for c in at_center) == [
        "JF-2026-500001",
        "JF-2026-500003",
        "JF-2026-500004",
        "JF-2026-500006",
        "XF-2026-500002",
    ]
    assert "XF-2026-500005" in {c.case_id for c in in_county}
    assert "JF-2026-500007" not in {c.case_id for c in in_county}
    assert [c.case_id for c in related] == ["JF-2026-500004"]
    assert intake_body()["applicants"][0]["id_number"] == ZHANG_WEI


async def test_the_side_rows_follow_the_case_and_never_go_back(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker.begin() as session:
        await ensure_centers(session)
    case = CaseAt("JF-2026-500010", center=CENTER).do("accept").do("transfer")
    earlier = CaseAt("JF-2026-500010", center=CENTER).do("accept")
    await _project(engine, case)
    # An older state arriving late (a retried batch) changes nothing beside the case either.
    async with engine.begin() as connection:
        assert not await repositories.upsert_case(earlier.case, connection=connection)
    where = WorkFilter(organisation=LABOUR_ROOM)
    assert ("JF-2026-500010", "incoming_transfer") in await _page_through(sessionmaker, where)
    case.do("take")
    case.record(e.LiftSuggested(rule_id="LIFT-3", reason="三次调解未达成协议"))
    await _project(engine, case)
    assert ("JF-2026-500010", "incoming_transfer") not in await _page_through(sessionmaker, where)
    assert ("JF-2026-500010", "lift_suggested") in await _page_through(sessionmaker, where)
