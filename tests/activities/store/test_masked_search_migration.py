"""Migration 0016: cases stored before it get masked copies of their title and description;
delivery errors recorded before it lose what the receiver answered."""

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
async def database_at_0014(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0014", request.param, postgres_admin, tmp_path) as database:
        yield database


_CASE = text(
    "INSERT INTO cases (case_id, kind, stage, category, channel, title, description, "
    "jurisdiction_code, risk_level, registered_at, updated_at, seq, state) VALUES "
    "(:case_id, 'dispute', 'registered', 'neighbour', 'walk_in', :title, :description, "
    "'320102', 'low', :at, :at, 1, '{}')"
)

_DELIVERY = text(
    "INSERT INTO alert_deliveries (delivery_id, alert_id, case_id, recipient, channel, attempt, "
    "succeeded, status_code, error, at) VALUES ('d', 'JF-2026-800001-A1', 'JF-2026-800001', "
    "'person:x', 'webhook', :n, false, :status, :error, '2026-03-02 00:00:00+00:00')"
)


async def test_existing_cases_get_masked_copies_of_title_and_description(
    database_at_0014: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0014
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
        await connection.execute(
            _DELIVERY,
            [
                {"n": 1, "status": 500, "error": "webhook answered HTTP 500: '内部答复 10.0.3.7'"},
                {"n": 2, "status": None, "error": "webhook unreachable: ConnectError: 内部"},
                {"n": 3, "status": 200, "error": None},
            ],
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
    async with engine.connect() as connection:
        errors = list(
            await connection.scalars(text("SELECT error FROM alert_deliveries ORDER BY attempt"))
        )
    assert errors == [
        "投递失败，接收方答复 HTTP 500",
        "投递失败（早期记录，接收方答复已移除）",
        None,
    ]
