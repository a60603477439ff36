"""指标看板: the indicators against their targets for a place (or the caller's organisation), a
period and a category, with bars and a six-month trend drawn as SVG on the server, the ranking
of units (those without cases included) and, for each figure, the cases behind it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from activities.store import registry as registry_store
from api.console import charts
from api.console.session import ConsoleRoute, ConsoleUser, require
from api.console.templating import render
from api.deps import IndicatorsDep, SessionmakerDep
from api.errors import database_errors
from api.services import accountability_views, indicator_board, indicators
from domain.errors import DomainError
from domain.indicators.definitions import parse_period
from domain.people.access import CENTER_ROLES, Permission
from domain.values import CATEGORY_LABELS, china_date

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reader = Annotated[ConsoleUser, Depends(require(Permission.LIST_CASES))]


def _as_of(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _query(**values: str | None) -> str:
    return urlencode({k: v for k, v in values.items() if v})


async def _places(user: ConsoleUser, sessionmaker: SessionmakerDep) -> list[tuple[str, str]]:
    """The places a leader may choose: their own and the towns under it."""
    within = user.principal.jurisdiction
    if user.principal.role in CENTER_ROLES or within is None:
        return []
    with database_errors():
        async with sessionmaker() as session:
            nodes = await registry_store.list_jurisdictions(session=session, under=within)
    return [(n.code, n.name) for n in nodes if len(n.code) <= max(len(within), 9)]


@router.get("/indicators")
async def indicator_board_page(
    request: Request,
    user: Reader,
    sessionmaker: SessionmakerDep,
    book: IndicatorsDep,
    period: str | None = None,
    jurisdiction: str | None = None,
    category: str | None = None,
    rank: str | None = None,
    as_of: str | None = None,
) -> Response:
    period = (period or f"{china_date(datetime.now(UTC)):%Y-%m}").strip()[:40]
    places = await _places(user, sessionmaker)
    jurisdiction = jurisdiction or None
    context: dict[str, object] = {
        "user": user,
        "period": period,
        "jurisdiction": jurisdiction or "",
        "category": category or "",
        "places": places,
        "categories": [(c.value, label) for c, label in CATEGORY_LABELS.items()],
        "indicators": [(d.indicator_id, d.name) for d in book.indicators],
        "error": "",
    }
    try:
        parse_period(period)
    except DomainError as refused:
        context["error"] = refused.message_zh
        return render(request, "indicators.html", context, status=422)
    counted = await indicators.count(
        user.principal,
        indicators=book,
        period=period,
        jurisdiction=jurisdiction,
        org_id=None,
        category=category or None,
        as_of=_as_of(as_of),
        sessionmaker=sessionmaker,
    )
    rank_id = rank if rank and book.get(rank) else "success_rate"
    trends, ranked, held = await asyncio.gather(
        indicator_board.trend(counted, book, sessionmaker=sessionmaker),
        indicator_board.ranking(counted, book, rank_id, sessionmaker=sessionmaker),
        accountability_views.accountability_view(
            user.principal,
            period=period,
            jurisdiction=jurisdiction,
            org_id=None,
            as_of=counted.as_of,
            sessionmaker=sessionmaker,
        ),
    )
    board = indicators.board(counted, book, period)
    common = {
        "period": period,
        "jurisdiction": jurisdiction,
        "category": category,
        "as_of": counted.as_of.isoformat(),
    }
    cards = []
    for shown in board.figures:
        definition = book.get(shown.indicator_id)
        assert definition is not None
        rate = shown.unit == "rate"
        cards.append(
            {
                "f": shown,
                "bar": charts.bar_percent(shown.value),
                "target_at": charts.bar_percent(definition.target.value),
                "trend": charts.trend(
                    trends[shown.indicator_id], rate=rate, target=definition.target.value
                ),
                "cases": f"/indicators/{shown.indicator_id}/cases?{_query(**common)}",
            }
        )
    context |= {
        "board": board,
        "cards": cards,
        "rank": rank_id,
        "rank_name": (book.get(rank_id) or book.indicators[0]).name,
        "ranked": ranked,
        "held": held,
        "width": charts.WIDTH,
        "height": charts.HEIGHT,
        "as_of": counted.as_of.isoformat(),
    }
    return render(request, "indicators.html", context)


@router.get("/indicators/{indicator_id}/cases")
async def indicator_cases_page(
    request: Request,
    indicator_id: str,
    user: Reader,
    sessionmaker: SessionmakerDep,
    book: IndicatorsDep,
    period: str,
    jurisdiction: str | None = None,
    org: str | None = None,
    category: str | None = None,
    as_of: str | None = None,
) -> Response:
    counted = await indicators.count(
        user.principal,
        indicators=book,
        period=period,
        jurisdiction=jurisdiction or None,
        org_id=org or None,
        category=category or None,
        as_of=_as_of(as_of),
        sessionmaker=sessionmaker,
    )
    found = indicators.figure_of(counted, indicator_id)
    definition = book.get(indicator_id)
    assert definition is not None
    lines = await indicator_board.case_lines(
        found.numerator_cases, found.denominator_cases, sessionmaker=sessionmaker
    )
    back = _query(
        period=period, jurisdiction=jurisdiction, category=category, as_of=counted.as_of.isoformat()
    )
    return render(
        request,
        "indicator_cases.html",
        {
            "user": user,
            "f": indicators.view(definition, found),
            "period_label": counted.period.label,
            "scope": counted.scope.label,
            "as_of": counted.as_of.isoformat(),
            "lines": lines,
            "rate": found.unit == "rate",
            "back": f"/indicators?{back}",
        },
    )
