"""The diversion activities (访调对接): the steps DiversionWorkflow runs, each idempotent.

They talk to cases through their workflows (the petition's ``apply`` update, the dispute's
update-with-start) and treat what an update returns as opaque: the case's answer is not theirs
to read. A case's refusal comes back as a non-retryable failure in the API's error shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import RawValue, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.case_numbers import reserve_case_number
from domain.case import commands as c
from domain.case.matters import diverted_intake
from domain.case.refusals import answer_after_end, check_diversion
from domain.case.stages import TERMINAL_STAGES
from domain.case.state import CaseState
from domain.errors import ERROR_TYPES, DomainError, UnknownCase
from domain.values import CaseKind
from workflows.contract import (
    APPLY_UPDATE,
    OPEN_DISPUTE_ACTIVITY,
    RECORD_DIVERSION_ACTIVITY,
    RESERVE_DISPUTE_ACTIVITY,
    WORKFLOW_TYPE,
    DisputeNumber,
    DisputeNumberRequest,
    DiversionStep,
    diversion_key,
    new_case_input,
    refusal_failure,
)

log = structlog.get_logger(__name__)

# Well inside the workflow's heartbeat timeout, so a live step is never taken for a dead one.
HEARTBEAT_EVERY = timedelta(seconds=2)


@asynccontextmanager
async def _heartbeating() -> AsyncIterator[None]:
    """Heartbeat while a step waits on the store or a case: a worker killed mid-step stops, and
    Temporal runs the step again elsewhere without waiting out its whole timeout."""

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(HEARTBEAT_EVERY.total_seconds())

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()


def _refused(error: WorkflowUpdateFailedError) -> ApplicationError:
    """The case refused the command: its refusal, never retried (anything else is re-raised)."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type in ERROR_TYPES:
        return ApplicationError(cause.message, *cause.details, type=cause.type, non_retryable=True)
    raise error


class Diversions:
    """The three steps; the sessionmaker, the Temporal client and the settings are injected."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: Client,
        settings: Settings,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._client = client
        self._settings = settings

    @property
    def _rpc_timeout(self) -> timedelta:
        return timedelta(seconds=self._settings.command_timeout_seconds)

    async def _stored(self, case_id: str) -> CaseState | None:
        async with self._sessionmaker() as session:
            return await repositories.get_case(case_id, session=session)

    async def _petition(self, petition_id: str) -> CaseState:
        petition = await self._stored(petition_id)
        if petition is None:
            raise refusal_failure(UnknownCase(f"案件 {petition_id} 不存在", "case not found"))
        return petition

    @activity.defn(name=RESERVE_DISPUTE_ACTIVITY)
    async def reserve_dispute_number(self, request: DisputeNumberRequest) -> DisputeNumber:
        """The dispute's number, bound to the diversion key; refused first if the petition's
        stage forbids the diversion, so a refusal takes no number."""
        key = diversion_key(request.petition_id)
        async with _heartbeating():
            petition = await self._petition(request.petition_id)
            try:
                check_diversion(petition, key)
            except DomainError as error:
                raise refusal_failure(error) from None
            case_id, _ = await reserve_case_number(
                self._sessionmaker, kind=CaseKind.DISPUTE, year=request.year, key=key
            )
        return DisputeNumber(case_id=case_id)

    @activity.defn(name=RECORD_DIVERSION_ACTIVITY)
    async def record_diversion(self, step: DiversionStep) -> DisputeNumber:
        """The link on the petition (its ``apply`` update, applied once by its command id)."""
        envelope = c.CommandEnvelope(
            command_id=diversion_key(step.petition_id),
            actor=step.actor,
            command=c.DivertToMediation(dispute_case_id=step.dispute_case_id, note=step.note),
        )
        handle = self._client.get_workflow_handle(step.petition_id)
        async with _heartbeating():
            try:
                await handle.execute_update(
                    APPLY_UPDATE,
                    envelope,
                    id=envelope.command_id,
                    result_type=RawValue,
                    rpc_timeout=self._rpc_timeout,
                )
            except WorkflowUpdateFailedError as error:
                raise _refused(error) from None
            except RPCError as error:
                if error.status != RPCStatusCode.NOT_FOUND:
                    raise
                # The petition has ended and its workflow is gone: its stored state answers.
                try:
                    answer_after_end(await self._petition(step.petition_id), envelope)
                except DomainError as refusal:
                    raise refusal_failure(refusal) from None
        return DisputeNumber(case_id=step.dispute_case_id)

    @activity.defn(name=OPEN_DISPUTE_ACTIVITY)
    async def open_diverted_dispute(self, step: DiversionStep) -> DisputeNumber:
        """The linked dispute: registered once by update-with-start keyed by its number."""
        dispute_id = step.dispute_case_id
        async with _heartbeating():
            opened = await self._stored(dispute_id)
            if opened is not None and opened.stage in TERMINAL_STAGES:
                # It ran to its end and its workflow may be gone (retention): never start again.
                return DisputeNumber(case_id=dispute_id)
            petition = await self._petition(step.petition_id)
            intake = diverted_intake(petition).model_dump()
            envelope = c.CommandEnvelope(
                command_id=f"intake:{diversion_key(step.petition_id)}",
                actor=step.actor,
                command=c.Register.model_validate(
                    {**intake, "case_id": dispute_id, "center_id": step.center_id}
                ),
            )
            start: WithStartWorkflowOperation[object, object] = WithStartWorkflowOperation(
                WORKFLOW_TYPE,
                new_case_input(),
                id=dispute_id,
                task_queue=self._settings.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
            try:
                await self._client.execute_update_with_start_workflow(
                    APPLY_UPDATE,
                    envelope,
                    start_workflow_operation=start,
                    id=envelope.command_id,
                    result_type=RawValue,
                    rpc_timeout=self._rpc_timeout,
                )
            except WorkflowUpdateFailedError as error:
                raise _refused(error) from None
            except WorkflowAlreadyStartedError:
                log.info("diverted_dispute_already_ended", case_id=dispute_id)
        return DisputeNumber(case_id=dispute_id)
