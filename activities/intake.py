"""Intake (登记) bookkeeping at the edge: issue a case number, bound to the request's key."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities import repositories
from domain.case_numbers import format_case_number, series
from domain.values import CaseKind


async def reserve_case_number(
    sessionmaker: async_sessionmaker[AsyncSession], *, kind: CaseKind, year: int, key: str
) -> str:
    """The case number for intake ``key``: the one issued before for the same key, else a new one.

    A race between two requests with one key may burn a number (a gap), never give two cases.
    """
    async with sessionmaker.begin() as session:
        existing = await repositories.case_for_key(key, session=session)
        if existing is not None:
            return existing
        number = await repositories.next_number(series(kind, year), session=session)
        return await repositories.claim_key(
            key, format_case_number(kind, year, number), session=session
        )
