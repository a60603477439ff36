"""Alert delivery channels (告警推送渠道): signed JSON webhook, DingTalk and WeCom group robots.

``deliver`` makes exactly one attempt and classifies every failure as permanent (a retry cannot
fix it: bad configuration, a rejected request) or transient (network, timeouts, 5xx, rate
limits), so the Temporal activity around it can map ``DeliveryFailed.permanent`` to a
non-retryable error and let the retry policy handle the rest. Delivery is at-least-once: a
timeout after the receiver got the request is retried, which is why every webhook request
carries the same ``X-Fengqiao-Delivery`` id across attempts.

Error codes (``errcode`` in an HTTP 200 answer) classified as permanent, i.e. the robot's
configuration or the message must change before a retry can succeed:

* DingTalk: 310000 (signature mismatch, stale timestamp, keyword missing or IP not whitelisted:
  the robot's security settings reject us), 300001 and 400101 (access_token does not exist),
  400013 (group dissolved), 400102 (robot disabled), 400105 (message type not supported),
  400106 (robot does not exist), 430101-430104 (content-safety rejection).
* WeCom: 93000 (invalid webhook URL / key), 40008 (invalid message type), 44004 (empty
  content), 40058 (invalid parameter, e.g. content too long).

Transient: DingTalk 130101 and 410100 (sending too fast) and -1 (system busy); WeCom 45009
(API frequency limit), 45033 (concurrency limit) and -1 (system busy). An unknown non-zero code
is treated as transient: losing an escalation alert costs more than a few wasted attempts, and
the activity's retry policy bounds them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import timedelta, timezone
from enum import StrEnum
from typing import Annotated, Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from activities.notify.outbound import ChannelRefused, OutboundPolicy

DEFAULT_TIMEOUT_S: Final = 10.0
WECOM_MARKDOWN_MAX_BYTES: Final = 4096
RESPONSE_BODY_MAX_CHARS: Final = 2000
TRUNCATION_MARK: Final = "\n\n……（内容过长，已截断）"
SIGNATURE_TOLERANCE_MS: Final = 300_000
USER_AGENT: Final = "fengqiao-alerts/0.1"

# China has had no daylight saving time since 1991: a fixed offset is exact and needs no tzdata.
BEIJING: Final = timezone(timedelta(hours=8), "北京时间")

DINGTALK_PERMANENT_ERRCODES: Final[Mapping[int, str]] = {
    310000: "security check failed: signature, timestamp, keyword or IP whitelist",
    300001: "access_token does not exist",
    400013: "group dissolved",
    400101: "access_token does not exist",
    400102: "robot disabled",
    400105: "message type not supported",
    400106: "robot does not exist",
    430101: "content rejected: unsafe link",
    430102: "content rejected: text",
    430103: "content rejected: image",
    430104: "content rejected",
}
DINGTALK_TRANSIENT_ERRCODES: Final[Mapping[int, str]] = {
    -1: "system busy",
    130101: "sending too fast",
    410100: "sending too fast (rate limited)",
}
WECOM_PERMANENT_ERRCODES: Final[Mapping[int, str]] = {
    93000: "invalid webhook URL or key",
    40008: "invalid message type",
    44004: "empty content",
    40058: "invalid parameter",
}
WECOM_TRANSIENT_ERRCODES: Final[Mapping[int, str]] = {
    -1: "system busy",
    45009: "API frequency limit",
    45033: "API concurrency limit",
}

_KIND_LABELS: Final[Mapping[str, str]] = {
    "warning": "预警",
    "breach": "逾期",
    "major": "重大矛盾纠纷直报",
    "major_report": "重大矛盾纠纷直报",  # domain.case.alerts.AlertKind.MAJOR_REPORT
    "collective_report": "群体性矛盾纠纷报告",
    "skip_level_report": "越级上访风险报告",
    "screening_missed": "排查逾期未报",  # a unit's 排查 duty, not a case (workflows/screening.py)
}
_LEVEL_LABELS: Final[Mapping[int, str]] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


class ChannelKind(StrEnum):
    WEBHOOK = "webhook"
    DINGTALK = "dingtalk"
    WECOM = "wecom"


class ChannelConfig(BaseModel):
    """One recipient's channel; the secret stays out of ``repr`` so it never reaches a log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ChannelKind
    url: str
    secret: str | None = Field(default=None, repr=False)

    @field_validator("url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        # Parsed the way httpx will parse it, so a URL accepted here is one deliver can send to.
        if value != value.strip():
            raise ValueError("url must not have surrounding whitespace")
        try:
            parsed = httpx.URL(value)
        except httpx.InvalidURL as error:
            raise ValueError(f"url is not a valid URL: {error}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError("url must be an absolute http or https URL")
        return value

    @model_validator(mode="after")
    def _secret_when_signed(self) -> ChannelConfig:
        if self.kind in (ChannelKind.WEBHOOK, ChannelKind.DINGTALK) and not self.secret:
            raise ValueError(f"a {self.kind} channel needs a secret to sign its requests")
        return self


class AlertMessage(BaseModel):
    """One alert for one recipient on one channel; ``delivery_id`` is the receivers' dedupe key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Sent as an HTTP header, so printable ASCII only (no spaces): a UUID or similar.
    delivery_id: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,200}$")]
    alert_id: str
    case_id: str
    kind: str
    level: Annotated[int, Field(ge=1, le=4)]
    recipient: str
    title: str
    text: str
    raised_at: AwareDatetime
    case_url: str | None = None


class DeliveryReceipt(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: ChannelKind
    status_code: int
    response_body: str
    elapsed_ms: float


class DeliveryFailed(Exception):
    """One failed attempt. ``permanent`` means retrying cannot help; map it to non-retryable.

    ``retry_after`` (seconds) is the receiver's ``Retry-After`` when it sent a numeric one, a
    hint for the activity's next retry delay.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        errcode: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.errcode = errcode
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # Keyword-only arguments defeat Exception's default pickling (it replays self.args only).
        rebuild = functools.partial(
            type(self),
            str(self),
            permanent=self.permanent,
            status=self.status,
            errcode=self.errcode,
            retry_after=self.retry_after,
        )
        return rebuild, ()


# -- signatures ---------------------------------------------------------------------------------


def sign_webhook(secret: str, timestamp_ms: int, body: bytes) -> str:
    """``sha256=<hex>`` over ``"{timestamp}."`` + body: binding the time stops replays."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}.".encode("ascii") + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def verify_webhook(
    secret: str,
    timestamp_ms: int,
    body: bytes,
    signature: str,
    *,
    now_ms: int,
    tolerance_ms: int = SIGNATURE_TOLERANCE_MS,
) -> bool:
    """For receivers: a genuine, fresh request. Constant-time, and never raises on bad input."""
    if abs(now_ms - timestamp_ms) > tolerance_ms:
        return False
    expected = sign_webhook(secret, timestamp_ms, body).encode("ascii")
    # Bytes, not str: compare_digest refuses non-ASCII str, and a header can carry anything.
    return hmac.compare_digest(expected, signature.encode("utf-8", errors="replace"))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")), not URL-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and the URL-encoded ``sign`` appended.

    The configured query (``access_token``) is kept byte for byte; a stale ``timestamp`` or
    ``sign`` pasted into the configuration is dropped rather than sent twice.
    """
    parts = urlsplit(url)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and pair.split("=", 1)[0] not in ("timestamp", "sign")
    ]
    # urlencode quotes with quote_plus: "+", "/" and "=" of the base64 become %2B, %2F, %3D.
    signed = urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return urlunsplit(parts._replace(query="&".join([*kept, signed])))


# -- rendering ----------------------------------------------------------------------------------


def truncate_utf8(text: str, max_bytes: int, marker: str = TRUNCATION_MARK) -> str:
    """At most ``max_bytes`` of UTF-8, cut on a character boundary and ending with ``marker``."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    mark = marker.encode("utf-8")
    if len(mark) > max_bytes:
        return data[:max_bytes].decode("utf-8", errors="ignore")
    # The slice can only end inside a character; "ignore" drops that partial tail, nothing else.
    return data[: max_bytes - len(mark)].decode("utf-8", errors="ignore") + marker


def render_markdown(message: AlertMessage, *, max_bytes: int | None = None) -> str:
    """The Chinese-first markdown shared by DingTalk and WeCom (and sent with the webhook).

    With ``max_bytes``, only the free text is shortened, so the facts and the link to the case
    survive a long body.
    """
    kind = _KIND_LABELS.get(message.kind, message.kind)
    level = _LEVEL_LABELS.get(message.level, f"{message.level}级")
    raised = message.raised_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    head = [
        f"### {message.title}",
        f"**类型**：{kind}",
        f"**等级**：{level}",
        # A screening duty's alert names the duty where a case's names the case.
        f"**{'排查任务' if message.kind == 'screening_missed' else '案件'}**：{message.case_id}",
        f"**接收人**：{message.recipient}",
        f"**时间**：{raised}（北京时间）",
    ]
    tail = [f"[查看案件详情]({message.case_url})"] if message.case_url else []
    tail.append(f"> 告警编号：{message.alert_id}")

    def join(body: str) -> str:
        return "\n\n".join([*head, *([body] if body else []), *tail])

    full = join(message.text)
    if max_bytes is None or len(full.encode("utf-8")) <= max_bytes:
        return full
    budget = max_bytes - (len(join("x").encode("utf-8")) - 1)
    if budget <= len(TRUNCATION_MARK.encode("utf-8")):
        return truncate_utf8(full, max_bytes)
    return join(truncate_utf8(message.text, budget))


# -- delivery -----------------------------------------------------------------------------------


def _json_bytes(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _require_secret(channel: ChannelConfig) -> str:
    # The validator makes this unreachable for validated configs; model_construct bypasses it.
    if not channel.secret:
        raise DeliveryFailed(f"{channel.kind} channel has no secret", permanent=True)
    return channel.secret


def _request(
    channel: ChannelConfig, message: AlertMessage, now_ms: int
) -> tuple[str, bytes, dict[str, str]]:
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if channel.kind is ChannelKind.WEBHOOK:
        secret = _require_secret(channel)
        body = _json_bytes(message.model_dump(mode="json") | {"markdown": render_markdown(message)})
        headers |= {
            "X-Fengqiao-Timestamp": str(now_ms),
            "X-Fengqiao-Signature": sign_webhook(secret, now_ms, body),
            "X-Fengqiao-Delivery": message.delivery_id,
        }
        return channel.url, body, headers
    if channel.kind is ChannelKind.DINGTALK:
        secret = _require_secret(channel)
        body = _json_bytes(
            {
                "msgtype": "markdown",
                "markdown": {"title": message.title, "text": render_markdown(message)},
                "at": {"isAtAll": False},
            }
        )
        return dingtalk_url(channel.url, secret, now_ms), body, headers
    content = render_markdown(message, max_bytes=WECOM_MARKDOWN_MAX_BYTES)
    body = _json_bytes({"msgtype": "markdown", "markdown": {"content": content}})
    return channel.url, body, headers


_CHANNEL_LABELS: Final[Mapping[ChannelKind, str]] = {
    ChannelKind.WEBHOOK: "Webhook",
    ChannelKind.DINGTALK: "钉钉机器人",
    ChannelKind.WECOM: "企业微信机器人",
}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _is_permanent_status(status: int) -> bool:
    # 3xx too: redirects are not followed, a signed POST goes to the configured URL or nowhere.
    return 300 <= status < 500 and status not in (408, 429)


def _check_errcode(channel: ChannelConfig, response: httpx.Response) -> None:
    """The robot's own verdict in a 200 answer. What it wrote (``errmsg``) is never repeated:
    the failure says the errcode and what our table says it means, nothing the receiver chose."""
    label = _CHANNEL_LABELS[channel.kind]
    try:
        decoded = response.json()
    except ValueError:
        decoded = None
    payload: dict[str, Any] = decoded if isinstance(decoded, dict) else {}
    code = payload.get("errcode")
    if isinstance(code, bool) or not isinstance(code, int):
        raise DeliveryFailed(
            f"{label}答复 HTTP {response.status_code}，但没有错误码 (no errcode)",
            permanent=False,
            status=response.status_code,
        )
    if code == 0:
        return
    if channel.kind is ChannelKind.DINGTALK:
        permanent_codes, transient_codes = DINGTALK_PERMANENT_ERRCODES, DINGTALK_TRANSIENT_ERRCODES
    else:
        permanent_codes, transient_codes = WECOM_PERMANENT_ERRCODES, WECOM_TRANSIENT_ERRCODES
    permanent = code in permanent_codes
    meaning = permanent_codes.get(code) or transient_codes.get(code) or "unknown errcode"
    raise DeliveryFailed(
        f"{label}拒绝，错误码 {code} ({meaning})",
        permanent=permanent,
        status=response.status_code,
        errcode=code,
    )


async def deliver(
    http: httpx.AsyncClient,
    channel: ChannelConfig,
    message: AlertMessage,
    *,
    now_ms: int,
    policy: OutboundPolicy,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> DeliveryReceipt:
    """One attempt. Raises DeliveryFailed (permanent or transient).

    ``now_ms`` is passed in so signatures are testable; ``timeout`` bounds the whole request so
    a hung receiver costs one attempt, not the activity's whole start-to-close budget. The URL
    must pass ``policy`` (allowed host, public address after resolution); the request goes to
    the address that was checked and a redirect is never followed. A failure's message holds a
    category, the HTTP status and a known errcode: never what the receiver answered.
    """
    label = _CHANNEL_LABELS[channel.kind]
    url, body, headers = _request(channel, message, now_ms)
    try:
        target = await policy.destination(url)
    except ChannelRefused as refused:
        raise DeliveryFailed(
            f"{label}地址不允许外发：{refused.reason_zh} ({refused.reason_en})", permanent=True
        ) from None
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
    started = time.perf_counter()
    try:
        response = await http.post(
            target.url,
            content=body,
            headers=headers | {"Host": target.host_header},
            timeout=timeout,
            follow_redirects=False,
            extensions=extensions,
        )
    except httpx.TimeoutException as error:
        raise DeliveryFailed(
            f"{label}接收方超时（{timeout:g} 秒）({type(error).__name__})", permanent=False
        ) from error
    except httpx.RequestError as error:
        raise DeliveryFailed(
            f"{label}接收方无法连接 ({type(error).__name__})", permanent=False
        ) from error
    elapsed_ms = (time.perf_counter() - started) * 1000
    status = response.status_code
    if not 200 <= status < 300:
        redirect = "（不跟随重定向）" if 300 <= status < 400 else ""
        raise DeliveryFailed(
            f"{label}接收方答复 HTTP {status}{redirect}",
            permanent=_is_permanent_status(status),
            status=status,
            retry_after=_retry_after(response),
        )
    if channel.kind is not ChannelKind.WEBHOOK:
        _check_errcode(channel, response)
    return DeliveryReceipt(
        channel=channel.kind,
        status_code=status,
        response_body=response.text[:RESPONSE_BODY_MAX_CHARS],
        elapsed_ms=elapsed_ms,
    )
