"""Migration 0026 (the leaders' registers): the reception log, 约谈/通报 (append-only) and the
重点人员 register come and go on both stores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store.migrate import alembic_config, upgrade_async
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at

REGISTERS = {"leader_receptions", "reception_cases", "accountability_records", "watched_persons"}


@pytest.fixture(params=BACKENDS)
async def database_at_0027(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0027", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_the_registers_come_and_go_and_accountability_records_are_append_only(
    database_at_0027: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0027
    await upgrade_async(url)

    def tables(sync: object) -> set[str]:
        return set(inspect(sync).get_table_names())

    async with engine.begin() as connection:
        assert REGISTERS <= await connection.run_sync(tables)
        await connection.execute(
            text(
                "INSERT INTO accountability_records (record_id, kind, subject_kind, org_id, "
                "org_name, jurisdiction_code, held_on, facts, decisions, by_user_id, by_name, "
                "recorded_at) VALUES ('YT-0', 'summon', 'organisation', 'xw-center', '中心', "
                "'320102', '2026-03-02', '问题', '意见', 'zhoujun', '周军', '2026-03-02')"
            )
        )
    for statement in (
        "UPDATE accountability_records SET facts = '改写'",
        "DELETE FROM accountability_records",
    ):
        async with engine.begin() as connection:
            with pytest.raises(Exception, match="append-only"):
                await connection.execute(text(statement))

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0027")
    async with engine.connect() as connection:
        assert not REGISTERS & await connection.run_sync(tables)
    await upgrade_async(url)
