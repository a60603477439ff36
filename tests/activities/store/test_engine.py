"""The API's engine after PostgreSQL closed its pooled connections (a restart, an operator):
the next checkout gets a live connection, with no round trip spent checking each one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from activities.store.engine import create_engine


async def _closed_by_server(url: str, pre_ping: bool) -> None:
    """Terminate the backend of the pool's one connection; the next checkout must answer from
    another backend."""
    engine = create_engine(url, pool_size=1, custom_plans=False, pre_ping=pre_ping)
    admin = create_engine(url, pool_size=1, pre_ping=False)
    try:
        async with engine.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            driver = (await connection.get_raw_connection()).driver_connection
        async with admin.connect() as connection:
            await connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        # asyncpg learns of the closed socket from its event loop.
        while not driver.is_closed() and loop.time() < deadline:
            await asyncio.sleep(0.02)
        async with engine.connect() as connection:
            after = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert after != pid
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_a_connection_the_server_closed_is_replaced_at_checkout(
    fresh_database_url: object,
) -> None:
    url = await fresh_database_url("postgresql")  # type: ignore[operator]
    await _closed_by_server(url, pre_ping=True)
    with pytest.raises(DBAPIError):  # without the check, the caller meets the dead connection
        await _closed_by_server(url, pre_ping=False)
