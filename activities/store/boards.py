"""Counts per organisation for a leader's board (各单位办理情况): cases by holder and stage, and
overdue clocks by the organisation that must answer them, within a jurisdiction subtree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.repositories import CaseFilter, filtered_query
from activities.store.tables import CaseRow, WorkItemRow
from activities.store.worklists import WorkFilter, _workfiltered_query


async def cases_by_holder(
    where: CaseFilter, *, backlog_before: datetime, session: AsyncSession
) -> dict[str, dict[str, tuple[int, int]]]:
    """holder id → stage → (cases, those registered before ``backlog_before``)."""
    query = filtered_query(
        select(
            CaseRow.holder_id,
            CaseRow.stage,
            func.count(),
            func.count().filter(CaseRow.registered_at < backlog_before),
        ).select_from(CaseRow),
        where,
    ).group_by(CaseRow.holder_id, CaseRow.stage)
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for holder, stage, count, older in await session.execute(query):
        found.setdefault(holder or "", {})[stage] = (int(count), int(older))
    return found


async def overdue_by_organisation(where: WorkFilter, *, session: AsyncSession) -> dict[str, int]:
    """organisation id → how many of its cases have an overdue clock (已逾期)."""
    query = _workfiltered_query(
        select(WorkItemRow.org_id, func.count(func.distinct(WorkItemRow.case_id))), where
    ).group_by(WorkItemRow.org_id)
    return {org: int(count) for org, count in await session.execute(query)}
