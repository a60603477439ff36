"""Intake (登记) bookkeeping at the edge: issue a case number, bound to the request's key."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import repositories
from activities.store.engine import single_read
from domain.case.case_numbers import format_case_number, series
from domain.values import CaseKind


async def reserve_case_number(
    sessionmaker: async_sessionmaker[AsyncSession], *, kind: CaseKind, year: int, key: str
) -> tuple[str, bool]:
    """The case number for intake ``key`` and whether the key was seen before.

    A key seen before keeps its number. A race between two requests with one key may burn a
    number (a gap), never give two cases.
    """
    async with single_read(sessionmaker) as session:
        existing = await repositories.case_for_key(key, session=session)
    if existing is not None:
        return existing, True
    return await claim_case_number(sessionmaker, kind=kind, year=year, key=key)


async def claim_case_number(
    sessionmaker: async_sessionmaker[AsyncSession], *, kind: CaseKind, year: int, key: str
) -> tuple[str, bool]:
    """Issue the next number of the series to ``key``, which the caller found unclaimed: the
    number and False; or, when another request with the key claimed one meanwhile, that one
    and True (the number issued here is burnt: a gap)."""
    async with sessionmaker.begin() as session:
        number = await repositories.next_number(series(kind, year), session=session)
        candidate = format_case_number(kind, year, number)
        bound = await repositories.claim_key(key, candidate, session=session)
        return bound, bound != candidate
