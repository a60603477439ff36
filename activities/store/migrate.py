"""Alembic migrations run programmatically (``fengqiao migrate``, dev start-up, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from activities.runtime.party_keys import party_keyring
from activities.runtime.settings import Settings
from activities.store.engine import create_engine
from activities.store.grants import grant_application_role
from activities.store.read_model_rebuild import rebuild_read_model

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(
    database_url: str,
    revision: str = "head",
    *,
    search_key: bytes | None = None,
    party_hash_key: bytes | None = None,
) -> None:
    """Bring the schema to ``revision``; at head, rebuild the cases the read model's rules have
    moved past (``read_model_rebuild``). Safe to call on every start; not from a running loop.
    Keys left out are the configured ones (``Settings``)."""
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head":
        asyncio.run(_rebuild(database_url, search_key, party_hash_key))


async def _rebuild(
    database_url: str, search_key: bytes | None, party_hash_key: bytes | None
) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        key = search_key if search_key is not None else Settings().search_hash_key
        party = party_hash_key or party_keyring(Settings()).current_key
        await rebuild_read_model(engine, search_key=key, party_hash_key=party)
    finally:
        await engine.dispose()


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


async def upgrade_async(
    database_url: str,
    revision: str = "head",
    *,
    search_key: bytes | None = None,
    party_hash_key: bytes | None = None,
) -> None:
    # env.py runs its own event loop, so it needs a thread without one.
    await asyncio.to_thread(
        upgrade, database_url, revision, search_key=search_key, party_hash_key=party_hash_key
    )
