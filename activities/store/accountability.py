"""约谈 / 通报 records: appended, never changed; read within an area (part of every query)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.register_tables import AccountabilityRow
from activities.store.sql import like_escape, utc
from activities.store.tables import CaseRow
from domain.registers.accountability import AccountabilityRecord


async def add_record(record: AccountabilityRecord, *, at: datetime, session: AsyncSession) -> None:
    session.add(
        AccountabilityRow(
            record_id=record.record_id,
            kind=record.kind.value,
            subject_kind=record.subject_kind.value,
            org_id=record.organisation,
            org_name=record.organisation_name,
            jurisdiction_code=record.jurisdiction_code,
            person_name=record.person_name,
            person_user_id=record.person_user_id,
            case_id=record.case_id,
            period_from=record.period_from,
            period_to=record.period_to,
            held_on=record.held_on,
            facts=record.facts,
            decisions=record.decisions,
            corrects=record.corrects,
            by_user_id=record.by_user_id,
            by_name=record.by_name,
            recorded_at=at,
        )
    )
    await session.flush()


def _record(row: AccountabilityRow) -> tuple[AccountabilityRecord, datetime]:
    record = AccountabilityRecord(
        record_id=row.record_id,
        kind=row.kind,
        subject_kind=row.subject_kind,
        organisation=row.org_id,
        organisation_name=row.org_name,
        jurisdiction_code=row.jurisdiction_code,
        person_name=row.person_name,
        person_user_id=row.person_user_id,
        case_id=row.case_id,
        period_from=row.period_from,
        period_to=row.period_to,
        held_on=row.held_on,
        facts=row.facts,
        decisions=row.decisions,
        corrects=row.corrects,
        by_user_id=row.by_user_id,
        by_name=row.by_name,
    )
    return record, utc(row.recorded_at)


def _within(within: str) -> Any:
    return AccountabilityRow.jurisdiction_code.like(like_escape(within) + "%", escape="\\")


async def records(
    *, within: str, case_id: str | None, limit: int, session: AsyncSession
) -> list[tuple[AccountabilityRecord, datetime]]:
    """Records against organisations in the area ``within`` (about ``case_id`` only, when
    given), the latest first."""
    query = select(AccountabilityRow).where(_within(within))
    if case_id is not None:
        query = query.where(AccountabilityRow.case_id == case_id)
    query = query.order_by(
        AccountabilityRow.held_on.desc(), AccountabilityRow.recorded_at.desc()
    ).limit(limit)
    return [_record(row) for row in (await session.scalars(query)).all()]


async def record(
    record_id: str, *, within: str, session: AsyncSession
) -> AccountabilityRecord | None:
    row = await session.scalar(
        select(AccountabilityRow).where(AccountabilityRow.record_id == record_id, _within(within))
    )
    return _record(row)[0] if row is not None else None


async def stored(
    record_id: str, *, session: AsyncSession
) -> tuple[AccountabilityRecord, datetime] | None:
    """The record ``record_id`` and when it was recorded (None: no such record)."""
    row = await session.scalar(
        select(AccountabilityRow).where(AccountabilityRow.record_id == record_id)
    )
    return _record(row) if row is not None else None


async def case_place(case_id: str, *, session: AsyncSession) -> str | None:
    """The case's 属地 code (None for an unknown case)."""
    code: str | None = await session.scalar(
        select(CaseRow.jurisdiction_code).where(CaseRow.case_id == case_id)
    )
    return code
