"""排查 compliance in the monthly report, from the screening duties' rows, as of the cut-off.

Per unit, the duties of periods ending in the month within the place: how many were due, how
many reports were filed by the cut-off (zero reports among them), how many were not filed by
their due time. Counted from the recorded times (``filed_at``, ``due_at``), not from the status
the row has now, so a report made again for the same cut-off says the same.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.reports.monthly.model import ScreeningLine
from activities.store.screening_tables import ScreeningDutyRow
from activities.store.sql import utc


async def screening_lines(
    jurisdiction: str, start: date, end: date, *, as_of: datetime, session: AsyncSession
) -> list[ScreeningLine]:
    rows = await session.scalars(
        select(ScreeningDutyRow).where(
            ScreeningDutyRow.jurisdiction_code.startswith(jurisdiction, autoescape=True),
            ScreeningDutyRow.ends_on >= start,
            ScreeningDutyRow.ends_on <= end,
        )
    )
    units: dict[str, list[int]] = {}
    for row in rows:
        if utc(row.opened_at) > as_of:
            continue
        line = units.setdefault(row.org_name, [0, 0, 0, 0])
        filed_at = utc(row.filed_at) if row.filed_at is not None else None
        filed = filed_at is not None and filed_at <= as_of
        line[0] += 1
        line[1] += filed
        line[2] += bool(filed and row.zero_report)
        due = utc(row.due_at)
        line[3] += due <= as_of and (filed_at is None or filed_at > due)
    return [
        ScreeningLine(organisation=name, due=n[0], filed=n[1], zero_reports=n[2], missed=n[3])
        for name, n in sorted(units.items())
    ]
