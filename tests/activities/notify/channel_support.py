"""A loopback receiver that records what the channels send, and the alerts and channel settings
the channel tests use."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from activities.notify.channels import (
    AlertMessage,
    ChannelConfig,
    ChannelKind,
    verify_webhook,
)
from activities.notify.outbound import OutboundPolicy

NOW_MS = 1_772_328_600_000  # 2026-03-01 01:30:00 UTC
WEBHOOK_SECRET = "whsec-枫桥-测试"
DINGTALK_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
HANG = -1
# The receivers here listen on loopback: allowed for these tests only (production refuses it).
LOOPBACK = OutboundPolicy.of(
    [], internal=["127.0.0.1"]
)  # a reply status that makes the receiver wait until the test ends


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
