"""The database engine: PostgreSQL through asyncpg, or embedded SQLite through aiosqlite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(
    database_url: str, *, pool_size: int = 10, pre_ping: bool = True, custom_plans: bool = True
) -> AsyncEngine:
    """``pre_ping``: a connection the server or the network closed is replaced at checkout
    (asyncpg knows it is closed: no round trip); the worker turns it off (its writes retry).
    ``custom_plans=False``: PostgreSQL's own choice of plan caching, for an engine whose
    statements all go by key (the projection's), which then skips planning each execution."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"server_settings": _POSTGRES_SETTINGS if custom_plans else {}},
    )
    if pre_ping:
        event.listen(engine.sync_engine, "checkout", _closed_is_replaced)
    return engine


def _closed_is_replaced(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """SQLAlchemy's own pre-ping costs BEGIN, a statement and ROLLBACK per checkout (a tenth of
    the API's time per command). A restarted server or a cut connection has closed the socket,
    which asyncpg has seen: the pool replaces such a connection with a new one."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the pooled connection was closed")


# asyncpg prepares every statement; after five executions PostgreSQL may switch a prepared
# statement to its generic plan, which cannot see the parameters: a jurisdiction prefix
# (``LIKE '320102%'``) no longer matches the subtree index and a rare filter is planned like a
# common one (a village list ~200 ms → ~800 ms, a text search ~0.2 s → ~2 s at a million cases).
# Planning each execution for its parameters costs well under a millisecond.
_POSTGRES_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker writes; busy_timeout rides out the writer lock.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def single_read(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session for reads that each stand alone (one statement, or statements that need no
    common snapshot): no transaction, so no BEGIN and ROLLBACK round trips (the command path
    reads twice per command). The pool restores the isolation level when it takes it back."""
    async with sessionmaker() as session:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session
