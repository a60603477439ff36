"""Readiness: the database and Temporal answer."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client


async def readiness(engine: AsyncEngine, temporal: Client) -> dict[str, str]:
    """Each dependency: ``ok`` or the kind of error it answered with (within 3 s)."""
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(3):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"error: {type(error).__name__}"
    try:
        async with asyncio.timeout(3):
            await temporal.service_client.check_health()
        checks["temporal"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["temporal"] = f"error: {type(error).__name__}"
    return checks
