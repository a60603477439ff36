"""The projection activity: events into case_events, the state into the cases read model."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from activities.store import alert_store, repositories
from workflows.contract import PROJECT_ACTIVITY, ProjectionBatch, ProjectionResult

log = structlog.get_logger(__name__)


class CaseStore:
    """Idempotent on (case_id, seq): a retried or replayed batch changes nothing twice."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project_case_events(self, batch: ProjectionBatch) -> ProjectionResult:
        async with self._engine.begin() as connection:
            inserted = await repositories.append_events(batch.events, connection=connection)
            await repositories.upsert_case(batch.state, connection=connection)
            await alert_store.upsert_alerts(batch.state, connection=connection)
        if inserted != len(batch.events):
            info = activity.info()
            log.info(
                "projection_replayed",
                case_id=batch.case_id,
                workflow_id=info.workflow_id,
                run_id=info.workflow_run_id,
                events=len(batch.events),
                inserted=inserted,
            )
        return ProjectionResult(inserted=inserted)
