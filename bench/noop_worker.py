"""A case worker whose projection activity does nothing: the Temporal-only baseline."""

from __future__ import annotations

import asyncio
import signal

from temporalio import activity

from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect
from worker import build_worker, policy_provider
from workflows.contract import (
    DELIVER_ACTIVITY,
    PROJECT_ACTIVITY,
    AlertDelivery,
    DeliveryOutcome,
    ProjectionBatch,
    ProjectionResult,
)


@activity.defn(name=PROJECT_ACTIVITY)
async def project_nothing(batch: ProjectionBatch) -> ProjectionResult:
    return ProjectionResult(inserted=len(batch.events))


@activity.defn(name=DELIVER_ACTIVITY)
async def deliver_nothing(delivery: AlertDelivery) -> DeliveryOutcome:
    return DeliveryOutcome(delivered=())


def noop_activities(settings: Settings) -> list[object]:
    """No I/O: the policy snapshot is computed in memory, as in the real worker."""
    return [project_nothing, deliver_nothing, policy_provider(settings).load_case_policy]


async def main() -> None:
    settings = Settings()
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with build_worker(client, settings.task_queue, noop_activities(settings)):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
