"""A withdrawn breach reaches everyone its alert reached, through the real notifier: the
channels that carried the alert (a webhook on loopback) and the inbox of a recipient without any,
once each."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select

from activities.notify.outbound import OutboundPolicy
from activities.store import alert_store
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.tables import AlertDeliveryRow
from activities.tasks.delivery import INBOX, Notifier
from domain.case.alerts import AlertKind
from tests.loopback import serve
from tests.samples import PETITION_INTAKE
from tests.workflows.clock_harness import calendar_with, clockwork

TOWN_LEADER = "town-leader:320102001"


@dataclass
class Hook:
    port: int = 0
    bodies: list[dict[str, object]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(json.loads(await request.read()))
        return web.json_response({"ok": True})


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    receiver = Hook()
    async with serve(receiver.handle) as port:
        receiver.port = port
        yield receiver


async def test_a_withdrawn_breach_is_told_on_the_alerts_channels_and_in_the_inbox_once(
    hook: Hook, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'alerts.db'}"
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        await alert_store.put_recipient(
            TOWN_LEADER,
            "梅园新村街道分管领导",
            [{"kind": "webhook", "url": f"http://127.0.0.1:{hook.port}/hook", "secret": "s"}],
            session=session,
        )
    async with httpx.AsyncClient(trust_env=False) as http:
        # The receiver listens on loopback: allowed here by name (production refuses loopback).
        loopback = OutboundPolicy.of([], internal=["127.0.0.1"])
        notifier = Notifier(sessionmaker, http, policy=loopback)
        async with clockwork(
            calendar_with(Path("/nonexistent"), None), deliver=notifier.deliver_alert
        ) as cw:
            # Received 09-21, registered weeks later and left: A1 breaches after the grace and
            # climbs from the town leader (webhook) to the county leader (no channel: inbox).
            handle = await cw.register(**PETITION_INTAKE, received_on="2026-09-21")
            await cw.env.sleep(timedelta(minutes=31))
            for _ in range(30):
                await cw.env.sleep(timedelta(days=1))
                state = await cw.state(handle)
                [alert] = [
                    a for a in state.alerts if a.clock_id == "A1" and a.kind is AlertKind.BREACH
                ]
                if any(n.recipient.startswith("county-leader:") for n in alert.notifications):
                    break
            county = next(n.recipient for n in alert.notifications if n.recipient != TOWN_LEADER)
            await cw.act(handle, "accept", accepted_on="2026-09-22")  # found in the paper file
            for _ in range(100):  # until both notices landed (deliveries run beside the case)
                async with sessionmaker() as session:
                    rows = list(await session.scalars(select(AlertDeliveryRow)))
                notices = [r for r in rows if "-W" in r.delivery_id and r.succeeded]
                if len(notices) >= 2:
                    break
                await cw.env.sleep(5)
            await cw.env.sleep(timedelta(days=3))  # nothing more is sent for it
            async with sessionmaker() as session:
                rows = list(await session.scalars(select(AlertDeliveryRow)))
    await engine.dispose()

    notices = [r for r in rows if r.alert_id == alert.alert_id and "-W" in r.delivery_id]
    assert sorted((r.recipient, r.channel) for r in notices) == sorted(
        [(TOWN_LEADER, "webhook"), (county, INBOX)]
    )
    told = [
        b for b in hook.bodies if b["alert_id"] == alert.alert_id and "逾期撤销" in str(b["title"])
    ]
    assert len(told) == 1
    assert "无需处理" in str(told[0]["text"])
    assert "2026-09-22" in str(told[0]["text"])
