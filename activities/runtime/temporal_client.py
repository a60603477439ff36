"""The Temporal client every process builds the same way: pydantic data converter, one namespace."""

from __future__ import annotations

import asyncio

import structlog
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.runtime.settings import Settings

log = structlog.get_logger("fengqiao.temporal")


async def connect(settings: Settings, *, lazy: bool = False) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        lazy=lazy,
    )


async def connect_with_retry(settings: Settings, attempts: int = 60) -> Client:
    """Connect, waiting for a server that is still starting (its frontend not yet healthy)."""
    for attempt in range(1, attempts + 1):
        try:
            return await connect(settings)
        except RuntimeError as error:
            if attempt == attempts:
                raise
            log.info("temporal_not_ready", attempt=attempt, error=str(error))
            await asyncio.sleep(1)
    raise AssertionError("unreachable")
