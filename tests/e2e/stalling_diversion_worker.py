"""A worker for ``test_diversion_restart.py``: the real workflows and activities, except that
the diversion's "open the dispute" step writes a marker file and then blocks for good.

    python tests/e2e/stalling_diversion_worker.py MARKER   (settings from FENGQIAO_* as usual)

The test waits for the marker (the link is on the petition, no dispute is open yet), SIGKILLs
this process and starts a normal worker, which must finish the diversion.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client

from activities.identity.refused_commands import RefusalRecorder
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry
from activities.store.engine import create_engine, create_sessionmaker
from activities.tasks.diversion import Diversions
from worker import build_worker, case_activities, command_guard
from workflows.contract import OPEN_DISPUTE_ACTIVITY, DisputeNumber, DiversionStep


class StallingDiversions(Diversions):
    def __init__(
        self,
        marker: Path,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: Client,
        settings: Settings,
    ) -> None:
        super().__init__(sessionmaker, client, settings)
        self._marker = marker

    @activity.defn(name=OPEN_DISPUTE_ACTIVITY)
    async def open_diverted_dispute(self, step: DiversionStep) -> DisputeNumber:
        self._marker.write_text(step.model_dump_json(), encoding="utf-8")
        await asyncio.Event().wait()  # until SIGKILL; it never heartbeats, so it is retried
        raise AssertionError("unreachable")


async def run(marker: Path) -> None:
    settings = Settings()
    engine = create_engine(settings.resolved_database_url, pre_ping=False)
    client = await connect_with_retry(settings)
    steps = StallingDiversions(marker, create_sessionmaker(engine), client, settings)
    async with httpx.AsyncClient(timeout=15) as http:
        activities = case_activities(engine, settings, http) + [
            steps.reserve_dispute_number,
            steps.record_diversion,
            steps.open_diverted_dispute,
        ]
        guard = command_guard(settings, RefusalRecorder(create_sessionmaker(engine)))
        async with build_worker(client, settings.task_queue, activities, guard=guard):
            await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1])))
