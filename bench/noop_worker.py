"""A case worker whose projection activity does nothing: the Temporal-only baseline."""

from __future__ import annotations

import asyncio
import signal

from temporalio import activity

from activities.settings import Settings
from activities.temporal_client import connect
from worker import build_worker
from workflows.contract import PROJECT_ACTIVITY, ProjectionBatch, ProjectionResult


@activity.defn(name=PROJECT_ACTIVITY)
async def project_nothing(batch: ProjectionBatch) -> ProjectionResult:
    return ProjectionResult(inserted=len(batch.events))


async def main() -> None:
    settings = Settings()
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with build_worker(client, settings.task_queue, activities=[project_nothing]):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
