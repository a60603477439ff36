"""考核指标 (三升三降): figures vs targets, the cases behind each, the auditor's recount.

``GET /v1/indicators`` (leaders and auditors in their jurisdiction; staff for their organisation),
``GET /v1/indicators/{indicator_id}/cases`` (the cases behind numerator and denominator),
``GET /v1/audit/indicators`` (auditors: the same figures recounted from the event store),
``GET /v1/indicators/accountability`` (问责: breaches, acknowledgement latency, unanswered 批示
per period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.deps import IndicatorsDep, SessionmakerDep
from api.errors import ERROR_RESPONSES
from api.permissions import Auditor, Lister
from api.services import accountability_views
from api.services import indicators as service
from api.services.accountability_views import AccountabilityView
from api.services.indicators import Counted, IndicatorBoard
from domain.indicators.definitions import IndicatorSet
from domain.people.access import Principal
from domain.text import ONE_LINE

router = APIRouter(tags=["indicators 考核指标"])

PeriodQuery = Annotated[
    str,
    Query(
        max_length=40,
        pattern=ONE_LINE,
        description="统计期间：2026-03（月）、2026-Q1（季）、2026（年）或2026-03-01..2026-03-15"
        " / a month, quarter, year or range of days",
    ),
]
PlaceQuery = Annotated[
    str | None,
    Query(pattern=r"^\d{6}(\d{3}(\d{3})?)?$", description="区划（县/乡镇/村）及其下级 / subtree"),
]
OrgQuery = Annotated[
    str | None,
    Query(max_length=64, pattern=ONE_LINE, description="单位及其下级单位 / organisation subtree"),
]
CategoryQuery = Annotated[
    str | None, Query(max_length=32, pattern=ONE_LINE, description="案件类别 / category")
]
AsOfQuery = Annotated[
    date | None, Query(description="统计日（默认今天）：此日之后的事实不计 / facts after it wait")
]


@dataclass(frozen=True)
class Scope:
    """The query every indicator route takes: what is counted, where, and as of when."""

    period: str
    jurisdiction: str | None
    org: str | None
    category: str | None
    as_of: date | None


def _scope(
    period: PeriodQuery,
    jurisdiction: PlaceQuery = None,
    org: OrgQuery = None,
    category: CategoryQuery = None,
    as_of: AsOfQuery = None,
) -> Scope:
    return Scope(period, jurisdiction, org, category, as_of)


ScopeDep = Annotated[Scope, Depends(_scope)]


async def _counted(
    principal: Principal,
    scope: Scope,
    indicators: IndicatorSet,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Counted:
    return await service.count(
        principal,
        indicators=indicators,
        period=scope.period,
        jurisdiction=scope.jurisdiction,
        org_id=scope.org,
        category=scope.category,
        as_of=scope.as_of,
        sessionmaker=sessionmaker,
    )


@router.get(
    "/v1/indicators",
    response_model=IndicatorBoard,
    responses=ERROR_RESPONSES,
    summary="考核指标 / indicators against targets for a scope, period and category",
)
async def get_indicators(
    principal: Lister,
    sessionmaker: SessionmakerDep,
    indicators: IndicatorsDep,
    scope: ScopeDep,
) -> IndicatorBoard:
    counted = await _counted(principal, scope, indicators, sessionmaker)
    return service.board(counted, indicators, scope.period)


class IndicatorCases(BaseModel):
    indicator_id: str
    name: str
    part: str
    period: str
    as_of: date
    count: int
    case_ids: list[str]


@router.get(
    "/v1/indicators/{indicator_id}/cases",
    response_model=IndicatorCases,
    responses=ERROR_RESPONSES,
    summary="指标明细 / the exact cases behind an indicator's numerator or denominator",
)
async def get_indicator_cases(
    indicator_id: str,
    principal: Lister,
    sessionmaker: SessionmakerDep,
    indicators: IndicatorsDep,
    scope: ScopeDep,
    part: Annotated[Literal["numerator", "denominator"], Query()] = "denominator",
) -> IndicatorCases:
    counted = await _counted(principal, scope, indicators, sessionmaker)
    figure = service.figure_of(counted, indicator_id)
    ids = figure.numerator_cases if part == "numerator" else figure.denominator_cases
    if figure.unit == "count":
        ids = figure.numerator_cases
    return IndicatorCases(
        indicator_id=indicator_id,
        name=figure.name,
        part=part,
        period=scope.period,
        as_of=counted.as_of,
        count=len(ids),
        case_ids=list(ids),
    )


class RecountLine(BaseModel):
    indicator_id: str
    name: str
    read_model: str
    events: str
    numerator: tuple[int, int]
    denominator: tuple[int | None, int | None]
    agrees: bool


class Recount(BaseModel):
    period: str
    as_of: date
    scope: str
    agrees: bool
    lines: list[RecountLine]


@router.get(
    "/v1/audit/indicators",
    response_model=Recount,
    responses=ERROR_RESPONSES,
    summary="指标核算 / every figure recounted from the event store beside the dashboard's",
)
async def recount_indicators(
    principal: Auditor,
    sessionmaker: SessionmakerDep,
    indicators: IndicatorsDep,
    scope: ScopeDep,
) -> Recount:
    counted = await _counted(principal, scope, indicators, sessionmaker)
    recounted = {
        f.indicator_id: f
        for f in await service.recount_from_events(counted, indicators, sessionmaker=sessionmaker)
    }
    lines = []
    for shown in counted.figures:
        again = recounted[shown.indicator_id]
        lines.append(
            RecountLine(
                indicator_id=shown.indicator_id,
                name=shown.name,
                read_model=service.shown_value(shown),
                events=service.shown_value(again),
                numerator=(shown.numerator, again.numerator),
                denominator=(shown.denominator, again.denominator),
                agrees=shown == again,
            )
        )
    return Recount(
        period=scope.period,
        as_of=counted.as_of,
        scope=counted.scope.label,
        agrees=all(line.agrees for line in lines),
        lines=lines,
    )


@router.get(
    "/v1/indicators/accountability",
    response_model=AccountabilityView,
    responses=ERROR_RESPONSES,
    summary="问责 / breaches per organisation, acknowledgement latency, unanswered 批示",
)
async def get_accountability(
    principal: Lister,
    sessionmaker: SessionmakerDep,
    period: PeriodQuery,
    jurisdiction: PlaceQuery = None,
    org: OrgQuery = None,
    as_of: AsOfQuery = None,
) -> AccountabilityView:
    return await accountability_views.accountability_view(
        principal,
        period=period,
        jurisdiction=jurisdiction,
        org_id=org,
        as_of=as_of,
        sessionmaker=sessionmaker,
    )
