"""The content of each step, shared by the command asking for it and the event recording it.

A step that records a legal fact (法律事实: receipt, acceptance, service, signing, a pause) carries
the fact's date, because a period counts from the fact, not from its recording (补录). Where the
law allows the office to leave it out, an omitted date means the day the step is recorded, in
China time; the event keeps the recording time beside it (``Event.at``).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from domain.base import Frozen
from domain.days import Day
from domain.organisation.organisations import OrgRef
from domain.parties import SIDE_LABELS, Agent, Party, PartySide
from domain.text import LongText, OptionalName, OptionalText, ShortText
from domain.values import (
    AgreementForm,
    CaseKind,
    Category,
    Channel,
    CourtDecision,
    Jurisdiction,
    MediationType,
    PerformanceStatus,
    ReferralRoute,
    RiskFlags,
    RiskLevel,
    Satisfaction,
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
    third_parties: Annotated[tuple[Party, ...], Field(max_length=200)] = ()  # 第三人
    agents: Annotated[tuple[Agent, ...], Field(max_length=200)] = ()  # 代理人
    risk_level: RiskLevel = RiskLevel.LOW
    flags: RiskFlags = RiskFlags()
    received_on: Annotated[
        Day | None,
        Field(
            description="收到申请（来信来访）之日；期间自该日起算（补录时填写实际日期）。省略则为"
            "登记当日（北京时间）/ the day the application was received; periods count from it "
            "(give it when recording late). Omitted: the day of registration, China time."
        ),
    ] = None
    mediation_track: Annotated[
        MediationType | None,
        Field(
            description="申请的调解类型，登记时已知且有时限取决于它时填写（如卫生主管部门的医疗"
            "纠纷行政调解：5个工作日内决定是否受理）/ the mediation applied for, when a clock "
            "depends on it from intake (e.g. administrative medical mediation, E5a)"
        ),
    ] = None

    @model_validator(mode="after")
    def _agents_act_for_parties(self) -> Self:
        sides = {
            PartySide.APPLICANTS: self.applicants,
            PartySide.RESPONDENTS: self.respondents,
            PartySide.THIRD_PARTIES: self.third_parties,
        }
        for agent in self.agents:
            for ref in agent.represents:
                if ref.index >= len(sides[ref.side]):
                    raise ValueError(
                        f"代理人{agent.name}代理的当事人不存在（{SIDE_LABELS[ref.side]}"
                        f"{ref.index + 1}）"
                        f" / agent {agent.name} acts for a party that is not in the case"
                    )
        return self


class AcceptDetails(Frozen):
    """受理."""

    note: OptionalText = ""
    accepted_on: Annotated[
        Day | None,
        Field(
            description="受理之日；受理后的期间自该日起算。省略则为录入当日（北京时间）/ the day "
            "the case was accepted; periods from acceptance count from it. Omitted: the day it "
            "is recorded, China time."
        ),
    ] = None


class DeclineDetails(Frozen):
    """不予受理: a reason and where the parties are referred."""

    reason: LongText
    referral: ShortText


class PlanDetails(Frozen):
    """一案一策: responsible unit 责任单位, person 责任人, measures 化解措施, deadline 化解时限."""

    responsible_unit: ShortText
    responsible_person: ShortText
    measures: Annotated[tuple[LongText, ...], Field(min_length=1, max_length=50)]
    deadline: Day
    note: OptionalText = ""
    # The 责任单位 chosen from the registry (单位名录); None: named by hand (其他), or recorded
    # before the registry was offered.
    unit_id: ShortText | None = None
    # The 责任人 chosen from the users (their user id; ``responsible_person`` their name then);
    # None: named by hand, or recorded before the users were offered.
    responsible_person_id: ShortText | None = None


class PackageLeaderDetails(Frozen):
    """领导包案: the leader who answers for the case."""

    leader_name: ShortText
    leader_title: ShortText
    reason: OptionalText = ""
    # The leader chosen from the users, or the receiving leader of a 领导接访 (their user id;
    # ``leader_name`` their name then); None: named by hand, or recorded before ids were kept.
    leader_id: ShortText | None = None


class MediationDetails(Frozen):
    """调解 begins: its type and the mediators."""

    mediation_type: MediationType
    mediators: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=50)]
    # The roster entries the mediators were chosen from (调解员名册), in the same order.
    mediator_ids: Annotated[tuple[ShortText, ...], Field(max_length=50)] = ()
    started_on: Annotated[
        Day | None,
        Field(
            description="开始调解之日（如交通事故调解期间自此起算）。省略则为录入当日（北京时间）"
            "/ the day mediation began (e.g. the traffic mediation period counts from it). "
            "Omitted: the day it is recorded, China time."
        ),
    ] = None


class SessionDetails(Frozen):
    """调解会: one meeting and its record (调解笔录)."""

    held_on: Day
    mediators: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=50)]
    attendees: Names = ()
    summary: LongText
    counselling: bool = False


class PerformanceItemDetails(Frozen):
    """One obligation of the agreement with its due date."""

    description: LongText
    due_on: Day


class AgreementDetails(Frozen):
    """调解协议: terms and the performance items."""

    terms: LongText
    form: AgreementForm = AgreementForm.WRITTEN
    signed_on: Day
    items: Annotated[tuple[PerformanceItemDetails, ...], Field(max_length=100)] = ()


class MediationFailureDetails(Frozen):
    """调解不成 / 终止调解: the reason and the route the parties are told of."""

    reason: LongText
    referral: ReferralRoute
    failed_on: Annotated[
        Day | None,
        Field(
            description="调解终结（调解不成）之日；补录时填写实际日期。省略则为录入当日（北京时间）"
            "/ the day mediation ended without agreement (give it when recording late). "
            "Omitted: the day it is recorded, China time."
        ),
    ] = None


class JudicialConfirmationDetails(Frozen):
    """司法确认 application: the court and the date of the joint application."""

    court: ShortText
    applied_on: Day
    court_id: ShortText | None = None  # the 人民法院 chosen from the registry; None: by hand


class CourtDecisionDetails(Frozen):
    """The court's ruling on the application: confirmed (确认有效) or rejected (驳回)."""

    decision: CourtDecision
    decided_on: Day
    ruling_number: OptionalName = ""
    reason: OptionalText = ""


class CourtAcceptanceDetails(Frozen):
    """The court accepted the application for judicial confirmation (受理)."""

    accepted_on: Day


class PauseDetails(Frozen):
    """中止计时: appraisal (鉴定), hearing (听证) or another reason the rule allows."""

    clock_id: ShortText
    reason: ShortText
    note: OptionalText = ""
    paused_on: Annotated[
        Day | None,
        Field(
            description="中止计时之日（如委托鉴定之日），自该日起不计入期间。省略则为录入当日"
            "（北京时间）/ the day the pause began (e.g. the appraisal was commissioned); not "
            "counted from that day. Omitted: the day it is recorded, China time."
        ),
    ] = None


class ResumeDetails(Frozen):
    """恢复计时."""

    clock_id: ShortText
    resumed_on: Annotated[
        Day | None,
        Field(
            description="恢复计时之日（如收到鉴定意见之日），该日起重新计入期间。省略则为录入当日"
            "（北京时间）/ the day counting resumed (e.g. the appraisal opinion arrived); counted "
            "again from that day. Omitted: the day it is recorded, China time."
        ),
    ] = None


class ExtendDetails(Frozen):
    """延期: one approved extension, with approver and reason.

    By ``length`` (so many more days, counted from the end of the original period), or — where
    the rule lets the parties agree an extension (E4, 条例第38条) — by the agreed ``new_end``.
    """

    clock_id: ShortText
    length: Annotated[
        int | None,
        Field(
            ge=1,
            le=365,
            description="延长的期间（按规则的单位），自原期间届满之日起算；约定延长时不填 / how "
            "much longer, from the end of the original period; leave out for an agreed new end",
        ),
    ] = None
    new_end: Annotated[
        Day | None,
        Field(
            description="约定延长后的期间最后一日（仅适用于可约定延长的时限，如医疗纠纷人民调解）"
            "/ the agreed new last day (only for clocks extended by agreement, e.g. E4)",
        ),
    ] = None
    approver: ShortText
    reason: LongText
    approved_on: Annotated[
        Day | None,
        Field(
            description="批准延期之日；补录时填写，须在期间届满之前（含最后一日）。省略则为录入当日"
            "（北京时间）/ the day the extension was approved; when entered late it must fall "
            "within the running period. Omitted: the day it is recorded, China time.",
        ),
    ] = None


class AcknowledgeDetails(Frozen):
    """签收: a leader acknowledges an alert, stopping its escalation."""

    alert_id: ShortText
    note: OptionalText = ""


class AnswerDetails(Frozen):
    """处理意见书 / 复查意见 / 复核意见: the written answer, the day it was made and the day it
    was served on the petitioner (the request window counts from service, 条例第35、36条)."""

    answer: LongText
    answered_on: Day
    served_on: Annotated[
        Day | None,
        Field(
            description="送达信访人之日；申请复查、复核的期间自送达之日起算。省略则为录入当日"
            "（北京时间），即当场送达 / the day the written answer was served on the petitioner; "
            "the window to request a review counts from it. Omitted: the day it is recorded, "
            "China time (served on the spot)."
        ),
    ] = None


class RequestDetails(Frozen):
    """申请复查 / 申请复核: when the petitioner asked, and why."""

    requested_on: Day
    reason: LongText


class RepeatDetails(Frozen):
    """重复信访: the same matter filed again while this petition is pending."""

    received_on: Day
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

    visited_on: Day
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


# Hand-offs between organisations (转办 / 签收 / 退回 / 交办 / 上提 / 联合调处).


class TransferDetails(Frozen):
    """转办: the case goes to another organisation, which takes it (签收) or sends it back."""

    to_organisation: OrgRef
    reason: LongText


class TakeDetails(Frozen):
    """签收: the receiving organisation takes the transferred case."""

    note: OptionalText = ""


class ReturnDetails(Frozen):
    """退回: the receiving organisation sends the transferred case back, saying why."""

    reason: LongText


class RecallDetails(Frozen):
    """撤回转办: the sender takes back a transfer not yet taken (签收) or returned, saying why."""

    reason: LongText


class AssignDetails(Frozen):
    """交办: a department is assigned the case and reports back by a deadline the assigner sets
    (DEADLINES A4)."""

    department: OrgRef
    deadline: Day
    instructions: LongText


class ReportBackDetails(Frozen):
    """办理结果反馈: the assigned department reports what it did."""

    assignment_no: Annotated[int, Field(ge=1)]
    result: LongText
    reported_on: Annotated[
        Day | None,
        Field(
            description="反馈之日。省略则为录入当日（北京时间）"
            "/ the day of the report. Omitted: the day it is recorded, China time."
        ),
    ] = None


class LiftDetails(Frozen):
    """上提一级: handling moves to the organisation above ("331": failed rounds at a village)."""

    to_organisation: OrgRef
    reason: LongText


class CoHandlerDetails(Frozen):
    """联合调处: an organisation joins (or leaves) the handling of the case."""

    organisation: OrgRef
    note: OptionalText = ""
