"""How channel deliveries fail: HTTP status and transport errors classified as transient or
permanent, invalid settings and alerts."""

from __future__ import annotations

import pickle
from datetime import datetime
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from activities.notify.channels import (
    ChannelConfig,
    ChannelKind,
    DeliveryFailed,
    deliver,
    render_markdown,
)
from activities.runtime.devstack import free_port
from tests.activities.notify.channel_support import (
    HANG,
    LOOPBACK,
    NOW_MS,
    WEBHOOK_SECRET,
    Receiver,
    alert,
    channel,
)

# -- HTTP status and transport errors -----------------------------------------------------------


@pytest.mark.parametrize("kind", list(ChannelKind))
@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (401, True), (404, True), (302, True), (408, False), (429, False)]
    + [(500, False), (502, False), (503, False)],
)
async def test_http_status_classification(
    receiver: Receiver, http: httpx.AsyncClient, kind: ChannelKind, status: int, permanent: bool
) -> None:
    receiver.reply(status, {"error": "nope"})
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(
            http,
            channel(kind, receiver.url("/x?access_token=t")),
            alert(),
            now_ms=NOW_MS,
            policy=LOOPBACK,
        )
    assert caught.value.status == status
    assert caught.value.permanent is permanent


async def test_429_passes_retry_after_on(receiver: Receiver, http: httpx.AsyncClient) -> None:
    receiver.reply(429, "slow down", {"Retry-After": "7"})
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(
            http,
            channel(ChannelKind.WEBHOOK, receiver.url()),
            alert(),
            now_ms=NOW_MS,
            policy=LOOPBACK,
        )
    assert not caught.value.permanent
    assert caught.value.retry_after == 7.0


async def test_connection_refused_is_transient(http: httpx.AsyncClient) -> None:
    config = channel(ChannelKind.WEBHOOK, f"http://127.0.0.1:{free_port()}/hook")
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, config, alert(), now_ms=NOW_MS, policy=LOOPBACK)
    assert not caught.value.permanent
    assert caught.value.status is None
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_timeout_is_transient(receiver: Receiver, http: httpx.AsyncClient) -> None:
    receiver.reply(HANG, None)
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(
            http,
            channel(ChannelKind.WECOM, receiver.url()),
            alert(),
            now_ms=NOW_MS,
            policy=LOOPBACK,
            timeout=0.2,
        )
    assert not caught.value.permanent
    assert "超时" in str(caught.value)


async def test_retried_until_the_receiver_recovers(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    """Five 503s, then success: what the Temporal activity retry policy will do, in miniature."""
    receiver.webhook_secret = WEBHOOK_SECRET
    for _ in range(5):
        receiver.reply(503, {"error": "维护中"})
    config = channel(ChannelKind.WEBHOOK, receiver.url())
    message = alert()

    failures: list[DeliveryFailed] = []
    receipt = None
    for attempt in range(1, 11):
        now_ms = NOW_MS + attempt * 1_000
        receiver.clock_ms = now_ms + 50
        try:
            receipt = await deliver(http, config, message, now_ms=now_ms, policy=LOOPBACK)
            break
        except DeliveryFailed as failure:
            if failure.permanent:
                raise  # a retry policy stops here: non-retryable
            failures.append(failure)

    assert receipt is not None
    assert receipt.status_code == 200
    assert [f.status for f in failures] == [503] * 5  # success on the 6th attempt
    assert receiver.successes == 1
    assert len(receiver.requests) == 6
    assert {r.headers["X-Fengqiao-Delivery"] for r in receiver.requests} == {message.delivery_id}
    # Each attempt is signed afresh, so a retry after minutes is not refused as stale.
    assert len({r.headers["X-Fengqiao-Signature"] for r in receiver.requests}) == 6


# -- configuration and models -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "webhook", "url": "https://example.cn/hook"},
        {"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t"},
        {"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send", "secret": ""},
        {"kind": "wecom", "url": "ftp://example.cn/hook"},
        {"kind": "wecom", "url": "/cgi-bin/webhook/send?key=k"},
        {"kind": "wecom", "url": " https://example.cn/hook"},
        {"kind": "wecom", "url": "https://example.cn/hook", "token": "x"},
        {"kind": "sms", "url": "https://example.cn/hook"},
    ],
)
def test_invalid_channel_configs_are_rejected(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ChannelConfig(**fields)


def test_wecom_needs_no_secret_and_secrets_stay_out_of_repr() -> None:
    assert ChannelConfig(kind="wecom", url="https://qyapi.weixin.qq.com/x?key=k").secret is None
    assert WEBHOOK_SECRET not in repr(channel(ChannelKind.WEBHOOK, "https://example.cn/hook"))


async def test_missing_secret_fails_permanently_without_a_request(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    unvalidated = ChannelConfig.model_construct(kind=ChannelKind.DINGTALK, url=receiver.url())
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, unvalidated, alert(), now_ms=NOW_MS, policy=LOOPBACK)
    assert caught.value.permanent
    assert receiver.requests == []


@pytest.mark.parametrize(
    "changes",
    [
        {"raised_at": datetime(2026, 3, 1, 9, 30)},
        {"level": 0},
        {"level": 5},
        {"delivery_id": ""},
        {"delivery_id": "投递-1"},  # it travels in an HTTP header
        {"delivery_id": "a b"},
    ],
)
def test_invalid_alerts_are_rejected(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        alert(**changes)


def test_render_markdown_is_chinese_first_in_beijing_time() -> None:
    markdown = render_markdown(alert(kind="major", level=4, case_url=None))
    assert markdown.startswith("### 【逾期】JF-2026-000123 化解时限已超期\n\n")
    assert "**类型**：重大矛盾纠纷直报" in markdown
    assert "**等级**：四级" in markdown
    assert "**时间**：2026-03-01 09:30（北京时间）" in markdown  # 01:30 UTC
    assert "查看案件详情" not in markdown
    assert "**类型**：重大矛盾纠纷直报" in render_markdown(alert(kind="major_report"))
    assert "**类型**：预警" in render_markdown(alert(kind="warning"))
    assert "**类型**：custom" in render_markdown(alert(kind="custom"))


def test_a_screening_duty_alert_names_the_duty_not_a_case() -> None:
    duty = alert(kind="screening_missed", case_id="county-monthly-2026-11-xw-center", level=2)
    markdown = render_markdown(duty)
    assert "**类型**：排查逾期未报" in markdown
    assert "**排查任务**：county-monthly-2026-11-xw-center" in markdown
    assert "**案件**" not in markdown
    assert "**案件**：JF-2026-000123" in render_markdown(alert())


def test_delivery_failed_survives_pickling() -> None:
    failure = DeliveryFailed("x", permanent=True, status=400, errcode=310000, retry_after=2.0)
    copy = pickle.loads(pickle.dumps(failure))
    assert (str(copy), copy.permanent, copy.status, copy.errcode, copy.retry_after) == (
        "x",
        True,
        400,
        310000,
        2.0,
    )
