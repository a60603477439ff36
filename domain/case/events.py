"""Events (事件): the facts a case records, one per accepted command, numbered by ``seq``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.case.agenda import ScheduledSessionHeld as ScheduledSessionHeld
from domain.case.agenda import SessionCancelled as SessionCancelled
from domain.case.agenda import SessionPostponed as SessionPostponed
from domain.case.agenda import SessionScheduled as SessionScheduled
from domain.case.alerts import Alert, Notification
from domain.case.attachments import AttachmentAdded, AttachmentWithdrawn
from domain.case.clocks import Clock, ClockStatus, GrantedExtension, Schedule
from domain.case.details import (
    AcceptDetails,
    AgreementDetails,
    AnswerDetails,
    AssignDetails,
    CloseDetails,
    CourtAcceptanceDetails,
    CourtDecisionDetails,
    DeclineDetails,
    DivertDetails,
    FollowUpDetails,
    IntakeDetails,
    JudicialConfirmationDetails,
    MediationDetails,
    MediationFailureDetails,
    PackageLeaderDetails,
    PlanDetails,
    RepeatDetails,
    ReportBackDetails,
    RequestDetails,
    SessionDetails,
    WithdrawDetails,
)
from domain.case.issued import DocumentFields, DocumentKind, DocumentNumber
from domain.case.leader_records import (
    InstructionAnswerDetails,
    InstructionDetails,
    ReassessDetails,
)
from domain.case.policy import CasePolicy, LiftRule
from domain.case.stages import Stage
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.clock_rules import ClockRule
from domain.organisation.organisations import OrgRef, Routing
from domain.text import Actor
from domain.values import CloseOutcome, RiskFlags, RiskLevel


class CaseRegistered(IntakeDetails):
    type: Literal["case_registered"] = "case_registered"
    case_id: str
    center_id: str | None = None  # absent on cases registered before access control
    routing: Routing | None = None  # 分流 (absent before organisations: the center holds it)
    reporter_id: str | None = None
    grid_code: str | None = None
    reception_id: str | None = None  # 领导接访: the reception log it was registered from
    package_leader: PackageLeaderDetails | None = None  # the receiving leader, 包案 from intake


class CaseAccepted(AcceptDetails):
    type: Literal["case_accepted"] = "case_accepted"


class CaseDeclined(DeclineDetails):
    type: Literal["case_declined"] = "case_declined"


class PlanRevised(PlanDetails):
    type: Literal["plan_revised"] = "plan_revised"
    revision: int


class PackageLeaderAssigned(PackageLeaderDetails):
    type: Literal["package_leader_assigned"] = "package_leader_assigned"
    replaces: str | None = None


class MediationStarted(MediationDetails):
    type: Literal["mediation_started"] = "mediation_started"
    round: int


class SessionRecorded(SessionDetails):
    type: Literal["session_recorded"] = "session_recorded"
    session_no: int


class AgreementRecorded(AgreementDetails):
    type: Literal["agreement_recorded"] = "agreement_recorded"
    agreement_no: int


class MediationFailed(MediationFailureDetails):
    type: Literal["mediation_failed"] = "mediation_failed"


class JudicialConfirmationApplied(JudicialConfirmationDetails):
    type: Literal["judicial_confirmation_applied"] = "judicial_confirmation_applied"


class CourtDecisionRecorded(CourtDecisionDetails):
    type: Literal["court_decision_recorded"] = "court_decision_recorded"


class FollowUpRecorded(FollowUpDetails):
    type: Literal["follow_up_recorded"] = "follow_up_recorded"
    visit_no: int


class CaseClosed(CloseDetails):
    type: Literal["case_closed"] = "case_closed"
    outcome: CloseOutcome


class CaseWithdrawn(WithdrawDetails):
    type: Literal["case_withdrawn"] = "case_withdrawn"


class CourtAcceptanceRecorded(CourtAcceptanceDetails):
    type: Literal["court_acceptance_recorded"] = "court_acceptance_recorded"


class PolicySnapshotted(Frozen):
    """The policy in force at intake, kept by the case for its whole life."""

    type: Literal["policy_snapshotted"] = "policy_snapshotted"
    policy: CasePolicy


class PolicyAmended(Frozen):
    """补充适用: rules of a later policy given to a case registered before them (the hand-off
    rules, on the case's first hand-off). Rules the case already has stay as they are."""

    type: Literal["policy_amended"] = "policy_amended"
    version: str  # the policy set the rules come from
    rules: tuple[ClockRule, ...] = ()
    lift_rules: tuple[LiftRule, ...] = ()


class ClockStarted(Frozen):
    type: Literal["clock_started"] = "clock_started"
    clock: Clock


class ClockPaused(Frozen):
    type: Literal["clock_paused"] = "clock_paused"
    clock_id: str
    reason: str
    note: str = ""
    paused_on: date | None = None  # the legal date when the command gave it (else the recording)


class ClockResumed(Frozen):
    type: Literal["clock_resumed"] = "clock_resumed"
    clock_id: str
    schedule: Schedule
    resumed_on: date | None = None  # the legal date when the command gave it (else the recording)


class ClockExtended(Frozen):
    type: Literal["clock_extended"] = "clock_extended"
    clock_id: str
    extension: GrantedExtension
    schedule: Schedule


class ClockStopped(Frozen):
    type: Literal["clock_stopped"] = "clock_stopped"
    clock_id: str
    status: ClockStatus  # met or cancelled


class ClockWarned(Frozen):
    type: Literal["clock_warned"] = "clock_warned"
    clock_id: str


class ClockExpired(Frozen):
    type: Literal["clock_expired"] = "clock_expired"
    clock_id: str
    status: ClockStatus  # breached, or lapsed for a request window


class ClocksRescheduled(Frozen):
    """Newly published holiday data: provisional due times computed again. ``years_added``:
    years the case's calendar lacked and a fact of the case falls in (its snapshot extended)."""

    type: Literal["clocks_rescheduled"] = "clocks_rescheduled"
    calendar: HolidayCalendar
    schedules: tuple[tuple[str, Schedule], ...]
    years_added: tuple[int, ...] = ()


class AlertRaised(Frozen):
    type: Literal["alert_raised"] = "alert_raised"
    alert: Alert


class AlertNotified(Frozen):
    """A re-notification or the next escalation level; ``None`` when the chain is exhausted."""

    type: Literal["alert_notified"] = "alert_notified"
    alert_id: str
    notification: Notification | None
    next_step_at: AwareDatetime | None


class AlertAcknowledged(Frozen):
    type: Literal["alert_acknowledged"] = "alert_acknowledged"
    alert_id: str
    note: str = ""


class PetitionReplied(AnswerDetails):
    type: Literal["petition_replied"] = "petition_replied"


class ReviewRequested(RequestDetails):
    type: Literal["review_requested"] = "review_requested"


class ReviewAnswered(AnswerDetails):
    type: Literal["review_answered"] = "review_answered"


class SecondReviewRequested(RequestDetails):
    type: Literal["second_review_requested"] = "second_review_requested"


class SecondReviewAnswered(AnswerDetails):
    type: Literal["second_review_answered"] = "second_review_answered"


class PetitionFinalized(Frozen):
    """终结: the last answer stands; the same facts and reasons are not accepted again."""

    type: Literal["petition_finalized"] = "petition_finalized"
    reason: str


class RepeatRecorded(RepeatDetails):
    type: Literal["repeat_recorded"] = "repeat_recorded"


class DivertedToMediation(DivertDetails):
    type: Literal["diverted_to_mediation"] = "diverted_to_mediation"


class AlertClosed(Frozen):
    type: Literal["alert_closed"] = "alert_closed"
    alert_id: str
    reason: str
    # 逾期撤销: the breach it told of did not happen (a fact entered late answered the clock in
    # time); everyone it reached is told so, on the channels that carried it.
    withdrawn: bool = False


class BreachWithdrawn(Frozen):
    """逾期撤销 / 届满撤销: a fact or a clock command entered late, dated within the period,
    shows the clock was answered (or paused, or extended) in time: the breach or lapse recorded
    from the order of typing is withdrawn. The timeline keeps both: when the breach was recorded
    (its own event) and the fact's legal date that answers it (``answered_on``)."""

    type: Literal["breach_withdrawn"] = "breach_withdrawn"
    clock_id: str
    withdrawn: ClockStatus  # what is withdrawn: breached or lapsed
    status: ClockStatus  # the clock now: met, or running/paused again (a pause or extension)
    answered_by: str  # the event type of the fact (or clock command) that answers it
    answered_seq: int  # that event's seq
    answered_on: date  # its legal date
    last_day: date | None = None  # the period's last day it falls within


class MediationFailureWithdrawn(Frozen):
    """调解不成撤销: a mediation failed automatically because its clock (E4/E5) seemed to have
    run is open again: an agreement, a pause or an extension dated within the period was entered
    late. The case returns to 调解中."""

    type: Literal["mediation_failure_withdrawn"] = "mediation_failure_withdrawn"
    clock_id: str
    reason: str
    reopened: tuple[str, ...] = ()  # clocks the failure stopped, running again


class FinalizationWithdrawn(Frozen):
    """终结撤销: a petition finalised because its request window (A7/A8) seemed to have run is
    open again: a request dated within the window was entered late."""

    type: Literal["finalization_withdrawn"] = "finalization_withdrawn"
    clock_id: str
    stage: Stage  # the stage the case returns to (已出具处理意见 / 已复查)
    requested_on: date


# Hand-offs between organisations. Each names the organisations as they were (OrgRef).


class CaseTransferred(Frozen):
    """转办: sent to ``to_organisation``; it shows there as incoming until taken or returned."""

    type: Literal["case_transferred"] = "case_transferred"
    to_organisation: OrgRef
    from_organisation: OrgRef | None = None
    reason: str


class TransferTaken(Frozen):
    """签收: the receiving organisation now holds the case."""

    type: Literal["transfer_taken"] = "transfer_taken"
    organisation: OrgRef
    note: str = ""


class TransferReturned(Frozen):
    """退回: the receiving organisation sent it back; the sender still holds the case."""

    type: Literal["transfer_returned"] = "transfer_returned"
    organisation: OrgRef
    reason: str


class TransferRecalled(Frozen):
    """撤回转办: the sender took the transfer back before ``organisation`` took or returned it;
    the sender still holds the case."""

    type: Literal["transfer_recalled"] = "transfer_recalled"
    organisation: OrgRef  # the organisation the transfer awaited
    reason: str


class CaseAssigned(AssignDetails):
    """交办, numbered: report-backs name the assignment they answer."""

    type: Literal["case_assigned"] = "case_assigned"
    assignment_no: int


class ReportBackRecorded(ReportBackDetails):
    type: Literal["report_back_recorded"] = "report_back_recorded"


class CaseLifted(Frozen):
    """上提一级: the organisation above now holds the case."""

    type: Literal["case_lifted"] = "case_lifted"
    to_organisation: OrgRef
    from_organisation: OrgRef | None = None
    reason: str


class LiftSuggested(Frozen):
    """The policy's lift rule matched (e.g. three sessions without agreement at a village)."""

    type: Literal["lift_suggested"] = "lift_suggested"
    rule_id: str
    reason: str


class CoHandlerAdded(Frozen):
    type: Literal["co_handler_added"] = "co_handler_added"
    organisation: OrgRef
    note: str = ""


class CoHandlerRemoved(Frozen):
    type: Literal["co_handler_removed"] = "co_handler_removed"
    organisation: OrgRef
    note: str = ""


class RiskReassessed(ReassessDetails):
    """风险研判 recorded: the case's risk level and flags are now these."""

    type: Literal["risk_reassessed"] = "risk_reassessed"
    assessment_no: int
    previous_level: RiskLevel
    previous_flags: RiskFlags
    alert_ids: tuple[str, ...] = ()  # the alerts it raises (recorded next)


class InstructionIssued(InstructionDetails):
    """领导批示 recorded (``clock_id``: its 落实时限 clock, when the policy has one)."""

    type: Literal["instruction_issued"] = "instruction_issued"
    instruction_no: int


class InstructionAnswered(InstructionAnswerDetails):
    """落实反馈 recorded by the handling unit."""

    type: Literal["instruction_answered"] = "instruction_answered"
    organisation_id: str | None = None


class DocumentIssued(Frozen):
    """出具文书: a document issued from the case, its 文号, version and the SHA-256 of the
    canonical JSON of ``fields`` (``domain.case.documents.canonical_json``)."""

    type: Literal["document_issued"] = "document_issued"
    kind: DocumentKind
    subject: int | None = None
    number: DocumentNumber
    version: int
    content_sha256: str
    fields: DocumentFields


EventBody = Annotated[
    CaseRegistered
    | CaseAccepted
    | CaseDeclined
    | PlanRevised
    | PackageLeaderAssigned
    | MediationStarted
    | SessionRecorded
    | SessionScheduled
    | SessionPostponed
    | SessionCancelled
    | ScheduledSessionHeld
    | AgreementRecorded
    | MediationFailed
    | JudicialConfirmationApplied
    | CourtDecisionRecorded
    | FollowUpRecorded
    | CaseClosed
    | CaseWithdrawn
    | CourtAcceptanceRecorded
    | PolicySnapshotted
    | PolicyAmended
    | ClockStarted
    | ClockPaused
    | ClockResumed
    | ClockExtended
    | ClockStopped
    | ClockWarned
    | ClockExpired
    | ClocksRescheduled
    | AlertRaised
    | AlertNotified
    | AlertAcknowledged
    | AlertClosed
    | BreachWithdrawn
    | FinalizationWithdrawn
    | MediationFailureWithdrawn
    | PetitionReplied
    | ReviewRequested
    | ReviewAnswered
    | SecondReviewRequested
    | SecondReviewAnswered
    | PetitionFinalized
    | RepeatRecorded
    | DivertedToMediation
    | CaseTransferred
    | TransferTaken
    | TransferReturned
    | TransferRecalled
    | CaseAssigned
    | ReportBackRecorded
    | CaseLifted
    | LiftSuggested
    | CoHandlerAdded
    | CoHandlerRemoved
    | AttachmentAdded
    | AttachmentWithdrawn
    | RiskReassessed
    | InstructionIssued
    | InstructionAnswered
    | DocumentIssued,
    Field(discriminator="type"),
]


class Event(Frozen):
    """One recorded fact with who caused it, when, and the command that asked for it."""

    case_id: str
    seq: Annotated[int, Field(ge=1)]
    at: AwareDatetime
    actor: Actor
    command_id: str
    body: EventBody

    @property
    def type(self) -> str:
        return self.body.type
