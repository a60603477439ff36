"""问责 views per period: breaches per organisation, alert acknowledgement latency per
recipient, 批示 without 落实反馈 — for the same scopes as the indicators."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import indicator_facts
from activities.store import registry as registry_store
from api.errors import database_errors
from api.services.indicators import resolve_scope
from domain.indicators.accountability import AckLine, OpenInstruction, accountability
from domain.indicators.definitions import parse_period
from domain.people.access import Principal
from domain.values import CHINA_TZ, china_date


class BreachView(BaseModel):
    org_id: str | None
    organisation: str
    breaches: int
    cases: list[str]


class AccountabilityView(BaseModel):
    scope: str
    period: str
    period_label: str
    as_of: date
    breaches: list[BreachView]
    acknowledgement: list[AckLine]
    unanswered: list[OpenInstruction]


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA_TZ).astimezone(UTC)


async def accountability_view(
    principal: Principal,
    *,
    period: str,
    jurisdiction: str | None,
    org_id: str | None,
    as_of: date | None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AccountabilityView:
    parsed = parse_period(period)
    day = as_of or china_date(datetime.now(UTC))
    with database_errors():
        async with sessionmaker() as session:
            scope = await resolve_scope(
                principal, jurisdiction=jurisdiction, org_id=org_id, session=session
            )
            items = await indicator_facts.items_in_scope(
                session=session,
                jurisdiction=scope.jurisdiction,
                org_ids=scope.org_ids,
                start=parsed.start,
                end=parsed.end,
            )
            names = await registry_store.organisation_names(
                {i.org_id for i in items if i.org_id}, session=session
            )
    found = accountability(items, parsed, as_of=_end_of(day))
    return AccountabilityView(
        scope=scope.label,
        period=period,
        period_label=parsed.label,
        as_of=day,
        breaches=[
            BreachView(
                org_id=line.org_id,
                organisation=names.get(line.org_id or "", line.org_id or "（未登记单位）"),
                breaches=line.breaches,
                cases=list(line.cases),
            )
            for line in found.breaches
        ],
        acknowledgement=list(found.acknowledgement),
        unanswered=list(found.unanswered),
    )
