"""Worklist (待办) and same-party queries on the rows beside the cases (``read_model``)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.repositories import (
    SUMMARY_COLUMNS,
    CaseFilter,
    CaseSummary,
    counting_query,
    decode_cursor,
    encode_cursor,
    filtered_query,
    order_columns,
    summary_of,
)
from activities.store.sql import like_escape, utc
from activities.store.tables import CasePartyRow, CaseRow, WorkItemRow


@dataclass(frozen=True)
class WorkFilter:
    """Whose worklist: an organisation's (optionally the items naming ``person``), or a leader's
    (``within`` a jurisdiction subtree, ``kinds`` only)."""

    organisation: str | None = None
    within: str | None = None
    kinds: tuple[str, ...] | None = None
    person: str | None = None


class WorkLine(BaseModel):
    """One line of a worklist."""

    case_id: str
    item_key: str
    kind: str
    org_id: str
    due_at: datetime | None
    since: datetime
    summary: str
    assignment_no: int | None
    clock_id: str | None
    jurisdiction_code: str
    case_kind: str
    title: str
    stage: str
    category: str
    registered_at: datetime


@dataclass(frozen=True)
class WorkPage:
    items: list[WorkLine]
    next_cursor: str | None


_LINE_COLUMNS = (
    *(getattr(WorkItemRow, name) for name in WorkLine.model_fields),
    WorkItemRow.rank_at,
)


def _line(row: Row[Any]) -> WorkLine:
    return WorkLine(
        **{
            name: utc(value) if isinstance(value, datetime) else value
            for name, value in row._mapping.items()
            if name in WorkLine.model_fields
        }
    )


def _cursor(row: Row[Any]) -> str:
    key = [utc(row.rank_at).isoformat(), utc(row.since).isoformat(), row.case_id, row.item_key]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decoded(cursor: str) -> tuple[datetime, datetime, str, str]:
    """ValueError if the cursor was not made by ``_cursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, since, case_id, item_key = json.loads(raw)
        return (
            utc(datetime.fromisoformat(rank)),
            utc(datetime.fromisoformat(since)),
            str(case_id),
            str(item_key),
        )
    except Exception as error:
        raise ValueError("invalid cursor") from error


def _workfiltered_query(query: Any, where: WorkFilter) -> Any:
    if where.organisation is not None:
        query = query.where(WorkItemRow.org_id == where.organisation)
    if where.within is not None:
        prefix = like_escape(where.within) + "%"
        query = query.where(WorkItemRow.jurisdiction_code.like(prefix, escape="\\"))
    if where.kinds is not None:
        query = query.where(WorkItemRow.kind.in_(where.kinds))
    if where.person is not None:
        name = like_escape(where.person.replace("|", ""))
        query = query.where(WorkItemRow.person.like(f"%|{name}|%", escape="\\"))
    return query


async def count_work(where: WorkFilter, *, session: AsyncSession) -> dict[str, int]:
    """How many items of each kind the worklist holds."""
    query = _workfiltered_query(select(WorkItemRow.kind, func.count()), where)
    rows = await session.execute(query.group_by(WorkItemRow.kind))
    return {kind: int(count) for kind, count in rows}


async def list_work(
    where: WorkFilter, *, kind: str | None, cursor: str | None, limit: int, session: AsyncSession
) -> WorkPage:
    """Nearest due first (items without a due time last), then the oldest; the cursor continues
    after the last line of the previous page (row-value order, as the case list pages)."""
    if kind is not None:
        where = WorkFilter(
            organisation=where.organisation,
            within=where.within,
            kinds=(kind,) if where.kinds is None or kind in where.kinds else (),
            person=where.person,
        )
    query = _workfiltered_query(select(*_LINE_COLUMNS), where)
    order = (WorkItemRow.rank_at, WorkItemRow.since, WorkItemRow.case_id, WorkItemRow.item_key)
    if cursor is not None:
        query = query.where(tuple_(*order) > tuple_(*_decoded(cursor)))
    rows = list(await session.execute(query.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return WorkPage(
        items=[_line(row) for row in rows],
        next_cursor=_cursor(rows[-1]) if more and rows else None,
    )


async def list_backlog(
    where: CaseFilter, *, cursor: str | None, limit: int, session: AsyncSession
) -> tuple[list[CaseSummary], str | None]:
    """积案 oldest first (``where.backlog_before`` set), paged by (registered_at, case_id)."""
    query = filtered_query(select(*SUMMARY_COLUMNS), where)
    registered_at, case_id = order_columns(where)
    if cursor is not None:
        query = query.where(tuple_(registered_at, case_id) > tuple_(*decode_cursor(cursor)))
    query = query.order_by(registered_at, case_id).limit(limit + 1)
    rows = list(await session.execute(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return [summary_of(row) for row in rows], encode_cursor(rows[-1]) if more and rows else None


async def count_matching(where: CaseFilter, *, session: AsyncSession) -> int:
    query, _ = counting_query(where, lambda table: (func.count(),))
    return int(await session.scalar(query) or 0)


# -- same parties -------------------------------------------------------------------------------


class CaseSide(BaseModel):
    """What a worklist line shows of its case beside the item: the holder and the parties."""

    holder_id: str | None
    holder_name: str | None
    parties_label: str | None


async def case_sides(case_ids: set[str], *, session: AsyncSession) -> dict[str, CaseSide]:
    """The holder (承办单位) and the parties' label of each case, by its primary key."""
    if not case_ids:
        return {}
    query = select(
        CaseRow.case_id, CaseRow.holder_id, CaseRow.holder_name, CaseRow.parties_label
    ).where(CaseRow.case_id.in_(sorted(case_ids)))
    return {
        row.case_id: CaseSide(
            holder_id=row.holder_id, holder_name=row.holder_name, parties_label=row.parties_label
        )
        for row in await session.execute(query)
    }


async def party_keys_of(case_id: str, *, session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(CasePartyRow.party_key).where(CasePartyRow.case_id == case_id)
    )
    return list(rows)


async def cases_of_parties(
    keys: list[str],
    where: CaseFilter,
    *,
    excluding: str | None = None,
    limit: int,
    session: AsyncSession,
) -> list[CaseSummary]:
    """Cases (within ``where``, the caller's reach) sharing a party key, newest first."""
    if not keys:
        return []
    sharing = select(CasePartyRow.case_id).where(CasePartyRow.party_key.in_(keys))
    query = filtered_query(select(*SUMMARY_COLUMNS), where).where(CaseRow.case_id.in_(sharing))
    if excluding is not None:
        query = query.where(CaseRow.case_id != excluding)
    registered_at, case_id = order_columns(where)
    query = query.order_by(registered_at.desc(), case_id.desc()).limit(limit)
    return [summary_of(row) for row in await session.execute(query)]
