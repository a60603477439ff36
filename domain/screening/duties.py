"""排查 duties as data: cadences per level and jurisdiction, their periods, who is in scope.

No national rule fixes a screening cadence (DEADLINES F): the shipped defaults are common local
practice — villages weekly, towns half-monthly, counties monthly — each deployment overrides them
per jurisdiction. A period's report is due at the end of its last day (24:00 China time); a unit
that files nothing by then walks the screening escalation chain like a clock.
"""

from __future__ import annotations

import calendar as month_calendar
import hashlib
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from domain.base import Frozen
from domain.case.policy import EscalationChain
from domain.organisation.organisations import OrgLevel, OrgType
from domain.text import Remark, ShortText
from domain.values import CHINA_TZ

JurisdictionPrefix = Annotated[str, StringConstraints(pattern=r"^(\d{6}|\d{9}|\d{12})?$")]


class Cadence(StrEnum):
    WEEKLY = "weekly"  # 每周
    HALF_MONTHLY = "half_monthly"  # 每半月
    MONTHLY = "monthly"  # 每月


CADENCE_LABELS: dict[Cadence, str] = {
    Cadence.WEEKLY: "每周",
    Cadence.HALF_MONTHLY: "每半月",
    Cadence.MONTHLY: "每月",
}


class CadenceRule(Frozen):
    """One cadence: the units of ``level`` (and ``unit_types``) within ``jurisdiction`` (empty:
    everywhere) screen every ``cadence``. A rule for a narrower jurisdiction takes the units of
    its subtree from a wider rule of the same level."""

    rule_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")]
    level: OrgLevel
    jurisdiction: JurisdictionPrefix = ""
    cadence: Cadence
    unit_types: tuple[OrgType, ...] = (OrgType.CENTER, OrgType.MEDIATION_COMMITTEE)


class ScreeningPolicy(Frozen):
    version: str
    source: str
    confidence: str  # DEADLINES: V / S / R; local practice here, so "R" with a documented default
    rules: tuple[CadenceRule, ...]
    chain: EscalationChain  # who is told, level by level, of a report not filed

    def rule(self, rule_id: str) -> CadenceRule:
        return next(rule for rule in self.rules if rule.rule_id == rule_id)


class Period(Frozen):
    """One screening period: its key (``2026-W10``, ``2026-03-H1``, ``2026-03``), days, due time."""

    key: str
    starts_on: date
    ends_on: date
    due_at: AwareDatetime


def _end_of(day: date) -> datetime:
    """24:00 of ``day`` in China time."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=CHINA_TZ)


def period_of(cadence: Cadence, day: date) -> Period:
    """The period of ``cadence`` that holds ``day``."""
    if cadence is Cadence.WEEKLY:
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
        year, week, _ = start.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        last = month_calendar.monthrange(day.year, day.month)[1]
        if cadence is Cadence.MONTHLY:
            start, end = day.replace(day=1), day.replace(day=last)
            key = f"{day.year}-{day.month:02d}"
        elif day.day <= 15:
            start, end = day.replace(day=1), day.replace(day=15)
            key = f"{day.year}-{day.month:02d}-H1"
        else:
            start, end = day.replace(day=16), day.replace(day=last)
            key = f"{day.year}-{day.month:02d}-H2"
    return Period(key=key, starts_on=start, ends_on=end, due_at=_end_of(end))


def sweep_period(key: str, starts_on: date, ends_on: date) -> Period:
    return Period(key=key, starts_on=starts_on, ends_on=ends_on, due_at=_end_of(ends_on))


class Unit(Frozen):
    """An organisation as screening sees it (from the registry)."""

    org_id: str
    name: str
    level: OrgLevel
    type: OrgType
    jurisdiction_code: str
    active: bool = True


def units_for_rule(policy: ScreeningPolicy, rule: CadenceRule, units: list[Unit]) -> list[Unit]:
    """The units ``rule`` opens a duty for: active, of its level and types, in its jurisdiction,
    and not claimed by a narrower rule of the same level."""
    narrower = [
        other.jurisdiction
        for other in policy.rules
        if other.level is rule.level
        and len(other.jurisdiction) > len(rule.jurisdiction)
        and other.jurisdiction.startswith(rule.jurisdiction)
    ]
    return [
        unit
        for unit in units
        if unit.active
        and unit.level is rule.level
        and unit.type in rule.unit_types
        and unit.jurisdiction_code.startswith(rule.jurisdiction)
        and not any(unit.jurisdiction_code.startswith(code) for code in narrower)
    ]


SWEEP_TYPES = (OrgType.CENTER, OrgType.MEDIATION_COMMITTEE)


def units_for_sweep(area: str, units: list[Unit]) -> list[Unit]:
    """专项排查: every active screening unit whose place lies within ``area``, at any level."""
    return [
        unit
        for unit in units
        if unit.active and unit.type in SWEEP_TYPES and unit.jurisdiction_code.startswith(area)
    ]


class DutyStatus(StrEnum):
    OPEN = "open"  # 待报送
    OVERDUE = "overdue"  # 逾期未报 (escalating)
    FILED = "filed"  # 已报送
    FILED_LATE = "filed_late"  # 逾期补报
    MISSED = "missed"  # 未报送 (the escalation chain ran out)


DUTY_STATUS_LABELS: dict[DutyStatus, str] = {
    DutyStatus.OPEN: "待报送",
    DutyStatus.OVERDUE: "逾期未报",
    DutyStatus.FILED: "已报送",
    DutyStatus.FILED_LATE: "逾期补报",
    DutyStatus.MISSED: "未报送",
}

MISSED_STATUSES = (DutyStatus.OVERDUE, DutyStatus.FILED_LATE, DutyStatus.MISSED)


class Sweep(Frozen):
    """专项排查: a leader's sweep of an area, for a period and a theme."""

    sweep_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,12}$")]
    area: Annotated[str, StringConstraints(pattern=r"^(\d{6}|\d{9}|\d{12})$")]
    theme: ShortText
    starts_on: date
    ends_on: date
    launched_by: str


def duty_id(source: str, period_key: str, org_id: str) -> str:
    """Stable and short (it is also the duty's workflow id and its alerts' case id): a period
    opened twice (a schedule's retry, a restart) opens each duty once."""
    digest = hashlib.sha256(f"{source}|{org_id}".encode()).hexdigest()[:10]
    return f"SD-{period_key}-{digest}"


class Duty(Frozen):
    """One unit's screening duty for one period (a workflow of its own: ``duty_id``)."""

    duty_id: str
    source: str  # the cadence rule, or ``sweep-<id>``
    theme: str = ""  # 专项排查: its theme
    period: Period
    unit: Unit
    town_code: str | None
    county_code: str


class ScreeningReport(Frozen):
    """排查报告: the disputes found (cases registered through intake) or 零报告."""

    zero: bool
    case_ids: tuple[Annotated[str, StringConstraints(pattern=r"^(JF|XF)-\d{4}-\d{6,}$")], ...] = (
        Field(default=(), max_length=200)
    )
    note: Remark = ""
    filed_by: str
    filed_at: AwareDatetime | None = None


def report_problem(report: ScreeningReport) -> tuple[str, str, str] | None:
    """Why a report does not hold together (Chinese, English, field), or None."""
    if report.zero and report.case_ids:
        return ("零报告不能同时列出发现的纠纷", "a zero report lists no disputes", "case_ids")
    if not report.zero and not report.case_ids:
        return (
            "请列出排查发现的纠纷，或报送零报告",
            "list the disputes found, or file a zero report",
            "case_ids",
        )
    if len(set(report.case_ids)) != len(report.case_ids):
        return ("发现的纠纷重复列出", "a dispute is listed twice", "case_ids")
    return None
