"""Migration 0016: cases stored before it get masked copies of their title and description."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store.migrate import upgrade_async
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at


@pytest.fixture(params=BACKENDS)
async def database_at_0012(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0012", request.param, postgres_admin, tmp_path) as database:
        yield database


_CASE = text(
    "INSERT INTO cases (case_id, kind, stage, category, channel, title, description, "
    "jurisdiction_code, risk_level, registered_at, updated_at, seq, state) VALUES "
    "(:case_id, 'dispute', 'registered', 'neighbour', 'walk_in', :title, :description, "
    "'320102', 'low', :at, :at, 1, '{}')"
)


async def test_existing_cases_get_masked_copies_of_title_and_description(
    database_at_0012: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0012
    at = datetime(2026, 3, 2, tzinfo=UTC)
    async with engine.begin() as connection:
        for number in range(1, 4):
            await connection.execute(
                _CASE,
                {
                    "case_id": f"JF-2026-80000{number}",
                    "title": f"张伟（138-1234-567{number}）漏水纠纷",
                    "description": "身份证 320102-19900101-1232，电话 +8613812345678。",
                    "at": at,
                },
            )
    await engine.dispose()

    await upgrade_async(url)

    async with engine.connect() as connection:
        rows = list(
            await connection.execute(
                text("SELECT case_id, masked_title, masked_description FROM cases ORDER BY 1")
            )
        )
    assert [tuple(row) for row in rows] == [
        (
            f"JF-2026-80000{number}",
            f"张伟（138-****-567{number}）漏水纠纷",
            "身份证 3201**-********-1232，电话 +86138****5678。",
        )
        for number in range(1, 4)
    ]
