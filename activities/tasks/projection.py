"""The projection activity: events into case_events, the case into the cases read model.

A batch the store refuses for good (PostgreSQL refuses a NUL in text, a value longer than its
column; a fold that cannot apply an event) is not retried in a tight loop: the case is marked
behind (``cases_behind``), an operator is told once (``projection_behind``, an error in the log),
and the activity fails as not retryable (``PROJECTION_REFUSED``). The case's workflow keeps the
events and offers them again with its next command, or when an operator asks
(``fengqiao audit reproject CASE``); the first batch that lands clears the mark.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime

import structlog
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.runtime.settings import DEVELOPMENT_PARTY_KEY
from activities.store import behind, repositories
from domain.case.evolve import fold
from domain.case.state import CaseState
from workflows.contract import (
    PROJECT_ACTIVITY,
    PROJECTION_REFUSED,
    PROJECTION_STALE,
    ProjectionBatch,
    ProjectionResult,
)

log = structlog.get_logger(__name__)

# Cases whose last projection a worker keeps (a few hundred KB each at most).
_WRITTEN_KEPT = 256

# Bad content, not a store that is away: trying the same batch again gives the same answer.
_CONTENT_ERRORS = (ValidationError, ValueError, TypeError, UnicodeError)


# SQLSTATE classes of a refused value: 22 data exception (a NUL in text, 22021; an escape
# jsonb cannot hold, 22P05; a value too long, 22001), 23 integrity constraint violation.
_CONTENT_STATES = ("22", "23")


def refused_for_good(error: BaseException) -> bool:
    """Whether the store refused the batch's content (permanent), not its own availability."""
    if isinstance(error, DataError | IntegrityError):
        return True
    if isinstance(error, StatementError):  # DBAPIError included (asyncpg's errors arrive so)
        state = str(getattr(error.orig, "sqlstate", "") or "")
        return state.startswith(_CONTENT_STATES) or isinstance(error.orig, _CONTENT_ERRORS)
    return isinstance(error, _CONTENT_ERRORS)


def _reason(error: BaseException) -> str:
    """The error's kind (``DataError: CharacterNotInRepertoireError``), never its text: the
    message may quote the refused value, personal data included."""
    orig = getattr(error, "orig", None)
    state = getattr(orig, "sqlstate", None)
    inner = f": {type(orig).__name__}" if orig is not None else ""
    return f"{type(error).__name__}{inner}" + (f" (SQLSTATE {state})" if state else "")


def _place(batch: ProjectionBatch) -> str | None:
    for event in batch.events:
        jurisdiction = getattr(event.body, "jurisdiction", None)
        if jurisdiction is not None:
            return str(jurisdiction.code)
    return None


class CaseStore:
    """Idempotent on (case_id, seq): a retried or replayed batch changes nothing twice."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        search_key: bytes | None = None,
        party_hash_key: bytes = DEVELOPMENT_PARTY_KEY,
    ) -> None:
        self._engine = engine
        # The key of the search terms' hashes of whole phone and ID numbers (Settings).
        self._search_key = search_key
        # The current party key: party and matter keys are HMACs under it (party_keys.py).
        self._party_hash_key = party_hash_key
        # What this worker last wrote for each recently active case: the next batch of the case
        # starts from it when the stored seq is still its seq (another worker may have
        # projected meanwhile: then the stored case is read as before).
        self._written: OrderedDict[str, repositories.Projected] = OrderedDict()

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project_case_events(self, batch: ProjectionBatch) -> ProjectionResult:
        try:
            inserted = await self._project(batch)
        except repositories.StaleAttemptError as error:
            # Its workflow task is lost already: nothing to write, nobody to tell but the log.
            log.warning("projection_stale_attempt", case_id=batch.case_id, reason=str(error))
            raise ApplicationError(str(error), type=PROJECTION_STALE, non_retryable=True) from None
        except Exception as error:
            if not refused_for_good(error):
                raise  # the store is away: retried by the activity's policy, then the case's
            await self._refused(batch, error)
            raise ApplicationError(
                f"the store refused events {batch.events[0].seq}–{batch.events[-1].seq}"
                f" of {batch.case_id}: {_reason(error)}",
                type=PROJECTION_REFUSED,
                non_retryable=True,
            ) from None
        if inserted != len(batch.events):
            log.info(
                "projection_replayed",
                **_whose(batch),
                events=len(batch.events),
                inserted=inserted,
            )
        return ProjectionResult(inserted=inserted)

    async def _project(self, batch: ProjectionBatch) -> int:
        projected = None
        async with self._engine.begin() as connection:
            appended = await repositories.append_batch(
                batch.events, connection=connection, history_length=batch.history_length
            )
            head = await repositories.case_head(batch.case_id, connection=connection)
            previous = None
            # A run from before events-only-projection-v1 sends its state; since, the events.
            if batch.state is not None:
                state: CaseState | None = batch.state
            elif appended.superseded_from is not None:
                # An earlier attempt's events were set aside: the case is folded again from
                # its chain, and written over whatever that attempt wrote.
                _log_superseded(batch, appended.superseded_from)
                state = fold(
                    await repositories.events_after(batch.case_id, 0, connection=connection)
                )
            else:
                previous = self._written.get(batch.case_id)
                if previous is not None and (
                    head is None or previous.seq != head.seq or previous.chain != appended.prior
                ):
                    previous = None
                state = await _folded(
                    batch, connection, head, previous.state if previous is not None else None
                )
            if state is not None:
                projected = await repositories.project_state(
                    state,
                    connection=connection,
                    search_key=self._search_key,
                    party_hash_key=self._party_hash_key,
                    head=head,
                    previous=previous,
                    chain=appended.head,
                    overwrite=appended.superseded_from is not None,
                )
            if head is None or head.behind:  # a mark (a new case may have one, no row yet)
                await behind.clear_behind(
                    batch.case_id, upto_seq=batch.events[-1].seq, connection=connection
                )
        if projected is not None:  # committed: the next batch of the case may start from it
            self._written[batch.case_id] = projected
            self._written.move_to_end(batch.case_id)
            if len(self._written) > _WRITTEN_KEPT:
                self._written.popitem(last=False)
        elif appended.superseded_from is not None:
            self._written.pop(batch.case_id, None)
        return appended.inserted

    async def _refused(self, batch: ProjectionBatch, error: BaseException) -> None:
        """Mark the case behind and tell an operator (once; later attempts are counted)."""
        reason = _reason(error)
        async with self._engine.begin() as connection:
            attempts = await behind.mark_behind(
                batch.case_id,
                failed_seq=batch.events[0].seq,
                workflow_seq=batch.events[-1].seq,
                jurisdiction_code=_place(batch),
                reason=reason,
                at=datetime.now(UTC),
                connection=connection,
            )
        fields = {
            **_whose(batch),
            "first_seq": batch.events[0].seq,
            "last_seq": batch.events[-1].seq,
            "reason": reason,
            "attempts": attempts,
        }
        if attempts == 1:
            log.error("projection_behind", alert="operator", **fields)
        else:
            log.warning("projection_still_behind", **fields)


def _whose(batch: ProjectionBatch) -> dict[str, str | None]:
    """The case and the workflow run a batch came from, for the log."""
    info = activity.info()
    return {
        "case_id": batch.case_id,
        "workflow_id": info.workflow_id,
        "run_id": info.workflow_run_id,
    }


def _log_superseded(batch: ProjectionBatch, from_seq: int) -> None:
    log.warning(
        "projection_superseded_attempt",
        **_whose(batch),
        from_seq=from_seq,
        history_length=batch.history_length,
    )


async def _folded(
    batch: ProjectionBatch,
    connection: AsyncConnection,
    head: repositories.CaseHead | None,
    known_state: CaseState | None,
) -> CaseState | None:
    """The stored case with the batch's new events folded on (``evolve``, as the workflow did);
    None when the read model has them all already (a retried batch).

    Batches of one case never run concurrently (the case awaits each), and the events and the
    read model are written in one transaction, so the stored case is the workflow's state as of
    its seq. Should the read model ever lag the event chain, the chain's events in between (the
    batch's included, appended just before) are folded too. ``known_state``: the stored case as
    this worker last wrote it (its seq is ``head``'s), sparing a read and a validation.
    """
    if head is None:
        stored = None
    elif known_state is not None:
        stored = known_state
    else:
        stored = await repositories.stored_case(batch.case_id, connection=connection)
    known = stored.seq if stored is not None else 0
    new = [event for event in batch.events if event.seq > known]
    if not new:
        return None
    if new[0].seq != known + 1:
        new = await repositories.events_after(batch.case_id, known, connection=connection)
    return fold(new, stored)
