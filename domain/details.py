"""The content of each step, shared by the command asking for it and the event recording it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, field_validator

from domain.base import Frozen
from domain.values import (
    AgreementForm,
    CaseKind,
    Category,
    Channel,
    CourtDecision,
    Jurisdiction,
    LongText,
    MediationType,
    OptionalText,
    Party,
    PerformanceStatus,
    ReferralRoute,
    RiskFlags,
    RiskLevel,
    Satisfaction,
    ShortText,
)

Names = Annotated[tuple[ShortText, ...], Field(max_length=50)]


class IntakeDetails(Frozen):
    """登记: what the mediation center records when a dispute arrives."""

    kind: CaseKind = CaseKind.DISPUTE
    title: ShortText
    description: LongText
    category: Category
    channel: Channel
    jurisdiction: Jurisdiction
    applicants: Annotated[tuple[Party, ...], Field(min_length=1, max_length=200)]
    respondents: Annotated[tuple[Party, ...], Field(max_length=200)] = ()
    risk_level: RiskLevel = RiskLevel.LOW
    flags: RiskFlags = RiskFlags()
    received_on: date | None = None


class AcceptDetails(Frozen):
    """受理."""

    note: OptionalText = ""


class DeclineDetails(Frozen):
    """不予受理: a reason and where the parties are referred."""

    reason: LongText
    referral: ShortText


class PlanDetails(Frozen):
    """一案一策: responsible unit 责任单位, person 责任人, measures 化解措施, deadline 化解时限."""

    responsible_unit: ShortText
    responsible_person: ShortText
    measures: Annotated[tuple[LongText, ...], Field(min_length=1, max_length=50)]
    deadline: date
    note: OptionalText = ""


class PackageLeaderDetails(Frozen):
    """领导包案: the leader who answers for the case."""

    leader_name: ShortText
    leader_title: ShortText
    reason: OptionalText = ""


class MediationDetails(Frozen):
    """调解 begins: its type and the mediators."""

    mediation_type: MediationType
    mediators: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=50)]


class SessionDetails(Frozen):
    """调解会: one meeting and its record (调解笔录)."""

    held_on: date
    mediators: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=50)]
    attendees: Names = ()
    summary: LongText
    counselling: bool = False


class PerformanceItemDetails(Frozen):
    """One obligation of the agreement with its due date."""

    description: LongText
    due_on: date


class AgreementDetails(Frozen):
    """调解协议: terms and the performance items."""

    terms: LongText
    form: AgreementForm = AgreementForm.WRITTEN
    signed_on: date
    items: Annotated[tuple[PerformanceItemDetails, ...], Field(max_length=100)] = ()


class MediationFailureDetails(Frozen):
    """调解不成 / 终止调解: the reason and the route the parties are told of."""

    reason: LongText
    referral: ReferralRoute


class JudicialConfirmationDetails(Frozen):
    """司法确认 application: the court and the date of the joint application."""

    court: ShortText
    applied_on: date


class CourtDecisionDetails(Frozen):
    """The court's ruling on the application: confirmed (确认有效) or rejected (驳回)."""

    decision: CourtDecision
    decided_on: date
    ruling_number: Annotated[str, Field(max_length=100)] = ""
    reason: OptionalText = ""


class CourtAcceptanceDetails(Frozen):
    """The court accepted the application for judicial confirmation (受理)."""

    accepted_on: date


class PauseDetails(Frozen):
    """中止计时: appraisal (鉴定), hearing (听证) or another reason the rule allows."""

    clock_id: ShortText
    reason: ShortText
    note: OptionalText = ""


class ResumeDetails(Frozen):
    """恢复计时."""

    clock_id: ShortText


class ExtendDetails(Frozen):
    """延期: one approved extension, with approver and reason."""

    clock_id: ShortText
    length: Annotated[int, Field(ge=1, le=365)]
    approver: ShortText
    reason: LongText


class AcknowledgeDetails(Frozen):
    """签收: a leader acknowledges an alert, stopping its escalation."""

    alert_id: ShortText
    note: OptionalText = ""


class AnswerDetails(Frozen):
    """处理意见书 / 复查意见 / 复核意见: the written answer and the day it was served."""

    answer: LongText
    answered_on: date


class RequestDetails(Frozen):
    """申请复查 / 申请复核: when the petitioner asked, and why."""

    requested_on: date
    reason: LongText


class RepeatDetails(Frozen):
    """重复信访: the same matter filed again while this petition is pending."""

    received_on: date
    channel: Channel
    summary: OptionalText = ""


class DivertDetails(Frozen):
    """访调对接: the petition goes to mediation; a linked dispute case is opened."""

    dispute_case_id: Annotated[str, Field(pattern=r"^JF-\d{4}-\d{6,}$")]
    note: OptionalText = ""


class ItemPerformance(Frozen):
    item_no: Annotated[int, Field(ge=1)]
    status: PerformanceStatus


class FollowUpDetails(Frozen):
    """回访: the visit, performance per item and the parties' satisfaction."""

    visited_on: date
    performance: Annotated[tuple[ItemPerformance, ...], Field(max_length=100)] = ()
    satisfaction: Satisfaction
    notes: OptionalText = ""

    @field_validator("performance")
    @classmethod
    def _unique_items(cls, value: tuple[ItemPerformance, ...]) -> tuple[ItemPerformance, ...]:
        numbers = [p.item_no for p in value]
        if len(numbers) != len(set(numbers)):
            raise ValueError("履行事项重复 / an item appears twice")
        return value


class CloseDetails(Frozen):
    """销号."""

    remark: OptionalText = ""


class WithdrawDetails(Frozen):
    """撤回."""

    reason: LongText
