"""领导接访 logs: written once, read by the leaders whose area holds them (the area is part of
every query), and the cases registered from each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.register_tables import ReceptionCaseRow, ReceptionRow
from activities.store.sql import insert_for, like_escape, utc
from activities.store.tables import CaseRow
from domain.registers.reception import Reception, Visitor


@dataclass(frozen=True)
class ReceptionCase:
    """A case registered from a reception, as the log lists it."""

    case_id: str
    title: str
    stage: str
    registered_at: datetime


async def add_reception(reception: Reception, *, at: datetime, session: AsyncSession) -> None:
    session.add(
        ReceptionRow(
            reception_id=reception.reception_id,
            leader_user_id=reception.leader_user_id,
            leader_name=reception.leader_name,
            leader_title=reception.leader_title,
            jurisdiction_code=reception.jurisdiction_code,
            org_id=reception.organisation,
            org_name=reception.organisation_name,
            received_on=reception.received_on,
            place=reception.place,
            visitors=[v.model_dump(mode="json") for v in reception.visitors],
            note=reception.note,
            created_at=at,
        )
    )
    await session.flush()


def _reception(row: ReceptionRow) -> Reception:
    return Reception(
        reception_id=row.reception_id,
        leader_user_id=row.leader_user_id,
        leader_name=row.leader_name,
        leader_title=row.leader_title,
        jurisdiction_code=row.jurisdiction_code,
        organisation=row.org_id,
        organisation_name=row.org_name,
        received_on=row.received_on,
        place=row.place,
        visitors=tuple(Visitor.model_validate(v) for v in row.visitors),
        note=row.note,
    )


def _within(within: str) -> Any:
    return ReceptionRow.jurisdiction_code.like(like_escape(within) + "%", escape="\\")


async def reception(reception_id: str, *, within: str, session: AsyncSession) -> Reception | None:
    """The reception, when it was held in the area ``within`` (a jurisdiction prefix)."""
    row = await session.scalar(
        select(ReceptionRow).where(ReceptionRow.reception_id == reception_id, _within(within))
    )
    return _reception(row) if row is not None else None


async def list_receptions(
    *, within: str, limit: int, session: AsyncSession
) -> list[tuple[Reception, int]]:
    """Receptions in the area ``within``, the latest first, each with how many cases it led to."""
    rows = (
        await session.scalars(
            select(ReceptionRow)
            .where(_within(within))
            .order_by(ReceptionRow.received_on.desc(), ReceptionRow.created_at.desc())
            .limit(limit)
        )
    ).all()
    ids = [row.reception_id for row in rows]
    counts: dict[str, int] = dict.fromkeys(ids, 0)
    if ids:
        linked = await session.scalars(
            select(ReceptionCaseRow.reception_id).where(ReceptionCaseRow.reception_id.in_(ids))
        )
        for reception_id in linked:
            counts[reception_id] += 1
    return [(_reception(row), counts[row.reception_id]) for row in rows]


async def link_case(
    reception_id: str, case_id: str, *, at: datetime, session: AsyncSession
) -> None:
    """Record that ``case_id`` was registered from the reception (once: a retry adds nothing)."""
    statement = (
        insert_for(session, ReceptionCaseRow)
        .values(reception_id=reception_id, case_id=case_id, registered_at=at)
        .on_conflict_do_nothing(index_elements=["reception_id", "case_id"])
    )
    await session.execute(statement)


async def cases_of(reception_id: str, *, session: AsyncSession) -> list[ReceptionCase]:
    """The cases registered from the reception, in the order registered."""
    rows = (
        await session.execute(
            select(CaseRow.case_id, CaseRow.title, CaseRow.stage, ReceptionCaseRow.registered_at)
            .join(CaseRow, CaseRow.case_id == ReceptionCaseRow.case_id)
            .where(ReceptionCaseRow.reception_id == reception_id)
            .order_by(ReceptionCaseRow.registered_at, ReceptionCaseRow.case_id)
        )
    ).all()
    return [ReceptionCase(r.case_id, r.title, r.stage, utc(r.registered_at)) for r in rows]
