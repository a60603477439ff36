"""The names and payloads the API, the worker and the workflow agree on (no workflow code here)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field
from temporalio.exceptions import ApplicationError

from domain.base import Frozen
from domain.case.agenda import ScheduledSession, session_time
from domain.case.events import Event
from domain.case.state import CaseState
from domain.errors import DomainError
from domain.values import CaseKind, Category, Channel, RiskLevel
from workflows.patches import CURRENT_BASELINE

WORKFLOW_TYPE = "CaseWorkflow"
APPLY_UPDATE = "apply"
STATE_QUERY = "state"
CALENDAR_UPDATE = "load_calendar"
PROJECT_ACTIVITY = "project_case_events"
POLICY_ACTIVITY = "load_case_policy"
DELIVER_ACTIVITY = "deliver_alert"
ASSIGN_DOCUMENT_NUMBER_ACTIVITY = "assign_document_number"
# The type of the failure a case answers when no 文号 could be assigned (the store is away).
DOCUMENT_NUMBER_UNAVAILABLE = "document_number_unavailable"
REPROJECT_SIGNAL = "reproject"
# The projection's failure type when the store refuses a batch's content for good.
PROJECTION_REFUSED = "projection_refused"
# The batch came from a workflow-task attempt a later attempt has replaced (its task is lost).
PROJECTION_STALE = "projection_stale"


class CaseWorkflowInput(Frozen):
    """How a case workflow starts: empty for a new case, or the state continue-as-new hands over."""

    state: CaseState | None = None
    # Continue-as-new once the history passes this many events (kept across runs).
    max_history_events: int = 2_000
    # The patches the run has built in (``workflows.patches.BASELINES``; kept across runs): 0 for
    # a run started before baselines, which asks ``workflow.patched`` for every one.
    patch_baseline: int = 0


def new_case_input() -> CaseWorkflowInput:
    """How a new case starts: with today's patches built in (no marker for any of them)."""
    return CaseWorkflowInput(patch_baseline=CURRENT_BASELINE)


class ProjectionBatch(Frozen):
    """Events not yet in the store, in seq order.

    Since ``events-only-projection-v1`` the store folds them onto the case it holds; a run from
    before sends the case state after the last of them as well (still accepted).
    """

    case_id: str
    events: tuple[Event, ...]
    state: CaseState | None = None
    # Since ``local-projection-v1``: the history length of the workflow task that decided the
    # events (the batch is written from inside it, before Temporal has made it durable).
    history_length: int | None = Field(default=None, ge=0)


class ProjectionResult(Frozen):
    inserted: int


class CommandOutcome(Frozen):
    """What ``apply`` and ``load_calendar`` answer, and an ended run returns, since
    ``lean-answer-v1``: the case, the seq of its last event, and whether the store held that
    event when the case answered (the caller reads the document there; else from the ``state``
    query). A run from before answers with the whole CaseState."""

    case_id: str
    seq: int
    projected: bool


class PolicyRequest(Frozen):
    """What selects a case's policy: its kind, category, channel, risk and jurisdiction."""

    kind: CaseKind
    category: Category
    channel: Channel
    risk_level: RiskLevel
    jurisdiction_code: str
    year: int
    # Further years the case's holiday data must hold: those of its facts before ``year`` (a
    # case registered in January for facts of December) or beyond the years snapshotted.
    years: tuple[int, ...] = ()


class DocumentNumberRequest(Frozen):
    """文号 for a document issued for the first time: the organisation's series of ``year``."""

    case_id: str
    document_key: str
    org_id: str
    org_name: str
    year: int


class AlertDelivery(Frozen):
    """One notification of one recipient, for the notifier to deliver on every channel."""

    case_id: str
    case_title: str
    alert_id: str
    kind: str
    level: int
    recipient: str
    attempt: int
    title: str
    raised_at: AwareDatetime
    # "withdrawn" (逾期撤销, since ``breach-withdrawn-v1``): the recipient is told the breach
    # this alert reported is withdrawn, ``note`` says why; ``attempt`` numbers the recipients.
    # "session" (调解会通知, since ``session-notices-v1``): a mediator is told of a session booked
    # or moved (``alert_id`` names the booking, ``note`` says when and where); not an alert:
    # nothing escalates, nobody acknowledges it.
    notice: Literal["alert", "withdrawn", "session"] = "alert"
    note: str = ""

    @property
    def delivery_id(self) -> str:
        if self.notice == "withdrawn":
            return f"{self.alert_id}-W{self.attempt}"
        if self.notice == "session":
            return f"{self.alert_id}-M{self.attempt}"
        return f"{self.alert_id}-L{self.level}-N{self.attempt}"


class DeliveryOutcome(Frozen):
    delivered: tuple[str, ...]  # channel kinds, or "inbox" when the recipient has none


# 访调对接: the diversion of a petition to mediation, one DiversionWorkflow per petition.
DIVERSION_WORKFLOW = "DiversionWorkflow"
RESERVE_DISPUTE_ACTIVITY = "reserve_dispute_number"
RECORD_DIVERSION_ACTIVITY = "record_diversion"
OPEN_DISPUTE_ACTIVITY = "open_diverted_dispute"


def diversion_workflow_id(petition_id: str) -> str:
    return f"divert-{petition_id}"


def diversion_key(petition_id: str) -> str:
    """The idempotency key of a petition's diversion: it binds the dispute number and is the
    command id of the link on the petition (the dispute's registration is ``intake:`` + key)."""
    return f"divert:{petition_id}"


class DiversionInput(Frozen):
    """Who diverts which petition: the dispute is registered for the diverting center."""

    petition_id: str
    actor: str
    center_id: str | None
    note: str = ""


class DisputeNumberRequest(Frozen):
    petition_id: str
    year: int  # the dispute number's series (the day the diversion started, China time)


class DisputeNumber(Frozen):
    case_id: str


class DiversionStep(Frozen):
    """One step of a diversion: record the link on the petition, or open the linked dispute."""

    petition_id: str
    dispute_case_id: str
    actor: str
    center_id: str | None
    note: str = ""


class DiversionResult(Frozen):
    petition_id: str
    dispute_case_id: str


# 台账导入: one LedgerImportWorkflow per imported file and organisation.
LEDGER_IMPORT_WORKFLOW = "LedgerImportWorkflow"
LEDGER_BATCH_ACTIVITY = "import_ledger_batch"
LEDGER_FINISH_ACTIVITY = "finish_ledger_import"


def ledger_import_workflow_id(import_id: str) -> str:
    return f"ledger-import-{import_id}"


def ledger_row_key(file_sha256: str, row_no: int) -> str:
    """The intake key of one ledger row: the file and the row, so the same row of the same file
    registers one case however often it is imported (and its command id is ``intake:`` + key)."""
    return f"ledger:{file_sha256}:{row_no}"


class LedgerImportInput(Frozen):
    """An import and who made it; ``next_row`` moves on as continue-as-new hands over."""

    import_id: str
    file_sha256: str
    total_rows: int  # data rows, numbered from 1 (the sheet's second line)
    actor: str
    user_id: str
    center_id: str
    jurisdiction: str  # the importer's area: a row's 责任单位 must lie in it
    next_row: int = 1
    batch_size: int = 200
    batches_per_run: int = 10


class LedgerBatch(Frozen):
    import_id: str
    file_sha256: str
    first_row: int
    last_row: int
    actor: str
    user_id: str
    center_id: str
    jurisdiction: str


class LedgerBatchResult(Frozen):
    registered: int
    rejected: int
    skipped: int  # done before (a resumed batch)


class LedgerImportResult(Frozen):
    import_id: str
    registered: int
    rejected: int


def refusal_failure(error: DomainError) -> ApplicationError:
    """A refused command, in the shape the API maps to 404/409/422 (never retried)."""
    return ApplicationError(
        str(error),
        {
            "code": error.code,
            "message_zh": error.message_zh,
            "message_en": error.message_en,
            "field": error.field,
        },
        type=error.code,
        non_retryable=True,
    )


def session_notices(
    state: CaseState, booked: ScheduledSession, seq: int, at: datetime
) -> list[AlertDelivery]:
    """调解会通知 for each mediator of ``booked`` (recipient ``mediator:<roster id>``, else
    ``person:<name>``), numbered by the event that booked or moved it."""
    recipients = (
        [f"mediator:{mediator_id}" for mediator_id in booked.mediator_ids]
        if booked.mediator_ids
        else [f"person:{name}" for name in booked.mediators]
    )
    moved = "（改期）" if booked.postponements else ""
    when = f"{session_time(booked.starts_at)}，{booked.place}"
    return [
        AlertDelivery(
            case_id=state.case_id,
            case_title=state.title,
            alert_id=f"{state.case_id}-S{booked.schedule_no}-E{seq}",
            kind="session",
            level=0,
            recipient=recipient,
            attempt=number,
            title=f"【调解会通知{moved}】第{booked.schedule_no}次调解会：{when}",
            raised_at=at,
            notice="session",
            note=when,
        )
        for number, recipient in enumerate(dict.fromkeys(recipients), start=1)
    ]
