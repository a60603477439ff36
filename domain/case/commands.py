"""Commands (指令): what a user asks of a case. Each carries an id so a retry is a no-op."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from domain.base import Frozen
from domain.case.agenda import CancelDetails, PostponeDetails, ScheduleDetails, ScheduleNo
from domain.case.attachments import AddAttachment, WithdrawAttachment
from domain.case.details import (
    AcceptDetails,
    AcknowledgeDetails,
    AgreementDetails,
    AnswerDetails,
    AssignDetails,
    CloseDetails,
    CoHandlerDetails,
    CourtAcceptanceDetails,
    CourtDecisionDetails,
    DeclineDetails,
    DivertDetails,
    ExtendDetails,
    FollowUpDetails,
    IntakeDetails,
    JudicialConfirmationDetails,
    LiftDetails,
    MediationDetails,
    MediationFailureDetails,
    PackageLeaderDetails,
    PauseDetails,
    PlanDetails,
    RecallDetails,
    RepeatDetails,
    ReportBackDetails,
    RequestDetails,
    ResumeDetails,
    ReturnDetails,
    SessionDetails,
    TakeDetails,
    TransferDetails,
    WithdrawDetails,
)
from domain.case.issued import DocumentKind, DocumentNumber
from domain.case.leader_records import (
    InstructionAnswerDetails,
    InstructionDetails,
    ReassessDetails,
)
from domain.organisation.organisations import OrgId, Routing
from domain.people.access import CenterId, UserId
from domain.registers.reception import ReceptionId
from domain.text import Actor

GridCode = Annotated[str, Field(pattern=r"^\d{15}$")]


class Register(IntakeDetails):
    type: Literal["register"] = "register"
    case_id: str
    center_id: CenterId | None = None  # the registering center (from the caller, not the body)
    # 分流: the organisation the case goes to (the API resolves the suggestion and the choice).
    routing: Routing | None = None
    reporter_id: UserId | None = (
        None  # the registering user (a grid worker sees what they reported)
    )
    grid_code: GridCode | None = None  # 网格员上报: the grid it was reported from
    # 领导接访: the reception log the case comes from, and its leader as 包案领导.
    reception_id: ReceptionId | None = None
    package_leader: PackageLeaderDetails | None = None


class Accept(AcceptDetails):
    type: Literal["accept"] = "accept"


class Decline(DeclineDetails):
    type: Literal["decline"] = "decline"


class Plan(PlanDetails):
    type: Literal["plan"] = "plan"


class AssignPackageLeader(PackageLeaderDetails):
    type: Literal["assign_package_leader"] = "assign_package_leader"


class StartMediation(MediationDetails):
    type: Literal["start_mediation"] = "start_mediation"


class RecordSession(SessionDetails):
    type: Literal["record_session"] = "record_session"
    # The booked session (调解会排期) this one is, when it was booked ahead.
    schedule_no: ScheduleNo | None = None


class ScheduleSession(ScheduleDetails):
    type: Literal["schedule_session"] = "schedule_session"


class PostponeSession(PostponeDetails):
    type: Literal["postpone_session"] = "postpone_session"


class CancelSession(CancelDetails):
    type: Literal["cancel_session"] = "cancel_session"


AGENDA = (ScheduleSession, PostponeSession, CancelSession)


class RecordAgreement(AgreementDetails):
    type: Literal["record_agreement"] = "record_agreement"


class RecordMediationFailure(MediationFailureDetails):
    type: Literal["record_mediation_failure"] = "record_mediation_failure"


class ApplyJudicialConfirmation(JudicialConfirmationDetails):
    type: Literal["apply_judicial_confirmation"] = "apply_judicial_confirmation"


class RecordCourtDecision(CourtDecisionDetails):
    type: Literal["record_court_decision"] = "record_court_decision"


class RecordFollowUp(FollowUpDetails):
    type: Literal["record_follow_up"] = "record_follow_up"


class Close(CloseDetails):
    type: Literal["close"] = "close"


class Withdraw(WithdrawDetails):
    type: Literal["withdraw"] = "withdraw"


class RecordCourtAcceptance(CourtAcceptanceDetails):
    type: Literal["record_court_acceptance"] = "record_court_acceptance"


class PauseClock(PauseDetails):
    type: Literal["pause_clock"] = "pause_clock"


class ResumeClock(ResumeDetails):
    type: Literal["resume_clock"] = "resume_clock"


class ExtendClock(ExtendDetails):
    type: Literal["extend_clock"] = "extend_clock"


class AcknowledgeAlert(AcknowledgeDetails):
    type: Literal["acknowledge_alert"] = "acknowledge_alert"


class Reply(AnswerDetails):
    type: Literal["reply"] = "reply"


class RequestReview(RequestDetails):
    type: Literal["request_review"] = "request_review"


class AnswerReview(AnswerDetails):
    type: Literal["answer_review"] = "answer_review"


class RequestSecondReview(RequestDetails):
    type: Literal["request_second_review"] = "request_second_review"


class AnswerSecondReview(AnswerDetails):
    type: Literal["answer_second_review"] = "answer_second_review"


class DivertToMediation(DivertDetails):
    type: Literal["divert_to_mediation"] = "divert_to_mediation"


class RecordRepeat(RepeatDetails):
    type: Literal["record_repeat"] = "record_repeat"


class Transfer(TransferDetails):
    type: Literal["transfer"] = "transfer"


class Take(TakeDetails):
    type: Literal["take"] = "take"


class Return(ReturnDetails):
    type: Literal["return"] = "return"


class Recall(RecallDetails):
    type: Literal["recall"] = "recall"


class Assign(AssignDetails):
    type: Literal["assign"] = "assign"


class ReportBack(ReportBackDetails):
    type: Literal["report_back"] = "report_back"


class Lift(LiftDetails):
    type: Literal["lift"] = "lift"


class AddCoHandler(CoHandlerDetails):
    type: Literal["add_co_handler"] = "add_co_handler"


class RemoveCoHandler(CoHandlerDetails):
    type: Literal["remove_co_handler"] = "remove_co_handler"


ATTACHING = (AddAttachment, WithdrawAttachment)


class ReassessRisk(ReassessDetails):
    """风险研判."""

    type: Literal["reassess_risk"] = "reassess_risk"


class IssueInstruction(InstructionDetails):
    """领导批示."""

    type: Literal["issue_instruction"] = "issue_instruction"


class AnswerInstruction(InstructionAnswerDetails):
    """落实反馈."""

    type: Literal["answer_instruction"] = "answer_instruction"


LEADER_ACTS = (ReassessRisk, IssueInstruction, AnswerInstruction)


class IssueDocument(Frozen):
    """出具文书: issue (or reissue) one document of the case, filled from what it recorded.

    ``subject``: the session, visit or agreement a per-subject document is about (latest if
    unnamed). ``number`` is set by the case itself from its organisation's 文号 series before it
    records the issue; a caller never sends one.
    """

    type: Literal["issue_document"] = "issue_document"
    kind: DocumentKind
    subject: Annotated[int | None, Field(ge=1)] = None
    number: DocumentNumber | None = None
    # 手写签名: print the signatures captured for the agreement at its places to sign. Every
    # issue the API sends sets it; an issue recorded before it replays without them.
    signatures: bool = False


HANDOFFS = (Transfer, Take, Return, Recall, Assign, ReportBack, Lift, AddCoHandler, RemoveCoHandler)

Command = Annotated[
    Register
    | Accept
    | Decline
    | Plan
    | AssignPackageLeader
    | StartMediation
    | RecordSession
    | ScheduleSession
    | PostponeSession
    | CancelSession
    | RecordAgreement
    | RecordMediationFailure
    | ApplyJudicialConfirmation
    | RecordCourtDecision
    | RecordFollowUp
    | Close
    | Withdraw
    | RecordCourtAcceptance
    | PauseClock
    | ResumeClock
    | ExtendClock
    | AcknowledgeAlert
    | Reply
    | RequestReview
    | AnswerReview
    | RequestSecondReview
    | AnswerSecondReview
    | DivertToMediation
    | RecordRepeat
    | Transfer
    | Take
    | Return
    | Recall
    | Assign
    | ReportBack
    | Lift
    | AddCoHandler
    | RemoveCoHandler
    | AddAttachment
    | WithdrawAttachment
    | ReassessRisk
    | IssueInstruction
    | AnswerInstruction
    | IssueDocument,
    Field(discriminator="type"),
]

CommandId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]


class CommandEnvelope(Frozen):
    """One command as sent to a case: who asks, and the id that makes a retry a no-op.

    ``acting_organisation``: the caller's organisation, when the caller acts for one (mediation
    staff); the case refuses the command if another organisation sends it now. Absent on
    envelopes sent before hand-offs and from leaders (their reach is a jurisdiction).
    """

    command_id: CommandId
    actor: Actor
    command: Command
    acting_organisation: OrgId | None = None
