"""Request and response models of the case API (one request model per action)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from activities.identity.access_trail import TrailEntry
from activities.store.repositories import CaseSummary
from domain.base import Frozen
from domain.case import commands as c
from domain.case import details as d
from domain.case.agenda import ScheduleNo
from domain.case.events import Event
from domain.case.facts import late_days, stated_date
from domain.case.labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    RISK_LABELS,
    STAGE_LABELS,
)
from domain.case.stages import Stage
from domain.case.state import CaseState
from domain.organisation.organisations import OrgId
from domain.text import OptionalText, Remark, ShortText
from domain.values import Category, Channel, Phone, ResidentId, RiskLevel


class Labels(BaseModel):
    """Chinese labels for a case's coded fields (for the console and documents)."""

    stage: str
    category: str
    channel: str
    risk_level: str


def labels_of(stage: str, category: str, channel: str, risk_level: str) -> Labels:
    return Labels(
        stage=STAGE_LABELS[Stage(stage)],
        category=CATEGORY_LABELS[Category(category)],
        channel=CHANNEL_LABELS[Channel(channel)],
        risk_level=RISK_LABELS[RiskLevel(risk_level)],
    )


class CaseView(CaseState):
    """A case as the API shows it: the state and its Chinese labels."""

    labels: Labels


def case_view_json(document: dict[str, Any]) -> dict[str, Any]:
    """CaseView as JSON from a case document, without validating the state again (hot path)."""
    labels = labels_of(
        document["stage"], document["category"], document["channel"], document["risk_level"]
    )
    return {**document, "labels": labels.model_dump()}


class ReportPhoto(BaseModel):
    """A photo taken with a grid worker's report (网格员上报照片): shown as a thumbnail."""

    attachment_id: str
    name: str
    thumbnail: bool
    withdrawn: bool


class ReportStatus(BaseModel):
    """A reported case as its grid worker (网格员) follows it: its stage, not its record; the
    photos of the report itself (nothing else kept with the case)."""

    case_id: str
    kind: str
    title: str
    category: str
    channel: str
    grid_code: str | None
    stage: str
    registered_at: datetime
    updated_at: datetime
    holder: str | None  # the organisation handling it now
    labels: Labels
    photos: list[ReportPhoto] = []


class CaseListItem(CaseSummary):
    labels: Labels
    # 检索命中: what the search found of a party or the description, masked (None otherwise).
    hit: str | None = None


class CaseStats(BaseModel):
    """案件统计: counts within the caller's reach only."""

    total: int
    by_stage: dict[str, int]
    backlog: int = 0  # 积案: open longer than the policy's threshold (backlog_days)
    backlog_days: int | None = None


class CaseList(BaseModel):
    items: list[CaseListItem]
    next_cursor: str | None


class WorkItemView(BaseModel):
    """待办: one thing to do on a case, with the case's summary (masked like a list line)."""

    case_id: str
    kind: str
    kind_label: str
    organisation: str | None  # the organisation it needs (None: a leader's backlog line)
    due_at: datetime | None
    overdue: bool
    since: datetime
    summary: str
    assignment_no: int | None = None
    clock_id: str | None = None
    title: str
    stage: str
    stage_label: str
    category: str
    category_label: str
    jurisdiction_code: str
    # The case's 承办单位 and its parties (``张伟 等3人``: names only, as the case list shows them).
    holder_id: str | None = None
    holder_name: str | None = None
    parties_label: str | None = None


class Worklist(BaseModel):
    """我的待办: what needs the caller's organisation (or the caller) now, nearest due first,
    with counts per group; a leader's: warnings, overdue clocks and lift suggestions within the
    jurisdiction subtree."""

    scope: str  # organisation | mine | jurisdiction
    organisation: str | None
    jurisdiction: str | None
    group: str | None
    counts: dict[str, int]
    group_labels: dict[str, str]
    total: int
    items: list[WorkItemView]
    next_cursor: str | None


class PartyQuery(Frozen):
    """同一当事人的其他案件: an ID number, or a name and a phone (in the body, never the URL)."""

    id_number: ResidentId | None = None
    name: ShortText | None = None
    phone: Phone | None = None


class RelatedCase(CaseListItem):
    open: bool  # not withdrawn or closed


class RelatedCases(BaseModel):
    """Cases sharing a party, within the caller's reach, newest first (open and past)."""

    items: list[RelatedCase]
    open: int
    past: int


class TimelineEntry(BaseModel):
    seq: int
    type: str
    label: str
    at: datetime  # when it was recorded
    actor: str
    command_id: str
    summary: str = ""  # what changed, in Chinese
    # The legal date the event states for its fact, and how many days later it was recorded
    # (补录; 0 when recorded on the day or when the event states no date).
    fact_on: date | None = None
    late_days: int = 0
    data: dict[str, Any]


class Timeline(BaseModel):
    case_id: str
    entries: list[TimelineEntry]


def timeline_entry(event: Event, summary: str = "") -> TimelineEntry:
    data = event.body.model_dump(mode="json", exclude={"type"})
    return TimelineEntry(
        seq=event.seq,
        type=event.type,
        label=EVENT_LABELS.get(event.type, event.type),
        at=event.at,
        actor=event.actor,
        command_id=event.command_id,
        summary=summary,
        fact_on=stated_date(event.body),
        late_days=late_days(event),
        data=data,
    )


class CommandBody(Frozen):
    """A command's body. Who performs it comes from authentication; a body naming an actor is
    refused (unknown field), so no client can claim to be someone else."""


class RoutingChoice(CommandBody):
    """分流: the organisation the registrar sends the case to instead of the suggestion."""

    organisation: Annotated[OrgId, Field(description="承办单位编号 / the organisation's id")]
    reason: Annotated[
        Remark,
        Field(description="不采纳建议的理由 / why the suggestion is not taken"),
    ] = ""


class IntakeRequest(d.IntakeDetails, CommandBody):
    routing: Annotated[
        RoutingChoice | None,
        Field(description="省略则按分流规则的建议办理 / omitted: the routing rules' suggestion"),
    ] = None


class AcceptRequest(d.AcceptDetails, CommandBody):
    pass


class DeclineRequest(d.DeclineDetails, CommandBody):
    pass


class PlanRequest(d.PlanDetails, CommandBody):
    """一案一策: 责任单位 chosen from the registry (``unit_id``: the API records its name), or
    named by hand (``responsible_unit``) where none fits; 责任人 likewise, chosen from the staff
    of the holding organisation (``responsible_person_id``) or named (``responsible_person``)."""

    responsible_unit: ShortText = ""

    @model_validator(mode="before")
    @classmethod
    def _person_by_id(cls, data: Any) -> Any:
        return _named_by_id(data, "responsible_person_id", "responsible_person")

    @model_validator(mode="after")
    def _unit_named(self) -> Self:
        if not self.unit_id and not self.responsible_unit:
            raise ValueError(
                "请选择责任单位，或选“其他（手填）”并填写单位名称"
                " / choose the responsible unit from the registry (unit_id) or name it"
            )
        return self


def _named_by_id(data: Any, id_field: str, name_field: str) -> Any:
    """A person chosen by user id needs no name typed: the id stands in until the API records
    the user's name (``api.services.people_picks``); with neither, the name is what is missing."""
    if isinstance(data, dict) and data.get(id_field) and not data.get(name_field):
        return {**data, name_field: data[id_field]}
    return data


class PackageLeaderRequest(d.PackageLeaderDetails, CommandBody):
    """领导包案: the leader chosen from the leaders whose area holds the case (``leader_id``: the
    API records their name), or named by hand (``leader_name``) where none fits."""

    @model_validator(mode="before")
    @classmethod
    def _leader_by_id(cls, data: Any) -> Any:
        return _named_by_id(data, "leader_id", "leader_name")


class StartMediationRequest(d.MediationDetails, CommandBody):
    """开始调解: mediators chosen from the roster (``mediator_ids``: the API fills in their names
    from the roster), or named (``mediators``)."""

    mediators: Annotated[tuple[ShortText, ...], Field(max_length=50)] = ()


class SessionRequest(d.SessionDetails, CommandBody):
    schedule_no: ScheduleNo | None = None  # the booked session it is (调解会排期), if any


class AgreementRequest(d.AgreementDetails, CommandBody):
    pass


class MediationFailureRequest(d.MediationFailureDetails, CommandBody):
    pass


class JudicialConfirmationRequest(d.JudicialConfirmationDetails, CommandBody):
    """司法确认: the 人民法院 chosen from the registry (``court_id``: the API records its name), or
    named by hand (``court``) where none fits."""

    court: ShortText = ""

    @model_validator(mode="after")
    def _court_named(self) -> Self:
        if not self.court_id and not self.court:
            raise ValueError(
                "请选择人民法院，或选“其他（手填）”并填写法院名称"
                " / choose the court from the registry (court_id) or name it"
            )
        return self


class CourtDecisionRequest(d.CourtDecisionDetails, CommandBody):
    pass


class FollowUpRequest(d.FollowUpDetails, CommandBody):
    pass


class CloseRequest(d.CloseDetails, CommandBody):
    pass


class WithdrawRequest(d.WithdrawDetails, CommandBody):
    pass


class CourtAcceptanceRequest(d.CourtAcceptanceDetails, CommandBody):
    pass


class PauseRequest(d.PauseDetails, CommandBody):
    pass


class ResumeRequest(d.ResumeDetails, CommandBody):
    pass


class ExtendRequest(d.ExtendDetails, CommandBody):
    pass


class AcknowledgeRequest(d.AcknowledgeDetails, CommandBody):
    pass


class ReplyRequest(d.AnswerDetails, CommandBody):
    pass


class RequestReviewRequest(d.RequestDetails, CommandBody):
    pass


class RepeatRequest(d.RepeatDetails, CommandBody):
    pass


class DiversionRequest(CommandBody):
    """访调对接: opens the linked dispute case and records it on the petition."""

    note: OptionalText = ""


class AlertAckRequest(CommandBody):
    """签收 through ``POST /v1/alerts/{alert_id}/ack``."""

    note: OptionalText = ""


class ActionRoute(BaseModel):
    """One ``POST /v1/cases/{case_id}/{path}`` route and the command it sends."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: str
    command: type[Frozen]
    request: type[CommandBody]
    summary: str


def _route(
    path: str, command: type[Frozen], request: type[CommandBody], summary: str
) -> ActionRoute:
    return ActionRoute(path=path, command=command, request=request, summary=summary)


ACTION_ROUTES: tuple[ActionRoute, ...] = (
    _route("accept", c.Accept, AcceptRequest, "受理 / accept"),
    _route("decline", c.Decline, DeclineRequest, "不予受理 / decline"),
    _route("plan", c.Plan, PlanRequest, "一案一策 / set or revise the plan"),
    _route(
        "package-leader",
        c.AssignPackageLeader,
        PackageLeaderRequest,
        "领导包案 / assign the package leader",
    ),
    _route(
        "start-mediation", c.StartMediation, StartMediationRequest, "开始调解 / start mediation"
    ),
    _route("sessions", c.RecordSession, SessionRequest, "调解会 / record a mediation session"),
    _route("agreement", c.RecordAgreement, AgreementRequest, "调解协议 / record the agreement"),
    _route(
        "mediation-failure",
        c.RecordMediationFailure,
        MediationFailureRequest,
        "调解不成 / record mediation failure",
    ),
    _route(
        "judicial-confirmation",
        c.ApplyJudicialConfirmation,
        JudicialConfirmationRequest,
        "申请司法确认 / apply for judicial confirmation",
    ),
    _route(
        "court-decision",
        c.RecordCourtDecision,
        CourtDecisionRequest,
        "法院裁定 / record the court's decision",
    ),
    _route("follow-ups", c.RecordFollowUp, FollowUpRequest, "回访 / record a follow-up visit"),
    _route("close", c.Close, CloseRequest, "销号 / close the case"),
    _route("withdraw", c.Withdraw, WithdrawRequest, "撤回 / withdraw the case"),
    _route(
        "court-acceptance",
        c.RecordCourtAcceptance,
        CourtAcceptanceRequest,
        "法院受理司法确认申请 / the court accepted the application",
    ),
    _route("clocks/pause", c.PauseClock, PauseRequest, "中止计时 / pause a clock"),
    _route("clocks/resume", c.ResumeClock, ResumeRequest, "恢复计时 / resume a clock"),
    _route("clocks/extend", c.ExtendClock, ExtendRequest, "延期 / extend a clock (once)"),
    _route("alerts/ack", c.AcknowledgeAlert, AcknowledgeRequest, "签收督办 / acknowledge an alert"),
    _route("reply", c.Reply, ReplyRequest, "出具处理意见书 / the petition's written reply"),
    _route("review-requests", c.RequestReview, RequestReviewRequest, "申请复查 / request a review"),
    _route("review-answers", c.AnswerReview, ReplyRequest, "复查意见 / answer the review"),
    _route(
        "second-review-requests",
        c.RequestSecondReview,
        RequestReviewRequest,
        "申请复核 / request a second review",
    ),
    _route(
        "second-review-answers",
        c.AnswerSecondReview,
        ReplyRequest,
        "复核意见 / answer the second review (终结)",
    ),
    _route("repeats", c.RecordRepeat, RepeatRequest, "重复信访 / record a repeat"),
)


class RecipientRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: ShortText
    channels: list[dict[str, Any]]


class StateAsOf(BaseModel):
    """The case as it stood at ``as_of``, folded from its events with the workflow's ``evolve``."""

    case_id: str
    as_of: datetime
    seq: int
    stage: str
    stage_label: str
    plan_revision: int | None
    package_leader: str | None
    policy_version: str | None
    clocks: list[dict[str, Any]]
    open_alerts: list[dict[str, Any]]
    state: dict[str, Any]


class AccessTrail(BaseModel):
    items: list[TrailEntry]


class AlertList(BaseModel):
    items: list[dict[str, Any]]
