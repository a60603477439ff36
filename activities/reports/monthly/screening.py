"""排查 compliance in the monthly report: the hook the screening duties connect to.

``screening_lines`` answers None until the screening duties (排查, 零报告 on Temporal Schedules)
are in the store; the report then says the section is not yet available. To connect them,
return one ``ScreeningLine`` per unit of ``jurisdiction`` for the month: duties due, reports
filed, zero reports among them, duties missed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from activities.reports.monthly.model import ScreeningLine


async def screening_lines(
    jurisdiction: str, start: date, end: date, *, session: AsyncSession
) -> list[ScreeningLine] | None:
    """The units' screening duties of [start, end] within ``jurisdiction``; None: not connected."""
    del jurisdiction, start, end, session
    return None
