"""Alerts (督办提醒) for leaders: list, read with delivery attempts, acknowledge."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import AckIdempotencyKey, AlertIdPath, NameQuery
from api.permissions import AlertAcknowledger, AlertReader
from api.schemas import AlertAckRequest, AlertList
from api.services import alerts
from domain.case.alerts import AlertStatus
from domain.text import NO_CONTROL_CHARS

router = APIRouter(tags=["alerts 督办"])


@router.get(
    "/v1/alerts", response_model=AlertList, responses=ERROR_RESPONSES, summary="督办提醒列表"
)
async def list_alerts(
    principal: AlertReader,
    sessionmaker: SessionmakerDep,
    recipient: NameQuery = None,
    status: AlertStatus | None = None,
    case_id: Annotated[str | None, Query(max_length=32, pattern=NO_CONTROL_CHARS)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AlertList:
    items = await alerts.list_alerts(
        recipient=recipient,
        status=status,
        case_id=case_id,
        limit=limit,
        principal=principal,
        sessionmaker=sessionmaker,
    )
    return AlertList(items=items)


@router.get("/v1/alerts/{alert_id}", responses=ERROR_RESPONSES, summary="督办提醒及投递记录")
async def get_alert(
    alert_id: AlertIdPath, principal: AlertReader, sessionmaker: SessionmakerDep, scopes: ScopesDep
) -> dict[str, Any]:
    return await alerts.read_alert(
        alert_id, principal=principal, sessionmaker=sessionmaker, scopes=scopes
    )


@router.post(
    "/v1/alerts/{alert_id}/ack", responses=ERROR_RESPONSES, summary="签收督办 / acknowledge"
)
async def acknowledge(
    alert_id: AlertIdPath,
    body: AlertAckRequest,
    principal: AlertAcknowledger,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: AckIdempotencyKey = None,
) -> dict[str, Any]:
    return await alerts.acknowledge(
        alert_id,
        note=body.note,
        key=idempotency_key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
