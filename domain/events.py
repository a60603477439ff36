"""Events (事件): the facts a case records, one per accepted command, numbered by ``seq``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.details import (
    AcceptDetails,
    AgreementDetails,
    CloseDetails,
    CourtDecisionDetails,
    DeclineDetails,
    FollowUpDetails,
    IntakeDetails,
    JudicialConfirmationDetails,
    MediationDetails,
    MediationFailureDetails,
    PackageLeaderDetails,
    PlanDetails,
    SessionDetails,
    WithdrawDetails,
)
from domain.values import Actor, CloseOutcome


class CaseRegistered(IntakeDetails):
    type: Literal["case_registered"] = "case_registered"
    case_id: str


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


EventBody = Annotated[
    CaseRegistered
    | CaseAccepted
    | CaseDeclined
    | PlanRevised
    | PackageLeaderAssigned
    | MediationStarted
    | SessionRecorded
    | AgreementRecorded
    | MediationFailed
    | JudicialConfirmationApplied
    | CourtDecisionRecorded
    | FollowUpRecorded
    | CaseClosed
    | CaseWithdrawn,
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
