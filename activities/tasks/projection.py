"""The projection activity: events into case_events, the case into the cases read model."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio import activity

from activities.store import alert_store, repositories
from domain.case.evolve import fold
from domain.case.state import CaseState
from workflows.contract import PROJECT_ACTIVITY, ProjectionBatch, ProjectionResult

log = structlog.get_logger(__name__)


class CaseStore:
    """Idempotent on (case_id, seq): a retried or replayed batch changes nothing twice."""

    def __init__(self, engine: AsyncEngine, *, search_key: bytes | None = None) -> None:
        self._engine = engine
        # The key of the search terms' hashes of whole phone and ID numbers (Settings).
        self._search_key = search_key

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project_case_events(self, batch: ProjectionBatch) -> ProjectionResult:
        async with self._engine.begin() as connection:
            inserted = await repositories.append_events(batch.events, connection=connection)
            # A run from before events-only-projection-v1 sends its state; since, the events.
            state = batch.state if batch.state is not None else await _folded(batch, connection)
            if state is not None:
                await repositories.upsert_case(
                    state, connection=connection, search_key=self._search_key
                )
                await alert_store.upsert_alerts(state, connection=connection)
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


async def _folded(batch: ProjectionBatch, connection: AsyncConnection) -> CaseState | None:
    """The stored case with the batch's new events folded on (``evolve``, as the workflow did);
    None when the read model has them all already (a retried batch).

    Batches of one case never run concurrently (the case awaits each), and the events and the
    read model are written in one transaction, so the stored case is the workflow's state as of
    its seq. Should the read model ever lag the event chain, the chain's events in between (the
    batch's included, appended just before) are folded too.
    """
    stored = await repositories.stored_case(batch.case_id, connection=connection)
    known = stored.seq if stored is not None else 0
    new = [event for event in batch.events if event.seq > known]
    if not new:
        return None
    if new[0].seq != known + 1:
        new = await repositories.events_after(batch.case_id, known, connection=connection)
    return fold(new, stored)
