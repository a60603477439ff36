"""Alerts (督办提醒) for leaders: list, read with delivery attempts, acknowledge (签收)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.runtime.settings import Settings
from activities.store import alert_store
from api.access import CaseScopes, shown
from api.errors import ApiError, database_errors
from api.gateway import send_command
from api.idempotency import bind
from domain.case import commands as c
from domain.case.alerts import AlertStatus
from domain.people.access import Principal


def _not_found(alert_id: str) -> ApiError:
    return ApiError(
        404, "alert_not_found", f"督办提醒 {alert_id} 不存在", f"alert {alert_id} not found"
    )


async def _alert_case(
    alert_id: str,
    *,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
) -> str:
    """The alert's case; 404, as for an unknown alert, when it is out of the caller's reach."""
    with database_errors():
        async with sessionmaker() as session:
            case_id = await alert_store.alert_case(alert_id, session=session)
    if case_id is None:
        raise _not_found(alert_id)
    try:
        await scopes.ensure_reachable(principal, case_id)
    except ApiError as error:
        if error.status == 404:
            raise _not_found(alert_id) from None
        raise
    return case_id


async def list_alerts(
    *,
    recipient: str | None,
    status: AlertStatus | None,
    case_id: str | None,
    limit: int,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[dict[str, Any]]:
    within, center_id = principal.list_reach
    with database_errors():
        async with sessionmaker() as session:
            items = await alert_store.list_alerts(
                recipient=recipient,
                status=status.value if status else None,
                case_id=case_id,
                limit=limit,
                session=session,
                within=within,
                center_id=center_id,
            )
    masked: list[dict[str, Any]] = shown(principal, items, reveal=False)[0]
    return masked


async def read_alert(
    alert_id: str,
    *,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
) -> dict[str, Any]:
    case_id = await _alert_case(
        alert_id, principal=principal, sessionmaker=sessionmaker, scopes=scopes
    )
    with database_errors():
        async with sessionmaker() as session:
            found = await alert_store.list_alerts(
                recipient=None, status=None, case_id=case_id, limit=200, session=session
            )
            attempts = await alert_store.deliveries(alert_id, session=session)
    alert = next((a for a in found if a["alert_id"] == alert_id), None)
    if alert is None:
        raise _not_found(alert_id)
    masked: dict[str, Any] = shown(principal, {**alert, "deliveries": attempts}, reveal=False)[0]
    return masked


async def acknowledge(
    alert_id: str,
    *,
    note: str,
    key: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
) -> dict[str, Any]:
    """签收: the leader acknowledges the alert on its case; the alert as it stands after."""
    case_id = await _alert_case(
        alert_id, principal=principal, sessionmaker=sessionmaker, scopes=scopes
    )
    scoped = None
    if key:
        scoped = await bind(
            key,
            principal=principal,
            command="alerts/ack",
            target=alert_id,
            body={"note": note},
            sessionmaker=sessionmaker,
        )
    envelope = c.CommandEnvelope(
        command_id=scoped or f"auto-{uuid.uuid4()}",
        actor=principal.actor,
        command=c.AcknowledgeAlert(alert_id=alert_id, note=note),
    )
    document = await send_command(
        temporal,
        sessionmaker,
        settings,
        case_id=case_id,
        envelope=envelope,
        now=datetime.now(UTC),
    )
    alert: dict[str, Any] = next(a for a in document["alerts"] if a["alert_id"] == alert_id)
    masked: dict[str, Any] = shown(principal, {**alert, "case_id": case_id}, reveal=False)[0]
    return masked


async def overdue(
    *, principal: Principal, sessionmaker: async_sessionmaker[AsyncSession], limit: int = 100
) -> tuple[int, list[dict[str, Any]]]:
    """逾期案件 within the caller's reach: how many, and the longest overdue first."""
    within, center_id = principal.list_reach
    with database_errors():
        async with sessionmaker() as session:
            count = await alert_store.count_overdue_cases(
                session=session, within=within, center_id=center_id
            )
            cases = await alert_store.overdue_cases(
                session=session, within=within, center_id=center_id, limit=limit
            )
    now = datetime.now(UTC)
    for case in cases:
        due = case.get("due_at")
        case["days_overdue"] = (now - due).days if due is not None and due < now else None
    return count, cases
