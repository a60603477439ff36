"""Alert recipients (督办接收人): the channels each recipient is notified on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import admin_trail
from activities.identity.admin_trail import Actor
from activities.notify.channels import ChannelConfig
from activities.store import alert_store
from api.errors import invalid_input
from domain.people.access import Principal
from domain.people.administration import AdminAction


async def put_recipient(
    recipient_id: str,
    *,
    display_name: str,
    channels: list[dict[str, Any]],
    admin: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[str, Any]:
    try:
        checked = [ChannelConfig.model_validate(c).model_dump(mode="json") for c in channels]
    except ValidationError as error:
        raise invalid_input(
            "通道配置无效", f"invalid channel: {error.errors()[0]['msg']}", field="channels"
        ) from error
    async with sessionmaker.begin() as session:
        await alert_store.put_recipient(recipient_id, display_name, checked, session=session)
        await admin_trail.append(
            Actor.of(admin),
            AdminAction.RECIPIENT_SAVED,
            target=recipient_id[:64],
            details={"channels": "、".join(str(c.get("kind")) for c in checked) or "—"},
            at=datetime.now(UTC),
            session=session,
        )
    return {"recipient_id": recipient_id, "display_name": display_name, "channels": len(checked)}
