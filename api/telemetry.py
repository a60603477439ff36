"""Request telemetry: a request id on every log line of a request, and the API's Prometheus
metrics (requests by route template and status, latency; the domain gauges beside them).

Labels never carry a user, a case or a raw path: only the route's template
(``/v1/cases/{case_id}``), the method and the status, so the series stay few whatever the traffic.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable, Mapping

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("fengqiao.http")
# The stdlib logger behind ``log``: asked first, so a request pays nothing for a line not written.
_LOGGER = logging.getLogger("fengqiao.http")
# A request slower than this is logged at INFO (every request at DEBUG, failures at ERROR).
SLOW_SECONDS = 1.0

REQUEST_ID_HEADER = "x-request-id"
# A caller's (or the proxy's) request id is kept when it looks like one; anything else is replaced.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "fengqiao_http_requests",
    "HTTP requests answered, by method, route template and status code",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "fengqiao_http_request_duration_seconds",
    "Time from a request's arrival to its last response byte, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
OPEN_CASES = Gauge(
    "fengqiao_open_cases",
    "Cases not closed or withdrawn, by stage (在办案件)",
    ["stage"],
    registry=REGISTRY,
)
CLOCKS_OVERDUE = Gauge(
    "fengqiao_clocks_overdue",
    "Clocks of open work items whose due time has passed (逾期时限)",
    registry=REGISTRY,
)
ALERTS_UNACKNOWLEDGED = Gauge(
    "fengqiao_alerts_unacknowledged",
    "Alerts raised and not yet acknowledged (督办待签收)",
    registry=REGISTRY,
)
PROJECTION_LAG = Gauge(
    "fengqiao_projection_lag_seconds",
    "Seconds between the newest event's decision in its case and its arrival in the store",
    registry=REGISTRY,
)
CASES_BEHIND = Gauge(
    "fengqiao_cases_behind",
    "Cases whose events the store refused: read model and trail stop short (记录同步滞后)",
    registry=REGISTRY,
)
ARCHIVE_BACKLOG = Gauge(
    "fengqiao_history_archive_backlog",
    "Closed or withdrawn cases whose final workflow history is not archived yet",
    registry=REGISTRY,
)
GAUGES_COLLECTED = Gauge(
    "fengqiao_gauges_collected_timestamp_seconds",
    "When this process last computed the domain gauges (Unix time)",
    registry=REGISTRY,
)


def metric_names() -> set[str]:
    """Every series name this process exports (what dashboards may query)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    names: set[str] = set()
    for family in REGISTRY.collect():  # a labelled metric has no sample before its first use
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names


def exposition() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)


def publish_gauges(
    *,
    open_by_stage: Mapping[str, int],
    clocks_overdue: int,
    alerts_unacknowledged: int,
    projection_lag_seconds: float,
    cases_behind: int,
    archive_backlog: int,
    collected_at: float,
) -> None:
    for stage, count in open_by_stage.items():
        OPEN_CASES.labels(stage=stage).set(count)
    CLOCKS_OVERDUE.set(clocks_overdue)
    ALERTS_UNACKNOWLEDGED.set(alerts_unacknowledged)
    PROJECTION_LAG.set(projection_lag_seconds)
    CASES_BEHIND.set(cases_behind)
    ARCHIVE_BACKLOG.set(archive_backlog)
    GAUGES_COLLECTED.set(collected_at)


def _request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    # A mounted app (the console's static files) or no route at all (404).
    return "mount" if "endpoint" in scope else "unmatched"


class RequestTelemetry:
    """Pure ASGI middleware: binds ``request_id`` for the request's log lines, echoes it as
    ``X-Request-ID``, and counts and times the request by its route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope.get("headers", ()))
        header = (REQUEST_ID_HEADER.encode(), request_id.encode())
        status = 500  # what the server answers if the app fails before starting a response
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                method = scope.get("method", "")
                route = _route(scope)
                seconds = time.perf_counter() - started
                REQUESTS.labels(method=method, route=route, status=str(status)).inc()
                LATENCY.labels(method=method, route=route).observe(seconds)
                _log_request(method, route, status, seconds)


def _log_request(method: str, route: str, status: int, seconds: float) -> None:
    level = (
        logging.ERROR
        if status >= 500
        else logging.INFO
        if seconds >= SLOW_SECONDS
        else logging.DEBUG
    )
    if _LOGGER.isEnabledFor(level):
        log.log(
            level, "request", method=method, route=route, status=status, ms=round(seconds * 1000)
        )
