"""CaseState: the whole case as one immutable value, folded from its events."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.case.agenda import ScheduledSession
from domain.case.alerts import Alert
from domain.case.attachments import Attachment
from domain.case.clocks import Clock
from domain.case.details import (
    CourtDecisionDetails,
    DeclineDetails,
    FollowUpDetails,
    IntakeDetails,
    JudicialConfirmationDetails,
    MediationFailureDetails,
    PackageLeaderDetails,
    PlanDetails,
    SessionDetails,
)
from domain.case.issued import IssuedDocument
from domain.case.leader_records import Instruction, RiskAssessment
from domain.case.policy import CasePolicy
from domain.case.stages import TERMINAL_STAGES, Stage
from domain.organisation.organisations import OrgRef, Routing
from domain.text import Actor
from domain.values import CloseOutcome, MediationType, PerformanceStatus

# How many recent command ids a case remembers to answer retries (carried across continue-as-new).
RECENT_COMMANDS_KEPT = 256


class Stamp(Frozen):
    """Who recorded something, and when."""

    at: AwareDatetime
    by: Actor


class PlanRevision(PlanDetails):
    revision: int
    recorded: Stamp


class LeaderAssignment(PackageLeaderDetails):
    recorded: Stamp


class MediationSession(SessionDetails):
    session_no: int
    recorded: Stamp


class MediationRound(Frozen):
    round: int
    mediation_type: MediationType
    mediators: tuple[str, ...]
    mediator_ids: tuple[str, ...] = ()  # 调解员名册 entries, when chosen from the roster
    started: Stamp
    started_on: date | None = None  # the legal date when the command gave it
    sessions: tuple[MediationSession, ...] = ()


class PerformanceItem(Frozen):
    item_no: int
    description: str
    due_on: date
    status: PerformanceStatus = PerformanceStatus.PENDING


class Agreement(Frozen):
    agreement_no: int
    terms: str
    form: str
    signed_on: date
    items: tuple[PerformanceItem, ...]
    recorded: Stamp

    @property
    def all_performed(self) -> bool:
        return all(item.status is PerformanceStatus.PERFORMED for item in self.items)


class JudicialConfirmation(JudicialConfirmationDetails):
    applied: Stamp
    accepted_on: date | None = None
    decision: CourtDecisionDetails | None = None
    decision_recorded: Stamp | None = None


class FollowUp(FollowUpDetails):
    visit_no: int
    recorded: Stamp


class Decline(DeclineDetails):
    recorded: Stamp


class Failure(MediationFailureDetails):
    recorded: Stamp


class Closure(Frozen):
    outcome: CloseOutcome
    remark: str
    recorded: Stamp


class Withdrawal(Frozen):
    reason: str
    recorded: Stamp


class Answer(Frozen):
    """One level of a petition's answers: 处理意见 (1), 复查 (2), 复核 (3)."""

    level: int
    requested_on: date | None = None  # the petitioner's request (levels 2 and 3)
    request_reason: str = ""
    answer: str | None = None
    answered_on: date | None = None
    served_on: date | None = None  # served on the petitioner (the command's date)
    recorded: Stamp


class Finalization(Frozen):
    """终结: why the last answer stands."""

    reason: str
    recorded: Stamp


class Repeat(Frozen):
    received_on: date
    channel: str
    summary: str
    recorded: Stamp


class PendingTransfer(Frozen):
    """转办 awaiting 签收 or 退回 by ``to_organisation``."""

    to_organisation: OrgRef
    from_organisation: OrgRef | None = None
    reason: str
    sent: Stamp


class ReportBack(Frozen):
    result: str
    reported_on: date | None = None
    recorded: Stamp


class Assignment(Frozen):
    """交办 to a department, and its report (办理结果反馈) once given."""

    assignment_no: int
    department: OrgRef
    deadline: date
    instructions: str
    assigned: Stamp
    report: ReportBack | None = None

    @property
    def open(self) -> bool:
        return self.report is None


class LiftSuggestion(Frozen):
    rule_id: str
    reason: str
    suggested: Stamp


class HandOff(Frozen):
    """One hand-off as the case's organisations see it (the timeline has the events)."""

    kind: str  # the event type: case_transferred, transfer_taken, case_lifted…
    organisation: OrgRef
    from_organisation: OrgRef | None = None
    reason: str = ""
    recorded: Stamp


class CaseState(IntakeDetails):
    """The case as it stands after event ``seq``."""

    case_id: str
    center_id: str | None = None  # the organisation that registered the case
    routing: Routing | None = None  # 分流 at intake
    reporter_id: str | None = None  # the registering user
    grid_code: str | None = None  # 网格员上报: the grid
    reception_id: str | None = None  # 领导接访: the reception log it was registered from
    # The organisation handling the case now (None on cases from before organisations: then the
    # registering center holds it), the ones that held it before, and the hand-off log.
    holder: OrgRef | None = None
    former_holders: tuple[str, ...] = ()
    pending_transfer: PendingTransfer | None = None
    assignments: tuple[Assignment, ...] = ()
    co_handlers: tuple[OrgRef, ...] = ()
    attachments: tuple[Attachment, ...] = ()  # 证据材料, in the order added
    handoffs: tuple[HandOff, ...] = ()
    lift_suggestion: LiftSuggestion | None = None
    # Sessions recorded and failures since the holder last changed (lift rules count these).
    sessions_with_holder: int = 0
    failures_with_holder: int = 0
    stage: Stage
    seq: Annotated[int, Field(ge=1)]
    registered: Stamp
    updated_at: AwareDatetime
    accepted: Stamp | None = None
    accepted_on: date | None = None  # the legal date of acceptance when the command gave it
    decline: Decline | None = None
    plans: tuple[PlanRevision, ...] = ()
    package_leaders: tuple[LeaderAssignment, ...] = ()
    mediation_rounds: tuple[MediationRound, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    failure: Failure | None = None
    judicial_confirmations: tuple[JudicialConfirmation, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    scheduled_sessions: tuple[ScheduledSession, ...] = ()  # 调解会排期
    closure: Closure | None = None
    withdrawal: Withdrawal | None = None
    answers: tuple[Answer, ...] = ()  # petition: reply, review, second review
    finalized: Finalization | None = None  # petition: 终结
    repeats: tuple[Repeat, ...] = ()  # 重复信访 recorded on this petition
    diverted_to: str | None = None  # 访调对接: the linked dispute case
    policy: CasePolicy | None = None
    clocks: tuple[Clock, ...] = ()
    alerts: tuple[Alert, ...] = ()
    risk_assessments: tuple[RiskAssessment, ...] = ()  # 风险研判 after intake
    instructions: tuple[Instruction, ...] = ()  # 领导批示 and 签收意见, with their 落实反馈
    # When each event type last happened: the anchor of clocks and caps that count from it.
    milestones: dict[str, AwareDatetime] = {}
    recent_command_ids: tuple[str, ...] = ()
    documents: tuple[IssuedDocument, ...] = ()  # 文书, every version issued, in order

    @property
    def holder_id(self) -> str | None:
        """The organisation that acts on the case now."""
        return self.holder.org_id if self.holder is not None else self.center_id

    @property
    def incoming_id(self) -> str | None:
        """The organisation a transfer awaits (签收 or 退回)."""
        return self.pending_transfer.to_organisation.org_id if self.pending_transfer else None

    def instruction(self, instruction_no: int) -> Instruction | None:
        return next((i for i in self.instructions if i.instruction_no == instruction_no), None)

    @property
    def open_assignments(self) -> tuple[Assignment, ...]:
        return tuple(a for a in self.assignments if a.open)

    def assignment(self, assignment_no: int) -> Assignment | None:
        return next((a for a in self.assignments if a.assignment_no == assignment_no), None)

    @property
    def related_organisations(self) -> frozenset[str]:
        """Every organisation that may read the case: its holder, the one a transfer awaits,
        the registering one, former holders, co-handlers and assigned departments."""
        ids = {self.holder_id, self.incoming_id, self.center_id, *self.former_holders}
        ids |= {org.org_id for org in self.co_handlers}
        ids |= {a.department.org_id for a in self.assignments}
        return frozenset(i for i in ids if i is not None)

    @property
    def plan(self) -> PlanRevision | None:
        return self.plans[-1] if self.plans else None

    @property
    def package_leader(self) -> LeaderAssignment | None:
        return self.package_leaders[-1] if self.package_leaders else None

    @property
    def agreement(self) -> Agreement | None:
        return self.agreements[-1] if self.agreements else None

    @property
    def mediation(self) -> MediationRound | None:
        return self.mediation_rounds[-1] if self.mediation_rounds else None

    @property
    def judicial_confirmation(self) -> JudicialConfirmation | None:
        return self.judicial_confirmations[-1] if self.judicial_confirmations else None

    @property
    def session_count(self) -> int:
        return sum(len(r.sessions) for r in self.mediation_rounds)

    def scheduled_session(self, schedule_no: int) -> ScheduledSession | None:
        return next((s for s in self.scheduled_sessions if s.schedule_no == schedule_no), None)

    @property
    def is_terminal(self) -> bool:
        return self.stage in TERMINAL_STAGES

    def has_applied(self, command_id: str) -> bool:
        return command_id in self.recent_command_ids

    def clock(self, clock_id: str) -> Clock | None:
        return next((clock for clock in self.clocks if clock.clock_id == clock_id), None)

    def alert(self, alert_id: str) -> Alert | None:
        return next((alert for alert in self.alerts if alert.alert_id == alert_id), None)
