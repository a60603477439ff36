"""Migration 0028 (indicator_facts): cases stored before it get their facts' dates, on both
stores; downgrade drops the table and keeps the cases."""

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
from tests.databases import PostgresAdmin, database_at
from tests.domain.indicator_cases import county


@pytest.fixture(params=BACKENDS)
async def database_at_0021(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0021", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_upgrade_fills_the_facts_of_stored_cases(
    database_at_0021: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0021
    told = county()
    async with engine.begin() as connection:
        for case in told:
            await connection.execute(insert(CaseRow.__table__), [_case_columns(case.case)])
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

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0021")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        kept = await connection.scalar(text("SELECT count(*) FROM cases"))
    assert "indicator_facts" not in tables
    assert kept == len(told)
