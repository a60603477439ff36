"""Migration 0021: cases stored before it get the search terms the projection writes now (its
frozen copy of the term rules gives what ``domain.case.search`` gives), and are found by them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import column as sa_column
from sqlalchemy import insert, select, text
from sqlalchemy import table as sa_table
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.engine import create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.tables import CaseRow
from domain.case.evolve import fold
from domain.case.search import case_terms, search_plan
from domain.case.search_index import postings
from tests.activities.audit.chain_support import history_of, new_case_id
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at


@pytest.fixture(params=BACKENDS)
async def database_before_0021(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0020", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_existing_cases_get_the_search_terms_and_are_found_by_them(
    database_before_0021: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_before_0021
    case_id = new_case_id()
    registered = fold(history_of(case_id, "accept"))
    assert registered is not None
    state = registered.model_copy(
        update={
            "title": "承包鱼塘放水纠纷",
            "description": (
                "周建华（电话 +86 139-1234-5678，身份证 320102-19900101-1232）反映鱼塘被淹。"
            ),
        }
    )
    columns = repositories.case_columns(state)
    async with engine.begin() as connection:
        await connection.execute(
            insert(sa_table("cases", *(sa_column(name) for name in columns))),
            {**columns, "state": json.dumps(columns["state"], ensure_ascii=False)},
        )
    await engine.dispose()

    await upgrade_async(url)

    key = Settings().search_hash_key
    async with engine.connect() as connection:
        stored = await connection.scalar(
            select(CaseRow.search_terms).where(CaseRow.case_id == case_id)
        )
    assert stored == case_terms(state, key=key)
    assert "t_鱼塘" in stored.split()
    assert "12345678" not in stored
    async with create_sessionmaker(engine)() as session:
        for q, reveal in (("鱼塘", False), ("13912345678", True), (case_id[-6:], False)):
            where = repositories.CaseFilter(search=search_plan(q, reveal=reveal, key=key))
            page = await repositories.list_cases(where, cursor=None, limit=10, session=session)
            assert [item.case_id for item in page.items] == [case_id], q
        if engine.dialect.name == "postgresql":
            # Revision 0023 posted them (``case_search_terms``), as the projection would.
            posted = await session.scalars(
                text("SELECT term FROM case_search_terms WHERE case_id = :id ORDER BY term"),
                {"id": case_id},
            )
            assert list(posted) == postings(stored)
