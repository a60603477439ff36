"""The indicator facts beside the read model: written with each case, read by scope and period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from activities.store.indicator_tables import AccountabilityItemRow, IndicatorFactRow
from activities.store.sql import utc
from domain.case.state import CaseState
from domain.indicators.accountability import AccountabilityItem, ItemKind, accountability_items
from domain.indicators.facts import STORED_FACTS, CaseFacts, Fact, case_facts
from domain.values import CaseKind, Category

_TABLE: Any = IndicatorFactRow.__table__
_ITEMS: Any = AccountabilityItemRow.__table__


def fact_row(state: CaseState, *, party_hash_key: bytes) -> dict[str, Any]:
    """The indicator_facts row of ``state`` (its same-matter key under ``party_hash_key``)."""
    facts = case_facts(state, key=party_hash_key)
    days = list(facts.dates.values())
    return {
        "case_id": facts.case_id,
        "kind": facts.kind.value,
        "category": facts.category.value,
        "jurisdiction_code": facts.jurisdiction_code,
        "org_id": facts.org_id,
        "party_key": facts.party_key,
        "first_on": min(days),
        "last_on": max(days),
        **{f"{fact.value}_on": facts.on(fact) for fact in STORED_FACTS},
    }


def item_rows(state: CaseState) -> list[dict[str, Any]]:
    """The accountability_items rows of ``state``."""
    return [{**item.model_dump(), "kind": item.kind.value} for item in accountability_items(state)]


def fact_tables(
    state: CaseState, *, party_hash_key: bytes
) -> list[tuple[Any, list[dict[str, Any]]]]:
    """The indicator facts and accountability items ``state`` gives, by table."""
    return [(_TABLE, [fact_row(state, party_hash_key=party_hash_key)]), (_ITEMS, item_rows(state))]


async def replace_facts(
    state: CaseState, *, connection: AsyncConnection, party_hash_key: bytes
) -> None:
    """Rewrite the case's indicator facts and accountability items (the caller's transaction)."""
    for table, rows in fact_tables(state, party_hash_key=party_hash_key):
        await connection.execute(delete(table).where(table.c.case_id == state.case_id))
        if rows:
            await connection.execute(insert(table), rows)


async def items_in_scope(
    *,
    session: AsyncSession,
    jurisdiction: str | None,
    org_ids: Sequence[str] | None,
    start: date,
    end: date,
) -> list[AccountabilityItem]:
    """The accountability items of a place's subtree (or organisations) placed in [start, end]."""
    query = select(_ITEMS).where(_ITEMS.c.on >= start, _ITEMS.c.on <= end)
    if jurisdiction:
        query = query.where(_ITEMS.c.jurisdiction_code.like(_like(jurisdiction)))
    if org_ids is not None:
        query = query.where(_ITEMS.c.org_id.in_(list(org_ids)))
    out = []
    for row in await session.execute(query):
        values = dict(row._mapping)
        for name in ("started_at", "ended_at"):
            if values[name] is not None:
                values[name] = utc(values[name])  # SQLite hands them back naive
        out.append(AccountabilityItem.model_validate({**values, "kind": ItemKind(row.kind)}))
    return out


_COLUMNS = tuple((fact, f"{fact.value}_on") for fact in STORED_FACTS)


def _facts(row: Row[Any]) -> CaseFacts:
    """The row as facts, built without validation (the row was written from validated facts;
    a county's month is tens of thousands of rows)."""
    values = row._mapping
    return CaseFacts.model_construct(
        case_id=values["case_id"],
        kind=CaseKind(values["kind"]),
        category=Category(values["category"]),
        jurisdiction_code=values["jurisdiction_code"],
        org_id=values["org_id"],
        party_key=values["party_key"],
        dates={fact: values[name] for fact, name in _COLUMNS if values[name] is not None},
    )


def _like(prefix: str) -> str:
    return prefix.replace("\\", "").replace("%", "").replace("_", "") + "%"


async def facts_in_scope(
    *,
    session: AsyncSession,
    jurisdiction: str | None,
    org_ids: Sequence[str] | None,
    category: Category | None,
    windows: Sequence[tuple[date, date]],
) -> list[CaseFacts]:
    """The facts of the cases in a place's subtree (or held by one of ``org_ids``), of a category,
    with a fact inside one of ``windows`` (a case with none cannot count in them)."""
    query = select(_TABLE)
    if jurisdiction:
        query = query.where(_TABLE.c.jurisdiction_code.like(_like(jurisdiction)))
    if org_ids is not None:
        query = query.where(_TABLE.c.org_id.in_(list(org_ids)))
    if category is not None:
        query = query.where(_TABLE.c.category == category.value)
    query = query.where(
        or_(*((_TABLE.c.last_on >= start) & (_TABLE.c.first_on <= end) for start, end in windows))
    )
    return [_facts(row) for row in (await session.execute(query)).all()]


async def scope_facts(
    *,
    session: AsyncSession,
    jurisdiction: str | None,
    org_ids: Sequence[str] | None,
    category: Category | None,
    start: date,
    end: date,
) -> tuple[list[CaseFacts], list[CaseFacts]]:
    """The facts of a scope with a fact in [start, end] or its year-before twin, and the
    petitions that may share a matter with its disputes (registered since ``start``)."""

    def back(day: date) -> date:
        return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)

    facts = await facts_in_scope(
        session=session,
        jurisdiction=jurisdiction,
        org_ids=org_ids,
        category=category,
        windows=[(start, end), (back(start), back(end))],
    )
    keys = [f.party_key for f in facts if f.party_key and f.on(Fact.MEDIATION_ENDED)]
    petitions = await petitions_on_matters([k for k in keys if k], session=session, since=start)
    return facts, petitions


async def petitions_on_matters(
    keys: Sequence[str], *, session: AsyncSession, since: date
) -> list[CaseFacts]:
    """Petitions on the same matters (same-matter keys) registered on or after ``since``."""
    out: list[CaseFacts] = []
    keys = sorted(set(keys))
    for i in range(0, len(keys), 500):
        query = select(_TABLE).where(
            _TABLE.c.kind == CaseKind.PETITION.value,
            _TABLE.c.party_key.in_(keys[i : i + 500]),
            _TABLE.c.registered_on >= since,
        )
        out += [_facts(row) for row in (await session.execute(query)).all()]
    return out


__all__ = [
    "Fact",
    "fact_row",
    "facts_in_scope",
    "item_rows",
    "items_in_scope",
    "petitions_on_matters",
    "fact_tables",
    "replace_facts",
    "scope_facts",
]


async def case_lines(case_ids: Sequence[str], *, session: AsyncSession) -> dict[str, Row[Any]]:
    """The list line of each case (masked title, stage, holder's name), by case id."""
    from activities.store.tables import CaseRow

    found: dict[str, Row[Any]] = {}
    ids = list(case_ids)
    for i in range(0, len(ids), 500):
        rows = await session.execute(
            select(
                CaseRow.case_id,
                CaseRow.masked_title,
                CaseRow.stage,
                CaseRow.holder_name,
                CaseRow.registered_at,
            ).where(CaseRow.case_id.in_(ids[i : i + 500]))
        )
        found |= {row.case_id: row for row in rows}
    return found
