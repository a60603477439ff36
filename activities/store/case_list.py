"""案件列表: the filter, the reach, the order (newest first, or by deadline) and the counts."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row, and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store import case_search, search_postings
from activities.store.people_tables import CasePersonRow
from activities.store.sql import like_escape, utc
from activities.store.tables import CaseOrganisationRow, CaseRow
from domain.case.search import SearchPlan
from domain.case.stages import TERMINAL_STAGES


@dataclass(frozen=True)
class CaseFilter:
    stage: str | None = None
    kind: str | None = None
    category: str | None = None
    jurisdiction: str | None = None
    responsible_unit: str | None = None
    package_leader: str | None = None
    # 检索 (the search box): what ``q`` asks for, rank by rank (``domain.case.search``).
    search: SearchPlan | None = None
    responsible_person: str | None = None
    holder: str | None = None  # 承办单位 (org id)
    incoming: str | None = None  # 待签收单位 (org id)
    reporter: str | None = None  # the registering user (a grid worker's own reports)
    # 积案: open (not withdrawn or closed) and registered before this instant.
    backlog_before: datetime | None = None
    # The caller's reach: a jurisdiction subtree and, for center roles, their organisation
    # (cases related to it in any way: case_organisations).
    within: str | None = None
    organisation: str | None = None
    # 我的在办: the person's keys (``domain.case.list_columns.principal_keys``: their account,
    # their roster entry); a case naming any of them by id (case_people), open cases only.
    people: tuple[str, ...] | None = None
    open_only: bool = False


class CaseSummary(BaseModel):
    """One line of the case list (案件列表)."""

    case_id: str
    kind: str
    stage: str
    category: str
    channel: str
    title: str
    jurisdiction_code: str
    risk_level: str
    responsible_unit: str | None
    responsible_person: str | None
    package_leader: str | None
    registered_at: datetime
    updated_at: datetime
    # The nearest running clock, whose it is; the holder (承办单位); the parties (names only).
    next_due_at: datetime | None = None
    next_due_name: str | None = None
    next_due_org: str | None = None
    next_due_org_name: str | None = None
    holder_id: str | None = None
    holder_name: str | None = None
    parties_label: str | None = None


# The list's columns only: the whole row would fetch each case's stored document (out of line,
# ~5 KB) just to drop it.
SUMMARY_COLUMNS = (
    CaseRow.case_id,
    CaseRow.kind,
    CaseRow.stage,
    CaseRow.category,
    CaseRow.channel,
    CaseRow.title,
    CaseRow.jurisdiction_code,
    CaseRow.risk_level,
    CaseRow.responsible_unit,
    CaseRow.responsible_person,
    CaseRow.package_leader,
    CaseRow.registered_at,
    CaseRow.updated_at,
    CaseRow.next_due_at,
    CaseRow.next_due_name,
    CaseRow.next_due_org,
    CaseRow.next_due_org_name,
    CaseRow.holder_id,
    CaseRow.holder_name,
    CaseRow.parties_label,
)


def summary_of(row: Row[Any]) -> CaseSummary:
    return CaseSummary(
        case_id=row.case_id,
        kind=row.kind,
        stage=row.stage,
        category=row.category,
        channel=row.channel,
        title=row.title,
        jurisdiction_code=row.jurisdiction_code,
        risk_level=row.risk_level,
        responsible_unit=row.responsible_unit,
        responsible_person=row.responsible_person,
        package_leader=row.package_leader,
        registered_at=utc(row.registered_at),
        updated_at=utc(row.updated_at),
        next_due_at=utc(row.next_due_at) if row.next_due_at is not None else None,
        next_due_name=row.next_due_name,
        next_due_org=row.next_due_org,
        next_due_org_name=row.next_due_org_name,
        holder_id=row.holder_id,
        holder_name=row.holder_name,
        parties_label=row.parties_label,
    )


@dataclass(frozen=True)
class CasePage:
    items: list[CaseSummary]
    next_cursor: str | None


def encode_cursor(row: CaseRow | Row[Any], *, by_deadline: bool = False) -> str:
    """The position after ``row``: its registration (or, by deadline, its due rank) and id."""
    key = row.due_rank if by_deadline else row.registered_at
    raw = json.dumps([utc(key).isoformat(), row.case_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """ValueError if the cursor was not made by encode_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        registered, case_id = json.loads(raw)
        return utc(datetime.fromisoformat(registered)), str(case_id)
    except Exception as error:
        raise ValueError("invalid cursor") from error


def _subtrees(*prefixes: str | None) -> list[str]:
    """The jurisdiction prefixes a case must start with: one when the caller's filter lies inside
    the reach (or the reverse), as the narrower implies the wider; both when they are disjoint."""
    given = sorted((prefix for prefix in prefixes if prefix is not None), key=len, reverse=True)
    if len(given) == 2 and given[0].startswith(given[1]):
        return given[:1]
    return given


# Withdrawn and closed cases are no longer open (积案 counts the others).
_ENDED_STAGES = tuple(sorted(stage.value for stage in TERMINAL_STAGES))


def _shared_conditions(where: CaseFilter, table: Any) -> list[Any]:
    """Conditions on the columns that ``cases`` and the reach rows of ``case_organisations``
    both hold (stage, kind, category, jurisdiction, registration)."""
    conditions = [
        getattr(table, name) == value
        for name in ("stage", "kind", "category")
        if (value := getattr(where, name)) is not None
    ]
    for prefix in _subtrees(where.within, where.jurisdiction or None):
        pattern = like_escape(prefix) + "%"
        conditions.append(table.jurisdiction_code.like(pattern, escape="\\"))
    if where.backlog_before is not None:
        conditions.append(table.registered_at < where.backlog_before)
    if where.backlog_before is not None or where.open_only:
        conditions.append(table.stage.not_in(_ENDED_STAGES))
    return conditions


def _case_conditions(where: CaseFilter) -> list[Any]:
    """Conditions only the cases table can answer."""
    exact = {
        CaseRow.responsible_unit: where.responsible_unit,
        CaseRow.package_leader: where.package_leader,
        CaseRow.responsible_person: where.responsible_person,
        CaseRow.holder_id: where.holder,
        CaseRow.incoming_id: where.incoming,
        CaseRow.reporter_id: where.reporter,
    }
    conditions = [column == value for column, value in exact.items() if value is not None]
    if where.people is not None:
        # A semi-join from the person's own rows (ix_case_people_key): a few rows, not a scan.
        named = select(CasePersonRow.case_id).where(CasePersonRow.person_key.in_(where.people))
        conditions.append(CaseRow.case_id.in_(named))
    if where.search is not None:
        conditions.append(case_search.any_condition(where.search))
    return conditions


_REACH = CaseOrganisationRow


def _reach_row(where: CaseFilter) -> list[Any]:
    """The one reach row of each case related to the organisation (any relation)."""
    # The bare column, as the partial index says it (`reach IS true` does not match it).
    return [_REACH.org_id == where.organisation, _REACH.reach]


def filtered_query(query: Any, where: CaseFilter) -> Any:
    """``query`` (over ``cases``) narrowed by the filter. An organisation's reach joins its reach
    rows in ``case_organisations``, which carry the shared columns: the planner walks that
    organisation's rows (by registration) instead of hashing the whole cases table."""
    if where.organisation is None:
        return query.where(*_shared_conditions(where, CaseRow), *_case_conditions(where))
    joined = query.join(_REACH, and_(_REACH.case_id == CaseRow.case_id, *_reach_row(where)))
    return joined.where(*_shared_conditions(where, _REACH), *_case_conditions(where))


def order_columns(where: CaseFilter, *, by_deadline: bool = False) -> tuple[Any, Any]:
    """(registered_at, case_id) of the rows a list walks, or (due_rank, case_id) by deadline:
    the reach rows for an organisation."""
    table: Any = _REACH if where.organisation is not None else CaseRow
    return (table.due_rank if by_deadline else table.registered_at), table.case_id


def counting_query(where: CaseFilter, columns: Any) -> tuple[Any, Any]:
    """A count over the filter, and the table whose columns it counts: an organisation's reach
    rows alone when the filter needs nothing else of the case (an index-only count)."""
    if where.organisation is not None and not _case_conditions(where):
        table: Any = _REACH
        query = select(*columns(table)).where(*_reach_row(where), *_shared_conditions(where, table))
        return query, table
    return filtered_query(select(*columns(CaseRow)).select_from(CaseRow), where), CaseRow


async def count_cases(where: CaseFilter, *, session: AsyncSession) -> dict[str, int]:
    """How many cases match, by stage (the same filter, hence the same reach, as the list)."""
    query, table = counting_query(where, lambda t: (t.stage, func.count()))
    rows = await session.execute(query.group_by(table.stage))
    return {stage: int(count) for stage, count in rows}


async def count_cases_and_backlog(
    where: CaseFilter, *, backlog_before: datetime, session: AsyncSession
) -> tuple[dict[str, int], int]:
    """How many cases match by stage, and how many of them are 积案 (open and registered before
    ``backlog_before``), in one pass over the same rows."""
    query, table = counting_query(
        where,
        lambda t: (t.stage, func.count(), func.count().filter(t.registered_at < backlog_before)),
    )
    by_stage: dict[str, int] = {}
    backlog = 0
    for stage, count, older in await session.execute(query.group_by(table.stage)):
        by_stage[stage] = int(count)
        backlog += int(older) if stage not in _ENDED_STAGES else 0
    return by_stage, backlog


async def list_cases(
    where: CaseFilter,
    *,
    cursor: str | None,
    limit: int,
    session: AsyncSession,
    by_deadline: bool = False,
) -> CasePage:
    """Newest first, or by deadline (nearest first, cases with no running clock last, then by
    number); a search: best rank first, then newest (or by deadline when asked: the search then
    only filters). The cursor continues after the last row of the previous page."""
    if where.search is not None and not by_deadline:
        return await _search_cases(where, where.search, cursor=cursor, limit=limit, session=session)
    key, case_id = order_columns(where, by_deadline=by_deadline)
    query = filtered_query(select(*SUMMARY_COLUMNS, key.label("due_rank")), where)
    if cursor is not None:
        after = decode_cursor(cursor)
        # The row-value form is one index condition on (key, case_id), so a page deep in the
        # list starts where it begins; ``a < x OR (a = x AND b < y)`` was a filter.
        if by_deadline:
            query = query.where(tuple_(key, case_id) > tuple_(*after))
        else:
            query = query.where(tuple_(key, case_id) < tuple_(*after))
    order = (key.asc(), case_id.asc()) if by_deadline else (key.desc(), case_id.desc())
    rows = list(await session.execute(query.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return CasePage(
        items=[summary_of(row) for row in rows],
        next_cursor=encode_cursor(rows[-1], by_deadline=by_deadline) if more and rows else None,
    )


def _search_cursor(rank_index: int, row: Row[Any]) -> str:
    raw = json.dumps([rank_index, utc(row.registered_at).isoformat(), row.case_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_search_cursor(cursor: str) -> tuple[int, datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank_index, registered, case_id = json.loads(raw)
        return int(rank_index), utc(datetime.fromisoformat(registered)), str(case_id)
    except Exception as error:
        raise ValueError("invalid cursor") from error


async def _search_cases(
    where: CaseFilter, plan: SearchPlan, *, cursor: str | None, limit: int, session: AsyncSession
) -> CasePage:
    """检索: rank by rank (excluding the earlier ranks' cases), newest first within a rank, until
    the page is full; on PostgreSQL by the postings (``search_postings``)."""
    start: int = 0
    after: Any = None
    if cursor is not None:
        start, *position = _decode_search_cursor(cursor)
        after = tuple(position)
        if not 0 <= start < len(plan.classes):
            raise ValueError("invalid cursor")
    if session.get_bind().dialect.name == "postgresql":
        rows = await search_postings.search_rows(
            plan,
            scope=search_scope(where),
            start=start,
            after=after,
            limit=limit + 1,
            columns=SUMMARY_COLUMNS,
            session=session,
        )
    else:
        rows = await _scanned(where, plan, start=start, after=after, limit=limit, session=session)
    more = len(rows) > limit
    rows = rows[:limit]
    return CasePage(
        items=[summary_of(row) for _, row in rows],
        next_cursor=_search_cursor(*rows[-1]) if more and rows else None,
    )


def search_scope(where: CaseFilter) -> search_postings.Scope:
    """Where a search on PostgreSQL looks: the reach on the postings, other filters on cases."""
    rest = replace(where, search=None, within=None, jurisdiction=None)
    bare = rest == CaseFilter(organisation=where.organisation)
    return search_postings.Scope(
        subtrees=_subtrees(where.within, where.jurisdiction or None),
        organisation=where.organisation,
        narrow=None if bare else (lambda query: filtered_query(query, rest)),
    )


async def _scanned(
    where: CaseFilter,
    plan: SearchPlan,
    *,
    start: int,
    after: tuple[Any, ...] | None,
    limit: int,
    session: AsyncSession,
) -> list[tuple[int, Row[Any]]]:
    """SQLite: rank by rank, each rank one scan of the terms excluding the earlier ranks'."""
    rows: list[tuple[int, Row[Any]]] = []
    registered_at, case_id = order_columns(where)
    others = replace(where, search=None)
    for index in range(start, len(plan.classes)):
        query = filtered_query(
            select(*SUMMARY_COLUMNS, registered_at.label("due_rank")), others
        ).where(case_search.rank_condition(plan, index))
        if index == start and after is not None:
            query = query.where(tuple_(registered_at, case_id) < tuple_(*after))
        query = query.order_by(registered_at.desc(), case_id.desc()).limit(limit + 1 - len(rows))
        rows.extend((index, row) for row in await session.execute(query))
        if len(rows) > limit:
            break
    return rows
