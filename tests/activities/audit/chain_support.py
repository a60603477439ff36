"""Shared by the chain-audit tests: a throw-away store per backend, case histories made by
``decide``, and writing past the append-only triggers as only the database owner could."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.audit.chain_audit import VerificationReport, verify_case
from activities.tasks.projection import CaseStore
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.state import CaseState
from tests.samples import T0, command, register
from workflows.contract import (
    ProjectionBatch,
)

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Store:
    backend: str
    url: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


def new_case_id() -> str:
    return f"JF-2026-{uuid.uuid4().int % 10**6:06d}"


def history_of(case_id: str, *actions: str) -> list[Event]:
    envelope = c.CommandEnvelope(
        command_id=f"{case_id}-r", actor="登记员", command=register(case_id=case_id)
    )
    events = decide(None, envelope, now=T0)
    for n, action in enumerate(actions, start=1):
        envelope = c.CommandEnvelope(
            command_id=f"{case_id}-{n}", actor="王芳", command=command(action)
        )
        events += decide(fold(events), envelope, now=T0 + timedelta(minutes=n, microseconds=n))
    return events


async def project(store: Store, events: list[Event]) -> CaseState:
    state = fold(events)
    assert state is not None
    batch = ProjectionBatch(case_id=state.case_id, events=tuple(events), state=state)
    await ActivityEnvironment().run(CaseStore(store.engine).project_case_events, batch)
    return state


async def projected_case(store: Store) -> str:
    case_id = new_case_id()
    await project(store, history_of(case_id, "accept", "plan", "start_mediation", "record_session"))
    return case_id


async def verify(store: Store, case_id: str) -> VerificationReport:
    async with store.sessionmaker() as session:
        return await verify_case(session, case_id)


@asynccontextmanager
async def bypassing_triggers(
    store: Store, table: str = "case_events"
) -> AsyncIterator[AsyncConnection]:
    """What only someone with the database owner's powers can do: write past ``table``'s
    append-only triggers."""
    async with store.engine.begin() as connection:
        if store.backend == "postgresql":
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            yield connection
            return
        triggers = (
            await connection.execute(
                text(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'trigger' AND tbl_name = :table"
                ),
                {"table": table},
            )
        ).all()
        assert triggers, f"no append-only trigger on {table}"
        for name, _ in triggers:
            await connection.execute(text(f"DROP TRIGGER {name}"))
        yield connection
        for _, sql in triggers:
            await connection.execute(text(sql))
