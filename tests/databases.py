"""Throw-away PostgreSQL databases for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
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
