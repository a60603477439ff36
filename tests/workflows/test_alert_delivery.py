"""Alerts reach leaders through the real notifier: webhook, DingTalk and WeCom on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select

from activities.notify.channels import verify_webhook
from activities.notify.outbound import OutboundPolicy
from activities.store import alert_store
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.tables import AlertDeliveryRow
from activities.tasks.delivery import Notifier
from domain.case.alerts import AlertKind
from tests.loopback import serve
from tests.workflows.clock_harness import calendar_with, clockwork

WEBHOOK_SECRET = "whsec-测试"
# A title quoting phones in the forms people write them in.
PHONES = "13812345678，+86 139-8765-5678"
CLEAR_FORMS = ("13812345678", "139-8765-5678", "139-8765")
DINGTALK_SECRET = "SEC0123456789abcdef"


@dataclass
class Receiver:
    """A leader's endpoints: the webhook answers 503 five times, then accepts."""

    port: int = 0
    webhook_failures_left: int = 5
    requests: dict[str, list[tuple[dict[str, list[str]], dict[str, str], bytes]]] = field(
        default_factory=dict
    )
    accepted: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, request: web.Request) -> web.Response:
        path, _, raw_query = request.raw_path.partition("?")
        body = await request.read()
        self.requests.setdefault(path, []).append(
            (parse_qs(raw_query), dict(request.headers), body)
        )
        if path == "/hook" and self.webhook_failures_left > 0:
            self.webhook_failures_left -= 1
            return web.json_response({"error": "busy"}, status=503)
        self.accepted[path] = self.accepted.get(path, 0) + 1
        return web.json_response({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rx = Receiver()
    async with serve(rx.handle) as port:
        rx.port = port
        yield rx


async def test_alerts_reach_every_channel_once_with_valid_signatures_while_the_case_goes_on(
    receiver: Receiver, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'alerts.db'}"
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    # At intake the case has no responsible person yet: a major dispute goes to the town leader.
    leader = "town-leader:320102001"
    async with sessionmaker.begin() as session:
        await alert_store.put_recipient(
            leader,
            "梅园新村街道分管领导",
            [
                {"kind": "webhook", "url": receiver.url("/hook"), "secret": WEBHOOK_SECRET},
                {
                    "kind": "dingtalk",
                    "url": receiver.url("/dingtalk?access_token=tok123"),
                    "secret": DINGTALK_SECRET,
                },
                {"kind": "wecom", "url": receiver.url("/wecom?key=k-456")},
            ],
            session=session,
        )
    async with httpx.AsyncClient(trust_env=False) as http:
        # The receiver listens on loopback: allowed here by name (production refuses loopback).
        loopback = OutboundPolicy.of([], internal=["127.0.0.1"])
        notifier = Notifier(sessionmaker, http, policy=loopback)
        calendar = calendar_with(Path("/nonexistent"), None)
        async with clockwork(calendar, deliver=notifier.deliver_alert) as cw:
            # A title quoting a phone: robots post into group chats, so it must arrive masked.
            handle = await cw.register(risk_level="major", title=f"张伟（{PHONES}）反映通道被堵")
            report = next(
                a for a in (await cw.state(handle)).alerts if a.kind is AlertKind.MAJOR_REPORT
            )
            assert report.recipient == leader
            # The case goes on while the leader's webhook is failing.
            accepted = await cw.act(handle, "accept")
            assert accepted.stage.value == "accepted"
            hook_done_when_accepted = receiver.accepted.get("/hook", 0)
            for _ in range(100):
                if receiver.accepted.get("/hook"):
                    break
                await cw.env.sleep(15)
    async with sessionmaker() as session:
        rows = list(await session.scalars(select(AlertDeliveryRow).order_by(AlertDeliveryRow.id)))
    await engine.dispose()

    assert hook_done_when_accepted == 0
    assert receiver.accepted == {"/hook": 1, "/dingtalk": 1, "/wecom": 1}
    delivery_id = f"{report.alert_id}-L1-N1"
    hooks = receiver.requests["/hook"]
    assert len(hooks) == 6  # five failures, then the one that landed
    assert {headers["X-Fengqiao-Delivery"] for _, headers, _ in hooks} == {delivery_id}
    _, headers, body = hooks[-1]
    assert verify_webhook(
        WEBHOOK_SECRET,
        int(headers["X-Fengqiao-Timestamp"]),
        body,
        headers["X-Fengqiao-Signature"],
        now_ms=int(time.time() * 1000),
    )
    payload = json.loads(body)
    assert payload["alert_id"] == report.alert_id
    for path in ("/hook", "/dingtalk", "/wecom"):
        for _, _, sent in receiver.requests[path]:
            text = json.loads(sent)  # the JSON escapes undone: what the group chat shows
            for clear in CLEAR_FORMS:
                assert clear not in json.dumps(text, ensure_ascii=False)
    assert "138****5678" in payload["text"]
    assert "+86 139-****-5678" in payload["text"]
    assert "重大矛盾纠纷直报" in payload["title"]

    ((query, _, ding_body),) = receiver.requests["/dingtalk"]
    assert query["access_token"] == ["tok123"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(
            DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert query["sign"] == [expected]
    assert json.loads(ding_body)["msgtype"] == "markdown"

    ((wecom_query, _, wecom_body),) = receiver.requests["/wecom"]
    assert wecom_query["key"] == ["k-456"]
    assert "重大矛盾纠纷直报" in json.loads(wecom_body)["markdown"]["content"]

    # What the failing webhook answered ({"error": "busy"}) is recorded as its status only.
    errors = [r.error for r in rows if r.error is not None]
    assert len(errors) == 5
    assert all("HTTP 503" in error and "busy" not in error for error in errors)
    recorded = [(r.channel, r.succeeded) for r in rows if r.delivery_id == delivery_id]
    assert recorded.count(("webhook", False)) == 5
    assert recorded.count(("webhook", True)) == 1
    assert recorded.count(("dingtalk", True)) == 1
    assert recorded.count(("wecom", True)) == 1
