"""The tamper-evident event chain on PostgreSQL and SQLite: sealing, verification, the CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import DateTime, insert, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.audit.chain_audit import VerificationReport, verify_case
from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.tables import JsonDocument
from activities.tasks.projection import CaseStore
from api.cli.audit import verify_cli
from domain import commands as c
from domain.chain import GENESIS_HASH, BreakReason
from domain.decide import decide
from domain.errors import UnknownCase
from domain.events import Event
from domain.evolve import fold
from domain.state import CaseState
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin
from tests.samples import T0, china_today, command, register
from worker import build_worker, case_activities
from workflows.contract import (
    APPLY_UPDATE,
    PROJECT_ACTIVITY,
    STATE_QUERY,
    WORKFLOW_TYPE,
    CaseWorkflowInput,
    ProjectionBatch,
    ProjectionResult,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Store:
    backend: str
    url: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module", params=BACKENDS)
async def store(request: pytest.FixtureRequest, fresh_database_url: object) -> AsyncIterator[Store]:
    url = await fresh_database_url(request.param)  # type: ignore[operator]
    engine = create_engine(url)
    yield Store(request.param, url, engine, create_sessionmaker(engine))
    await engine.dispose()


def _case_id() -> str:
    return f"JF-2026-{uuid.uuid4().int % 10**6:06d}"


def _history(case_id: str, *actions: str) -> list[Event]:
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


async def _project(store: Store, events: list[Event]) -> CaseState:
    state = fold(events)
    assert state is not None
    batch = ProjectionBatch(case_id=state.case_id, events=tuple(events), state=state)
    await ActivityEnvironment().run(CaseStore(store.engine).project_case_events, batch)
    return state


async def _projected_case(store: Store) -> str:
    case_id = _case_id()
    await _project(store, _history(case_id, "accept", "plan", "start_mediation", "record_session"))
    return case_id


async def _verify(store: Store, case_id: str) -> VerificationReport:
    async with store.sessionmaker() as session:
        return await verify_case(session, case_id)


@asynccontextmanager
async def _bypassing_triggers(store: Store) -> AsyncIterator[AsyncConnection]:
    """What only someone with the database owner's powers can do: write past the triggers."""
    async with store.engine.begin() as connection:
        if store.backend == "postgresql":
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            yield connection
            return
        triggers = (
            await connection.execute(
                text(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'trigger' AND tbl_name = 'case_events'"
                )
            )
        ).all()
        assert len(triggers) == 2
        for name, _ in triggers:
            await connection.execute(text(f"DROP TRIGGER {name}"))
        yield connection
        for _, sql in triggers:
            await connection.execute(text(sql))


# -- (a) intact cases ---------------------------------------------------------------------------


async def test_a_projected_case_verifies(store: Store) -> None:
    case_id = _case_id()
    events = _history(case_id, "accept", "plan", "start_mediation", "record_session")
    await _project(store, events[:2])
    await _project(store, events[:4])  # a retried batch overlapping what is stored
    await _project(store, events)

    report = await _verify(store, case_id)
    assert report.ok, report
    assert report.chain_ok
    assert report.read_model_matches
    assert report.read_model_differences == []
    assert report.events == len(events)
    assert report.first_broken is None
    async with store.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT seq, prev_hash, hash FROM case_events WHERE case_id = :c ORDER BY seq"
                ),
                {"c": case_id},
            )
        ).all()
    assert [row.seq for row in rows] == list(range(1, len(events) + 1))
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(row.prev_hash == before.hash for before, row in zip(rows, rows[1:], strict=False))
    assert report.head_hash == rows[-1].hash
    assert report.model_dump(mode="json")["first_broken"] is None


async def test_append_is_idempotent_and_refuses_a_gap(store: Store) -> None:
    case_id = _case_id()
    events = tuple(_history(case_id, "accept", "plan", "start_mediation"))
    async with store.engine.begin() as connection:
        assert await repositories.append_events(events[:2], connection=connection) == 2
    async with store.engine.begin() as connection:
        assert await repositories.append_events(events[:2], connection=connection) == 0
    with pytest.raises(repositories.ChainGapError, match="events 3..3 are not stored"):
        async with store.engine.begin() as connection:
            await repositories.append_events(events[3:], connection=connection)
    async with store.engine.begin() as connection:
        assert await repositories.append_events(events[1:], connection=connection) == 2
    async with store.sessionmaker() as session:
        assert await repositories.case_events(case_id, session=session) == list(events)
    assert (await _verify(store, case_id)).chain_ok


async def test_a_concurrent_attempt_is_refused_not_forked(store: Store) -> None:
    """Two attempts of one projection at once (a timed-out attempt still running) both read the
    same chain head; the later one must fail and retry rather than seal after a stale head."""
    case_id = _case_id()
    events = tuple(_history(case_id, "accept", "plan"))
    first_appended = asyncio.Event()

    async def first() -> None:
        async with store.engine.begin() as connection:
            await repositories.append_events(events[:2], connection=connection)
            first_appended.set()
            await asyncio.sleep(0.3)  # still uncommitted while the second attempt reads

    async def second() -> None:
        await first_appended.wait()
        async with store.engine.begin() as connection:
            await repositories.append_events(events, connection=connection)

    results = await asyncio.gather(first(), second(), return_exceptions=True)
    assert results[0] is None
    assert isinstance(results[1], repositories.ConcurrentAppendError | DBAPIError), results[1]
    async with store.engine.begin() as connection:  # the retry
        assert await repositories.append_events(events, connection=connection) == 1
    assert (await _verify(store, case_id)).chain_ok


async def test_an_unknown_case_is_an_error(store: Store) -> None:
    with pytest.raises(UnknownCase) as raised:
        await _verify(store, "JF-2026-999999")
    assert raised.value.code == "case_not_found"
    assert "JF-2026-999999" in raised.value.message_zh


@pytest.mark.parametrize("backend", BACKENDS)
async def test_migration_chains_the_events_already_stored(
    backend: str, postgres_admin: PostgresAdmin, tmp_path: Path
) -> None:
    if backend == "postgresql":
        name = f"fengqiao_test_{uuid.uuid4().hex[:10]}"
        url = await postgres_admin.create(name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'before-chain.db'}"
    engine = create_engine(url)
    try:
        await upgrade_async(url, "0004")
        case_id = _case_id()
        events = _history(case_id, "accept", "plan", "start_mediation")
        state = fold(events)
        assert state is not None
        before_chain = insert(
            sa_table(
                "case_events",
                *(sa_column(name) for name in ("case_id", "seq", "type", "actor", "command_id")),
                sa_column("occurred_at", DateTime(timezone=True)),
                sa_column("payload", JsonDocument),
            )
        )
        numbers = {"big": 1e23, "whole": 1.0, "huge": 1e20, "tiny": 1e-7, "tenth": 0.1, "n": 7}
        async with engine.begin() as connection:
            await connection.execute(
                before_chain, [repositories._event_row(event) for event in events]
            )
            await connection.execute(
                before_chain.values(
                    case_id="JF-2026-000000",
                    seq=1,
                    type="numbers",
                    occurred_at=T0,
                    actor="测试",
                    command_id="n",
                    payload=numbers,
                )
            )
            await repositories.upsert_case(state, connection=connection)

        await upgrade_async(url)

        report = await _verify_at(engine, case_id)
        assert report.ok, report
        assert report.events == len(events)
        assert (await _verify_at(engine, "JF-2026-000000")).chain_ok  # floats read back alike
        later = _history(case_id, "accept", "plan", "start_mediation", "record_session")
        async with engine.begin() as connection:  # the projection carries the chain on
            assert await repositories.append_events(tuple(later), connection=connection) == 1
        assert (await _verify_at(engine, case_id)).chain_ok
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await postgres_admin.drop(name)


async def _verify_at(engine: AsyncEngine, case_id: str) -> VerificationReport:
    async with create_sessionmaker(engine)() as session:
        return await verify_case(session, case_id)


# -- (b) an edited event ------------------------------------------------------------------------


async def test_an_edited_event_breaks_the_chain_at_its_seq(store: Store) -> None:
    edited, untouched = await _projected_case(store), await _projected_case(store)
    async with _bypassing_triggers(store) as connection:
        await connection.execute(
            text("UPDATE case_events SET actor = '李四' WHERE case_id = :c AND seq = 3"),
            {"c": edited},
        )

    report = await _verify(store, edited)
    assert not report.ok
    assert not report.chain_ok
    assert report.first_broken is not None
    assert report.first_broken.seq == 3
    assert report.first_broken.reason is BreakReason.HASH_MISMATCH
    assert "第 3 号事件" in report.first_broken.message_zh
    # The plan's recorded.by in the read model is that event's actor.
    assert not report.read_model_matches
    assert (await _verify(store, untouched)).ok


async def test_an_edited_payload_breaks_the_chain_at_its_seq(store: Store) -> None:
    case_id = await _projected_case(store)
    edit = (
        "jsonb_set(payload, '{responsible_person}', '\"李四\"')"
        if store.backend == "postgresql"
        else "json_set(payload, '$.responsible_person', '李四')"
    )
    async with _bypassing_triggers(store) as connection:
        await connection.execute(
            text(f"UPDATE case_events SET payload = {edit} WHERE case_id = :c AND seq = 3"),
            {"c": case_id},
        )
    async with store.sessionmaker() as session:
        events = await repositories.case_events(case_id, session=session)
    assert events[2].body.responsible_person == "李四"  # type: ignore[union-attr]

    report = await _verify(store, case_id)
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.reason) == (3, BreakReason.HASH_MISMATCH)
    assert "state.plans[0].responsible_person" in " ".join(report.read_model_differences)


async def test_a_deleted_event_is_reported_missing(store: Store) -> None:
    case_id = await _projected_case(store)
    async with _bypassing_triggers(store) as connection:
        await connection.execute(
            text("DELETE FROM case_events WHERE case_id = :c AND seq = 2"), {"c": case_id}
        )
    report = await _verify(store, case_id)
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.reason) == (2, BreakReason.SEQ_MISSING)


# -- (c) the command line -----------------------------------------------------------------------


async def test_cli_names_the_broken_case_and_seq(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    intact, broken = await _projected_case(store), await _projected_case(store)
    async with _bypassing_triggers(store) as connection:
        await connection.execute(
            text("UPDATE case_events SET command_id = 'forged' WHERE case_id = :c AND seq = 4"),
            {"c": broken},
        )
    settings = Settings(database_url=store.url)

    assert await verify_cli(settings, (intact,), every=False) == 0
    out = capsys.readouterr().out
    assert f"{intact}  正常" in out
    assert "OK" in out

    assert await verify_cli(settings, (intact, broken), every=False) == 1
    lines = capsys.readouterr().out.splitlines()
    (line,) = [line for line in lines if line.startswith(broken)]
    assert "第 4 号事件" in line
    assert "seq 4 [hash_mismatch]" in line
    assert lines[-1].startswith("共核验 2 件，异常 1 件")

    assert await verify_cli(settings, ("JF-2026-999998",), every=False) == 1
    assert "案件 JF-2026-999998 不存在" in capsys.readouterr().out

    # The real entry point, as an operator runs it.
    env = {**os.environ, "FENGQIAO_DATABASE_URL": store.url}
    command_line = [sys.executable, "worker.py", "audit", "verify"]
    failing = await asyncio.to_thread(
        subprocess.run,
        [*command_line, "--all"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failing.returncode == 1, failing.stderr
    assert f"{broken}  异常：事件链断裂于第 4 号事件" in failing.stdout
    assert f"{intact}  正常" in failing.stdout
    passing = await asyncio.to_thread(
        subprocess.run,
        [*command_line, intact],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert passing.returncode == 0, passing.stdout + passing.stderr


# -- (d) the database refuses changes -----------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_events SET actor = '李四' WHERE case_id = :c AND seq = 2",
        "UPDATE case_events SET hash = prev_hash WHERE case_id = :c",
        "DELETE FROM case_events WHERE case_id = :c AND seq = 5",
        "DELETE FROM case_events WHERE case_id = :c",
    ],
)
async def test_the_database_refuses_update_and_delete(store: Store, statement: str) -> None:
    case_id = await _projected_case(store)
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as connection:
            await connection.execute(text(statement), {"c": case_id})
    assert (await _verify(store, case_id)).ok


async def test_postgresql_refuses_truncate(store: Store) -> None:
    if store.backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE trigger covers it)")
    with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
        async with store.engine.begin() as connection:
            await connection.execute(text("TRUNCATE case_events"))


# -- (e) a tampered read model ------------------------------------------------------------------


async def test_a_tampered_read_model_is_reported(store: Store) -> None:
    case_id = await _projected_case(store)
    edit = (
        """state || '{"stage": "closed", "title": "已篡改"}'::jsonb"""
        if store.backend == "postgresql"
        else "json_set(state, '$.stage', 'closed', '$.title', '已篡改')"
    )
    async with store.engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE cases SET state = {edit}, stage = 'closed' WHERE case_id = :c"),
            {"c": case_id},
        )

    report = await _verify(store, case_id)
    assert report.chain_ok  # the events are intact
    assert not report.read_model_matches
    assert not report.ok
    differences = "\n".join(report.read_model_differences)
    assert "state.stage: read model 'closed', events give 'mediating'" in differences
    assert "state.title" in differences
    assert "cases.stage: read model 'closed', events give 'mediating'" in differences


async def _edit_state(store: Store, case_id: str, *, postgresql: str, sqlite: str) -> None:
    edit = postgresql if store.backend == "postgresql" else sqlite
    async with store.engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE cases SET state = {edit} WHERE case_id = :c"), {"c": case_id}
        )


async def test_a_lost_last_event_shows_in_the_read_model(store: Store) -> None:
    case_id = await _projected_case(store)
    async with _bypassing_triggers(store) as connection:
        await connection.execute(
            text("DELETE FROM case_events WHERE case_id = :c AND seq = 5"), {"c": case_id}
        )
    report = await _verify(store, case_id)
    assert report.chain_ok  # what is left is a valid chain of 4 events
    assert not report.ok
    assert "state.seq: read model 5, events give 4" in report.read_model_differences


async def test_pre_clock_cases_may_lack_milestones_but_not_alter_them(store: Store) -> None:
    """Cases registered before clocks (no policy snapshot) continued-as-new without milestones."""
    lacking, altered = await _projected_case(store), await _projected_case(store)
    await _edit_state(
        store,
        lacking,
        postgresql="state #- '{milestones,case_accepted}'",
        sqlite="json_remove(state, '$.milestones.case_accepted')",
    )
    assert (await _verify(store, lacking)).ok
    await _edit_state(
        store,
        altered,
        postgresql="""jsonb_set(state, '{milestones,plan_revised}', '"2020-01-01T00:00:00Z"')""",
        sqlite="json_set(state, '$.milestones.plan_revised', '2020-01-01T00:00:00Z')",
    )
    report = await _verify(store, altered)
    assert not report.read_model_matches
    assert report.read_model_differences[0].startswith("state.milestones.plan_revised:")


async def test_a_missing_read_model_row_is_reported(store: Store) -> None:
    case_id = await _projected_case(store)
    async with store.engine.begin() as connection:
        await connection.execute(text("DELETE FROM cases WHERE case_id = :c"), {"c": case_id})
    report = await _verify(store, case_id)
    assert report.chain_ok
    assert report.read_model_differences == ["the read model has no row for this case"]


# -- the workflow's own projections -------------------------------------------------------------


@dataclass
class FlakyStore:
    """The real store behind a connection that fails the next ``failures`` attempts."""

    store: CaseStore
    failures: int = 0

    @activity.defn(name=PROJECT_ACTIVITY)
    async def project(self, batch: ProjectionBatch) -> ProjectionResult:
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("database unavailable")
        return await self.store.project_case_events(batch)


async def test_a_case_run_by_the_workflow_verifies_across_outage_and_continue_as_new(
    store: Store, temporal_env: WorkflowEnvironment
) -> None:
    """Events re-sent after a store outage and a state handed over by continue-as-new."""
    client: Client = temporal_env.client
    task_queue = f"chain-audit-{store.backend}"
    settings = Settings(database_url=store.url, task_queue=task_queue)
    case_id = _case_id()
    async with httpx.AsyncClient(trust_env=False) as http:
        activities = case_activities(store.engine, settings, http)
        flaky = FlakyStore(CaseStore(store.engine))
        activities[0] = flaky.project
        async with build_worker(client, task_queue, activities):

            async def apply(action: str) -> CaseState:
                envelope = c.CommandEnvelope(
                    command_id=str(uuid.uuid4()),
                    actor="王芳",
                    command=command(action, china_today()),
                )
                handle = client.get_workflow_handle(case_id)
                # The update answers with the case's seq; the case after it comes from the query.
                await handle.execute_update(APPLY_UPDATE, envelope, result_type=RawValue)
                state: CaseState = await handle.query(STATE_QUERY, result_type=CaseState)
                return state

            await client.execute_update_with_start_workflow(
                APPLY_UPDATE,
                c.CommandEnvelope(
                    command_id=str(uuid.uuid4()), actor="登记员", command=register(case_id)
                ),
                start_workflow_operation=WithStartWorkflowOperation(
                    WORKFLOW_TYPE,
                    CaseWorkflowInput(max_history_events=20),
                    id=case_id,
                    task_queue=task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                ),
                result_type=RawValue,
            )
            handle = client.get_workflow_handle(case_id)
            first_run = (await handle.describe()).run_id
            await apply("accept")
            flaky.failures = 6  # more than one attempt's retries: the case marks the store down
            await apply("plan")
            for _ in range(4):
                await apply("plan")
            state = await apply("assign_package_leader")
            for _ in range(300):
                async with store.sessionmaker() as session:
                    stored = await repositories.count_events(case_id, session=session)
                if stored >= state.seq and flaky.failures == 0:
                    break
                await asyncio.sleep(0.05)
            for _ in range(200):  # the hand-over follows the last update's workflow task
                if (await handle.describe()).run_id != first_run:
                    break
                await asyncio.sleep(0.05)
            assert (await handle.describe()).run_id != first_run  # continued as new
            current = await handle.query(STATE_QUERY, result_type=CaseState)
    assert current == state
    report = await _verify(store, case_id)
    assert report.ok, report
    assert report.events == state.seq

    # This case has its policy snapshot: a milestone missing from its read model is a difference.
    await _edit_state(
        store,
        case_id,
        postgresql="state #- '{milestones,case_accepted}'",
        sqlite="json_remove(state, '$.milestones.case_accepted')",
    )
    differences = (await _verify(store, case_id)).read_model_differences
    assert differences == ["state.milestones.case_accepted: missing from the read model"]
