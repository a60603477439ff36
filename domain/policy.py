"""Clock rules and escalation chains as versioned data (时限规则与督办链), snapshotted per case.

A case keeps the policy in force at intake: later edits of the policy files change new cases
only. The facts and their sources are in ``shared/domain/DEADLINES.md``.

Each rule names the counting rules it was written for (``counting``): 2026.1, the default when
the field is absent (every snapshot recorded before 2026.2), counts from the recording instant
with ``domain.periods``; 2026.2 counts as a court does, with ``domain.reckoning``. A snapshot
keeps its rules, so a case counts under the rules it was opened with for its whole life.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from domain.base import Frozen
from domain.calendar import HolidayCalendar
from domain.organisations import OrgLevel, OrgType
from domain.periods import PeriodUnit
from domain.values import CaseKind, Category, Channel, MediationType, RiskLevel


class Counting(StrEnum):
    """Which counting rules a clock rule was written for."""

    # Clocks start at the recording instant; months as 30 days; pauses shift the start by
    # calendar days; extensions add to the length; caps from their ``from_event`` as recorded.
    RECORDED_2026_1 = "2026.1"
    # As a court counts (DEADLINES.md, "How periods are counted"): domain.reckoning.
    LEGAL_2026_2 = "2026.2"


class Confidence(StrEnum):
    """V read verbatim in the official text; S only in third-party copies; R recalled; D default."""

    VERBATIM = "V"
    SECONDARY = "S"
    RECALLED = "R"
    DEFAULT = "D"


class ExpiryAction(StrEnum):
    ESCALATE = "escalate"  # raise a breach alert and walk the escalation chain
    FAIL_MEDIATION = "fail_mediation"  # the period's end is the mediation's failure (E4)
    CLOSE_WINDOW = "close_window"  # a request window lapses; nothing is overdue (B7)
    FINALIZE = "finalize"  # a review window lapses: the last answer is final (A7, A8)


class DueSource(StrEnum):
    """Where a clock's length comes from."""

    RULE = "rule"  # ``length`` and ``unit`` of the rule
    PLAN_DEADLINE = "plan_deadline"  # 一案一策 化解时限 chosen by the center
    ITEM_DUE = "item_due"  # the agreement's performance item due date
    ASSIGNMENT_DEADLINE = "assignment_deadline"  # 交办: the report-back deadline the assigner set


class ClockOwner(StrEnum):
    """Who a clock's first alert goes to (the first level of the escalation chain)."""

    CASE = "case"  # the case's responsible person (一案一策 责任人, 包案领导…)
    INCOMING = "incoming"  # the organisation a transfer awaits (签收时限)
    DEPARTMENT = "department"  # the department of the assignment (交办反馈时限)


class ExtensionKind(StrEnum):
    LENGTH = "length"  # approved: so many more days, counted from the original end
    AGREED_END_DATE = "agreed_end_date"  # the parties agree a new end date (E4, 条例 Art.38)


class LimitBasis(StrEnum):
    """Where a limit on extensions comes from: the law itself, or a local policy choice."""

    LAW = "law"
    LOCAL_POLICY = "local_policy"


class Extension(Frozen):
    """延期: how often, how long, approved by whom, and whether the limit is law or local policy.

    ``unit`` is the unit of an extension's length (the rule's unit when absent; calendar days
    for a rule counted in months).
    """

    max_count: Annotated[int, Field(ge=1)] = 1
    max_length: Annotated[int, Field(ge=1)] | None = None
    approver: str
    kind: ExtensionKind = ExtensionKind.LENGTH
    unit: PeriodUnit | None = None
    limit_basis: LimitBasis = LimitBasis.LAW
    limit_source: str = ""

    @model_validator(mode="after")
    def _limited(self) -> Self:
        if self.kind is ExtensionKind.LENGTH and self.max_length is None:
            raise ValueError("an extension by length needs max_length")
        if self.limit_basis is LimitBasis.LOCAL_POLICY and not self.limit_source:
            raise ValueError("a limit set by local policy names its source (limit_source)")
        return self


class Cap(Frozen):
    """A hard outer limit counted from another event (e.g. C5's 30 days over C4)."""

    rule_id: str
    length: Annotated[int, Field(ge=1)]
    unit: PeriodUnit
    from_event: str


class ClockRule(Frozen):
    rule_id: str
    name: str
    source: str
    confidence: Confidence
    kinds: tuple[CaseKind, ...] = (CaseKind.DISPUTE,)
    categories: tuple[Category, ...] = ()  # empty: every category
    channels: tuple[Channel, ...] = ()  # empty: every channel
    start_on: tuple[str, ...]
    stop_on: tuple[str, ...]
    due_source: DueSource = DueSource.RULE
    length: Annotated[int, Field(ge=0)] = 0
    unit: PeriodUnit = PeriodUnit.CALENDAR_DAYS
    warn_before_hours: Annotated[int, Field(ge=0)] = 72
    pausable_for: tuple[str, ...] = ()  # e.g. appraisal 鉴定, hearing 听证
    extension: Extension | None = None
    cap: Cap | None = None
    expiry: ExpiryAction = ExpiryAction.ESCALATE
    note: str = ""
    counting: Counting = Counting.RECORDED_2026_1
    # Empty: any mediation. Otherwise the clock starts only once the case's mediation is of one
    # of these types (e.g. E4 people's, E5 administrative medical mediation).
    mediation_types: tuple[MediationType, ...] = ()
    # The legal fact the period counts from when it is not the starting event itself (E4, E5
    # start when the mediation's type is known and count from the acceptance).
    counted_from: str | None = None
    # Whose clock it is: the first level of its alerts goes there (absent: the case's own).
    owner: ClockOwner = ClockOwner.CASE

    @property
    def for_handoffs(self) -> bool:
        """A clock of the hand-offs between organisations (TAKE, A4), added in policy 2026.3."""
        return bool(HANDOFF_EVENTS.intersection(self.start_on))

    def applies_to(self, kind: CaseKind, category: Category, channel: Channel) -> bool:
        return (
            kind in self.kinds
            and (not self.categories or category in self.categories)
            and (not self.channels or channel in self.channels)
        )

    @model_validator(mode="after")
    def _length_given(self) -> Self:
        if self.due_source is DueSource.RULE and self.length == 0:
            raise ValueError(f"rule {self.rule_id}: a rule-length clock needs a length")
        if self.counting is Counting.RECORDED_2026_1:
            legacy_only = (
                self.unit is PeriodUnit.MONTHS
                or (self.cap is not None and self.cap.unit is PeriodUnit.MONTHS)
                or (self.extension is not None and self.extension.unit is not None)
                or (
                    self.extension is not None
                    and self.extension.kind is ExtensionKind.AGREED_END_DATE
                )
                or bool(self.mediation_types)
                or self.counted_from is not None
            )
            if legacy_only:
                raise ValueError(
                    f"rule {self.rule_id}: months, agreed end dates, extension units, mediation "
                    "types and counted_from need counting 2026.2"
                )
        return self


# The events of hand-offs between organisations (转办 签收 退回 交办 反馈 上提 联合调处).
HANDOFF_EVENTS = frozenset(
    {
        "case_transferred",
        "transfer_taken",
        "transfer_returned",
        "case_assigned",
        "report_back_recorded",
        "case_lifted",
        "co_handler_added",
        "co_handler_removed",
    }
)


class LiftRule(Frozen):
    """上提一级 suggested by policy ("331": three failed rounds at a village go to the town).

    The rule matches while the case's holder is of one of ``levels`` (and of one of ``types``,
    when given): after ``after_sessions`` sessions recorded there without agreement, or
    ``after_failures`` failed mediations there.
    The suggestion is recorded once per holder (a new holder counts afresh).
    """

    rule_id: str
    name: str
    source: str = ""
    kinds: tuple[CaseKind, ...] = (CaseKind.DISPUTE,)
    levels: tuple[OrgLevel, ...]
    types: tuple[OrgType, ...] = ()  # empty: every type of organisation
    after_sessions: Annotated[int, Field(ge=1)] | None = None
    after_failures: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _triggered(self) -> Self:
        if self.after_sessions is None and self.after_failures is None:
            raise ValueError(f"lift rule {self.rule_id}: after_sessions or after_failures")
        if not self.levels:
            raise ValueError(f"lift rule {self.rule_id}: the holder levels it applies to")
        return self


class Role(StrEnum):
    """Who answers at each escalation level."""

    RESPONSIBLE_PERSON = "responsible_person"  # 责任人
    UNIT_HEAD_OR_LEADER = "unit_head_or_leader"  # 责任单位负责人 / 包案领导
    TOWN_LEADER = "town_leader"  # 乡镇(街道)领导
    COUNTY_LEADER = "county_leader"  # 县级领导 (挂牌督办)


class EscalationLevel(Frozen):
    level: Annotated[int, Field(ge=1, le=4)]
    role: Role
    # How long to wait for an acknowledgement before the next step (fractions allowed).
    wait_hours: Annotated[float, Field(gt=0, le=24 * 365)]
    renotify: Annotated[int, Field(ge=0)] = 0  # extra notifications at this level meanwhile


class EscalationChain(Frozen):
    chain_id: str
    categories: tuple[Category, ...] = ()
    risk_levels: tuple[RiskLevel, ...] = ()
    levels: tuple[EscalationLevel, ...]

    def applies_to(self, category: Category, risk: RiskLevel) -> bool:
        return (not self.categories or category in self.categories) and (
            not self.risk_levels or risk in self.risk_levels
        )


class PolicySet(Frozen):
    """Everything a deployment's policy files say; validated on load.

    ``counting`` is the counting rules of every rule that does not name its own.
    """

    version: str
    counting: Counting = Counting.RECORDED_2026_1
    rules: tuple[ClockRule, ...]
    chains: tuple[EscalationChain, ...]
    # 重大矛盾纠纷直报: these risk levels (and the civil-to-criminal flag) alert at once.
    immediate_report_levels: tuple[RiskLevel, ...] = (RiskLevel.MAJOR, RiskLevel.CRITICAL)
    lift_rules: tuple[LiftRule, ...] = ()  # 上提一级 suggestions (since 2026.3)
    # 积案: a case open longer than this many days (the read model's backlog filter and count).
    backlog_days: Annotated[int, Field(ge=1)] = 90
    # 补录宽限 (since 2026.4): a warning or breach already past when a fact is entered late is
    # acted on this many minutes later, so the facts entered next can answer it; absent: at once.
    late_entry_grace_minutes: Annotated[int, Field(ge=0, le=1440)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _rules_inherit_counting(cls, data: Any) -> Any:
        return inherit_counting(data)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [rule.rule_id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique")
        lift_ids = [rule.rule_id for rule in self.lift_rules]
        if len(lift_ids) != len(set(lift_ids)):
            raise ValueError("lift rule ids must be unique")
        if not any(not chain.categories and not chain.risk_levels for chain in self.chains):
            raise ValueError("one escalation chain must apply to every case (no filters)")
        return self

    def chain_for(self, category: Category, risk: RiskLevel) -> EscalationChain:
        """The most specific chain that applies (filters beat catch-alls)."""
        matching = [c for c in self.chains if c.applies_to(category, risk)]
        return max(matching, key=lambda c: (bool(c.categories), bool(c.risk_levels)))


def inherit_counting(data: Any) -> Any:
    """A policy document's ``counting`` given to each of its rules (as data) that names none."""
    if not isinstance(data, dict) or "counting" not in data:
        return data
    rules = data.get("rules")
    if not isinstance(rules, list | tuple):
        return data
    filled = [
        {**rule, "counting": data["counting"]}
        if isinstance(rule, dict) and "counting" not in rule
        else rule
        for rule in rules
    ]
    return {**data, "rules": filled}


class PolicyAmendment(Frozen):
    """Rules a case was given after intake (补充适用): the hand-off rules of a later policy,
    given to a case registered before them on its first hand-off."""

    version: str  # the policy set they came from
    rule_ids: tuple[str, ...] = ()
    lift_rule_ids: tuple[str, ...] = ()


class CasePolicy(Frozen):
    """The snapshot a case keeps: its rules, its chain and the holiday calendar in force.

    Snapshots from before 2026.3 have no lift rules and no hand-off clocks (absent: none);
    ``amendments`` says which rules were added later and from which policy set."""

    version: str
    rules: tuple[ClockRule, ...]
    chain: EscalationChain
    immediate_report_levels: tuple[RiskLevel, ...]
    calendar: HolidayCalendar
    lift_rules: tuple[LiftRule, ...] = ()
    amendments: tuple[PolicyAmendment, ...] = ()
    # Snapshots before 2026.4 have none: their clocks are judged as they were recorded.
    late_entry_grace_minutes: int | None = None

    @property
    def facts_decide(self) -> bool:
        """Whether the legal dates of the facts decide a clock (since 2026.4): a fact entered
        late that answers a breached or lapsed clock within its period withdraws the breach."""
        return self.late_entry_grace_minutes is not None

    @property
    def late_entry_grace(self) -> timedelta | None:
        minutes = self.late_entry_grace_minutes
        return None if minutes is None else timedelta(minutes=minutes)

    def rule(self, rule_id: str) -> ClockRule | None:
        return next((rule for rule in self.rules if rule.rule_id == rule_id), None)

    @property
    def knows_handoffs(self) -> bool:
        """Whether the case has the hand-off rules of its policy: snapshotted from a policy that
        has them, or amended (even with nothing to add, so it is asked once)."""
        return (
            bool(self.amendments)
            or bool(self.lift_rules)
            or any(rule.for_handoffs for rule in self.rules)
        )

    def missing_handoff_rules(
        self, current: CasePolicy
    ) -> tuple[tuple[ClockRule, ...], tuple[LiftRule, ...]]:
        """What ``current`` (the policy in force now, selected for this case) would add: its
        hand-off clock rules and lift rules that this snapshot does not have."""
        known = {rule.rule_id for rule in self.rules}
        known_lifts = {rule.rule_id for rule in self.lift_rules}
        return (
            tuple(r for r in current.rules if r.for_handoffs and r.rule_id not in known),
            tuple(r for r in current.lift_rules if r.rule_id not in known_lifts),
        )

    def amended(
        self, version: str, rules: tuple[ClockRule, ...], lift_rules: tuple[LiftRule, ...]
    ) -> CasePolicy:
        """This snapshot with ``rules`` and ``lift_rules`` of policy ``version`` added (rules it
        already has are kept as they are)."""
        known = {rule.rule_id for rule in self.rules}
        known_lifts = {rule.rule_id for rule in self.lift_rules}
        added = tuple(r for r in rules if r.rule_id not in known)
        added_lifts = tuple(r for r in lift_rules if r.rule_id not in known_lifts)
        amendment = PolicyAmendment(
            version=version,
            rule_ids=tuple(r.rule_id for r in added),
            lift_rule_ids=tuple(r.rule_id for r in added_lifts),
        )
        return self.model_copy(
            update={
                "rules": (*self.rules, *added),
                "lift_rules": (*self.lift_rules, *added_lifts),
                "amendments": (*self.amendments, amendment),
            }
        )


def case_policy(
    policy: PolicySet,
    calendar: HolidayCalendar,
    *,
    kind: CaseKind,
    category: Category,
    channel: Channel,
    risk: RiskLevel,
) -> CasePolicy:
    """Select what applies to one case (the rest of the policy set is not snapshotted)."""
    return CasePolicy(
        version=policy.version,
        rules=tuple(r for r in policy.rules if r.applies_to(kind, category, channel)),
        chain=policy.chain_for(category, risk),
        immediate_report_levels=policy.immediate_report_levels,
        calendar=calendar,
        lift_rules=tuple(r for r in policy.lift_rules if kind in r.kinds),
        late_entry_grace_minutes=policy.late_entry_grace_minutes,
    )
