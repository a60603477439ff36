"""Alert recipients (督办接收人): the channels each recipient is notified on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import admin_trail
from activities.identity.admin_trail import Actor
from activities.notify.channels import ChannelConfig
from activities.notify.outbound import ChannelRefused, OutboundPolicy
from activities.runtime.settings import Settings
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
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[str, Any]:
    """Saved only when every channel is well formed and its URL may be called: a host on the
    allow-list, not a literal internal address (checked again after resolution at delivery)."""
    policy = OutboundPolicy.from_settings(settings)
    checked = []
    for index, raw in enumerate(channels):
        try:
            channel = ChannelConfig.model_validate(raw)
        except ValidationError as error:
            raise invalid_input(
                "通道配置无效", f"invalid channel: {error.errors()[0]['msg']}", field="channels"
            ) from error
        try:
            policy.check_url(channel.url)
        except ChannelRefused as refused:
            raise invalid_input(
                f"通道地址不允许：{refused.reason_zh}",
                f"channel URL refused: {refused.reason_en}",
                field=f"channels[{index}].url",
            ) from None
        checked.append(channel.model_dump(mode="json"))
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
