"""Alert channels through the API (issue 16, finding 8): a URL at an internal or unlisted address
is refused when saved (422 naming the field); what a receiver answers never reaches the alert a
user reads (``deliveries[].error``) nor the log."""

from __future__ import annotations

import io
import json
import logging
import uuid
from datetime import datetime

import httpx
import pytest
from aiohttp import web
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notify.outbound import OutboundPolicy
from activities.runtime.logging import log_handler
from activities.store import alert_store
from activities.tasks.delivery import Notifier
from tests.api.helpers import create_case
from tests.conftest import Stack
from tests.loopback import serve
from workflows.contract import AlertDelivery

INTERNAL_ANSWER = "内部系统答复：数据库 10.0.3.7 口令 hunter2"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://localhost/hook",
        "https://hooks.example.cn/hook",
    ],
)
async def test_a_channel_at_an_internal_or_unlisted_address_is_refused_when_saved(
    clients: dict[str, httpx.AsyncClient], stack: Stack, url: str
) -> None:
    recipient_id = f"person:ssrf-{uuid.uuid4().hex[:8]}"
    refused = await clients["system_admin"].put(
        f"/v1/recipients/{recipient_id}",
        json={
            "display_name": "测试接收人",
            "channels": [
                {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
                {"kind": "webhook", "url": url, "secret": "s"},
            ],
        },
    )
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["field"] == "channels[1].url"
    assert body["message_zh"].startswith("通道地址不允许")
    async with stack.sessionmaker() as session:
        assert await alert_store.recipient(recipient_id, session=session) is None


async def test_the_robots_official_hosts_are_accepted(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    accepted = await clients["system_admin"].put(
        f"/v1/recipients/person:robots-{uuid.uuid4().hex[:8]}",
        json={
            "display_name": "测试接收人",
            "channels": [
                {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
                {
                    "kind": "dingtalk",
                    "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
                    "secret": "SEC123",
                },
            ],
        },
    )
    assert accepted.status_code == 200, accepted.text


async def test_what_a_receiver_answers_never_reaches_the_alert_or_the_log(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    case = await create_case(api, risk_level="major")
    [alert] = (await api.get("/v1/alerts", params={"case_id": case["case_id"]})).json()["items"]
    recipient = f"person:receiver-{uuid.uuid4().hex[:8]}"

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=500, text=INTERNAL_ANSWER)

    captured = io.StringIO()
    handler = log_handler(captured, json=True)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with serve(answer) as port, httpx.AsyncClient(trust_env=False) as http:
            async with stack.sessionmaker.begin() as session:
                await alert_store.put_recipient(
                    recipient,
                    "测试接收人",
                    [{"kind": "webhook", "url": f"http://127.0.0.1:{port}/hook", "secret": "s"}],
                    session=session,
                )
            # The receiver is on loopback: named as allowed for this test only.
            notifier = Notifier(
                stack.sessionmaker, http, policy=OutboundPolicy.of([], internal=["127.0.0.1"])
            )
            delivery = AlertDelivery(
                case_id=case["case_id"],
                case_title=case["title"],
                alert_id=alert["alert_id"],
                kind=alert["kind"],
                level=1,
                recipient=recipient,
                attempt=99,
                title=alert["title"],
                raised_at=datetime.fromisoformat(alert["raised_at"]),
            )
            with pytest.raises(ApplicationError) as failed:
                await ActivityEnvironment().run(notifier.deliver_alert, delivery)
    finally:
        root.removeHandler(handler)
    assert "HTTP 500" in str(failed.value)

    leader = clients["town_leader"]
    detail = (await leader.get(f"/v1/alerts/{alert['alert_id']}")).json()
    errors = [d["error"] for d in detail["deliveries"] if d["recipient"] == recipient]
    assert errors
    assert all("HTTP 500" in error for error in errors)
    logged = captured.getvalue()
    assert "alert_delivery_failed" in logged
    for shown in (json.dumps(detail, ensure_ascii=False), str(failed.value), logged):
        for part in ("内部系统答复", "10.0.3.7", "hunter2"):
            assert part not in shown
