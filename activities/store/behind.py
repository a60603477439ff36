"""Cases whose events the store refused (记录同步滞后): marked, listed, cleared when caught up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from activities.store.tables import CaseBehindRow, CaseEventRow, CaseRow


async def stored_seq(case_id: str, *, connection: AsyncConnection) -> int:
    """The last event of ``case_id`` the store holds (0: none)."""
    found = await connection.scalar(
        select(func.max(CaseEventRow.seq)).where(CaseEventRow.case_id == case_id)
    )
    return int(found or 0)


async def mark_behind(
    case_id: str,
    *,
    failed_seq: int,
    workflow_seq: int,
    jurisdiction_code: str | None,
    reason: str,
    at: datetime,
    connection: AsyncConnection,
) -> int:
    """Mark ``case_id`` behind (or count one more refused attempt); the attempts so far."""
    projected = await stored_seq(case_id, connection=connection)
    if jurisdiction_code is None:  # a later batch: the place the store has for the case
        jurisdiction_code = await connection.scalar(
            select(CaseRow.jurisdiction_code).where(CaseRow.case_id == case_id)
        )
    row = CaseBehindRow
    attempts = await connection.scalar(
        select(row.attempts).where(row.case_id == case_id).with_for_update()
    )
    if attempts is None:
        await connection.execute(
            insert(row).values(
                case_id=case_id,
                since=at,
                projected_seq=projected,
                failed_seq=failed_seq,
                workflow_seq=workflow_seq,
                jurisdiction_code=jurisdiction_code,
                reason=reason[:200],
                attempts=1,
            )
        )
        return 1
    await connection.execute(
        update(row)
        .where(row.case_id == case_id)
        .values(
            projected_seq=projected,
            workflow_seq=workflow_seq,
            reason=reason[:200],
            jurisdiction_code=jurisdiction_code,
            attempts=row.attempts + 1,
        )
    )
    return int(attempts) + 1


async def clear_behind(case_id: str, *, upto_seq: int, connection: AsyncConnection) -> None:
    """The store now holds every event up to ``upto_seq``: a mark it covers is removed."""
    await connection.execute(
        delete(CaseBehindRow).where(
            CaseBehindRow.case_id == case_id, CaseBehindRow.workflow_seq <= upto_seq
        )
    )


async def behind(case_id: str, *, session: AsyncSession) -> CaseBehindRow | None:
    row: CaseBehindRow | None = await session.get(CaseBehindRow, case_id, populate_existing=True)
    return row


async def behind_among(case_ids: Iterable[str], *, session: AsyncSession) -> set[str]:
    """Which of ``case_ids`` are behind."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return set()
    rows = await session.scalars(
        select(CaseBehindRow.case_id).where(CaseBehindRow.case_id.in_(wanted))
    )
    return set(rows)


async def behind_within(prefix: str | None, *, session: AsyncSession) -> list[CaseBehindRow]:
    """Cases behind whose place lies in the subtree ``prefix`` (None: everywhere), oldest first."""
    query = select(CaseBehindRow).order_by(CaseBehindRow.since, CaseBehindRow.case_id)
    if prefix is not None:
        query = query.where(CaseBehindRow.jurisdiction_code.startswith(prefix))
    return list(await session.scalars(query.limit(100)))
