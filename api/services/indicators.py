"""考核指标: figures for a scope, period and category, the cases behind them, and the auditor's
recount from the event store.

Scope: leaders and auditors read any place within their jurisdiction (default: all of it), or
an organisation there with the organisations under it; mediators and center admins read their
own organisation (and those under it). The figures come from ``indicator_facts`` (the read
model's side table); the recount folds the events (``activities.audit.indicator_recount``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.audit.indicator_recount import recount
from activities.store import indicator_facts
from activities.store import registry as registry_store
from api.errors import database_errors, forbidden, invalid_input
from domain.indicators.compute import Figure, figures
from domain.indicators.definitions import IndicatorDefinition, IndicatorSet, Period, parse_period
from domain.indicators.facts import CaseFacts
from domain.people.access import CENTER_ROLES, Principal, Role
from domain.values import CATEGORY_LABELS, Category, china_date


@dataclass(frozen=True)
class Scope:
    """Where the figures count: a place's subtree and/or the organisations of one subtree."""

    jurisdiction: str | None
    org_ids: tuple[str, ...] | None
    label: str
    org_id: str | None = None

    @property
    def county(self) -> str | None:
        return self.jurisdiction[:6] if self.jurisdiction else None


class FigureView(BaseModel):
    indicator_id: str
    name: str
    unit: str
    direction: str
    numerator: int
    denominator: int | None
    value: float | None
    percent: str  # 75.0% / 3件
    last_year: int | None
    met: bool | None
    status: str  # 达标 / 未达标 / 无数据
    target_text: str
    definition: str
    source: str
    confidence: str


class IndicatorBoard(BaseModel):
    scope: str
    jurisdiction: str | None
    org_id: str | None
    period: str
    period_label: str
    start: date
    end: date
    as_of: date
    category: str | None
    version: str
    figures: list[FigureView]


def status_text(met: bool | None) -> str:
    return "无数据" if met is None else ("达标" if met else "未达标")


def shown_value(figure: Figure) -> str:
    """75.0% for a rate, 3件 for a count, — when nothing to divide by."""
    if figure.unit == "count":
        return f"{figure.numerator}件"
    return "—" if figure.value is None else f"{figure.value * 100:.1f}%"


def view(definition: IndicatorDefinition, figure: Figure) -> FigureView:
    shown = shown_value(figure)
    return FigureView(
        indicator_id=figure.indicator_id,
        name=figure.name,
        unit=figure.unit,
        direction=definition.direction.value,
        numerator=figure.numerator,
        denominator=figure.denominator,
        value=figure.value,
        percent=shown,
        last_year=figure.last_year,
        met=figure.met,
        status=status_text(figure.met),
        target_text=figure.target_text,
        definition=definition.definition,
        source=definition.source,
        confidence=definition.confidence,
    )


def _descendants(org_id: str, parents: dict[str, str | None]) -> tuple[str, ...]:
    found = {org_id}
    grew = True
    while grew:
        before = len(found)
        found |= {o for o, parent in parents.items() if parent in found}
        grew = len(found) != before
    return tuple(sorted(found))


async def resolve_scope(
    principal: Principal, *, jurisdiction: str | None, org_id: str | None, session: AsyncSession
) -> Scope:
    """The scope the caller asks for, within their reach (403 beyond it)."""
    if principal.role in CENTER_ROLES:
        own = principal.center_id
        if own is None or jurisdiction:
            raise forbidden("本单位人员只能查看本单位的指标", "staff read their organisation's")
        org_id = org_id or own
    elif principal.role in (Role.LEADER, Role.AUDITOR) and principal.jurisdiction:
        jurisdiction = jurisdiction or principal.jurisdiction
        if not principal.covers(jurisdiction):
            raise forbidden("所选区域不在您的辖区内", "the place is outside your jurisdiction")
    else:
        raise forbidden("当前角色无权查看考核指标", f"role '{principal.role.value}' may not")
    orgs = await registry_store.list_organisations(session=session)
    parents = {o.org_id: o.parent_id for o in orgs}
    names = {o.org_id: o.name for o in orgs}
    if org_id is None:
        place = await registry_store.jurisdiction_names([jurisdiction or ""], session=session)
        return Scope(jurisdiction, None, place.get(jurisdiction or "", jurisdiction or "全部"))
    if org_id not in parents:
        raise invalid_input("单位不存在", "unknown organisation", field="org")
    subtree = _descendants(org_id, parents)
    if principal.role in CENTER_ROLES and org_id not in _descendants(
        principal.center_id or "", parents
    ):
        raise forbidden("本单位人员只能查看本单位的指标", "staff read their organisation's")
    return Scope(jurisdiction, subtree, names[org_id], org_id=org_id)


def _category(text: str | None) -> Category | None:
    if not text:
        return None
    try:
        return Category(text)
    except ValueError:
        raise invalid_input("案件类别不正确", "unknown category", field="category") from None


async def scope_facts(
    scope: Scope, period: Period, category: Category | None, *, session: AsyncSession
) -> tuple[list[CaseFacts], list[CaseFacts]]:
    """The scope's facts with a fact in the period or its year-before twin, and the petitions
    that may share a matter with its disputes."""
    return await indicator_facts.scope_facts(
        session=session,
        jurisdiction=scope.jurisdiction,
        org_ids=scope.org_ids,
        category=category,
        start=period.start,
        end=period.end,
    )


@dataclass(frozen=True)
class Counted:
    scope: Scope
    period: Period
    category: Category | None
    as_of: date
    figures: list[Figure]
    facts: list[CaseFacts]
    petitions: list[CaseFacts]


async def count(
    principal: Principal,
    *,
    indicators: IndicatorSet,
    period: str,
    jurisdiction: str | None,
    org_id: str | None,
    category: str | None,
    as_of: date | None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Counted:
    parsed = parse_period(period)
    kind = _category(category)
    day = as_of or china_date(datetime.now(UTC))
    with database_errors():
        async with sessionmaker() as session:
            scope = await resolve_scope(
                principal, jurisdiction=jurisdiction, org_id=org_id, session=session
            )
            facts, petitions = await scope_facts(scope, parsed, kind, session=session)
    found = figures(indicators, facts, parsed, as_of=day, petitions=petitions)
    return Counted(scope, parsed, kind, day, found, facts, petitions)


def board(counted: Counted, indicators: IndicatorSet, period: str) -> IndicatorBoard:
    by_id = {d.indicator_id: d for d in indicators.indicators}
    return IndicatorBoard(
        scope=counted.scope.label,
        jurisdiction=counted.scope.jurisdiction,
        org_id=counted.scope.org_id,
        period=period,
        period_label=counted.period.label,
        start=counted.period.start,
        end=counted.period.end,
        as_of=counted.as_of,
        category=CATEGORY_LABELS[counted.category] if counted.category else None,
        version=indicators.version,
        figures=[view(by_id[f.indicator_id], f) for f in counted.figures],
    )


def figure_of(counted: Counted, indicator_id: str) -> Figure:
    found = next((f for f in counted.figures if f.indicator_id == indicator_id), None)
    if found is None:
        raise invalid_input("指标不存在", "unknown indicator", field="indicator_id")
    return found


async def recount_from_events(
    counted: Counted, indicators: IndicatorSet, *, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[Figure]:
    """The same figures, from the event store alone."""
    scope = counted.scope
    with database_errors():
        async with sessionmaker() as session:
            counties = {scope.county} if scope.county else await _org_counties(scope, session)
            return await recount(
                indicators,
                counted.period,
                counties=sorted(counties),
                jurisdiction=scope.jurisdiction,
                org_ids=scope.org_ids,
                category=counted.category,
                as_of=counted.as_of,
                session=session,
            )


async def _org_counties(scope: Scope, session: AsyncSession) -> set[str]:
    """The counties an organisation scope's cases may lie in: those of its organisations and,
    for a county-level organisation holding cases anywhere, every county of the registry."""
    orgs = await registry_store.list_organisations(session=session)
    return {o.jurisdiction_code[:6] for o in orgs}
