"""Clocks (时限): every rule of a case's policy, its source, its clocks and why they fall due."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import repositories
from api.clock_schemas import ClockReport, clock_report
from api.errors import case_not_found, database_errors
from domain.case.reach import CaseReach, may_read
from domain.people.access import Principal


async def clocks(
    case_id: str, *, principal: Principal, sessionmaker: async_sessionmaker[AsyncSession]
) -> ClockReport:
    with database_errors():
        async with sessionmaker() as session:
            state = await repositories.get_case(case_id, session=session)
    if state is None or not may_read(principal, CaseReach.of(state)):
        raise case_not_found(case_id)
    return clock_report(state)
