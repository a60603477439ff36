"""The domain gauges' collector: every few seconds one reading of the read model, published to
the process's metrics (a scrape only reads the last reading, whatever it costs to compute)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store.gauges import read_gauges
from api.telemetry import publish_gauges

log = structlog.get_logger("fengqiao.metrics")


async def collect_gauges(engine: AsyncEngine) -> None:
    """Read the gauges once and publish them."""
    async with engine.connect() as connection:
        gauges = await read_gauges(connection=connection, now=datetime.now(UTC))
    publish_gauges(
        open_by_stage=gauges.open_by_stage,
        clocks_overdue=gauges.clocks_overdue,
        alerts_unacknowledged=gauges.alerts_unacknowledged,
        projection_lag_seconds=gauges.projection_lag_seconds,
        cases_behind=gauges.cases_behind,
        archive_backlog=gauges.archive_backlog,
        collected_at=time.time(),
    )


async def collect_periodically(engine: AsyncEngine, *, interval_seconds: float) -> None:
    """Collect now and every ``interval_seconds``; a failed reading (the database away) keeps
    the last one, whose age the collected-at gauge shows."""
    while True:
        try:
            await collect_gauges(engine)
        except Exception as error:  # noqa: BLE001 - the next round tries again
            log.warning("gauges_not_collected", error=type(error).__name__)
        await asyncio.sleep(interval_seconds)
