"""Where a request's time goes (``bench/hops.py``): each request read against its update in
its case's history, hop by hop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from bench.hops import HOPS, Sent, hops, update_times

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _event(kind: EventType.ValueType, ms: int, update_id: str | None = None) -> HistoryEvent:
    event = HistoryEvent(event_type=kind)
    event.event_time.FromDatetime(T0 + timedelta(milliseconds=ms))
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        attributes = event.workflow_execution_update_accepted_event_attributes
        attributes.accepted_request.meta.update_id = update_id or ""
    elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        event.workflow_execution_update_completed_event_attributes.meta.update_id = update_id or ""
    return event


def _task(scheduled: int, started: int, completed: int) -> list[HistoryEvent]:
    return [
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, scheduled),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, started),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, completed),
    ]


def _seconds(ms: int) -> float:
    return (T0 + timedelta(milliseconds=ms)).timestamp()


@pytest.fixture(params=["UTC", "Asia/Shanghai"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The load generator's machine may keep any local time: the histories' times are UTC."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_zone")
def test_each_request_is_split_at_its_updates_task() -> None:
    accepted, completed = (
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
    )
    history = [
        _event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 10),
        *_task(10, 40, 100),
        _event(accepted, 100, "intake:k1"),
        _event(completed, 100, "intake:k1"),
        # The second update's projection outlived its task: completed in the next one.
        *_task(300, 310, 330),
        _event(accepted, 330, "accept:k2"),
        _event(EventType.EVENT_TYPE_MARKER_RECORDED, 330),
        *_task(330, 335, 360),
        _event(completed, 360, "accept:k2"),
    ]
    times = update_times(history)
    assert [(t.scheduled, t.started, t.completed) for t in times] == [
        (_seconds(10), _seconds(40), _seconds(100)),
        (_seconds(300), _seconds(310), _seconds(360)),
    ]
    sent = [
        Sent("C-1", "accept", _seconds(290), _seconds(380)),  # recorded out of order
        Sent("C-1", "cases", _seconds(0), _seconds(130)),
    ]
    found = hops(sent, {"C-1": times})
    as_ms = {
        kind: {hop: [round(v * 1000) for v in values] for hop, values in by.items()}
        for kind, by in found.items()
    }
    assert as_ms == {
        "intake": dict(zip(HOPS, ([10], [30], [60], [30]), strict=True)),
        "command": dict(zip(HOPS, ([10], [10], [50], [20]), strict=True)),
    }


def test_a_case_whose_history_does_not_match_its_requests_is_left_out() -> None:
    sent = [Sent("C-2", "cases", 0.0, 1.0), Sent("C-2", "accept", 2.0, 3.0)]
    assert hops(sent, {"C-2": []}) == {}
