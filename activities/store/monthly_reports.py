"""Kept monthly reports (月报): recorded once per place, month and cut-off; listed and found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.indicator_tables import MonthlyReportRow
from activities.store.sql import insert_for


async def record_report(values: dict[str, Any], *, session: AsyncSession) -> bool:
    """Keep a report; False when the same report (same id) was kept already."""
    statement = (
        insert_for(session, MonthlyReportRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["report_id"])
        .returning(MonthlyReportRow.report_id)
    )
    return (await session.execute(statement)).first() is not None


async def list_reports(
    *, session: AsyncSession, within: str | None, month: str | None, limit: int = 200
) -> Sequence[MonthlyReportRow]:
    query = select(MonthlyReportRow).order_by(
        MonthlyReportRow.month.desc(), MonthlyReportRow.jurisdiction_code, MonthlyReportRow.as_of
    )
    if within:
        query = query.where(MonthlyReportRow.jurisdiction_code.startswith(within, autoescape=True))
    if month:
        query = query.where(MonthlyReportRow.month == month)
    return (await session.scalars(query.limit(limit))).all()


async def get_report(report_id: str, *, session: AsyncSession) -> MonthlyReportRow | None:
    return await session.get(MonthlyReportRow, report_id)


def report_values(
    *,
    report_id: str,
    jurisdiction: str,
    scope_name: str,
    month: str,
    as_of: datetime,
    made_at: datetime,
    requested_by: str,
    xlsx_sha256: str,
    pdf_sha256: str,
    figures_sha256: str,
    figures: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "jurisdiction_code": jurisdiction,
        "scope_name": scope_name[:200],
        "month": month,
        "as_of": as_of,
        "made_at": made_at,
        "requested_by": requested_by[:200],
        "xlsx_sha256": xlsx_sha256,
        "pdf_sha256": pdf_sha256,
        "figures_sha256": figures_sha256,
        "figures": figures,
    }
