"""Alert channels against a real HTTP receiver on loopback: signatures, formats, error classes."""

from __future__ import annotations

import asyncio
import json
import pickle
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp import web
from pydantic import ValidationError

from activities.notify.channels import (
    TRUNCATION_MARK,
    WECOM_MARKDOWN_MAX_BYTES,
    AlertMessage,
    ChannelConfig,
    ChannelKind,
    DeliveryFailed,
    deliver,
    dingtalk_sign,
    dingtalk_url,
    render_markdown,
    sign_webhook,
    truncate_utf8,
    verify_webhook,
)
from activities.runtime.devstack import free_port
from tests.loopback import serve

NOW_MS = 1_772_328_600_000  # 2026-03-01 01:30:00 UTC
WEBHOOK_SECRET = "whsec-枫桥-测试"
DINGTALK_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
HANG = -1  # a reply status that makes the receiver wait until the test ends


@dataclass
class Recorded:
    path: str
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    """Records every request and answers from a queue of replies, then with the default one.

    With ``webhook_secret`` it verifies like a real receiver would: 401 on a bad signature.
    """

    port: int = 0
    webhook_secret: str | None = None
    clock_ms: int = NOW_MS + 1_500
    default: tuple[int, object] = (200, {"errcode": 0, "errmsg": "ok"})
    replies: deque[tuple[int, object, dict[str, str]]] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    successes: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path_and_query: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path_and_query}"

    def reply(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        self.replies.append((status, body, headers or {}))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path, _, raw_query = request.raw_path.partition("?")
        recorded = Recorded(
            path=path,
            query=parse_qs(raw_query),
            raw_query=raw_query,
            headers=dict(request.headers),
            body=await request.read(),
        )
        self.requests.append(recorded)
        status, body, headers = self.replies.popleft() if self.replies else (*self.default, {})
        if status == HANG:
            await self.released.wait()
            status, body = self.default
        if self.webhook_secret is not None and not verify_webhook(
            self.webhook_secret,
            int(recorded.headers["X-Fengqiao-Timestamp"]),
            recorded.body,
            recorded.headers["X-Fengqiao-Signature"],
            now_ms=self.clock_ms,
        ):
            return web.json_response({"error": "bad signature"}, status=401)
        if 200 <= status < 300:
            self.successes += 1
        if isinstance(body, str):
            return web.Response(status=status, text=body, headers=headers)
        return web.json_response(body, status=status, headers=headers)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rx = Receiver()
    async with serve(rx.handle) as port:
        rx.port = port
        yield rx
        rx.released.set()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: a proxy from the environment must not intercept loopback traffic.
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def alert(**changes: Any) -> AlertMessage:
    fields: dict[str, Any] = {
        "delivery_id": "dlv-alr-0001-zhangsan-webhook-1",
        "alert_id": "alr-0001",
        "case_id": "JF-2026-000123",
        "kind": "breach",
        "level": 2,
        "recipient": "张三（街道综治中心主任）",
        "title": "【逾期】JF-2026-000123 化解时限已超期",
        "text": "邻里漏水纠纷已超过 **30 日** 化解时限，请督办。\n\n- 承办人：李四",
        "raised_at": datetime(2026, 3, 1, 1, 30, tzinfo=UTC),
        "case_url": "https://fengqiao.example.cn/cases/JF-2026-000123",
    }
    return AlertMessage(**(fields | changes))


def channel(kind: ChannelKind, url: str) -> ChannelConfig:
    secret = {ChannelKind.WEBHOOK: WEBHOOK_SECRET, ChannelKind.DINGTALK: DINGTALK_SECRET}
    return ChannelConfig(kind=kind, url=url, secret=secret.get(kind))


# -- signatures (vectors computed independently with openssl) -----------------------------------


def test_signatures_match_independent_vectors() -> None:
    body = '{"a":"调解"}'.encode()
    assert sign_webhook("whsec", 1_700_000_000_000, body) == (
        "sha256=f5cede46daf6040db068f54522d82ebddb8269507f869d60d23792498b2e42a5"
    )
    assert dingtalk_sign("SECtest", 1_700_000_000_000) == (
        "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="
    )


def test_verify_webhook_rejects_forgeries_and_stale_or_future_timestamps() -> None:
    body = b'{"x":1}'
    good = sign_webhook("s", NOW_MS, body)
    assert verify_webhook("s", NOW_MS, body, good, now_ms=NOW_MS + 300_000)
    assert not verify_webhook("s", NOW_MS, body + b" ", good, now_ms=NOW_MS)
    assert not verify_webhook("other", NOW_MS, body, good, now_ms=NOW_MS)
    assert not verify_webhook("s", NOW_MS + 1, body, good, now_ms=NOW_MS)
    assert not verify_webhook("s", NOW_MS, body, good, now_ms=NOW_MS + 300_001)
    assert not verify_webhook("s", NOW_MS, body, good, now_ms=NOW_MS - 300_001)
    assert not verify_webhook("s", NOW_MS, body, good, now_ms=NOW_MS + 10, tolerance_ms=5)
    # Malformed signatures are a plain False, never an exception.
    assert not verify_webhook("s", NOW_MS, body, "", now_ms=NOW_MS)
    assert not verify_webhook("s", NOW_MS, body, "sha256=签名", now_ms=NOW_MS)


def test_dingtalk_url_keeps_the_token_and_replaces_a_pasted_signature() -> None:
    url = dingtalk_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=old", "k", NOW_MS
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "access_token": ["abc"],
        "timestamp": [str(NOW_MS)],
        "sign": [dingtalk_sign("k", NOW_MS)],
    }


# -- webhook --------------------------------------------------------------------------------------


async def test_webhook_delivers_signed_utf8_json(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    receiver.webhook_secret = WEBHOOK_SECRET
    receiver.default = (200, {"received": True})
    message = alert()

    receipt = await deliver(
        http, channel(ChannelKind.WEBHOOK, receiver.url()), message, now_ms=NOW_MS
    )

    assert receipt.channel is ChannelKind.WEBHOOK
    assert receipt.status_code == 200
    assert json.loads(receipt.response_body) == {"received": True}
    assert receipt.elapsed_ms > 0
    [request] = receiver.requests
    assert receiver.successes == 1  # the receiver's own verify_webhook accepted it
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["X-Fengqiao-Delivery"] == message.delivery_id
    assert request.headers["X-Fengqiao-Timestamp"] == str(NOW_MS)
    assert verify_webhook(
        WEBHOOK_SECRET,
        NOW_MS,
        request.body,
        request.headers["X-Fengqiao-Signature"],
        now_ms=receiver.clock_ms,
    )
    assert request.json() == message.model_dump(mode="json") | {
        "markdown": render_markdown(message)
    }
    assert "化解时限已超期".encode() in request.body
    assert b"\\u" not in request.body


async def test_webhook_receiver_rejects_a_tampered_body(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    receiver.webhook_secret = WEBHOOK_SECRET
    await deliver(http, channel(ChannelKind.WEBHOOK, receiver.url()), alert(), now_ms=NOW_MS)
    [genuine] = receiver.requests
    tampered = genuine.body.replace("二级".encode(), "四级".encode())
    assert tampered != genuine.body
    assert not verify_webhook(
        WEBHOOK_SECRET,
        NOW_MS,
        tampered,
        genuine.headers["X-Fengqiao-Signature"],
        now_ms=receiver.clock_ms,
    )

    # Replayed to the real receiver with the genuine headers: refused.
    replay_headers = {k: v for k, v in genuine.headers.items() if k.startswith("X-Fengqiao")}
    response = await http.post(receiver.url(), content=tampered, headers=replay_headers)
    assert response.status_code == 401
    assert receiver.successes == 1


async def test_webhook_with_a_stale_timestamp_is_refused(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    receiver.webhook_secret = WEBHOOK_SECRET
    receiver.clock_ms = NOW_MS + 300_001  # the receiver's clock: just past the 5-minute window

    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, channel(ChannelKind.WEBHOOK, receiver.url()), alert(), now_ms=NOW_MS)

    assert caught.value.status == 401
    assert caught.value.permanent
    assert receiver.successes == 0


# -- DingTalk -------------------------------------------------------------------------------------


async def test_dingtalk_signed_url_and_markdown_body(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    # A timestamp whose signature has "+" or "/": both break if the sign is not URL-encoded.
    now_ms = next(
        NOW_MS + i
        for i in range(1000)
        if {"+", "/"} & set(dingtalk_sign(DINGTALK_SECRET, NOW_MS + i))
    )
    config = channel(ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=tok123"))

    receipt = await deliver(http, config, alert(), now_ms=now_ms)

    assert receipt.channel is ChannelKind.DINGTALK
    assert json.loads(receipt.response_body) == {"errcode": 0, "errmsg": "ok"}
    [request] = receiver.requests
    assert request.path == "/robot/send"
    assert request.query["access_token"] == ["tok123"]
    [timestamp] = request.query["timestamp"]
    [sign] = request.query["sign"]  # parse_qs URL-decodes
    assert timestamp == str(now_ms)
    assert sign == dingtalk_sign(DINGTALK_SECRET, int(timestamp))
    assert "%3D" in request.raw_query  # the base64 padding went out encoded
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "title": "【逾期】JF-2026-000123 化解时限已超期",
            "text": render_markdown(alert()),
        },
        "at": {"isAtAll": False},
    }


@pytest.mark.parametrize(
    ("errcode", "permanent"),
    [(310000, True), (300001, True), (400102, True), (130101, False), (-1, False), (987654, False)],
)
async def test_dingtalk_errcode_is_a_failure_despite_http_200(
    receiver: Receiver, http: httpx.AsyncClient, errcode: int, permanent: bool
) -> None:
    receiver.reply(200, {"errcode": errcode, "errmsg": "sign not match"})
    config = channel(ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=tok123"))

    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, config, alert(), now_ms=NOW_MS)

    assert caught.value.permanent is permanent
    assert caught.value.errcode == errcode
    assert caught.value.status == 200
    assert "tok123" not in str(caught.value)  # the token in the query is a credential


@pytest.mark.parametrize("body", ["<html>网关错误</html>", {"ok": True}])
async def test_dingtalk_200_without_errcode_is_transient(
    receiver: Receiver, http: httpx.AsyncClient, body: object
) -> None:
    receiver.reply(200, body)
    config = channel(ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=t"))
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, config, alert(), now_ms=NOW_MS)
    assert not caught.value.permanent


# -- WeCom ----------------------------------------------------------------------------------------


async def test_wecom_markdown_body(receiver: Receiver, http: httpx.AsyncClient) -> None:
    config = channel(ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=k-1"))

    receipt = await deliver(http, config, alert(), now_ms=NOW_MS)

    assert receipt.channel is ChannelKind.WECOM
    [request] = receiver.requests
    assert request.query == {"key": ["k-1"]}
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {"content": render_markdown(alert())},
    }


@pytest.mark.parametrize(
    ("errcode", "permanent"), [(93000, True), (40008, True), (45009, False), (-1, False)]
)
async def test_wecom_errcode_classification(
    receiver: Receiver, http: httpx.AsyncClient, errcode: int, permanent: bool
) -> None:
    receiver.reply(200, {"errcode": errcode, "errmsg": "invalid webhook url"})
    config = channel(ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=secret-key"))
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, config, alert(), now_ms=NOW_MS)
    assert caught.value.permanent is permanent
    assert caught.value.errcode == errcode
    assert "secret-key" not in str(caught.value)


async def test_wecom_long_markdown_is_cut_to_4096_utf8_bytes(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    long_text = "当事人双方就宅基地边界反复争执，" * 400 + "😀"  # ~19 KB, 3- and 4-byte chars
    config = channel(ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=k"))

    await deliver(http, config, alert(text=long_text), now_ms=NOW_MS)

    [request] = receiver.requests
    content = request.body.decode("utf-8", errors="strict")  # the whole body is valid UTF-8
    markdown = json.loads(content)["markdown"]["content"]
    assert len(markdown.encode("utf-8")) <= WECOM_MARKDOWN_MAX_BYTES
    assert len(markdown.encode("utf-8")) > WECOM_MARKDOWN_MAX_BYTES - 4  # uses the budget
    assert TRUNCATION_MARK in markdown
    # The facts and the link survive; only the free text was shortened.
    assert markdown.startswith("### 【逾期】JF-2026-000123 化解时限已超期")
    assert markdown.endswith("> 告警编号：alr-0001")
    assert "(https://fengqiao.example.cn/cases/JF-2026-000123)" in markdown


def test_truncate_utf8_never_splits_a_character() -> None:
    text = "a枫é桥😀" * 50  # 1-, 3-, 2-, 3- and 4-byte characters
    size = len(text.encode("utf-8"))
    mark = len(TRUNCATION_MARK.encode("utf-8"))
    assert truncate_utf8(text, size) == text
    for limit in range(mark, size):
        cut = truncate_utf8(text, limit)
        assert len(cut.encode("utf-8")) <= limit
        assert len(cut.encode("utf-8")) > limit - 4
        kept = cut.removesuffix(TRUNCATION_MARK)
        assert cut.endswith(TRUNCATION_MARK)
        assert text.startswith(kept)
    assert truncate_utf8(text, 2, marker="") == "a"


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
            http, channel(kind, receiver.url("/x?access_token=t")), alert(), now_ms=NOW_MS
        )
    assert caught.value.status == status
    assert caught.value.permanent is permanent


async def test_429_passes_retry_after_on(receiver: Receiver, http: httpx.AsyncClient) -> None:
    receiver.reply(429, "slow down", {"Retry-After": "7"})
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, channel(ChannelKind.WEBHOOK, receiver.url()), alert(), now_ms=NOW_MS)
    assert not caught.value.permanent
    assert caught.value.retry_after == 7.0


async def test_connection_refused_is_transient(http: httpx.AsyncClient) -> None:
    config = channel(ChannelKind.WEBHOOK, f"http://127.0.0.1:{free_port()}/hook")
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(http, config, alert(), now_ms=NOW_MS)
    assert not caught.value.permanent
    assert caught.value.status is None
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_timeout_is_transient(receiver: Receiver, http: httpx.AsyncClient) -> None:
    receiver.reply(HANG, None)
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(
            http, channel(ChannelKind.WECOM, receiver.url()), alert(), now_ms=NOW_MS, timeout=0.2
        )
    assert not caught.value.permanent
    assert "timed out" in str(caught.value)


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
            receipt = await deliver(http, config, message, now_ms=now_ms)
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
        await deliver(http, unvalidated, alert(), now_ms=NOW_MS)
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
