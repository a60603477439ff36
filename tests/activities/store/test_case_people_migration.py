"""Migration 0022: open cases stored before it get their people by id (case_people) when
``fengqiao migrate`` rebuilds the rows the read model's rules moved past (version 1 → 2), and
are found in 我的在办 by them; an ended case gets none. Both stores."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import column as sa_column
from sqlalchemy import insert, select
from sqlalchemy import table as sa_table
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store import repositories
from activities.store.engine import create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.people_tables import CasePersonRow
from domain.case.list_columns import person_keys, principal_keys
from domain.case.state import CaseState
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at, table_columns
from tests.domain.test_person_keys import _case
from tests.samples import command


@pytest.fixture(params=BACKENDS)
async def database_before_0022(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0030", request.param, postgres_admin, tmp_path) as database:
        yield database


def _worked(case_id: str, *, ended: bool) -> CaseState:
    steps = [
        command("accept"),
        command("plan", responsible_person="王芳", responsible_person_id="wangfang"),
        command("start_mediation", mediators=["赵强"], mediator_ids=["xw-m-2"]),
        command("assign_package_leader", leader_id="chenjianguo"),
    ]
    state = _case(*steps, *([command("withdraw")] if ended else []))
    return state.model_copy(update={"case_id": case_id})


async def test_open_cases_get_their_people_by_id_and_are_found_by_them(
    database_before_0022: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_before_0022
    open_case, ended = _worked("JF-2026-700001", ended=False), _worked("JF-2026-700002", ended=True)
    async with engine.begin() as connection:
        present = await table_columns(connection, "cases")
        for state in (open_case, ended):
            # As the projection of rules version 1 wrote it (before case_people).
            columns = {**repositories.case_columns(state), "read_model_version": 1}
            columns = {name: value for name, value in columns.items() if name in present}
            await connection.execute(
                insert(sa_table("cases", *(sa_column(name) for name in columns))),
                {**columns, "state": json.dumps(columns["state"], ensure_ascii=False)},
            )
    await engine.dispose()

    await upgrade_async(url)

    async with engine.connect() as connection:
        rows = list(
            await connection.execute(
                select(CasePersonRow.case_id, CasePersonRow.person_key).order_by(
                    CasePersonRow.person_key
                )
            )
        )
    expected = sorted(person_keys(open_case))
    assert expected == ["roster:xw-m-2", "user:chenjianguo", "user:wangfang"]
    assert [tuple(row) for row in rows] == [("JF-2026-700001", key) for key in expected]
    async with create_sessionmaker(engine)() as session:
        for keys in (principal_keys("wangfang", None), principal_keys("zhaoqiang", "xw-m-2")):
            where = repositories.CaseFilter(people=keys, open_only=True)
            page = await repositories.list_cases(
                where, cursor=None, limit=10, session=session, by_deadline=True
            )
            assert [item.case_id for item in page.items] == ["JF-2026-700001"]
    await engine.dispose()
