"""The case list by deadline and 我的在办 on both stores: hand-written expectations over a few
cases at known states, projected as the workflow projects them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.store import repositories
from activities.store.repositories import CaseFilter
from activities.tasks.projection import CaseStore
from domain.case.list_columns import principal_keys
from tests.principals import CENTER, OTHER_CENTER, ensure_centers
from tests.samples import PETITION_INTAKE, T0
from tests.worklist_support import CaseAt
from workflows.contract import ProjectionBatch

LABOUR_ROOM = "xw-labour-room"


async def _project(engine: AsyncEngine, case: CaseAt) -> None:
    batch = ProjectionBatch(case_id=case.case.case_id, events=tuple(case.events), state=case.case)
    await ActivityEnvironment().run(CaseStore(engine).project_case_events, batch)


@pytest.fixture(scope="module")
async def cases(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """T0 is 2 March 2026 09:30 China time.

    JF-…01 registered, no clock runs; XF-…02 a letter, acceptance due 17 March 24:00 (the
    center's); JF-…03 planned for 赵六, the plan's deadline 1 April 24:00; JF-…04 sent to the
    labour room, 签收 due 4 March 24:00 (the labour room's to meet); XF-…05 another center's
    letter; JF-…06 withdrawn; JF-…07 planned for 赵六 with 陈建国 as 包案领导, due 1 April 24:00.
    """
    async with sessionmaker.begin() as session:
        await ensure_centers(session)
    built = [
        CaseAt("JF-2026-600001", center=CENTER),
        CaseAt("XF-2026-600002", center=CENTER, **PETITION_INTAKE),
        CaseAt("JF-2026-600003", center=CENTER)
        .do("accept")
        .do("plan", responsible_person="赵六", responsible_person_id="zhaoliu"),
        CaseAt("JF-2026-600004", center=CENTER).do("accept").do("transfer"),
        CaseAt("XF-2026-600005", center=OTHER_CENTER, **PETITION_INTAKE),
        # Withdrawn after 赵六 was chosen: no longer held.
        CaseAt("JF-2026-600006", center=CENTER, at=T0 - timedelta(days=3))
        .do("accept")
        .do("plan", responsible_person="赵六", responsible_person_id="zhaoliu")
        .do("withdraw"),
        CaseAt("JF-2026-600007", center=CENTER)
        .do("accept")
        .do("plan", responsible_person="赵六", responsible_person_id="zhaoliu")
        .do("assign_package_leader", leader_id="chenjianguo"),
    ]
    for case in built:
        await _project(engine, case)


async def _all(
    sessionmaker: async_sessionmaker[AsyncSession], where: CaseFilter, *, limit: int = 2
) -> list[repositories.CaseSummary]:
    """Every page, by deadline (small pages: the cursor is walked too)."""
    found: list[repositories.CaseSummary] = []
    cursor = None
    while True:
        async with sessionmaker() as session:
            page = await repositories.list_cases(
                where, cursor=cursor, limit=limit, session=session, by_deadline=True
            )
        found += page.items
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def _china(day: int, month: int = 3) -> datetime:
    """The end of that China day (24:00), as an instant."""
    return datetime(2026, month, day, 16, 0, tzinfo=UTC)


async def test_a_centers_list_by_deadline_nearest_first_and_no_clock_last(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    found = await _all(sessionmaker, CaseFilter(organisation=CENTER))
    assert [(c.case_id, c.next_due_at) for c in found] == [
        ("JF-2026-600004", _china(4)),  # 签收 due 4 March 24:00
        ("XF-2026-600002", _china(17)),  # acceptance due 17 March 24:00
        ("JF-2026-600003", _china(1, 4)),  # the plan's deadline, 1 April 24:00
        ("JF-2026-600007", _china(1, 4)),  # the same day: then by number
        ("JF-2026-600001", None),  # nothing running
        ("JF-2026-600006", None),  # withdrawn
    ]
    transferred = found[0]
    # Whose: the labour room must sign for it; the center still holds the case.
    assert (transferred.next_due_name, transferred.next_due_org) == ("签收时限", LABOUR_ROOM)
    assert transferred.holder_id == CENTER
    assert transferred.parties_label == "张伟 等2人"


async def test_the_whole_list_by_deadline_walks_the_cases_table_too(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """A leader's list (a jurisdiction, no organisation) orders the same way."""
    found = await _all(sessionmaker, CaseFilter(within="320102"), limit=3)
    ids = [c.case_id for c in found if c.case_id.startswith(("JF-2026-600", "XF-2026-600"))]
    assert ids == [
        "JF-2026-600004",
        "XF-2026-600002",
        "XF-2026-600005",
        "JF-2026-600003",
        "JF-2026-600007",
        "JF-2026-600001",
        "JF-2026-600006",
    ]


async def test_mine_is_every_open_case_naming_me_nearest_deadline_first(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    zhao = principal_keys("zhaoliu", None)
    mine = await _all(sessionmaker, CaseFilter(organisation=CENTER, people=zhao, open_only=True))
    # By id, open cases only: the withdrawn one (…06) is not held.
    assert [c.case_id for c in mine] == ["JF-2026-600003", "JF-2026-600007"]
    leader = principal_keys("chenjianguo", None)
    assert [
        c.case_id for c in await _all(sessionmaker, CaseFilter(people=leader, open_only=True))
    ] == ["JF-2026-600007"]
    # A prefix of an id is no one.
    assert await _all(sessionmaker, CaseFilter(people=("user:zhao",), open_only=True)) == []


async def test_my_organisations_holding_leaves_out_closed_and_others_cases(
    cases: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    held = await _all(sessionmaker, CaseFilter(organisation=CENTER, holder=CENTER, open_only=True))
    assert [c.case_id for c in held] == [
        "JF-2026-600004",
        "XF-2026-600002",
        "JF-2026-600003",
        "JF-2026-600007",
        "JF-2026-600001",
    ]
    other = await _all(
        sessionmaker, CaseFilter(organisation=OTHER_CENTER, holder=CENTER, open_only=True)
    )
    assert other == []
