"""Queries on 排查 duties: open them, record what their workflows decide, read them per unit and
per period (accountability: missed reports per unit per period)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.screening_tables import ScreeningDutyRow, ScreeningReportCaseRow
from activities.store.sql import insert_for, utc
from activities.store.tables import CaseRow, OrganisationRow
from domain.base import Frozen
from domain.organisation.organisations import OrgLevel, OrgType
from domain.screening.duties import MISSED_STATUSES, Duty, DutyStatus, ScreeningReport, Unit

_FILED = (DutyStatus.FILED.value, DutyStatus.FILED_LATE.value)


class DutyView(Frozen):
    """A duty as its pages and the accountability figures read it."""

    duty_id: str
    source: str
    theme: str
    period_key: str
    starts_on: date
    ends_on: date
    due_at: datetime
    org_id: str
    org_name: str
    level: str
    jurisdiction_code: str
    status: DutyStatus
    escalation_level: int
    escalated_to: str
    zero_report: bool | None
    note: str
    filed_by: str | None
    filed_at: datetime | None
    case_ids: tuple[str, ...] = ()


async def screening_units(*, session: AsyncSession) -> list[Unit]:
    rows = await session.execute(
        select(
            OrganisationRow.org_id,
            OrganisationRow.name,
            OrganisationRow.level,
            OrganisationRow.type,
            OrganisationRow.jurisdiction_code,
            OrganisationRow.active,
        ).order_by(OrganisationRow.org_id)
    )
    return [
        Unit(
            org_id=org_id,
            name=name,
            level=OrgLevel(level),
            type=OrgType(kind),
            jurisdiction_code=code,
            active=bool(active),
        )
        for org_id, name, level, kind, code, active in rows
    ]


async def open_duties(duties: list[Duty], *, at: datetime, session: AsyncSession) -> None:
    """One row per duty; a duty opened before is left as it is."""
    if not duties:
        return
    values = [
        {
            "duty_id": duty.duty_id,
            "source": duty.source,
            "theme": duty.theme,
            "period_key": duty.period.key,
            "starts_on": duty.period.starts_on,
            "ends_on": duty.period.ends_on,
            "due_at": utc(duty.period.due_at),
            "org_id": duty.unit.org_id,
            "org_name": duty.unit.name,
            "level": duty.unit.level.value,
            "jurisdiction_code": duty.unit.jurisdiction_code,
            "status": DutyStatus.OPEN.value,
            "escalation_level": 0,
            "escalated_to": "",
            "zero_report": None,
            "note": "",
            "filed_by": None,
            "filed_at": None,
            "opened_at": utc(at),
            "updated_at": utc(at),
        }
        for duty in duties
    ]
    statement = insert_for(session, ScreeningDutyRow.__table__)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["duty_id"]), values)


async def record_duty(
    duty_id: str,
    status: DutyStatus,
    *,
    at: datetime,
    level: int,
    recipient: str,
    report: ScreeningReport | None,
    session: AsyncSession,
) -> None:
    """What the duty's workflow decided. A filed duty keeps its report: a late escalation step
    (an activity retried after the report) never overwrites it."""
    table = ScreeningDutyRow
    values: dict[str, object] = {"status": status.value, "updated_at": utc(at)}
    if report is not None:
        values |= {
            "zero_report": report.zero,
            "note": report.note,
            "filed_by": report.filed_by,
            "filed_at": utc(report.filed_at or at),
        }
        if report.case_ids:
            statement = insert_for(session, ScreeningReportCaseRow.__table__)
            await session.execute(
                statement.on_conflict_do_nothing(index_elements=["duty_id", "case_id"]),
                [{"duty_id": duty_id, "case_id": case_id} for case_id in report.case_ids],
            )
    else:
        values |= {"escalation_level": level}
        if recipient:
            values |= {"escalated_to": recipient}
    await session.execute(
        update(table).where(table.duty_id == duty_id, table.status.not_in(_FILED)).values(**values)
    )


def _view(row: ScreeningDutyRow, case_ids: tuple[str, ...] = ()) -> DutyView:
    return DutyView(
        duty_id=row.duty_id,
        source=row.source,
        theme=row.theme,
        period_key=row.period_key,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        due_at=utc(row.due_at),
        org_id=row.org_id,
        org_name=row.org_name,
        level=row.level,
        jurisdiction_code=row.jurisdiction_code,
        status=DutyStatus(row.status),
        escalation_level=row.escalation_level,
        escalated_to=row.escalated_to,
        zero_report=row.zero_report,
        note=row.note,
        filed_by=row.filed_by,
        filed_at=utc(row.filed_at) if row.filed_at else None,
        case_ids=case_ids,
    )


async def get_duty(duty_id: str, *, session: AsyncSession) -> DutyView | None:
    row = await session.get(ScreeningDutyRow, duty_id)
    if row is None:
        return None
    found = await session.scalars(
        select(ScreeningReportCaseRow.case_id)
        .where(ScreeningReportCaseRow.duty_id == duty_id)
        .order_by(ScreeningReportCaseRow.case_id)
    )
    return _view(row, tuple(found))


async def list_duties(
    *,
    org_id: str | None = None,
    within: str | None = None,
    status: tuple[DutyStatus, ...] = (),
    limit: int = 100,
    session: AsyncSession,
) -> list[DutyView]:
    """Duties of one unit, or of the units within a jurisdiction subtree, newest due first."""
    query = select(ScreeningDutyRow)
    if org_id is not None:
        query = query.where(ScreeningDutyRow.org_id == org_id)
    if within is not None:
        query = query.where(ScreeningDutyRow.jurisdiction_code.startswith(within))
    if status:
        query = query.where(ScreeningDutyRow.status.in_([s.value for s in status]))
    query = query.order_by(ScreeningDutyRow.due_at.desc(), ScreeningDutyRow.duty_id).limit(limit)
    return [_view(row) for row in await session.scalars(query)]


async def missed_reports(
    *, within: str, ends_from: date, ends_to: date, session: AsyncSession
) -> list[DutyView]:
    """Duties within ``within`` whose period ended in [ends_from, ends_to] and whose report was not
    filed by its due time (逾期未报, 逾期补报, 未报送), by unit then period."""
    query = (
        select(ScreeningDutyRow)
        .where(
            ScreeningDutyRow.jurisdiction_code.startswith(within),
            ScreeningDutyRow.ends_on >= ends_from,
            ScreeningDutyRow.ends_on <= ends_to,
            ScreeningDutyRow.status.in_([s.value for s in MISSED_STATUSES]),
        )
        .order_by(ScreeningDutyRow.org_id, ScreeningDutyRow.ends_on, ScreeningDutyRow.duty_id)
    )
    return [_view(row) for row in await session.scalars(query)]


async def cases_registered_by(
    org_id: str, since: datetime, *, session: AsyncSession, limit: int = 200
) -> list[tuple[str, str]]:
    """Cases the unit registered since ``since``: what a screening report may list (id, title)."""
    rows = await session.execute(
        select(CaseRow.case_id, func.coalesce(CaseRow.masked_title, CaseRow.title))
        .where(CaseRow.center_id == org_id, CaseRow.registered_at >= utc(since))
        .order_by(CaseRow.case_id)
        .limit(limit)
    )
    return [(case_id, title) for case_id, title in rows]


async def count_duties(*, session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ScreeningDutyRow)) or 0)
