"""Alembic migrations run programmatically (``fengqiao migrate``, dev start-up, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from activities.store.engine import create_engine
from activities.store.grants import grant_application_role

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to call on every start."""
    command.upgrade(alembic_config(database_url), revision)


async def grant_async(database_url: str, role: str) -> None:
    """After an upgrade, as the owner: the application role's grants (PostgreSQL only)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        if engine.dialect.name != "postgresql":
            raise ValueError("an application role needs PostgreSQL (SQLite has no roles)")
        async with engine.begin() as connection:
            await grant_application_role(connection, role)
    finally:
        await engine.dispose()


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    # env.py runs its own event loop, so it needs a thread without one.
    await asyncio.to_thread(upgrade, database_url, revision)
