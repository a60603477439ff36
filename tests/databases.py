"""Throw-away PostgreSQL databases for tests and benchmarks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url


@dataclass
class PostgresAdmin:
    """Creates and drops databases on the server of ``base_url`` (an asyncpg SQLAlchemy URL)."""

    base_url: str

    def url_for(self, database: str) -> str:
        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    async def _execute(self, sql: str) -> None:
        url = make_url(self.base_url)
        connection: Any = await asyncpg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
        )
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def create(self, database: str) -> str:
        await self._execute(f'CREATE DATABASE "{database}"')
        return self.url_for(database)

    async def drop(self, database: str) -> None:
        await self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@asynccontextmanager
async def database_at(
    revision: str, backend: str, admin: PostgresAdmin, folder: Path
) -> AsyncIterator[tuple[str, Any]]:
    """A fresh database of ``backend`` migrated up to ``revision`` only (a store as an older
    release left it), and an engine on it; dropped afterwards."""
    from activities.store.engine import create_engine
    from activities.store.migrate import upgrade_async

    name = f"fengqiao_test_{uuid.uuid4().hex[:10]}"
    if backend == "postgresql":
        url = await admin.create(name)
    else:
        url = f"sqlite+aiosqlite:///{folder / f'at-{revision}.db'}"
    await upgrade_async(url, revision)
    engine = create_engine(url)
    try:
        yield url, engine
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await admin.drop(name)


async def table_columns(connection: Any, table: str) -> set[str]:
    """The columns ``table`` has in the database now (a store at an older revision lacks the
    columns later revisions add; rows written as today's code builds them must leave those out)."""
    from sqlalchemy import inspect

    def read(sync: Any) -> set[str]:
        return {column["name"] for column in inspect(sync).get_columns(table)}

    found: set[str] = await connection.run_sync(read)
    return found
