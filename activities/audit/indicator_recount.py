"""核算: an indicator recounted from the event store alone (folding every case's events), for
the auditor to set beside the figure the dashboard shows from the read model.

The cases of the county are found by their registration event (its place), their events folded
with ``evolve`` as the workflow did, and the same pure ``case_facts`` and ``figures`` applied:
a figure that differs means the read model (or the indicator facts beside it) no longer says
what the events say.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.repositories import event_from_row
from activities.store.tables import CaseEventRow
from domain.case.events import Event
from domain.case.evolve import fold
from domain.indicators.compute import Figure, figures
from domain.indicators.definitions import IndicatorSet, Period
from domain.indicators.facts import CaseFacts, case_facts
from domain.values import CaseKind, Category

_BATCH = 500


async def _county_cases(county: str, *, session: AsyncSession) -> list[str]:
    """Every case registered in ``county``, by its registration event's place."""
    place = CaseEventRow.payload["jurisdiction"]["county_code"].as_string()
    rows = await session.scalars(
        select(CaseEventRow.case_id)
        .where(CaseEventRow.seq == 1, CaseEventRow.type == "case_registered", place == county)
        .order_by(CaseEventRow.case_id)
    )
    return list(rows)


async def folded_facts(county: str, *, session: AsyncSession, key: bytes) -> list[CaseFacts]:
    """The facts of every case of ``county``, each from the fold of its stored events (their
    same-matter keys under ``key``)."""
    case_ids = await _county_cases(county, session=session)
    out: list[CaseFacts] = []
    for i in range(0, len(case_ids), _BATCH):
        batch = case_ids[i : i + _BATCH]
        rows = await session.execute(
            select(CaseEventRow.__table__)
            .where(CaseEventRow.case_id.in_(batch))
            .order_by(CaseEventRow.case_id, CaseEventRow.seq)
        )
        by_case: dict[str, list[Event]] = {}
        for row in rows:
            by_case.setdefault(row.case_id, []).append(event_from_row(row))
        for case_id in batch:
            state = fold(by_case.get(case_id, []))
            if state is not None:
                out.append(case_facts(state, key=key))
    return out


def in_scope(
    facts: CaseFacts,
    *,
    jurisdiction: str | None,
    org_ids: Sequence[str] | None,
    category: Category | None,
) -> bool:
    if jurisdiction and not facts.jurisdiction_code.startswith(jurisdiction):
        return False
    if org_ids is not None and facts.org_id not in org_ids:
        return False
    return category is None or facts.category is category


async def recount(
    indicators: IndicatorSet,
    period: Period,
    *,
    counties: Sequence[str],
    jurisdiction: str | None,
    org_ids: Sequence[str] | None,
    category: Category | None,
    as_of: date,
    session: AsyncSession,
) -> list[Figure]:
    """Every indicator of the scope, from the events of the cases of ``counties``."""
    # The same-matter keys only join the cases of this recount to each other: a key of its own,
    # never stored, so the recount needs no deployment secret.
    key = secrets.token_bytes(32)
    county_facts = [
        f for county in counties for f in await folded_facts(county, session=session, key=key)
    ]
    scoped = [
        f
        for f in county_facts
        if in_scope(f, jurisdiction=jurisdiction, org_ids=org_ids, category=category)
    ]
    petitions = [f for f in county_facts if f.kind is CaseKind.PETITION]
    return figures(indicators, scoped, period, as_of=as_of, petitions=petitions)
