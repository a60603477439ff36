"""Monitoring: /metrics (behind the deployment's token) counts requests by route template and
status, carries the domain gauges read from the store, and every request's log lines carry its
request id, echoed to the caller as X-Request-ID."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.runtime.logging import log_handler
from activities.runtime.settings import Settings
from activities.store.tables import (
    AlertRow,
    CaseBehindRow,
    CaseEventRow,
    CaseRow,
    HistoryArchiveRow,
    WorkItemRow,
)
from api.app import create_app

TOKEN = "scrape-token-for-tests"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


@asynccontextmanager
async def running_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app in process; its Temporal client connects lazily (no server needed here)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://fengqiao.test") as c:
            yield c


def _settings(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'metrics.db'}",
        "metrics_token": SecretStr(TOKEN),
        "metrics_interval_seconds": 0,
    }
    values.update(changes)
    return Settings.model_validate(values)


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series in Prometheus' text format (None when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return None


async def test_metrics_answer_only_the_scrape_token(tmp_path: Path) -> None:
    async with running_api(_settings(tmp_path)) as api:
        assert (await api.get("/metrics")).status_code == 404
        wrong = await api.get("/metrics", headers={"Authorization": "Bearer guessed"})
        assert wrong.status_code == 404
        assert (await api.get("/metrics", headers=SCRAPER)).status_code == 200
    async with running_api(_settings(tmp_path, metrics_token=SecretStr(""))) as api:
        # No token configured: there is no /metrics to scrape, with or without a header.
        assert (await api.get("/metrics", headers={"Authorization": "Bearer "})).status_code == 404


async def test_requests_are_counted_by_route_template_and_status(tmp_path: Path) -> None:
    async with running_api(_settings(tmp_path)) as api:
        before = (await api.get("/metrics", headers=SCRAPER)).text
        alive = (
            _sample(
                before, "fengqiao_http_requests_total", method="GET", route="/healthz", status="200"
            )
            or 0.0
        )
        assert (await api.get("/healthz")).status_code == 200
        refused = await api.get("/v1/cases/JF-2026-000123")  # no credentials
        assert refused.status_code == 401
        after = (await api.get("/metrics", headers=SCRAPER)).text
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert _sample(after, "fengqiao_http_requests_total", **labels) == alive + 1
    case_route = {"method": "GET", "route": "/v1/cases/{case_id}", "status": "401"}
    assert (_sample(after, "fengqiao_http_requests_total", **case_route) or 0) >= 1
    assert (
        _sample(
            after, "fengqiao_http_request_duration_seconds_count", method="GET", route="/healthz"
        )
        or 0
    ) >= alive + 1
    # The case number never becomes a label: series stay few, and nothing identifies a case.
    assert "JF-2026-000123" not in after


async def test_a_request_id_is_echoed_and_on_the_request_s_log_lines(tmp_path: Path) -> None:
    stream = io.StringIO()
    handler = log_handler(stream, json=True)
    root, http_logger = logging.getLogger(), logging.getLogger("fengqiao.http")
    root.addHandler(handler)
    previous = http_logger.level
    http_logger.setLevel(logging.DEBUG)
    try:
        async with running_api(_settings(tmp_path)) as api:
            given = await api.get("/healthz", headers={"X-Request-ID": "proxy-7f3a.42"})
            made = await api.get("/healthz")
            forged = await api.get("/healthz", headers={"X-Request-ID": "a b<script>" * 10})
    finally:
        root.removeHandler(handler)
        http_logger.setLevel(previous)
    assert given.headers["x-request-id"] == "proxy-7f3a.42"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])  # replaced, not echoed
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    requests = [line for line in lines if line.get("event") == "request"]
    assert {line["request_id"] for line in requests} >= {
        "proxy-7f3a.42",
        made.headers["x-request-id"],
    }
    assert all(line["route"] == "/healthz" for line in requests)


NOW = datetime.now(UTC).replace(microsecond=0)


def _case(case_id: str, stage: str) -> dict[str, object]:
    return {
        "case_id": case_id,
        "kind": "dispute",
        "stage": stage,
        "category": "neighbour",
        "channel": "walk_in",
        "title": "测试案件",
        "description": "",
        "jurisdiction_code": "320102",
        "risk_level": "low",
        "registered_at": NOW - timedelta(days=3),
        "updated_at": NOW,
        "seq": 1,
        "state": {},
    }


def _work_item(
    case_id: str, key: str, clock_id: str | None, due: datetime | None
) -> dict[str, object]:
    return {
        "case_id": case_id,
        "item_key": key,
        "org_id": "org-1",
        "kind": "clock",
        "due_at": due,
        "rank_at": due or datetime(9999, 12, 31, tzinfo=UTC),
        "since": NOW - timedelta(days=1),
        "summary": "时限",
        "clock_id": clock_id,
        "jurisdiction_code": "320102",
        "case_kind": "dispute",
        "title": "测试案件",
        "stage": "mediating",
        "category": "neighbour",
        "registered_at": NOW - timedelta(days=3),
    }


def _alert(alert_id: str, status: str) -> dict[str, object]:
    return {
        "alert_id": alert_id,
        "case_id": "JF-A",
        "kind": "breach",
        "clock_id": "c1",
        "title": "逾期",
        "level": 1,
        "recipient": "someone",
        "status": status,
        "jurisdiction_code": "320102",
        "raised_at": NOW,
        "updated_seq": 1,
        "document": {},
    }


def _archive(workflow_id: str, run_id: str, status: str) -> dict[str, object]:
    return {
        "workflow_id": workflow_id,
        "run_id": run_id,
        "status": status,
        "closed_at": NOW,
        "event_count": 10,
        "history": "{}",
    }


async def _seed(engine: AsyncEngine) -> None:
    """Hand-counted: open cases 2 registered + 1 mediating; closed 3 and withdrawn 1, of which
    JF-D's and JF-W's final runs are archived (JF-E has only a continued-as-new run, JF-F none);
    overdue clocks: JF-A's c1 (two items) and JF-B's c2 = 2 (c3 is not yet due, the other item
    has no clock); alerts waiting for acknowledgement: 2 (one acknowledged, one closed); the
    newest event reached the store 90 s after its case decided it; one case is behind."""
    cases = [
        _case("JF-A", "registered"),
        _case("JF-B", "registered"),
        _case("JF-C", "mediating"),
        _case("JF-D", "closed"),
        _case("JF-E", "closed"),
        _case("JF-F", "closed"),
        _case("JF-W", "withdrawn"),
    ]
    items = [
        _work_item("JF-A", "clock:c1", "c1", NOW - timedelta(hours=2)),
        _work_item("JF-A", "clock:c1:remind", "c1", NOW - timedelta(hours=1)),
        _work_item("JF-B", "clock:c2", "c2", NOW - timedelta(minutes=5)),
        _work_item("JF-B", "clock:c3", "c3", NOW + timedelta(days=2)),
        _work_item("JF-C", "accept", None, NOW - timedelta(days=1)),
    ]
    alerts = [
        _alert("a1", "open"),
        _alert("a2", "open"),
        _alert("a3", "acknowledged"),
        _alert("a4", "closed"),
    ]
    archives = [
        _archive("JF-D", "r1", "completed"),
        _archive("JF-E", "r2", "continued_as_new"),
        _archive("JF-W", "r3", "completed"),
    ]
    events = [
        {
            "case_id": "JF-A",
            "seq": seq,
            "type": "registered",
            "occurred_at": NOW - timedelta(hours=1) if seq == 1 else NOW - timedelta(seconds=90),
            "actor": "tester",
            "command_id": f"cmd-{seq}",
            "payload": {},
            "recorded_at": NOW - timedelta(minutes=59) if seq == 1 else NOW,
            "prev_hash": "0" * 64,
            "hash": f"{seq}" * 64,
        }
        for seq in (1, 2)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(CaseRow), cases)
        await connection.execute(insert(WorkItemRow), items)
        await connection.execute(insert(AlertRow), alerts)
        await connection.execute(insert(HistoryArchiveRow), archives)
        await connection.execute(
            insert(CaseBehindRow),
            {
                "case_id": "JF-B",
                "since": NOW,
                "projected_seq": 1,
                "failed_seq": 2,
                "workflow_seq": 2,
                "jurisdiction_code": "320102",
                "reason": "IntegrityError",
                "attempts": 3,
            },
        )
        for event in events:  # in order: the newest has the highest id
            await connection.execute(insert(CaseEventRow), event)


async def test_domain_gauges_count_the_store(engine: AsyncEngine, tmp_path: Path) -> None:
    await _seed(engine)
    url = engine.url.render_as_string(hide_password=False)
    started = time.time()
    settings = _settings(tmp_path, database_url=url, metrics_interval_seconds=0.2)
    async with running_api(settings) as api:
        deadline = time.monotonic() + 20
        while True:  # the collector reads the store when the app starts, then every 0.2 s
            text = (await api.get("/metrics", headers=SCRAPER)).text
            collected = _sample(text, "fengqiao_gauges_collected_timestamp_seconds") or 0
            if collected >= started:
                break
            assert time.monotonic() < deadline, "the gauges were never collected"
            await asyncio.sleep(0.05)
    assert _sample(text, "fengqiao_open_cases", stage="registered") == 2
    assert _sample(text, "fengqiao_open_cases", stage="mediating") == 1
    assert _sample(text, "fengqiao_open_cases", stage="accepted") == 0  # every open stage shown
    assert _sample(text, "fengqiao_open_cases", stage="closed") is None  # ended is not open
    assert _sample(text, "fengqiao_clocks_overdue") == 2
    assert _sample(text, "fengqiao_alerts_unacknowledged") == 2
    assert _sample(text, "fengqiao_projection_lag_seconds") == 90
    assert _sample(text, "fengqiao_cases_behind") == 1
    assert _sample(text, "fengqiao_history_archive_backlog") == 2
