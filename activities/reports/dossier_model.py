"""The case dossier (案件卷宗) as a typed document: what ``build_dossier`` returns, the PDF prints.

Frozen pydantic models, one per part of the dossier. ``Dossier.model_dump(mode="json")`` is the
JSON document the API serves (times in China time, ISO 8601 with +08:00 to the second; dates as
``YYYY-MM-DD``; enumerations as their values, each beside its Chinese ``*_label``), and
``Dossier.model_validate`` reads such a document back, masked or not (the API masks the JSON
and prints the PDF from the masked document read back).

Values are copied, not re-derived: labels, due texts and summaries are written by the builder
(``activities/reports/dossier.py``) from the case, so a reader of the document needs no domain
rules to show it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from domain.audit.chain import ChainBreak
from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.policy import Role
from domain.case.stages import Stage
from domain.deadlines.clock_rules import Confidence
from domain.values import (
    CHINA_TZ,
    CaseKind,
    Category,
    Channel,
    CloseOutcome,
    CourtDecision,
    MediationType,
    PartyType,
    PerformanceStatus,
    ReferralRoute,
    RiskLevel,
    Satisfaction,
)

DOSSIER_TITLE = "案件卷宗"
DOSSIER_SCHEMA_VERSION = 1


def china_iso(at: datetime) -> str:
    """``2026-03-02T09:30:00+08:00``: an instant in China time, to the second."""
    return at.astimezone(CHINA_TZ).isoformat(timespec="seconds")


# An instant, written in China time to the second in the JSON document.
Instant = Annotated[AwareDatetime, PlainSerializer(china_iso, return_type=str, when_used="json")]


class Part(BaseModel):
    """One part of the dossier: immutable, and no field the document does not define."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Stamp(Part):
    """Who recorded something (记录人), and when."""

    at: Instant
    by: str


class Jurisdiction(Part):
    """管辖: the division codes and names as registered, the most specific code and a label."""

    county_code: str
    town_code: str | None
    village_code: str | None
    county_name: str | None
    town_name: str | None
    village_name: str | None
    code: str
    label: str


class CaseSummary(Part):
    """案件基本情况."""

    case_id: str
    kind: CaseKind
    kind_label: str
    title: str
    description: str
    category: Category
    category_label: str
    channel: Channel
    channel_label: str
    jurisdiction: Jurisdiction
    risk_level: RiskLevel
    risk_label: str
    risk_flags: list[str]
    risk_flag_labels: list[str]
    stage: Stage
    stage_label: str
    received_on: date | None
    registered: Stamp
    accepted: Stamp | None
    updated_at: Instant
    seq: int
    diverted_to: str | None


class Party(Part):
    """当事人, as the caller handed the case over (masked or not: nothing here masks)."""

    name: str
    party_type: PartyType
    id_number: str | None
    phone: str | None
    address: str | None
    # 重点人员: absent from the document of a reader who may not see it (the API removes it).
    watched: bool | None = None
    party_type_label: str

    @model_serializer(mode="wrap")
    def _without_hidden_flag(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.watched is None:
            del data["watched"]
        return data


class Parties(Part):
    applicants: list[Party]
    respondents: list[Party]


class Decline(Part):
    """不予受理."""

    reason: str
    referral: str
    recorded: Stamp


class Plan(Part):
    """一案一策, one revision."""

    revision: int
    responsible_unit: str
    responsible_person: str
    measures: list[str]
    deadline: date
    note: str
    recorded: Stamp


class PackageLeader(Part):
    """领导包案; ``current`` marks the leader who holds the case now."""

    leader_name: str
    leader_title: str
    reason: str
    current: bool
    recorded: Stamp


class Session(Part):
    """调解会."""

    session_no: int
    held_on: date
    mediators: list[str]
    attendees: list[str]
    summary: str
    counselling: bool
    recorded: Stamp


class MediationRound(Part):
    """One round of mediation (调解) and its sessions."""

    round: int
    mediation_type: MediationType
    mediation_type_label: str
    mediators: list[str]
    started: Stamp
    sessions: list[Session]


class MediationFailure(Part):
    """调解不成, and the route the parties were told of."""

    reason: str
    referral: ReferralRoute
    referral_label: str
    recorded: Stamp


class AgreementItem(Part):
    """履行事项."""

    item_no: int
    description: str
    due_on: date
    status: PerformanceStatus
    status_label: str


class Agreement(Part):
    """调解协议; ``form`` is kept as recorded (a form unknown today keeps its own name)."""

    agreement_no: int
    terms: str
    form: str
    form_label: str
    signed_on: date
    all_performed: bool
    items: list[AgreementItem]
    recorded: Stamp


class Ruling(Part):
    """The court's ruling (裁定) on an application for judicial confirmation."""

    decision: CourtDecision
    decision_label: str
    decided_on: date
    ruling_number: str
    reason: str
    recorded: Stamp | None


class JudicialConfirmation(Part):
    """司法确认."""

    court: str
    applied_on: date
    applied: Stamp
    accepted_on: date | None
    decision: Ruling | None


class ItemPerformance(Part):
    item_no: int
    status: PerformanceStatus
    status_label: str


class FollowUp(Part):
    """回访."""

    visit_no: int
    visited_on: date
    satisfaction: Satisfaction
    satisfaction_label: str
    performance: list[ItemPerformance]
    notes: str
    recorded: Stamp


class Answer(Part):
    """处理意见 / 复查意见 / 复核意见."""

    level: int
    level_label: str
    requested_on: date | None
    request_reason: str
    answer: str | None
    answered_on: date | None
    recorded: Stamp


class Finalization(Part):
    """终结."""

    reason: str
    recorded: Stamp


class Repeat(Part):
    """重复信访; ``channel`` is kept as recorded."""

    received_on: date
    channel: str
    channel_label: str
    summary: str
    recorded: Stamp


class Petition(Part):
    """信访: the answers, finalisation, repeats and the link to a diverted dispute (访调对接)."""

    answers: list[Answer]
    finalized: Finalization | None
    repeats: list[Repeat]
    diverted_to: str | None


class Withdrawal(Part):
    """撤回."""

    reason: str
    recorded: Stamp


class Closure(Part):
    """销号."""

    outcome: CloseOutcome
    outcome_label: str
    remark: str
    recorded: Stamp


class Organisation(Part):
    """单位 as the case recorded it (name, level and type at the time)."""

    org_id: str
    name: str
    level_label: str
    type_label: str


class HandOff(Part):
    """转办 / 签收 / 退回 / 交办 / 反馈 / 上提 / 联合调处: one hand-off, in order."""

    kind: str
    kind_label: str
    organisation: Organisation
    from_organisation: Organisation | None
    reason: str
    recorded: Stamp


class Assignment(Part):
    """交办 with its report-back deadline (A4) and the department's report, once given."""

    assignment_no: int
    department: Organisation
    deadline: date
    instructions: str
    assigned: Stamp
    result: str | None
    reported_on: date | None
    reported: Stamp | None


class Handoffs(Part):
    """承办单位与转办交办: who holds the case, the transfer awaiting 签收, the organisations
    that held it, the co-handlers, the assignments, a lift suggestion and every hand-off."""

    holder: Organisation | None
    incoming: Organisation | None
    former_holders: list[str]
    co_handlers: list[Organisation]
    assignments: list[Assignment]
    lift_suggestion: str | None
    log: list[HandOff]


class EscalationLevel(Part):
    level: int
    role: Role
    role_label: str
    wait_hours: float
    renotify: int


class EscalationChain(Part):
    """督办链 (``name``: how a reader calls it, ``domain.case.labels.chain_label``)."""

    chain_id: str
    name: str
    levels: list[EscalationLevel]


class PolicyRule(Part):
    """One clock rule (时限规则) of the snapshot, with where it comes from."""

    rule_id: str
    name: str
    period_label: str
    source: str
    confidence: Confidence


class Policy(Part):
    """The policy snapshot the case's clocks were computed from."""

    version: str
    calendar_version: str
    calendar_years: list[int]
    chain: EscalationChain
    immediate_report_levels: list[RiskLevel]
    rules: list[PolicyRule]


class Pause(Part):
    """中止计时: recorded from ``started_at`` to ``ended_at``; not counted from ``paused_on``
    until counting resumed on ``resumed_on`` (the legal dates, when the commands gave them)."""

    reason: str
    reason_label: str
    note: str
    started_at: Instant
    ended_at: Instant | None
    paused_on: date | None = None
    resumed_on: date | None = None


class Extension(Part):
    """延期: an approved length, or the new last day the parties agreed (``new_end``)."""

    length: int | None
    unit_label: str
    approver: str
    reason: str
    granted_at: Instant
    new_end: date | None = None


class FactDate(Part):
    """The legal fact a period counts from, and when it was recorded (补录 when later)."""

    fact: str
    label: str
    on: date
    recorded_at: Instant | None
    late_days: int


class Clock(Part):
    """办理时限: one clock, its period, due time (as the law states it) and history."""

    clock_id: str
    rule_id: str
    name: str
    subject: str
    period_label: str
    source: str | None
    status: ClockStatus
    status_label: str
    started_at: Instant
    start: FactDate | None = None  # policy 2026.2: the legal fact and its date
    cap_start: FactDate | None = None  # the cap's own start (C5: the court's acceptance)
    due_at: Instant
    due_display: str
    last_day: date | None
    provisional: bool
    due_steps: list[str]
    warn_at: Instant | None
    warned_at: Instant | None
    ended_at: Instant | None
    pauses: list[Pause]
    extensions: list[Extension]


class Alert(Part):
    """预警与督办: one alert and where its escalation stands."""

    alert_id: str
    kind: AlertKind
    kind_label: str
    title: str
    clock_id: str | None
    raised_at: Instant
    level: int
    recipient: str
    recipient_label: str
    status: AlertStatus
    status_label: str
    notifications: int
    next_step_at: Instant | None
    acknowledged_by: str | None
    acknowledged_at: Instant | None
    closed_reason: str | None


class TimelineEntry(Part):
    """全程记录: one event, with its Chinese label and summary."""

    seq: int
    at: Instant
    type: str
    label: str
    actor: str
    summary: str


# The verification facts the PDF shows in their own rows; every other fact given follows them.
_SHOWN_APART = frozenset({"ok", "events", "head_hash", "first_broken", "read_model_matches"})


class Verification(BaseModel):
    """完整性校验: the audit chain check as the caller ran it, copied as given.

    Only the facts given are written back (unknown ones too, after the known ones), so the
    document states exactly what was checked. A missing ``ok`` counts as not verified.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    case_id: str | None = None
    ok: bool = False
    chain_ok: bool | None = None
    events: int | None = None
    head_hash: str | None = None
    first_broken: ChainBreak | None = None
    read_model_matches: bool | None = None
    read_model_differences: list[str] | None = None

    @model_serializer(mode="wrap")
    def _as_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if key in self.model_fields_set}

    def other_facts(self) -> list[tuple[str, Any]]:
        """The facts given besides those the PDF shows in their own rows, in order."""
        extra = self.model_extra or {}
        names = [*type(self).model_fields, *extra]
        return [
            (name, extra[name] if name in extra else getattr(self, name))
            for name in names
            if name in self.model_fields_set and name not in _SHOWN_APART
        ]


class Dossier(Part):
    """案件卷宗: the whole case as one document, with who generated it, when and why."""

    document: Literal["case_dossier"] = "case_dossier"
    schema_version: int = DOSSIER_SCHEMA_VERSION
    title: str = DOSSIER_TITLE
    generated_at: Instant
    generated_by: str
    purpose: str | None
    case: CaseSummary
    parties: Parties
    decline: Decline | None
    plans: list[Plan]
    package_leaders: list[PackageLeader]
    mediation_rounds: list[MediationRound]
    mediation_failure: MediationFailure | None
    agreements: list[Agreement]
    judicial_confirmations: list[JudicialConfirmation]
    follow_ups: list[FollowUp]
    petition: Petition | None
    withdrawal: Withdrawal | None
    closure: Closure | None
    handoffs: Handoffs | None = None  # None: a case that never had an organisation recorded
    policy: Policy | None
    clocks: list[Clock]
    alerts: list[Alert]
    timeline: list[TimelineEntry]
    verification: Verification
