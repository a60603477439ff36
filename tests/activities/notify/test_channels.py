"""Alert channels against a real HTTP receiver on loopback: signatures, formats, error classes."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from activities.notify.channels import (
    TRUNCATION_MARK,
    WECOM_MARKDOWN_MAX_BYTES,
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
from tests.activities.notify.channel_support import (
    DINGTALK_SECRET,
    LOOPBACK,
    NOW_MS,
    WEBHOOK_SECRET,
    Receiver,
    alert,
    channel,
)

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
        http, channel(ChannelKind.WEBHOOK, receiver.url()), message, now_ms=NOW_MS, policy=LOOPBACK
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
    await deliver(
        http, channel(ChannelKind.WEBHOOK, receiver.url()), alert(), now_ms=NOW_MS, policy=LOOPBACK
    )
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
        await deliver(
            http,
            channel(ChannelKind.WEBHOOK, receiver.url()),
            alert(),
            now_ms=NOW_MS,
            policy=LOOPBACK,
        )

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

    receipt = await deliver(http, config, alert(), now_ms=now_ms, policy=LOOPBACK)

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
        await deliver(http, config, alert(), now_ms=NOW_MS, policy=LOOPBACK)

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
        await deliver(http, config, alert(), now_ms=NOW_MS, policy=LOOPBACK)
    assert not caught.value.permanent


# -- WeCom ----------------------------------------------------------------------------------------


async def test_wecom_markdown_body(receiver: Receiver, http: httpx.AsyncClient) -> None:
    config = channel(ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=k-1"))

    receipt = await deliver(http, config, alert(), now_ms=NOW_MS, policy=LOOPBACK)

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
        await deliver(http, config, alert(), now_ms=NOW_MS, policy=LOOPBACK)
    assert caught.value.permanent is permanent
    assert caught.value.errcode == errcode
    assert "secret-key" not in str(caught.value)


async def test_wecom_long_markdown_is_cut_to_4096_utf8_bytes(
    receiver: Receiver, http: httpx.AsyncClient
) -> None:
    long_text = "当事人双方就宅基地边界反复争执，" * 400 + "😀"  # ~19 KB, 3- and 4-byte chars
    config = channel(ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=k"))

    await deliver(http, config, alert(text=long_text), now_ms=NOW_MS, policy=LOOPBACK)

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
