"""Queries on alerts, their delivery attempts and the recipient directory."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from activities.store.sql import insert_for, insert_for_dialect, utc
from activities.store.tables import (
    AlertDeliveryRow,
    AlertRow,
    CaseOrganisationRow,
    CaseRow,
    OrganisationRow,
    RecipientRow,
)
from domain.case.clocks import Clock
from domain.case.state import CaseState


@cache
def _upsert_alert_statement(dialect: str) -> Any:
    table = AlertRow.__table__
    statement = insert_for_dialect(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=["alert_id"],
        set_={c.name: statement.excluded[c.name] for c in table.c if c.name != "alert_id"},
        where=table.c.updated_seq < statement.excluded.updated_seq,
    )


def alert_rows(state: CaseState) -> list[dict[str, Any]]:
    """The alerts rows of the case as of ``state``."""
    return [
        {
            "alert_id": alert.alert_id,
            "case_id": state.case_id,
            "kind": alert.kind.value,
            "clock_id": alert.clock_id,
            "title": alert.title,
            "level": alert.level,
            "recipient": alert.recipient,
            "status": alert.status.value,
            "jurisdiction_code": state.jurisdiction.code,
            "raised_at": utc(alert.raised_at),
            "updated_seq": state.seq,
            "document": alert.model_dump(mode="json"),
        }
        for alert in state.alerts
    ]


# An alert row as written, but for the seq that wrote it (what a later write compares).
AlertRows = dict[str, dict[str, Any]]


async def upsert_alerts(
    state: CaseState,
    *,
    connection: AsyncConnection,
    previous: AlertRows | None = None,
    overwrite: bool = False,
) -> AlertRows:
    """Every alert of the case as of ``state`` (older states never overwrite newer rows); returns
    them by id. ``previous``: the rows the case's last projection wrote (still the stored ones):
    only alerts that are new or changed since are written. ``overwrite``: the stored rows are of
    an attempt that never became history; the case's alerts are replaced by ``state``'s."""
    rows = alert_rows(state)
    if overwrite:
        await connection.execute(delete(AlertRow).where(AlertRow.case_id == state.case_id))
    written = {
        row["alert_id"]: {k: v for k, v in row.items() if k != "updated_seq"} for row in rows
    }
    if previous is not None:
        rows = [row for row in rows if previous.get(row["alert_id"]) != written[row["alert_id"]]]
    if rows:
        await connection.execute(_upsert_alert_statement(connection.dialect.name), rows)
    return written


async def list_alerts(
    *,
    recipient: str | None,
    status: str | None,
    case_id: str | None,
    limit: int,
    session: AsyncSession,
    within: str | None = None,
    center_id: str | None = None,
) -> list[dict[str, Any]]:
    """Newest first; ``within``/``center_id`` narrow to the caller's reach."""
    query = _within_reach(select(AlertRow.case_id, AlertRow.document), within, center_id)
    if recipient is not None:
        query = query.where(AlertRow.recipient == recipient)
    if status is not None:
        query = query.where(AlertRow.status == status)
    if case_id is not None:
        query = query.where(AlertRow.case_id == case_id)
    query = query.order_by(AlertRow.raised_at.desc(), AlertRow.alert_id.desc()).limit(limit)
    return [{**document, "case_id": case} for case, document in await session.execute(query)]


async def alert_case(alert_id: str, *, session: AsyncSession) -> str | None:
    case_id: str | None = await session.scalar(
        select(AlertRow.case_id).where(AlertRow.alert_id == alert_id)
    )
    return case_id


async def record_delivery(
    *,
    delivery_id: str,
    alert_id: str,
    case_id: str,
    recipient: str,
    channel: str,
    attempt: int,
    succeeded: bool,
    status_code: int | None,
    error: str | None,
    at: datetime,
    session: AsyncSession,
) -> None:
    session.add(
        AlertDeliveryRow(
            delivery_id=delivery_id,
            alert_id=alert_id,
            case_id=case_id,
            recipient=recipient,
            channel=channel,
            attempt=attempt,
            succeeded=succeeded,
            status_code=status_code,
            error=error,
            at=utc(at),
        )
    )


async def delivered_channels(delivery_id: str, *, session: AsyncSession) -> set[str]:
    """Channels that already took this delivery: a retried activity skips them."""
    rows = await session.scalars(
        select(AlertDeliveryRow.channel).where(
            AlertDeliveryRow.delivery_id == delivery_id, AlertDeliveryRow.succeeded.is_(True)
        )
    )
    return set(rows)


async def deliveries(alert_id: str, *, session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(AlertDeliveryRow)
        .where(AlertDeliveryRow.alert_id == alert_id)
        .order_by(AlertDeliveryRow.id)
    )
    return [
        {
            "delivery_id": row.delivery_id,
            "recipient": row.recipient,
            "channel": row.channel,
            "attempt": row.attempt,
            "succeeded": row.succeeded,
            "status_code": row.status_code,
            "error": row.error,
            "at": utc(row.at).isoformat(),
        }
        for row in rows
    ]


async def recipient(recipient_id: str, *, session: AsyncSession) -> RecipientRow | None:
    return await session.get(RecipientRow, recipient_id)


async def put_recipient(
    recipient_id: str, display_name: str, channels: list[dict[str, Any]], *, session: AsyncSession
) -> None:
    statement = insert_for(session, RecipientRow).values(
        recipient_id=recipient_id, display_name=display_name, channels=channels
    )
    statement = statement.on_conflict_do_update(
        index_elements=["recipient_id"],
        set_={"display_name": display_name, "channels": channels},
    )
    await session.execute(statement)


async def list_recipients(*, session: AsyncSession) -> list[RecipientRow]:
    return list(await session.scalars(select(RecipientRow).order_by(RecipientRow.recipient_id)))


def _overdue_where(query: Any, within: str | None, center_id: str | None) -> Any:
    query = query.where(AlertRow.kind == "breach", AlertRow.status != "closed")
    return _within_reach(query, within, center_id)


def _within_reach(query: Any, within: str | None, center_id: str | None) -> Any:
    """Alerts of the cases a caller reaches, as their lists do: an organisation's staff the cases
    related to it (held, awaiting it, registered, held before, co-handled, assigned: reach follows
    the case, not where it was registered); anyone else the jurisdiction subtree."""
    if center_id is not None:
        related = select(CaseOrganisationRow.case_id).where(
            CaseOrganisationRow.org_id == center_id, CaseOrganisationRow.reach
        )
        return query.where(AlertRow.case_id.in_(related))
    if within is not None:
        query = query.where(AlertRow.jurisdiction_code.startswith(within))
    return query


async def count_overdue_cases(
    *, session: AsyncSession, within: str | None, center_id: str | None
) -> int:
    """逾期: cases with a breach alert not yet closed (acknowledged or not), within a reach."""
    query = _overdue_where(select(func.count(func.distinct(AlertRow.case_id))), within, center_id)
    return int((await session.execute(query)).scalar_one())


async def overdue_cases(
    *, session: AsyncSession, within: str | None, center_id: str | None, limit: int
) -> list[dict[str, Any]]:
    """The overdue cases within a reach, the longest overdue first: case id and first breach."""
    query = _overdue_where(
        select(AlertRow.case_id, func.min(AlertRow.raised_at).label("since")),
        within,
        center_id,
    )
    query = query.group_by(AlertRow.case_id).order_by(func.min(AlertRow.raised_at)).limit(limit)
    found = [
        {"case_id": case_id, "since": utc(since)} for case_id, since in await session.execute(query)
    ]
    return await _with_case_details(found, session=session)


async def _with_case_details(
    found: list[dict[str, Any]], *, session: AsyncSession
) -> list[dict[str, Any]]:
    """Each overdue case with its title, its 承办单位 and the deadline it missed (the earliest
    due time among its breached clocks; ``due_at`` None when no clock says)."""
    if not found:
        return found
    ids = [item["case_id"] for item in found]
    breached = select(AlertRow.case_id, AlertRow.clock_id).where(
        AlertRow.case_id.in_(ids), AlertRow.kind == "breach", AlertRow.status != "closed"
    )
    clocks: dict[str, set[str]] = {}
    for case_id, clock_id in await session.execute(breached):
        if clock_id:
            clocks.setdefault(case_id, set()).add(clock_id)
    rows = select(CaseRow.case_id, CaseRow.title, OrganisationRow.name, CaseRow.state).outerjoin(
        OrganisationRow, OrganisationRow.org_id == CaseRow.holder_id
    )
    details = {
        case_id: (title, holder, state)
        for case_id, title, holder, state in await session.execute(
            rows.where(CaseRow.case_id.in_(ids))
        )
    }
    for item in found:
        title, holder, state = details.get(item["case_id"], ("", None, {}))
        dues = [
            utc(Clock.model_validate(clock).due_at)
            for clock in (state or {}).get("clocks", ())
            if clock.get("clock_id") in clocks.get(item["case_id"], ())
        ]
        item.update(title=title, holder_name=holder, due_at=min(dues) if dues else None)
    return found


async def count_alerts(
    status: str, *, session: AsyncSession, within: str | None, center_id: str | None
) -> int:
    """How many alerts of ``status`` (e.g. open: 待签收) a caller's reach holds (the notices)."""
    query = _within_reach(select(func.count()).where(AlertRow.status == status), within, center_id)
    return int((await session.execute(query)).scalar_one())
