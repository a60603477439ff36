"""The notifier activity: deliver one alert notification on every channel of its recipient.

Each attempt is recorded in ``alert_deliveries``; a channel that took the delivery is skipped
when Temporal retries the activity, so a receiver gets each notification once. A permanent
failure on every remaining channel stops the retries; the case never waits for any of this.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notify.channels import AlertMessage, ChannelConfig, DeliveryFailed, deliver
from activities.notify.outbound import OutboundPolicy
from activities.store import alert_store
from domain.people.privacy import scrub_text
from workflows.contract import DELIVER_ACTIVITY, AlertDelivery, DeliveryOutcome

log = structlog.get_logger(__name__)

INBOX = "inbox"


class Notifier:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        *,
        policy: OutboundPolicy,
        case_url_base: str | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._http = http
        self._policy = policy
        self._case_url_base = case_url_base

    @activity.defn(name=DELIVER_ACTIVITY)
    async def deliver_alert(self, delivery: AlertDelivery) -> DeliveryOutcome:
        info = activity.info()
        bound = log.bind(
            case_id=delivery.case_id,
            alert_id=delivery.alert_id,
            workflow_id=info.workflow_id,
            run_id=info.workflow_run_id,
        )
        async with self._sessionmaker() as session:
            directory = await alert_store.recipient(delivery.recipient, session=session)
            done = await alert_store.delivered_channels(delivery.delivery_id, session=session)
        channels = [
            ChannelConfig.model_validate(c) for c in (directory.channels if directory else [])
        ]
        if not channels:
            # No channel configured: the alert waits in the recipient's inbox (GET /v1/alerts).
            if INBOX not in done:
                await self._record(delivery, INBOX, info.attempt, None, None)
            return DeliveryOutcome(delivered=(INBOX,))
        message = AlertMessage(
            delivery_id=delivery.delivery_id,
            alert_id=delivery.alert_id,
            case_id=delivery.case_id,
            kind=delivery.kind,
            level=delivery.level,
            recipient=directory.display_name if directory else delivery.recipient,
            # Robots post into group chats: no clear ID number or phone leaves the system.
            title=scrub_text(delivery.title),
            text=_text(delivery),
            raised_at=delivery.raised_at,
            case_url=f"{self._case_url_base}/v1/cases/{delivery.case_id}"
            if self._case_url_base
            else None,
        )
        failures: list[DeliveryFailed] = []
        delivered = [kind for kind in done if kind != INBOX]
        for channel in channels:
            kind = channel.kind.value
            if kind in done:
                continue
            try:
                receipt = await deliver(
                    self._http,
                    channel,
                    message,
                    now_ms=int(time.time() * 1000),
                    policy=self._policy,
                )
            except DeliveryFailed as failure:
                failures.append(failure)
                await self._record(
                    delivery, channel.kind.value, info.attempt, failure.status, str(failure)
                )
                bound.warning(
                    "alert_delivery_failed",
                    channel=channel.kind.value,
                    status=failure.status,
                    errcode=failure.errcode,
                    permanent=failure.permanent,
                )
                continue
            await self._record(
                delivery, channel.kind.value, info.attempt, receipt.status_code, None
            )
            delivered.append(channel.kind.value)
        if failures:
            raise ApplicationError(
                "; ".join(str(f) for f in failures),
                type="AlertDeliveryFailed",
                non_retryable=all(f.permanent for f in failures),
            )
        return DeliveryOutcome(delivered=tuple(delivered))

    async def _record(
        self,
        delivery: AlertDelivery,
        channel: str,
        attempt: int,
        status_code: int | None,
        error: str | None,
    ) -> None:
        async with self._sessionmaker.begin() as session:
            await alert_store.record_delivery(
                delivery_id=delivery.delivery_id,
                alert_id=delivery.alert_id,
                case_id=delivery.case_id,
                recipient=delivery.recipient,
                channel=channel,
                attempt=attempt,
                succeeded=error is None,
                status_code=status_code,
                error=error,
                at=datetime.now(UTC),
                session=session,
            )


def _text(delivery: AlertDelivery) -> str:
    case = f"案件：{scrub_text(delivery.case_title)}"
    if delivery.notice == "session":
        return f"{case}\n\n调解会：{delivery.note}。请按时参加；如需改期请在案件中办理。"
    if delivery.notice == "withdrawn":
        return f"{case}\n\n{scrub_text(delivery.note)}。此前发出的逾期督办已撤销，无需处理。"
    return f"{case}\n\n请及时签收并督促办理。"
