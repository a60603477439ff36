"""The leader's dashboard (指标看板) over the indicator figures: trend by month, the ranking of
units (organisations without cases included), and the case lines behind a figure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import indicator_facts
from activities.store import registry as registry_store
from api.errors import database_errors
from api.services.indicators import Counted, Scope, shown_value, status_text
from domain.case.labels import STAGE_LABELS
from domain.case.stages import Stage
from domain.indicators.compute import figure, figures, petitioned_later
from domain.indicators.definitions import IndicatorSet, Period, month_period
from domain.indicators.facts import CaseFacts
from domain.people.privacy import scrub_text


class TrendPoint(BaseModel):
    month: str  # 2026-03
    label: str  # 3月
    value: float | None
    shown: str
    numerator: int
    denominator: int | None


class RankLine(BaseModel):
    org_id: str
    name: str
    value: float | None
    shown: str
    numerator: int
    denominator: int | None
    status: str


class CaseLine(BaseModel):
    case_id: str
    title: str
    stage: str
    holder: str
    in_numerator: bool


def trend_months(period: Period, months: int = 6) -> list[Period]:
    """The ``months`` calendar months ending with the period's last month."""
    year, month = period.end.year, period.end.month
    out: list[Period] = []
    for _ in range(months):
        out.append(month_period(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


async def trend(
    counted: Counted,
    indicators: IndicatorSet,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    months: int = 6,
) -> dict[str, list[TrendPoint]]:
    """Each indicator month by month, counted as of the same day as the board."""
    from api.services.indicators import scope_facts

    span = trend_months(counted.period, months)
    whole = Period(start=span[0].start, end=span[-1].end, label="")
    with database_errors():
        async with sessionmaker() as session:
            facts, petitions = await scope_facts(
                counted.scope, whole, counted.category, session=session
            )
    out: dict[str, list[TrendPoint]] = {d.indicator_id: [] for d in indicators.indicators}
    for month in span:
        for found in figures(indicators, facts, month, as_of=counted.as_of, petitions=petitions):
            out[found.indicator_id].append(
                TrendPoint(
                    month=f"{month.start:%Y-%m}",
                    label=f"{month.start.month}月",
                    value=found.value if found.unit == "rate" else float(found.numerator),
                    shown=shown_value(found),
                    numerator=found.numerator,
                    denominator=found.denominator,
                )
            )
    return out


async def units(scope: Scope, *, session: AsyncSession) -> list[tuple[str, str]]:
    """The organisations ranked: those of the scope's place (or the organisation's subtree)."""
    orgs = await registry_store.list_organisations(session=session, within=scope.jurisdiction)
    if scope.org_ids is not None:
        orgs = [o for o in orgs if o.org_id in scope.org_ids]
    return [(o.org_id, o.name) for o in orgs if o.active]


async def ranking(
    counted: Counted,
    indicators: IndicatorSet,
    indicator_id: str,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[RankLine]:
    """Every unit of the scope on one indicator, best first; units without a figure last."""
    definition = indicators.get(indicator_id) or indicators.indicators[0]
    with database_errors():
        async with sessionmaker() as session:
            named = await units(counted.scope, session=session)
    later = petitioned_later([*counted.facts, *counted.petitions], as_of=counted.as_of)
    by_org: dict[str, list[CaseFacts]] = {}
    for facts in counted.facts:
        by_org.setdefault(facts.org_id or "", []).append(facts)
    lines = []
    for org_id, name in named:
        found = figure(
            definition, by_org.get(org_id, []), counted.period, as_of=counted.as_of, later=later
        )
        value = found.value if found.unit == "rate" else float(found.numerator)
        lines.append(
            RankLine(
                org_id=org_id,
                name=name,
                value=value,
                shown=shown_value(found) if found.denominator != 0 else "无案件",
                numerator=found.numerator,
                denominator=found.denominator,
                status=status_text(found.met),
            )
        )
    falling = definition.direction.value == "falling"
    known = sorted(
        (line for line in lines if line.value is not None),
        key=lambda line: (line.value if falling else -(line.value or 0.0), line.name),
    )
    return known + [line for line in lines if line.value is None]


async def case_lines(
    numerator: Sequence[str],
    denominator: Sequence[str],
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[CaseLine]:
    """The cases behind a figure (the denominator's, or the count's), masked as lists are."""
    ids = list(denominator) or list(numerator)
    inside = set(numerator)
    with database_errors():
        async with sessionmaker() as session:
            rows = await indicator_facts.case_lines(ids, session=session)
    out = []
    for case_id in ids:
        row = rows.get(case_id)
        stage = row.stage if row is not None else ""
        out.append(
            CaseLine(
                case_id=case_id,
                title=scrub_text(row.masked_title or "") if row is not None else "",
                stage=STAGE_LABELS.get(Stage(stage), stage) if stage else "",
                holder=(row.holder_name or "") if row is not None else "",
                in_numerator=case_id in inside,
            )
        )
    return out


def default_month(today: date) -> str:
    return f"{today:%Y-%m}"
