"""Administration (系统管理): the alert recipients' channels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import SessionmakerDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.params import RecipientIdPath
from api.permissions import RecipientAdmin
from api.schemas import RecipientRequest
from api.services import recipients

router = APIRouter(tags=["alerts 督办"])


@router.put(
    "/v1/recipients/{recipient_id}",
    responses=ERROR_RESPONSES,
    summary="督办接收人通道 / a recipient's channels",
)
async def put_recipient(
    recipient_id: RecipientIdPath,
    body: RecipientRequest,
    principal: RecipientAdmin,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    return await recipients.put_recipient(
        recipient_id,
        display_name=body.display_name,
        channels=body.channels,
        admin=principal,
        settings=settings,
        sessionmaker=sessionmaker,
    )
