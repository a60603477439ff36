"""The yardstick of ``make bench``: a minimal Temporal workflow.

One workflow per case, started by an update-with-start; each update runs one activity that does
nothing and answers. The SDK's defaults throughout (data converter, sandbox, cache), no codec: the
cost of Temporal itself for the same number of updates, each with one activity, as the case API.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

from activities.runtime.settings import Settings

MINIMAL_WORKFLOW = "MinimalWorkflow"
MINIMAL_UPDATE = "apply"


@activity.defn(name="minimal_step")
async def minimal_step(command: dict[str, Any]) -> int:
    return len(command)


@workflow.defn(name=MINIMAL_WORKFLOW)
class MinimalWorkflow:
    def __init__(self) -> None:
        self.applied = 0

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: False)  # stays open, like a case
        return self.applied  # pragma: no cover

    @workflow.update(name=MINIMAL_UPDATE)
    async def apply(self, command: dict[str, Any]) -> int:
        await workflow.execute_activity(
            minimal_step, command, start_to_close_timeout=timedelta(seconds=30)
        )
        self.applied += 1
        return self.applied


async def main() -> None:
    settings = Settings()
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[MinimalWorkflow],
        activities=[minimal_step],
    ):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
