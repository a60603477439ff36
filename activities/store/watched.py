"""The 重点人员 register: entries found by area or by keyed hash (the area is part of every
query), and a person's cases by the same-party key of ``case_parties``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.register_tables import WatchedPersonRow
from activities.store.sql import like_escape, utc
from activities.store.tables import CasePartyRow, CaseRow
from domain.registers.watched import WatchedPerson


@dataclass(frozen=True)
class WatchedCase:
    """A case of the person, as the register lists it (no parties, the masked title)."""

    case_id: str
    title: str
    stage: str
    holder_name: str | None
    jurisdiction_code: str
    registered_at: datetime


async def add_person(person: WatchedPerson, *, at: datetime, session: AsyncSession) -> bool:
    """Enter the person; False when their number is in the register already."""
    session.add(WatchedPersonRow(**person.model_dump(), created_at=at))
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def set_party_key(watched_id: str, party_key: str, *, session: AsyncSession) -> None:
    """The entry's same-party key, recomputed from the number under the current party key."""
    await session.execute(
        update(WatchedPersonRow)
        .where(WatchedPersonRow.watched_id == watched_id)
        .values(party_key=party_key)
    )


def _person(row: WatchedPersonRow) -> WatchedPerson:
    return WatchedPerson(
        watched_id=row.watched_id,
        lookup_key=row.lookup_key,
        party_key=row.party_key,
        id_masked=row.id_masked,
        name=row.name,
        person_type=row.person_type,
        grade=row.grade,
        jurisdiction_code=row.jurisdiction_code,
        minder_user_id=row.minder_user_id,
        minder_name=row.minder_name,
        note=row.note,
        by_name=row.by_name,
    )


def _within(column: Any, within: str) -> Any:
    return column.like(like_escape(within) + "%", escape="\\")


async def persons(*, within: str, limit: int, session: AsyncSession) -> list[WatchedPerson]:
    rows = await session.scalars(
        select(WatchedPersonRow)
        .where(_within(WatchedPersonRow.jurisdiction_code, within))
        .order_by(WatchedPersonRow.created_at.desc())
        .limit(limit)
    )
    return [_person(row) for row in rows]


async def person(
    *, within: str, session: AsyncSession, watched_id: str | None = None, key: str | None = None
) -> WatchedPerson | None:
    """One entry in the area, by id or by keyed hash."""
    query = select(WatchedPersonRow).where(_within(WatchedPersonRow.jurisdiction_code, within))
    if watched_id is not None:
        query = query.where(WatchedPersonRow.watched_id == watched_id)
    if key is not None:
        query = query.where(WatchedPersonRow.lookup_key == key)
    row = await session.scalar(query)
    return _person(row) if row is not None else None


async def cases_of(party_key: str, *, within: str, session: AsyncSession) -> list[WatchedCase]:
    """The cases in the area ``within`` where the person is a party, newest first."""
    rows = (
        await session.execute(
            select(
                CaseRow.case_id,
                CaseRow.masked_title,
                CaseRow.title,
                CaseRow.stage,
                CaseRow.holder_name,
                CaseRow.jurisdiction_code,
                CaseRow.registered_at,
            )
            .join(CasePartyRow, CasePartyRow.case_id == CaseRow.case_id)
            .where(CasePartyRow.party_key == party_key, _within(CaseRow.jurisdiction_code, within))
            .order_by(CaseRow.registered_at.desc())
            .limit(200)
        )
    ).all()
    return [
        WatchedCase(
            r.case_id,
            r.masked_title or r.title,
            r.stage,
            r.holder_name,
            r.jurisdiction_code,
            utc(r.registered_at),
        )
        for r in rows
    ]
