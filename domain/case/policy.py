"""The policy a case keeps (规则快照): its clock rules, escalation chain, lift rules and the
holiday calendar in force at intake, snapshotted per case.

Later edits of the policy files change new cases only. The facts and their sources are in
``docs/domain.md``; the clock rules themselves are ``domain.deadlines.clock_rules``.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from domain.base import Frozen
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.clock_rules import ClockRule, Counting
from domain.organisation.organisations import OrgLevel, OrgType
from domain.values import CaseKind, Category, Channel, RiskLevel


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
    INSTRUCTING_LEADER = "instructing_leader"  # 批示领导 (an instruction's 落实时限)
    LISTING_LEADER = "listing_leader"  # 挂牌领导 (挂牌督办时限)
    ABOVE_LISTER = "above_lister"  # 挂牌领导的上一级领导


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


class FlagAlert(Frozen):
    """What gaining a risk flag raises: an alert of ``kind`` walking the named chain ``chain``."""

    kind: str  # a domain.case.alerts.AlertKind value
    chain: str


class RiskAlerts(Frozen):
    """风险研判 (since 2026.5): a reassessment rising to an immediate-report level, or gaining
    民转刑风险, raises 重大矛盾纠纷直报 on ``direct_report_chain``; the flags named in ``flags``
    (群体性, 越级上访) raise what they name. Absent from a snapshot: a rise reports on the case's
    own chain and the flags raise nothing (as before)."""

    direct_report_chain: str
    flags: dict[str, FlagAlert] = {}


class ListingPolicy(Frozen):
    """挂牌督办 (since 2026.6): the leader levels that may list a case (county, town…)."""

    levels: tuple[str, ...]


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
    # Chains used only where named (直报, 批示落实), never chosen by category or risk (2026.5).
    named_chains: tuple[EscalationChain, ...] = ()
    risk_alerts: RiskAlerts | None = None
    listing: ListingPolicy | None = None

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
        named = {chain.chain_id for chain in self.named_chains}
        wanted = {rule.chain for rule in self.rules if rule.chain is not None}
        if self.risk_alerts is not None:
            wanted.add(self.risk_alerts.direct_report_chain)
            wanted |= {flag.chain for flag in self.risk_alerts.flags.values()}
        if wanted - named:
            missing = sorted(wanted - named)
            raise ValueError(f"chains named but not given in named_chains: {missing}")
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
    # Snapshots before 2026.5 have none: alerts walk ``chain``, flags raise nothing.
    named_chains: tuple[EscalationChain, ...] = ()
    risk_alerts: RiskAlerts | None = None
    # Snapshots before 2026.6 have none: no leader may list the case.
    listing: ListingPolicy | None = None

    def chain_of(self, chain_id: str | None) -> EscalationChain:
        """The chain an alert walks: the named one it was raised on, else the case's chain."""
        if chain_id is None:
            return self.chain
        return next((c for c in self.named_chains if c.chain_id == chain_id), self.chain)

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
        named_chains=policy.named_chains,
        risk_alerts=policy.risk_alerts,
        listing=policy.listing,
    )
