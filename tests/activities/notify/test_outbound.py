"""Alert channels reach only allowed hosts on public addresses (issue 16, finding 8: SSRF).

The receivers listen on 127.0.0.1. The production policy (``Settings()``) refuses them; the
tests that need a delivery to land name the loopback host explicitly as internal.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import httpx
import pytest

from activities.notify.channels import ChannelKind, DeliveryFailed, deliver
from activities.notify.outbound import ChannelRefused, OutboundPolicy, is_public
from activities.runtime.settings import Settings
from tests.activities.notify.channel_support import LOOPBACK, NOW_MS, Receiver, alert, channel

PRODUCTION = OutboundPolicy.from_settings(Settings())
INTERNAL_ANSWER = "内部系统答复：数据库 10.0.3.7 口令 hunter2"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # shared address space (carrier NAT)
        "169.254.169.254",  # link-local: cloud metadata
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "203.119.129.1", "2400:3200::1"])
def test_public_addresses_are(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/hook",
        "https://hooks.example.cn/hook",  # a generic webhook host must be listed
        "https://oapi.dingtalk.com.evil.cn/robot/send",
    ],
)
def test_the_production_policy_refuses_unlisted_and_internal_urls(url: str) -> None:
    with pytest.raises(ChannelRefused):
        PRODUCTION.check_url(url)


def test_the_production_policy_allows_the_robots_official_hosts() -> None:
    PRODUCTION.check_url("https://oapi.dingtalk.com/robot/send?access_token=t")
    PRODUCTION.check_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")


def test_a_listed_host_on_an_internal_literal_address_is_still_refused() -> None:
    listed = OutboundPolicy.of(["127.0.0.1", "10.0.0.8"])
    for url in ("http://127.0.0.1:9/hook", "http://10.0.0.8/hook"):
        with pytest.raises(ChannelRefused):
            listed.check_url(url)


@pytest.mark.parametrize("kind", list(ChannelKind))
async def test_a_loopback_url_is_refused_at_delivery_and_nothing_is_sent(
    receiver: Receiver, http: httpx.AsyncClient, kind: ChannelKind
) -> None:
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(
            http, channel(kind, receiver.url("/x?key=k")), alert(), now_ms=NOW_MS, policy=PRODUCTION
        )
    assert caught.value.permanent
    assert "不允许外发" in str(caught.value)
    assert receiver.requests == []


def _resolving(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    """DNS as the test says for the names given (the loop's resolver, which delivery uses)."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in names:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in names[host]
            ]
        return await real(host, port, *args, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


async def test_a_listed_name_resolving_to_an_internal_address_is_refused_at_delivery(
    receiver: Receiver, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host on the allow-list whose DNS answers 127.0.0.1 (or a public address and 127.0.0.1,
    as a rebinding attacker's name does) is refused before any request."""
    _resolving(
        monkeypatch,
        {"hooks.example.cn": ["127.0.0.1"], "mixed.example.cn": ["203.119.129.1", "127.0.0.1"]},
    )
    policy = OutboundPolicy.of(["hooks.example.cn", "mixed.example.cn"])
    for host in ("hooks.example.cn", "mixed.example.cn"):
        url = f"http://{host}:{receiver.port}/hook"
        with pytest.raises(DeliveryFailed) as caught:
            await deliver(
                http, channel(ChannelKind.WEBHOOK, url), alert(), now_ms=NOW_MS, policy=policy
            )
        assert caught.value.permanent
        assert "内部网络" in str(caught.value)
    assert receiver.requests == []


async def test_the_request_goes_to_the_address_that_was_checked(
    receiver: Receiver, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolved once, connected to that address: the name (which no real DNS knows) is not
    looked up again by the HTTP client, and the receiver still sees its own host name."""
    _resolving(monkeypatch, {"receiver.fengqiao.invalid": ["127.0.0.1"]})
    policy = OutboundPolicy.of([], internal=["receiver.fengqiao.invalid"])
    url = f"http://receiver.fengqiao.invalid:{receiver.port}/hook"
    receipt = await deliver(
        http, channel(ChannelKind.WEBHOOK, url), alert(), now_ms=NOW_MS, policy=policy
    )
    assert receipt.status_code == 200
    [request] = receiver.requests
    assert request.headers["Host"] == f"receiver.fengqiao.invalid:{receiver.port}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_not_followed(
    receiver: Receiver, http: httpx.AsyncClient, status: int
) -> None:
    receiver.reply(status, "moved", {"Location": receiver.url("/internal-admin")})
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(
            http,
            channel(ChannelKind.WEBHOOK, receiver.url("/hook")),
            alert(),
            now_ms=NOW_MS,
            policy=LOOPBACK,
        )
    assert caught.value.permanent
    assert caught.value.status == status
    assert [r.path for r in receiver.requests] == ["/hook"]


@pytest.mark.parametrize(
    ("kind", "status", "answer"),
    [
        (ChannelKind.WEBHOOK, 500, INTERNAL_ANSWER),
        (ChannelKind.WEBHOOK, 403, {"detail": INTERNAL_ANSWER}),
        (ChannelKind.WECOM, 200, {"errcode": 93000, "errmsg": INTERNAL_ANSWER}),
        (ChannelKind.DINGTALK, 200, {"errcode": 123456, "errmsg": INTERNAL_ANSWER}),
        (ChannelKind.DINGTALK, 200, INTERNAL_ANSWER),
    ],
)
async def test_the_remote_answer_never_reaches_the_failure(
    receiver: Receiver, http: httpx.AsyncClient, kind: ChannelKind, status: int, answer: object
) -> None:
    """What the failure says is what users see (``deliveries[].error``) and what the log and
    Temporal keep: a category, the status and a known errcode, never the receiver's words."""
    receiver.reply(status, answer)
    with pytest.raises(DeliveryFailed) as caught:
        await deliver(
            http, channel(kind, receiver.url("/x?key=k")), alert(), now_ms=NOW_MS, policy=LOOPBACK
        )
    message = str(caught.value)
    assert f"HTTP {status}" in message or "错误码" in message
    for part in ("内部系统答复", "10.0.3.7", "hunter2"):
        assert part not in message
