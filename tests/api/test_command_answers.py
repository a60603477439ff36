"""How the gateway turns a case's answer to a command into the case document (lean-answer-v1).

The case answers with its seq; the document comes from the store, as of that seq, or from the
workflow's ``state`` query when the store did not have it; a run from before the patch answers
with the whole case, passed through as it is. Temporal is stood in for by a fake handle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment

from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from activities.tasks.projection import CaseStore
from api.errors import ApiError
from api.gateway import send_command
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.state import CaseState
from tests.api.helpers import act, create_case
from tests.samples import LIFECYCLE, T0, command, register
from workflows.contract import APPLY_UPDATE, STATE_QUERY, CommandOutcome, ProjectionBatch


def _raw(value: Any) -> RawValue:
    return RawValue(pydantic_data_converter.payload_converter.to_payloads([value])[0])


@dataclass
class FakeCase:
    """A workflow handle that answers ``apply`` with a set answer and ``state`` with the case."""

    answer: Any
    state: CaseState | None
    queries: int = 0
    updates: list[str] = field(default_factory=list)
    busy: int = 0  # how many sends Temporal refuses first (too many updates in flight)

    def get_workflow_handle(self, case_id: str) -> FakeCase:
        return self

    async def execute_update(self, name: str, *args: Any, **kwargs: Any) -> RawValue:
        self.updates.append(name)
        if len(self.updates) <= self.busy:
            raise RPCError(
                "update concurrent in-flight limit has been reached (10)",
                RPCStatusCode.RESOURCE_EXHAUSTED,
                b"",
            )
        return _raw(self.answer)

    async def query(self, name: str, **kwargs: Any) -> RawValue:
        assert name == STATE_QUERY
        self.queries += 1
        if self.state is None:  # the workflow is gone
            raise RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")
        return _raw(self.state)


def _events(case_id: str, *actions: str) -> list[Event]:
    envelope = c.CommandEnvelope(
        command_id=f"{case_id}-r", actor="登记员", command=register(case_id)
    )
    events = decide(None, envelope, now=T0)
    for n, action in enumerate(actions, start=1):
        step = c.CommandEnvelope(command_id=f"{case_id}-{n}", actor="王芳", command=command(action))
        events += decide(fold(events), step, now=T0 + timedelta(minutes=n))
    return events


async def _store(engine: AsyncEngine, events: list[Event]) -> None:
    batch = ProjectionBatch(case_id=events[0].case_id, events=tuple(events))
    await ActivityEnvironment().run(CaseStore(engine).project_case_events, batch)


async def _send(
    case: FakeCase,
    sessionmaker: async_sessionmaker[AsyncSession],
    case_id: str,
    settings: Settings | None = None,
) -> dict[str, Any]:
    envelope = c.CommandEnvelope(command_id="any", actor="王芳", command=command("plan"))
    return await send_command(
        case,  # type: ignore[arg-type]
        sessionmaker,
        settings or Settings(),
        case_id=case_id,
        envelope=envelope,
        now=T0,
    )


def _same_bytes(document: dict[str, Any], state: CaseState) -> bool:
    """As the old answer: the workflow's JSON of the case, field order included."""
    expected = state.model_dump(mode="json")
    return json.dumps(document, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def _state(events: list[Event]) -> CaseState:
    state = fold(events)
    assert state is not None
    return state


async def test_the_document_comes_from_the_store_as_of_the_answered_seq(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-320001"
    events = _events(case_id, "accept", "plan")
    await _store(engine, events)
    state = _state(events)
    case = FakeCase(CommandOutcome(case_id=case_id, seq=state.seq, projected=True), None)
    assert _same_bytes(await _send(case, sessionmaker, case_id), state)
    assert case.updates == [APPLY_UPDATE]
    assert case.queries == 0


async def test_a_store_ahead_of_the_answer_gives_the_case_as_the_command_left_it(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Another command landed meanwhile, or Temporal remembered a retried update's answer."""
    case_id = "JF-2026-320002"
    events = _events(case_id, "accept", "plan", "start_mediation")
    await _store(engine, events)
    earlier = _state(events[:2])
    case = FakeCase(CommandOutcome(case_id=case_id, seq=earlier.seq, projected=True), None)
    assert _same_bytes(await _send(case, sessionmaker, case_id), earlier)
    assert case.queries == 0


async def test_the_case_itself_answers_when_the_store_did_not_have_the_events(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-320003"
    events = _events(case_id, "accept", "plan")
    await _store(engine, events[:2])  # the store went away after the acceptance
    state = _state(events)
    answers = (
        CommandOutcome(case_id=case_id, seq=state.seq, projected=False),
        CommandOutcome(case_id=case_id, seq=state.seq, projected=True),  # it fell behind since
    )
    for answer in answers:
        case = FakeCase(answer, state)
        assert _same_bytes(await _send(case, sessionmaker, case_id), state)
        assert case.queries == 1


async def test_an_unreachable_store_leaves_the_answer_to_the_case(tmp_path: Any) -> None:
    case_id = "JF-2026-320004"
    state = _state(_events(case_id, "accept"))
    broken = create_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/none.db")
    case = FakeCase(CommandOutcome(case_id=case_id, seq=state.seq, projected=True), state)
    try:
        assert await _send(case, create_sessionmaker(broken), case_id) == state.model_dump(
            mode="json"
        )
    finally:
        await broken.dispose()
    assert case.queries == 1


async def test_a_run_from_before_answers_with_the_whole_case_passed_through(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    state = _state(_events("JF-2026-320005", "accept"))
    case = FakeCase(state, None)  # nothing stored: the answer alone makes the document
    assert _same_bytes(await _send(case, sessionmaker, state.case_id), state)
    assert case.queries == 0


async def test_a_busy_case_takes_the_command_once_its_turn_comes(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Temporal admits 10 updates in flight per workflow; the 11th is refused (RESOURCE_EXHAUSTED).
    The gateway sends it again after a short wait (same update id: applied once) instead of
    answering 503 to a user whose command was merely queued behind others."""
    case_id = "JF-2026-320007"
    events = _events(case_id, "accept", "plan")
    await _store(engine, events)
    state = _state(events)
    case = FakeCase(CommandOutcome(case_id=case_id, seq=state.seq, projected=True), None, busy=2)
    assert _same_bytes(await _send(case, sessionmaker, case_id), state)
    assert case.updates == [APPLY_UPDATE] * 3


async def test_a_case_busy_past_the_command_timeout_answers_pending(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    case = FakeCase(None, None, busy=1_000)
    with pytest.raises(ApiError) as raised:
        await _send(case, sessionmaker, "JF-2026-320008", Settings(command_timeout_seconds=0.5))
    assert (raised.value.status, raised.value.body.code) == (503, "command_pending")
    assert 2 <= len(case.updates) < 20  # it waited between tries, and stopped in time


async def test_a_case_answer_with_neither_store_nor_query_is_a_503(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    case = FakeCase(CommandOutcome(case_id="JF-2026-320006", seq=3, projected=False), None)
    with pytest.raises(ApiError) as raised:
        await _send(case, sessionmaker, "JF-2026-320006")
    assert raised.value.status == 503


async def test_every_answer_is_the_workflows_case_to_the_byte(api: httpx.AsyncClient) -> None:
    """Through the real stack: each command's answer, now read from the store, has the bytes of
    the case as the workflow serialises it (its ``state`` query, as every answer used to be)."""
    case = await create_case(api, risk_level="major")  # alerts and clocks in the case too
    case_id = case["case_id"]
    for action in LIFECYCLE:
        response = await act(api, case_id, action)
        assert response.status_code == 200, response.text
        live = await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})
        assert response.content == live.content, action
