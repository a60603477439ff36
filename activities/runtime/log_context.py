"""Every log line an activity writes names its case's workflow: ``workflow_id``, ``run_id`` and
the activity's type are bound for the activity's run (structlog contextvars)."""

from __future__ import annotations

from typing import Any

import structlog
from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)


class ActivityLogContext(Interceptor):
    """Worker interceptor binding the workflow's ids around each activity execution."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _BindWorkflowIds(next)


class _BindWorkflowIds(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        with structlog.contextvars.bound_contextvars(
            workflow_id=info.workflow_id,
            run_id=info.workflow_run_id,
            activity=info.activity_type,
        ):
            return await super().execute_activity(input)
