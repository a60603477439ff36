"""Migration 0014 (三员分立): existing administrators keep operations only, the administration trail
starts with an entry saying so, and that trail refuses changes on both stores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from activities.identity import admin_trail
from activities.store.migrate import alembic_config, upgrade_async
from domain.people.administration import AdminAction
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at

_USER = text(
    "INSERT INTO users (user_id, display_name, role, jurisdiction_code, active, password_hash) "
    "VALUES (:user_id, :name, :role, :code, true, :hash)"
)


@pytest.fixture(params=BACKENDS)
async def database_at_0012(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0012", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_existing_admins_keep_operations_and_the_trail_records_the_split(
    database_at_0012: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0012
    async with engine.begin() as connection:
        for user_id, name, role, code in [
            ("ops", "老管理员", "system_admin", None),
            ("ops2", "另一位管理员", "system_admin", None),
            ("wuming", "吴明", "auditor", "320102"),
            ("zhoujun", "周军", "leader", "320102"),
        ]:
            await connection.execute(
                _USER, {"user_id": user_id, "name": name, "role": role, "code": code, "hash": "h"}
            )
        await connection.execute(
            text(
                "INSERT INTO api_keys (key_id, user_id, secret_hash, label) "
                "VALUES ('abcdef123456', 'ops', 'x', '')"
            )
        )

    await upgrade_async(url)

    async with engine.connect() as connection:
        users = {
            row[0]: (row[1], bool(row[2]), row[3])
            for row in await connection.execute(
                text("SELECT user_id, role, must_change_password, password_hash FROM users")
            )
        }
        keys = (await connection.execute(text("SELECT count(*) FROM api_keys"))).scalar()
    # Nobody gains a power: administrators stay system administrators (operations), nobody
    # becomes a security administrator, passwords and keys are kept.
    assert users == {
        "ops": ("system_admin", False, "h"),
        "ops2": ("system_admin", False, "h"),
        "wuming": ("auditor", False, "h"),
        "zhoujun": ("leader", False, "h"),
    }
    assert keys == 1
    async with async_sessionmaker(engine)() as session:
        entries = await admin_trail.query(
            actor_id=None, target=None, since=None, until=None, limit=10, session=session
        )
        checked = await admin_trail.check(session=session)
    assert [entry.action for entry in entries] == [AdminAction.ROLE_MODEL_SPLIT.value]
    assert entries[0].details["system_admins"] == "ops、ops2"
    assert checked.chain_ok
    assert checked.entries == 1
    for statement in ("UPDATE admin_trail SET actor_name = '改写'", "DELETE FROM admin_trail"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))


async def test_downgrade_keeps_users_and_keys_and_upgrades_again(
    database_at_0012: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0012
    async with engine.begin() as connection:
        await connection.execute(
            _USER,
            {
                "user_id": "ops",
                "name": "老管理员",
                "role": "system_admin",
                "code": None,
                "hash": "h",
            },
        )
        await connection.execute(
            text(
                "INSERT INTO api_keys (key_id, user_id, secret_hash, label) "
                "VALUES ('abcdef123456', 'ops', 'x', '')"
            )
        )
    await upgrade_async(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0012")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        keys = list(await connection.scalars(text("SELECT key_id FROM api_keys")))
    assert "admin_trail" not in tables
    assert keys == ["abcdef123456"]
    await upgrade_async(url)
