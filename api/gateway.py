"""Sending commands to case workflows, running a diversion, and turning Temporal's answers into
API errors.

A case answers a command with its seq (``CommandOutcome``); the case document then comes from
the store, which has the command's events before the case answers, or, while the store is away,
from the workflow's ``state`` query (queries leave nothing in the history). A run from before
``lean-answer-v1`` answers with the whole case, which is passed through as it is.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
)
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError as UpdateTimeout
from temporalio.common import RawValue, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.runtime.command_guard import UNAUTHENTICATED
from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.engine import single_read
from api.errors import ApiError, case_not_found, database_errors, from_domain, unavailable
from domain.case.commands import CommandEnvelope
from domain.case.evolve import fold
from domain.case.refusals import answer_after_end
from domain.case.state import CaseState
from domain.errors import ERROR_TYPES, DomainError
from workflows.contract import (
    APPLY_UPDATE,
    DIVERSION_WORKFLOW,
    DOCUMENT_NUMBER_UNAVAILABLE,
    STATE_QUERY,
    WORKFLOW_TYPE,
    CaseWorkflowInput,
    CommandOutcome,
    DiversionInput,
    DiversionResult,
    diversion_workflow_id,
)

# The case as JSON, exactly as the workflow serialised its CaseState. The API passes it through
# instead of validating the whole state again (the hot path of every command).
CaseDocument = dict[str, Any]


def _document(raw: RawValue) -> CaseDocument:
    document: CaseDocument = json.loads(raw.payload.data)
    return document


async def _answered(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    case_id: str,
    raw: RawValue,
) -> CaseDocument:
    """The case as the command left it, from the case's answer to the update."""
    answer = _document(raw)
    if "stage" in answer:
        return answer  # a run from before lean-answer-v1: the whole case
    outcome = CommandOutcome.model_validate(answer)
    if outcome.projected:
        stored = await _stored_at(sessionmaker, outcome)
        if stored is not None:
            return stored
    # The store was away when the case answered (or is now): the case itself tells.
    document = await query_state(client, case_id)
    if document is None:
        raise unavailable("案件数据库", "case database")
    return document


async def _stored_at(
    sessionmaker: async_sessionmaker[AsyncSession], outcome: CommandOutcome
) -> CaseDocument | None:
    """The stored case as of ``outcome.seq``; None if the store is away or behind.

    The read model keeps the document as the workflow wrote it (key order included), so it is
    passed on as it is, unvalidated, like the whole-case answers before ``lean-answer-v1``.
    """
    try:
        async with single_read(sessionmaker) as session:
            found = await repositories.document_with_seq(outcome.case_id, session=session)
            if found is None or found[0] < outcome.seq:
                return None
            if found[0] == outcome.seq:
                return found[1]
            # Later commands landed meanwhile (or Temporal remembered a retried update's
            # answer): the case as this command left it, folded from its events.
            events = await repositories.case_events(outcome.case_id, session=session)
    except (SQLAlchemyError, OSError):
        return None
    state = fold([event for event in events if event.seq <= outcome.seq])
    return None if state is None else state.model_dump(mode="json")


async def document_as_of(
    sessionmaker: async_sessionmaker[AsyncSession], case_id: str, seq: int
) -> CaseDocument:
    """The case as the command whose last event is ``seq`` left it (a retry answered from the
    store: the command moved the case beyond the sender's reach)."""
    with database_errors():
        document = await _stored_at(
            sessionmaker, CommandOutcome(case_id=case_id, seq=seq, projected=True)
        )
    if document is None:
        raise unavailable("案件数据库", "case database")
    return document


def _domain_refusal(cause: BaseException | None) -> ApiError | None:
    """A case's refusal (a domain error carried by an ApplicationError) as an API error."""
    if not isinstance(cause, ApplicationError) or cause.type not in ERROR_TYPES:
        return None
    detail: dict[str, Any] = cause.details[0] if cause.details else {}
    domain_error = ERROR_TYPES[cause.type](
        str(detail.get("message_zh", cause.message)),
        str(detail.get("message_en", cause.message)),
        field=detail.get("field"),
    )
    return from_domain(domain_error)


def _refusal(error: WorkflowUpdateFailedError) -> ApiError:
    """The case refused the command: its domain error as an API error (else re-raise as is).

    The engine refusing the API's own signature means the API and the worker hold different
    command keys (a deployment fault, recorded by the worker): 503, the command not applied."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type == UNAUTHENTICATED:
        return ApiError(
            503,
            "command_unauthenticated",
            "流程引擎未能验证接口的指令签名（密钥配置不一致），操作未执行",
            "the workflow engine could not verify the API's command signature "
            "(command keys differ); nothing was applied",
        )
    if isinstance(cause, ApplicationError) and cause.type == DOCUMENT_NUMBER_UNAVAILABLE:
        return ApiError(
            503,
            DOCUMENT_NUMBER_UNAVAILABLE,
            "文号暂时无法分配（数据库不可用），文书未出具",
            "no document number could be assigned (the store is away); nothing was issued",
        )
    refusal = _domain_refusal(cause)
    if refusal is None:
        raise error
    return refusal


async def _projected(
    sessionmaker: async_sessionmaker[AsyncSession], case_id: str
) -> CaseState | None:
    with database_errors():
        async with sessionmaker() as session:
            return await repositories.get_case(case_id, session=session)


async def _answer_from_store(
    sessionmaker: async_sessionmaker[AsyncSession],
    case_id: str,
    envelope: CommandEnvelope,
    now: datetime,
) -> CaseDocument:
    """The workflow is gone (the case ended): the stored case answers, refusing or replaying."""
    state = await _projected(sessionmaker, case_id)
    if state is None:
        raise case_not_found(case_id)
    try:
        answer_after_end(state, envelope)
    except DomainError as error:
        raise from_domain(error) from None
    return state.model_dump(mode="json")  # a retry of a command the case already applied


# A case with too many commands in flight (Temporal's per-workflow update limit): try again soon.
_BUSY_BACKOFF_FIRST = 0.05
_BUSY_BACKOFF_MAX = 1.0


async def send_command(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    case_id: str,
    envelope: CommandEnvelope,
    now: datetime,
) -> CaseDocument:
    """Apply one command to a running case and return the case after it.

    Temporal admits at most 10 updates in flight per workflow and refuses more with
    RESOURCE_EXHAUSTED: a busy case's command waits its turn (the update id is the command id,
    so sending it again applies it once), up to the command timeout, then answers 503 pending.
    """
    handle = client.get_workflow_handle(case_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.command_timeout_seconds
    backoff = _BUSY_BACKOFF_FIRST
    while True:
        try:
            raw: RawValue = await handle.execute_update(
                APPLY_UPDATE,
                envelope,
                id=envelope.command_id,
                result_type=RawValue,
                rpc_timeout=timedelta(seconds=max(deadline - loop.time(), 1.0)),
            )
        except WorkflowUpdateFailedError as error:
            raise _refusal(error) from None
        except UpdateTimeout as error:
            raise _pending(case_id) from error
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return await _answer_from_store(sessionmaker, case_id, envelope, now)
            if error.status != RPCStatusCode.RESOURCE_EXHAUSTED:
                raise _temporal_down(error) from error
            if loop.time() + backoff > deadline:
                raise _pending(case_id) from error
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _BUSY_BACKOFF_MAX)
            continue
        return await _answered(client, sessionmaker, case_id, raw)


async def register_case(
    client: Client,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    case_id: str,
    envelope: CommandEnvelope,
    now: datetime,
) -> CaseDocument:
    """Start the case workflow and register the case in one update-with-start (idempotent)."""
    start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
        WORKFLOW_TYPE,
        CaseWorkflowInput(),
        id=case_id,
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    try:
        raw: RawValue = await client.execute_update_with_start_workflow(
            APPLY_UPDATE,
            envelope,
            start_workflow_operation=start,
            id=envelope.command_id,
            result_type=RawValue,
            rpc_timeout=timedelta(seconds=settings.command_timeout_seconds),
        )
    except WorkflowUpdateFailedError as error:
        raise _refusal(error) from None
    except WorkflowAlreadyStartedError:
        # The case already ran to its end: the retry answers with what was registered.
        return await _answer_from_store(sessionmaker, case_id, envelope, now)
    except UpdateTimeout as error:
        raise _pending(case_id) from error
    except RPCError as error:
        raise _temporal_down(error) from error
    return await _answered(client, sessionmaker, case_id, raw)


async def query_state(client: Client, case_id: str) -> CaseDocument | None:
    """The workflow's own state (``?consistent=true``); None if the workflow is gone or unknown."""
    try:
        raw: RawValue = await client.get_workflow_handle(case_id).query(
            STATE_QUERY, result_type=RawValue
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise _temporal_down(error) from error
    document: CaseDocument | None = json.loads(raw.payload.data)
    return document


def _pending(case_id: str) -> ApiError:
    return ApiError(
        503,
        "command_pending",
        f"案件 {case_id} 暂未确认该操作，请使用相同的 Idempotency-Key 重试",
        "the case has not confirmed the command yet; retry with the same Idempotency-Key",
    )


def _temporal_down(error: RPCError) -> ApiError:
    return unavailable(
        "流程引擎", f"workflow engine ({error.status.name if error.status else '?'})"
    )


def _workflow_refusal(error: WorkflowFailureError) -> ApiError:
    """A workflow failed with a case's refusal: that refusal as an API error. Failed otherwise
    (terminated by an operator): 503, and a retry starts it again."""
    return _domain_refusal(error.cause) or unavailable("访调对接流程", "diversion workflow")


async def run_diversion(
    client: Client, settings: Settings, *, request: DiversionInput
) -> DiversionResult:
    """访调对接: start the petition's DiversionWorkflow (or join the one running) and wait for it.

    One workflow per petition: a retried request joins the running diversion, or is answered by
    the one that completed; a refused one may be tried again (e.g. once the petition is accepted).
    """
    petition_id = request.petition_id
    try:
        handle = await client.start_workflow(
            DIVERSION_WORKFLOW,
            request,
            id=diversion_workflow_id(petition_id),
            task_queue=settings.task_queue,
            result_type=DiversionResult,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        )
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle(
            diversion_workflow_id(petition_id), result_type=DiversionResult
        )
    except RPCError as error:
        raise _temporal_down(error) from error
    try:
        async with asyncio.timeout(settings.command_timeout_seconds):
            result: DiversionResult = await handle.result()
            return result
    except TimeoutError as error:
        raise _pending(petition_id) from error
    except WorkflowFailureError as error:
        raise _workflow_refusal(error) from error
    except RPCError as error:
        raise _temporal_down(error) from error


def update_refusal(error: WorkflowUpdateFailedError) -> ApiError:
    """A workflow's refusal of an update (a duty's report, …) as an API error."""
    return _refusal(error)
