"""Migration 0009: existing users' and cases' center ids become organisations, then references."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store.migrate import alembic_config, upgrade_async
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at
from tests.samples import T0


@pytest.fixture(params=BACKENDS)
async def database_at_0008(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0008", request.param, postgres_admin, tmp_path) as database:
        yield database


_USER = text(
    "INSERT INTO users (user_id, display_name, role, jurisdiction_code, center_id, active) "
    "VALUES (:user_id, :name, :role, :code, :center, :active)"
)
_KEY = text(
    "INSERT INTO api_keys (key_id, user_id, secret_hash, label) VALUES (:key_id, :user_id, :h, '')"
)
_CASE = text(
    "INSERT INTO cases (case_id, kind, stage, category, channel, title, description, "
    "jurisdiction_code, risk_level, registered_at, updated_at, seq, state, center_id) VALUES "
    "(:case_id, 'dispute', 'intake', 'labour', 'walk_in', '欠薪', '欠薪', :code, 'low', "
    ":at, :at, 1, '{}', :center)"
)


async def test_center_ids_in_use_become_organisations_and_references(
    database_at_0008: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0008
    users = [
        ("wangfang", "王芳", "mediator", "320102", "xw-center", True),
        ("lisi", "李四", "mediator", "320102001", "xw-center", True),  # narrower area, same center
        ("zhaolei", "赵磊", "center_admin", "320102001", "my-town-center", False),
        ("zhoujun", "周军", "leader", "320102", None, True),
    ]
    async with engine.begin() as connection:
        for user_id, name, role, code, center, active in users:
            await connection.execute(
                _USER,
                {
                    "user_id": user_id,
                    "name": name,
                    "role": role,
                    "code": code,
                    "center": center,
                    "active": active,
                },
            )
        await connection.execute(_KEY, {"key_id": "abcdef123456", "user_id": "wangfang", "h": "x"})
        for case_id, code, center in [
            ("JF-2026-000001", "320102001001", "xw-center"),
            ("JF-2026-000002", "320104002003", "gone-center"),  # named by cases only
            ("JF-2026-000003", "320102001", None),
        ]:
            await connection.execute(
                _CASE, {"case_id": case_id, "code": code, "at": T0, "center": center}
            )

    await upgrade_async(url)

    async with engine.connect() as connection:
        organisations = {
            row.org_id: (row.name, row.type, row.level, row.jurisdiction_code, row.active)
            for row in await connection.execute(
                text(
                    "SELECT org_id, name, type, level, jurisdiction_code, active FROM organisations"
                )
            )
        }
        keys = list(await connection.execute(text("SELECT key_id, user_id FROM api_keys")))
        grid_codes = set(await connection.scalars(text("SELECT grid_code FROM users")))
    assert organisations == {
        "xw-center": ("xw-center", "center", "county", "320102", True),
        "my-town-center": ("my-town-center", "center", "town", "320102001", True),
        "gone-center": ("gone-center", "center", "county", "320104", True),
    }
    assert [tuple(key) for key in keys] == [("abcdef123456", "wangfang")]  # keys kept
    assert grid_codes == {None}

    with pytest.raises(IntegrityError):  # the reference holds from now on
        async with engine.begin() as connection:
            await connection.execute(
                _USER,
                {
                    "user_id": "nobody",
                    "name": "无名",
                    "role": "mediator",
                    "code": "320102",
                    "center": "no-such-center",
                    "active": True,
                },
            )
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                _CASE,
                {"case_id": "JF-2026-000009", "code": "320102", "at": T0, "center": "no-such"},
            )
    async with engine.begin() as connection:  # a known center is accepted
        await connection.execute(
            _CASE,
            {"case_id": "JF-2026-000010", "code": "320102", "at": T0, "center": "xw-center"},
        )


async def test_the_registry_migration_goes_down_and_up_again(
    database_at_0008: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0008
    async with engine.begin() as connection:
        await connection.execute(
            _USER,
            {
                "user_id": "wangfang",
                "name": "王芳",
                "role": "mediator",
                "code": "320102",
                "center": "xw-center",
                "active": True,
            },
        )
        await connection.execute(_KEY, {"key_id": "abcdef123456", "user_id": "wangfang", "h": "x"})
    await upgrade_async(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0008")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        keys = list(await connection.scalars(text("SELECT key_id FROM api_keys")))
    assert "organisations" not in tables
    assert keys == ["abcdef123456"]
    await upgrade_async(url)
    async with engine.connect() as connection:
        centers = list(await connection.scalars(text("SELECT org_id FROM organisations")))
    assert centers == ["xw-center"]
