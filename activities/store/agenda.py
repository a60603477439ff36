"""调解日程: the sessions booked ahead (``session_agenda``), for an organisation or a mediator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.agenda_table import SessionAgendaRow
from activities.store.sql import like_escape, utc


@dataclass(frozen=True)
class AgendaFilter:
    """Whose agenda: an organisation's (the cases it holds), or a jurisdiction subtree's; only
    the sessions naming ``mediator`` (by name, or by roster entry ``mediator_id``)."""

    organisation: str | None = None
    within: str | None = None
    mediator: str | None = None
    mediator_id: str | None = None
    statuses: tuple[str, ...] | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None


class AgendaLine(BaseModel):
    case_id: str
    schedule_no: int
    org_id: str | None
    starts_at: datetime
    place: str
    status: str
    mediators: str
    parties: int
    postponed: int
    title: str
    stage: str
    category: str
    jurisdiction_code: str


def _filtered(query: Any, where: AgendaFilter) -> Any:
    table = SessionAgendaRow
    if where.organisation is not None:
        query = query.where(table.org_id == where.organisation)
    if where.within is not None:
        prefix = like_escape(where.within) + "%"
        query = query.where(table.jurisdiction_code.like(prefix, escape="\\"))
    if where.mediator is not None or where.mediator_id is not None:
        named = []
        if where.mediator is not None:
            name = like_escape(where.mediator.replace("|", ""))
            named.append(table.mediators.like(f"%|{name}|%", escape="\\"))
        if where.mediator_id is not None:
            entry = like_escape(where.mediator_id.replace("|", ""))
            named.append(table.mediator_ids.like(f"%|{entry}|%", escape="\\"))
        query = query.where(or_(*named))
    if where.statuses is not None:
        query = query.where(table.status.in_(where.statuses))
    if where.starts_from is not None:
        query = query.where(table.starts_at >= where.starts_from)
    if where.starts_before is not None:
        query = query.where(table.starts_at < where.starts_before)
    return query


def _line(row: SessionAgendaRow) -> AgendaLine:
    values = {name: getattr(row, name) for name in AgendaLine.model_fields}
    values["starts_at"] = utc(row.starts_at)
    values["mediators"] = "、".join(n for n in row.mediators.split("|") if n)
    return AgendaLine(**values)


async def list_agenda(
    where: AgendaFilter, *, limit: int, session: AsyncSession
) -> list[AgendaLine]:
    """Earliest first."""
    table = SessionAgendaRow
    query = _filtered(select(table), where)
    query = query.order_by(table.starts_at, table.case_id, table.schedule_no).limit(limit)
    return [_line(row) for row in await session.scalars(query)]


async def count_agenda(where: AgendaFilter, *, session: AsyncSession) -> int:
    query = _filtered(select(func.count()).select_from(SessionAgendaRow), where)
    return int(await session.scalar(query) or 0)
