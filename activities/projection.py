"""The projection activity: events into case_events, the state into the cases read model."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities import repositories
from workflows.contract import PROJECT_ACTIVITY, ProjectionBatch, ProjectionResult

log = structlog.get_logger(__name__)


class CaseStore:
    """Idempotent on (case_id, seq): a retried or replayed batch changes nothing twice."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project_case_events(self, batch: ProjectionBatch) -> ProjectionResult:
        async with self._sessionmaker.begin() as session:
            inserted = await repositories.append_events(batch.events, session=session)
            await repositories.upsert_case(batch.state, session=session)
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
