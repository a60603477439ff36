"""The worker's monitoring: the Temporal SDK's metrics served for Prometheus on the worker's
metrics port, and an activity's log lines naming its workflow."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import structlog
from pydantic import SecretStr
from temporalio import activity, workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.runtime.log_context import ActivityLogContext
from activities.runtime.logging import log_handler
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect, metrics_runtime
from tests.engine_keys import COMMAND_A, PAYLOAD_A

# The SDK series the Grafana dashboards of deploy/grafana query (tests/deploy checks they use
# no other); each must be on the worker's endpoint once it has run a workflow with an activity.
SDK_SERIES = (
    "temporal_workflow_task_schedule_to_start_latency_bucket",
    "temporal_workflow_task_execution_latency_bucket",
    "temporal_activity_schedule_to_start_latency_bucket",
    "temporal_activity_execution_latency_bucket",
    "temporal_worker_task_slots_available",
    "temporal_sticky_cache_size",
    "temporal_workflow_completed",
    "temporal_request",
)


@activity.defn(name="metrics_probe_step")
async def probe_step(text: str) -> str:
    structlog.get_logger("fengqiao.probe").info("probe_step_ran")
    return text.upper()


@workflow.defn(name="MetricsProbe")
class MetricsProbe:
    @workflow.run
    async def run(self, text: str) -> str:
        return await workflow.execute_activity(
            probe_step, text, start_to_close_timeout=timedelta(seconds=30)
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_the_worker_serves_sdk_metrics_and_activities_log_their_workflow(
    temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    port = _free_port()
    settings = Settings(
        data_dir=tmp_path,
        temporal_address=temporal_env.client.service_client.config.target_host,
        temporal_namespace="sqlite",
        payload_keys=SecretStr(PAYLOAD_A),
        command_keys=SecretStr(COMMAND_A),
        worker_metrics_port=port,
    )
    assert metrics_runtime(settings.model_copy(update={"worker_metrics_port": 0})) is None
    client = await connect(settings, runtime=metrics_runtime(settings))
    stream = io.StringIO()
    handler = log_handler(stream, json=True)
    logging.getLogger().addHandler(handler)
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    workflow_id = f"probe-{uuid.uuid4().hex[:8]}"
    try:
        async with Worker(
            client,
            task_queue=queue,
            workflows=[MetricsProbe],
            activities=[probe_step],
            interceptors=[ActivityLogContext()],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            result = await client.execute_workflow(
                MetricsProbe.run, "ok", id=workflow_id, task_queue=queue
            )
            assert result == "OK"
            async with httpx.AsyncClient(trust_env=False) as http:
                deadline = time.monotonic() + 30
                while True:  # the exporter publishes what the SDK recorded within moments
                    text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                    missing = [s for s in SDK_SERIES if f"\n{s}{{" not in f"\n{text}"]
                    if not missing:
                        break
                    assert time.monotonic() < deadline, f"never exported: {missing}"
                    await asyncio.sleep(0.2)
    finally:
        logging.getLogger().removeHandler(handler)
    assert f'task_queue="{queue}"' in text
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ran = [line for line in lines if line.get("event") == "probe_step_ran"]
    assert len(ran) == 1
    assert ran[0]["workflow_id"] == workflow_id
    assert ran[0]["activity"] == "metrics_probe_step"
    assert ran[0]["run_id"]
