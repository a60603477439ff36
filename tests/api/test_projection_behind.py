"""A case whose events the store refuses is marked behind, an operator is told, the projection
stops retrying, verify fails, the console says so; its next command brings the store level again.

The poisoned event is made past validation (as a bug or an older, laxer version would let one
through): on PostgreSQL a NUL in the event's actor, which the server refuses for good; SQLite
stores NUL, so there the store's refusal is stood in for.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.exc import DataError
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from activities.identity import passwords
from activities.store import behind, repositories
from domain.case.events import Event
from tests.api.helpers import act, create_case
from tests.conftest import Stack
from workflows.contract import PROJECT_ACTIVITY

PASSWORD = "Fengqiao-2026!"
BANNER = "本案记录同步滞后，已通知运维"


@pytest.fixture
async def poisoned(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[set[str]]:
    """Cases named in the yielded set get their next batches refused by the store."""
    cases: set[str] = set()
    real = repositories.append_batch

    async def append(
        events: tuple[Event, ...], *, connection: object, history_length: int | None = None
    ) -> repositories.Appended:
        if events and events[0].case_id in cases:
            if stack.backend == "postgresql":  # the server's own refusal of a NUL
                events = tuple(e.model_copy(update={"actor": "王\x00芳"}) for e in events)
            else:
                raise DataError("INSERT INTO case_events", {}, ValueError("refused"))
        return await real(events, connection=connection, history_length=history_length)  # type: ignore[arg-type]

    monkeypatch.setattr(repositories, "append_batch", append)
    return cases


async def _console(stack: Stack, transport: httpx.ASGITransport) -> httpx.AsyncClient:
    async with stack.sessionmaker.begin() as session:
        await passwords.set_password("wangfang", PASSWORD, session=session)
    base = "http://fengqiao.test"
    client = httpx.AsyncClient(transport=transport, base_url=base)
    form = await client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = await client.post(
        "/signin",
        data={"csrf_token": token.group(1), "user_id": "wangfang", "password": PASSWORD},
        headers={"Origin": base},
    )
    assert answer.status_code == 303, answer.text
    return client


def _failed_projection(event: HistoryEvent) -> int | None:
    """The attempt of a failed projection recorded by ``event`` (a local activity's marker since
    patch baseline 2, a regular activity's failure before), else None."""
    if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
        return None
    attributes = event.marker_recorded_event_attributes
    if not attributes.HasField("failure") or "data" not in attributes.details:
        return None
    data = json.loads(attributes.details["data"].payloads[0].data)
    return int(data["attempt"]) if data.get("activity_type") == PROJECT_ACTIVITY else None


async def _projection_attempts_after_refusal(stack: Stack, case_id: str) -> tuple[int, bool]:
    """From the case's history, once the workflow has taken in the refusal: how many times the
    refused batch was attempted, and whether the workflow set a timer to try it again."""
    async for _ in _poll():
        events = [e async for e in stack.client.get_workflow_handle(case_id).fetch_history_events()]
        failed = [(n, _failed_projection(e)) for n, e in enumerate(events)]
        failed = [(n, attempt) for n, attempt in failed if attempt is not None]
        if not failed:
            continue
        last, attempt = failed[-1]
        assert attempt is not None
        after = events[last + 1 :]
        # A retry waits seconds (STORE_RETRY_BACKOFF); a clock's own timer waits days.
        retry_timers = [
            e
            for e in after
            if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED
            and e.timer_started_event_attributes.start_to_fire_timeout.ToSeconds() <= 60
        ]
        return attempt, bool(retry_timers)
    raise AssertionError("the refusal never reached the workflow")


async def _poll(deadline: float = 30.0) -> AsyncIterator[None]:
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while loop.time() < end:
        yield
        await asyncio.sleep(0.1)


async def test_a_refused_event_marks_the_case_behind_until_its_next_command_lands(
    api: httpx.AsyncClient,
    clients: dict[str, httpx.AsyncClient],
    stack: Stack,
    app_transport: httpx.ASGITransport,
    poisoned: set[str],
) -> None:
    case = await create_case(api)
    case_id = case["case_id"]
    poisoned.add(case_id)
    accepted = await act(api, case_id, "accept")
    # The case took the command (its workflow holds the event) and answers from its own state.
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["stage"] == "accepted"
    workflow_seq = accepted.json()["seq"]

    async with stack.sessionmaker() as session:
        mark = await behind.behind(case_id, session=session)
    assert mark is not None
    assert (mark.projected_seq, mark.failed_seq, mark.attempts) == (case["seq"], case["seq"] + 1, 1)
    if stack.backend == "postgresql":
        assert "SQLSTATE 22021" in mark.reason
    # Tried once (not retryable), and no timer set to try the same batch again.
    assert await _projection_attempts_after_refusal(stack, case_id) == (1, False)
    # The read model stops where the store stopped; verify compares it with the workflow.
    assert (await api.get(f"/v1/cases/{case_id}")).json()["stage"] == "registered"
    report = (
        await clients["auditor"].get(f"/v1/cases/{case_id}/verify", params={"purpose": "核验"})
    ).json()
    assert (report["ok"], report["chain_ok"], report["trail_complete"]) == (False, True, False)
    assert report["workflow_seq"] == workflow_seq
    # The console says so, on the case and in the list.
    console = await _console(stack, app_transport)
    try:
        page = await console.get(f"/cases/{case_id}")
        assert BANNER in page.text
        listed = await console.get("/cases")
        assert "以下案件记录同步滞后，已通知运维" in listed.text
        assert case_id in listed.text

        # Fixed (here: the poison is gone); the next command offers the held events again.
        poisoned.discard(case_id)
        planned = await act(api, case_id, "plan")
        assert planned.status_code == 200, planned.text
        stored = (await api.get(f"/v1/cases/{case_id}")).json()
        assert (stored["stage"], stored["seq"]) == (planned.json()["stage"], planned.json()["seq"])
        assert stored["accepted"] is not None
        async with stack.sessionmaker() as session:
            assert await behind.behind(case_id, session=session) is None
        report = (
            await clients["auditor"].get(f"/v1/cases/{case_id}/verify", params={"purpose": "核验"})
        ).json()
        assert (report["ok"], report["trail_complete"]) == (True, True)
        assert BANNER not in (await console.get(f"/cases/{case_id}")).text
    finally:
        await console.aclose()
