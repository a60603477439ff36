"""Alerts (督办提醒) for leaders: list, read with delivery attempts, acknowledge; the directory."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from pydantic import BaseModel, ValidationError

from activities.notify.channels import ChannelConfig
from activities.store import alert_store
from api.access import ensure_reachable, shown
from api.auth import PrincipalDep, require
from api.deps import Resources, ResourcesDep
from api.errors import ERROR_RESPONSES, ApiError, database_errors
from api.gateway import send_command
from api.schemas import AlertAckRequest, RecipientRequest
from domain import commands as c
from domain.access import Permission, Principal
from domain.alerts import AlertStatus
from domain.values import NO_CONTROL_CHARS

router = APIRouter(tags=["alerts 督办"])

AlertIdPath = Annotated[str, Path(max_length=64, pattern=r"^(JF|XF)-\d{4}-\d{6,}-A\d+$")]


class AlertList(BaseModel):
    items: list[dict[str, Any]]


def _not_found(alert_id: str) -> ApiError:
    return ApiError(
        404, "alert_not_found", f"督办提醒 {alert_id} 不存在", f"alert {alert_id} not found"
    )


async def _alert_case(resources: Resources, principal: Principal, alert_id: str) -> str:
    """The alert's case; 404, as for an unknown alert, when it is out of the caller's reach."""
    with database_errors():
        async with resources.sessionmaker() as session:
            case_id = await alert_store.alert_case(alert_id, session=session)
    if case_id is None:
        raise _not_found(alert_id)
    try:
        await ensure_reachable(resources, principal, case_id)
    except ApiError as error:
        if error.status == 404:
            raise _not_found(alert_id) from None
        raise
    return case_id


@router.get(
    "/v1/alerts", response_model=AlertList, responses=ERROR_RESPONSES, summary="督办提醒列表"
)
async def list_alerts(
    resources: ResourcesDep,
    principal: PrincipalDep,
    recipient: Annotated[str | None, Query(max_length=200, pattern=NO_CONTROL_CHARS)] = None,
    status: AlertStatus | None = None,
    case_id: Annotated[str | None, Query(max_length=32, pattern=NO_CONTROL_CHARS)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AlertList:
    require(principal, Permission.READ_ALERTS)
    within, center_id = principal.list_reach
    with database_errors():
        async with resources.sessionmaker() as session:
            items = await alert_store.list_alerts(
                recipient=recipient,
                status=status.value if status else None,
                case_id=case_id,
                limit=limit,
                session=session,
                within=within,
                center_id=center_id,
            )
    masked, _ = shown(principal, items, reveal=False)
    return AlertList(items=masked)


@router.get("/v1/alerts/{alert_id}", responses=ERROR_RESPONSES, summary="督办提醒及投递记录")
async def get_alert(
    alert_id: AlertIdPath, resources: ResourcesDep, principal: PrincipalDep
) -> dict[str, Any]:
    require(principal, Permission.READ_ALERTS)
    case_id = await _alert_case(resources, principal, alert_id)
    with database_errors():
        async with resources.sessionmaker() as session:
            found = await alert_store.list_alerts(
                recipient=None, status=None, case_id=case_id, limit=200, session=session
            )
            attempts = await alert_store.deliveries(alert_id, session=session)
    alert = next((a for a in found if a["alert_id"] == alert_id), None)
    if alert is None:
        raise _not_found(alert_id)
    masked: dict[str, Any] = shown(principal, {**alert, "deliveries": attempts}, reveal=False)[0]
    return masked


@router.post(
    "/v1/alerts/{alert_id}/ack", responses=ERROR_RESPONSES, summary="签收督办 / acknowledge"
)
async def acknowledge(
    alert_id: AlertIdPath,
    body: AlertAckRequest,
    resources: ResourcesDep,
    principal: PrincipalDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> dict[str, Any]:
    require(principal, Permission.ACK_ALERT)
    case_id = await _alert_case(resources, principal, alert_id)
    envelope = c.CommandEnvelope(
        command_id=idempotency_key or f"auto-{uuid.uuid4()}",
        actor=principal.actor,
        command=c.AcknowledgeAlert(alert_id=alert_id, note=body.note),
    )
    document = await send_command(
        resources.temporal,
        resources.sessionmaker,
        resources.settings,
        case_id=case_id,
        envelope=envelope,
        now=datetime.now(UTC),
    )
    alert: dict[str, Any] = next(a for a in document["alerts"] if a["alert_id"] == alert_id)
    masked: dict[str, Any] = shown(principal, {**alert, "case_id": case_id}, reveal=False)[0]
    return masked


@router.put(
    "/v1/recipients/{recipient_id}",
    responses=ERROR_RESPONSES,
    summary="督办接收人通道 / a recipient's channels",
)
async def put_recipient(
    recipient_id: Annotated[str, Path(max_length=200, pattern=NO_CONTROL_CHARS)],
    body: RecipientRequest,
    resources: ResourcesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    require(principal, Permission.MANAGE_RECIPIENTS)
    try:
        channels = [ChannelConfig.model_validate(c).model_dump(mode="json") for c in body.channels]
    except ValidationError as error:
        raise ApiError(
            422,
            "invalid_input",
            "通道配置无效",
            f"invalid channel: {error.errors()[0]['msg']}",
            field="channels",
        ) from error
    async with resources.sessionmaker.begin() as session:
        await alert_store.put_recipient(recipient_id, body.display_name, channels, session=session)
    return {
        "recipient_id": recipient_id,
        "display_name": body.display_name,
        "channels": len(channels),
    }
