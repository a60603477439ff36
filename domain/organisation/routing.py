"""分流 (routing at intake): rules held as data suggest the organisation that should handle a case.

A rule matches a case by its category, the registering organisation's level, its risk level and
where it happened (a jurisdiction prefix: a county or town may override the general rules). Its
target is one named organisation, or "the organisation of this type and level whose area
contains the case" (nearest first, optionally only one that handles the category).

The most specific matching rule whose target exists wins: a longer jurisdiction prefix first,
then a rule naming categories, then one naming risk levels, then one naming registrar levels;
between equals, the rule listed first. With no rule that resolves, the registrar keeps the case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Annotated, Self

from pydantic import StringConstraints, model_validator

from domain.base import Frozen
from domain.organisation.organisations import (
    ORG_LEVEL_LABELS,
    ORG_TYPE_LABELS,
    OrgId,
    OrgLevel,
    OrgRef,
    OrgType,
)
from domain.organisation.registry import Organisation, OrgPlaceCode, contains
from domain.text import NO_CONTROL_CHARS
from domain.values import CATEGORY_LABELS, RISK_LABELS, Category, RiskLevel

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]


class RoutingTarget(Frozen):
    """Where a rule sends a case: ``org_id``, or the nearest organisation of ``type``/``level``."""

    org_id: OrgId | None = None
    type: OrgType | None = None
    level: OrgLevel | None = None
    handles_category: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        named = self.org_id is not None
        typed = self.type is not None and self.level is not None
        if named == typed or (named and (self.type or self.level)):
            raise ValueError(
                "分流目标须为指定单位，或单位类型加层级，二者取一"
                " / a target is either org_id or type and level"
            )
        return self

    def resolve(
        self, organisations: Iterable[Organisation], *, category: Category, jurisdiction_code: str
    ) -> Organisation | None:
        """The active organisation this target names for a case in ``jurisdiction_code``."""
        active = [o for o in organisations if o.active]
        if self.org_id is not None:
            return next((o for o in active if o.org_id == self.org_id), None)
        fitting = [
            o
            for o in active
            if o.type is self.type
            and o.level is self.level
            and o.covers(jurisdiction_code)
            and (not self.handles_category or o.handles(category))
        ]
        # Nearest first: the longest area code containing the case; then a stable order.
        fitting.sort(key=lambda o: (-len(o.jurisdiction_code), o.org_id))
        return fitting[0] if fitting else None


class RoutingRule(Frozen):
    """One rule: which cases (empty filters match all) go where, and in words why."""

    rule_id: RuleId
    description: Annotated[str, StringConstraints(max_length=200, pattern=NO_CONTROL_CHARS)] = ""
    categories: tuple[Category, ...] = ()
    registrar_levels: tuple[OrgLevel, ...] = ()
    risk_levels: tuple[RiskLevel, ...] = ()
    jurisdiction: OrgPlaceCode | None = None  # None: everywhere; else this area only
    target: RoutingTarget

    def matches(
        self,
        *,
        category: Category,
        risk_level: RiskLevel,
        registrar_level: OrgLevel,
        jurisdiction_code: str,
    ) -> bool:
        return (
            (not self.categories or category in self.categories)
            and (not self.registrar_levels or registrar_level in self.registrar_levels)
            and (not self.risk_levels or risk_level in self.risk_levels)
            and (self.jurisdiction is None or contains(self.jurisdiction, jurisdiction_code))
        )

    @property
    def specificity(self) -> tuple[int, bool, bool, bool]:
        return (
            len(self.jurisdiction or ""),
            bool(self.categories),
            bool(self.risk_levels),
            bool(self.registrar_levels),
        )


class RoutingRules(Frozen):
    """分流规则: a versioned rule book."""

    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    rules: tuple[RoutingRule, ...]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        repeated = sorted(i for i, n in Counter(r.rule_id for r in self.rules).items() if n > 1)
        if repeated:
            raise ValueError(f"重复的规则编号 {', '.join(repeated)} / duplicate rule ids")
        return self


class RoutingSuggestion(Frozen):
    """The organisation suggested for a case, the rule that chose it (None: no rule) and why."""

    organisation: OrgRef
    rule_id: str | None = None
    reason: str


def _describe_target(rule: RoutingRule, organisation: Organisation) -> str:
    target = rule.target
    if target.org_id is not None:
        return organisation.name
    assert target.type is not None
    assert target.level is not None
    return f"{ORG_LEVEL_LABELS[target.level]}{ORG_TYPE_LABELS[target.type]}（{organisation.name}）"


def _reason(rule: RoutingRule, organisation: Organisation, *, category: Category) -> str:
    conditions = []
    if rule.jurisdiction is not None:
        conditions.append(f"区划 {rule.jurisdiction} 内")
    if rule.categories:
        conditions.append(f"{CATEGORY_LABELS[category]}类纠纷")
    if rule.risk_levels:
        conditions.append("风险等级" + "、".join(RISK_LABELS[r] for r in rule.risk_levels))
    if rule.registrar_levels:
        conditions.append(
            "由" + "、".join(ORG_LEVEL_LABELS[lv] for lv in rule.registrar_levels) + "单位登记"
        )
    why = "，".join(conditions) or "一般情形"
    name = rule.description or rule.rule_id
    return f"按分流规则「{name}」：{why}，建议由{_describe_target(rule, organisation)}办理"


def ordered(rules: Sequence[RoutingRule]) -> list[RoutingRule]:
    """The rules, most specific first (a stable sort keeps the book's order between equals)."""
    return sorted(rules, key=lambda rule: rule.specificity, reverse=True)


def suggest(
    rules: RoutingRules,
    organisations: Sequence[Organisation],
    *,
    category: Category,
    risk_level: RiskLevel,
    registrar: Organisation,
    jurisdiction_code: str,
) -> RoutingSuggestion | None:
    """The suggestion for a case, or None when nothing resolves and the registrar is inactive."""
    for rule in ordered(rules.rules):
        if not rule.matches(
            category=category,
            risk_level=risk_level,
            registrar_level=registrar.level,
            jurisdiction_code=jurisdiction_code,
        ):
            continue
        found = rule.target.resolve(
            organisations, category=category, jurisdiction_code=jurisdiction_code
        )
        if found is not None:
            return RoutingSuggestion(
                organisation=found.ref,
                rule_id=rule.rule_id,
                reason=_reason(rule, found, category=category),
            )
    if not registrar.active:
        return None
    return RoutingSuggestion(
        organisation=registrar.ref,
        rule_id=None,
        reason=f"无适用的分流规则，由登记单位{registrar.name}办理",
    )


def candidates(
    organisations: Iterable[Organisation], *, category: Category, jurisdiction_code: str
) -> list[Organisation]:
    """The organisations a registrar may choose instead: active, covering the place, handling
    the category; nearest first (village, town, county), then by id."""
    fitting = [
        o for o in organisations if o.active and o.covers(jurisdiction_code) and o.handles(category)
    ]
    return sorted(fitting, key=lambda o: (-len(o.jurisdiction_code), o.org_id))
