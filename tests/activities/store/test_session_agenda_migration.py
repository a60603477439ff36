"""Migration 0017 (调解日程): the agenda's table and users.mediator_id come and go on both stores,
users and their keys kept."""

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


@pytest.fixture(params=BACKENDS)
async def database_at_0013(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0013", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_upgrade_adds_the_agenda_and_the_link_and_downgrade_removes_them(
    database_at_0013: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0013
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO users (user_id, display_name, role, jurisdiction_code, active) "
                "VALUES ('wangfang', '王芳', 'mediator', '320102', true)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO api_keys (key_id, user_id, secret_hash, label) "
                "VALUES ('abcdef123456', 'wangfang', 'x', '')"
            )
        )
    await upgrade_async(url)

    def columns(sync: object) -> tuple[list[str], list[str]]:
        inspector = inspect(sync)
        users = [c["name"] for c in inspector.get_columns("users")]
        return inspector.get_table_names(), users

    async with engine.begin() as connection:
        tables, users = await connection.run_sync(columns)
        await connection.execute(
            text("UPDATE users SET mediator_id = 'xw-center-m1' WHERE user_id = 'wangfang'")
        )
    assert "session_agenda" in tables
    assert "mediator_id" in users

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0013")
    async with engine.connect() as connection:
        tables, users = await connection.run_sync(columns)
        keys = list(await connection.scalars(text("SELECT key_id FROM api_keys")))
        names = list(await connection.scalars(text("SELECT display_name FROM users")))
    assert "session_agenda" not in tables
    assert "mediator_id" not in users
    assert (keys, names) == (["abcdef123456"], ["王芳"])
    await upgrade_async(url)
