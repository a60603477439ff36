"""Migration 0028 (indicator_facts, accountability_items, monthly_reports): cases stored
before it get their facts' dates and accountability items from the read model's rebuild
(``READ_MODEL_VERSION`` 2) that ``fengqiao migrate`` runs at head, on both stores; downgrade
drops the tables and keeps the cases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store.indicator_tables import IndicatorFactRow
from activities.store.migrate import alembic_config, upgrade_async
from activities.store.repositories import _case_columns
from activities.store.tables import CaseRow
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at, table_columns
from tests.domain.indicator_cases import county


@pytest.fixture(params=BACKENDS)
async def database_at_0027(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0027", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_upgrade_and_rebuild_fill_the_facts_of_stored_cases(
    database_at_0027: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0027
    told = county()
    async with engine.begin() as connection:
        present = await table_columns(connection, "cases")
        for case in told:
            # As stored before (read model 1, no same-matter key)
            row = {**_case_columns(case.case, None, None), "read_model_version": 1}
            row = {name: value for name, value in row.items() if name in present}
            await connection.execute(insert(CaseRow.__table__), [row])
    await upgrade_async(url)
    table = IndicatorFactRow.__table__
    async with engine.connect() as connection:
        rows = {r.case_id: r for r in await connection.execute(select(table))}
    assert len(rows) == len(told)
    d1 = rows["JF-2026-000001"]
    assert (d1.accepted_on, d1.agreement_reached_on, d1.agreement_performed_on) == (
        date(2026, 3, 2),
        date(2026, 3, 5),
        date(2026, 3, 10),
    )
    assert (d1.first_on, d1.last_on) == (date(2026, 3, 2), date(2026, 3, 10))
    assert rows["JF-2026-000005"].concluded_on_time_on is None  # its B2 breached before
    assert rows["XF-2026-000001"].party_key == rows["JF-2026-000005"].party_key
    async with engine.connect() as connection:
        items = list(
            await connection.execute(
                text("SELECT case_id, kind, who FROM accountability_items ORDER BY case_id")
            )
        )
    assert ("JF-2026-000004", "instruction", "周军") in [tuple(i) for i in items]

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0027")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        kept = await connection.scalar(text("SELECT count(*) FROM cases"))
    assert not {"indicator_facts", "accountability_items", "monthly_reports"} & set(tables)
    assert kept == len(told)
