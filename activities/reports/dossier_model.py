"""The case dossier (案件卷宗) as a typed document: what ``build_dossier`` returns, the PDF prints.

Frozen pydantic models, one per part of the dossier. ``Dossier.model_dump(mode="json")`` is the
JSON document the API serves (times in China time, ISO 8601 with +08:00 to the second; dates as
``YYYY-MM-DD``; enumerations as their values, each beside its Chinese ``*_label``), and
``Dossier.model_validate`` reads such a document back, masked or not (the API masks the JSON
and prints the PDF from the masked document read back).

Here: the whole document and the record of its time-keeping and audit (policy, clocks, alerts,
timeline, verification). The parts of the case's own sections (the case, its parties, mediation,
the petition, hand-offs) are in ``activities.reports.sections``, one module per section.

Values are copied, not re-derived: labels, due texts and summaries are written by the builder
(``activities/reports/dossier.py`` and the sections) from the case, so a reader of the document
needs no domain rules to show it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from activities.reports.sections.attachments import AttachmentEntry
from activities.reports.sections.case import (
    CaseSummary,
    Closure,
    Decline,
    PackageLeader,
    Parties,
    Plan,
    Withdrawal,
)
from activities.reports.sections.handoffs import Handoffs
from activities.reports.sections.leaders import AccountabilityEntry, Instruction, RiskAssessment
from activities.reports.sections.mediation import (
    Agreement,
    FollowUp,
    JudicialConfirmation,
    MediationFailure,
    MediationRound,
)
from activities.reports.sections.parts import Instant, Part
from activities.reports.sections.petition import Petition
from domain.audit.chain import ChainBreak
from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.policy import Role
from domain.deadlines.clock_rules import Confidence
from domain.values import RiskLevel

DOSSIER_TITLE = "案件卷宗"
DOSSIER_SCHEMA_VERSION = 1


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
    # 证据材料: every file kept with the case and its hash (issued 文书 join them when issued).
    attachments: list[AttachmentEntry] = []
    risk_assessments: list[RiskAssessment] = []  # 风险研判 after intake
    instructions: list[Instruction] = []  # 领导批示 and 签收意见, with their 落实反馈
    accountability: list[AccountabilityEntry] = []  # 约谈/通报 about the case (append-only)
    policy: Policy | None
    clocks: list[Clock]
    alerts: list[Alert]
    timeline: list[TimelineEntry]
    verification: Verification
