"""The tamper-evident event chain on PostgreSQL and SQLite: sealing, verification, the CLI,
the database refusing changes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import DateTime, event, insert, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.audit.chain_audit import VerificationReport, verify_case
from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.tables import JsonDocument
from api.cli.audit import verify_cli
from domain.audit.chain import GENESIS_HASH, BreakReason
from domain.case.evolve import fold
from domain.errors import UnknownCase
from tests.activities.audit.chain_support import (
    Store,
    bypassing_triggers,
    history_of,
    new_case_id,
    project,
    projected_case,
    verify,
)
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin
from tests.samples import T0

ROOT = Path(__file__).resolve().parents[3]


# -- (a) intact cases ---------------------------------------------------------------------------


async def test_a_projected_case_verifies(store: Store) -> None:
    case_id = new_case_id()
    events = history_of(case_id, "accept", "plan", "start_mediation", "record_session")
    await project(store, events[:2])
    await project(store, events[:4])  # a retried batch overlapping what is stored
    await project(store, events)

    report = await verify(store, case_id)
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
    case_id = new_case_id()
    events = tuple(history_of(case_id, "accept", "plan", "start_mediation"))
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
    assert (await verify(store, case_id)).chain_ok


async def test_a_concurrent_attempt_is_refused_not_forked(store: Store) -> None:
    """Two attempts of one projection at once (a timed-out attempt still running) both read the
    same chain head; the later one must fail and retry rather than seal after a stale head."""
    case_id = new_case_id()
    events = tuple(history_of(case_id, "accept", "plan"))
    first_appended = asyncio.Event()
    second_writing = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def first() -> None:
        async with store.engine.begin() as connection:
            await repositories.append_events(events[:2], connection=connection)
            first_appended.set()
            # Still uncommitted until the second attempt has read the head and starts writing.
            await asyncio.wait_for(second_writing.wait(), timeout=30)

    def on_execute(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CASE_EVENTS"):
            loop.call_soon_threadsafe(second_writing.set)

    async def second() -> None:
        await first_appended.wait()
        async with store.engine.begin() as connection:
            event.listen(connection.sync_connection, "before_cursor_execute", on_execute)
            await repositories.append_events(events, connection=connection)

    results = await asyncio.gather(first(), second(), return_exceptions=True)
    assert results[0] is None
    assert isinstance(results[1], repositories.ConcurrentAppendError | DBAPIError), results[1]
    async with store.engine.begin() as connection:  # the retry
        assert await repositories.append_events(events, connection=connection) == 1
    assert (await verify(store, case_id)).chain_ok


async def test_an_unknown_case_is_an_error(store: Store) -> None:
    with pytest.raises(UnknownCase) as raised:
        await verify(store, "JF-2026-999999")
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
        case_id = new_case_id()
        events = history_of(case_id, "accept", "plan", "start_mediation")
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
                before_chain, [repositories.event_row(event) for event in events]
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
            # The cases row as the code of 0004 wrote it (the columns of 0010, 0016 and 0020 came
            # later).
            columns = {
                name: value
                for name, value in repositories.case_columns(state).items()
                if name not in _READ_MODEL_0010 | _READ_MODEL_0016 | _READ_MODEL_0020
            }
            await connection.execute(
                insert(sa_table("cases", *(sa_column(name) for name in columns))),
                {**columns, "state": json.dumps(columns["state"], ensure_ascii=False)},
            )

        await upgrade_async(url)

        report = await _verify_at(engine, case_id)
        assert report.ok, report
        assert report.events == len(events)
        assert (await _verify_at(engine, "JF-2026-000000")).chain_ok  # floats read back alike
        later = history_of(case_id, "accept", "plan", "start_mediation", "record_session")
        async with engine.begin() as connection:  # the projection carries the chain on
            assert await repositories.append_events(tuple(later), connection=connection) == 1
        assert (await _verify_at(engine, case_id)).chain_ok
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await postgres_admin.drop(name)


_READ_MODEL_0010 = frozenset({"holder_id", "incoming_id", "reporter_id", "grid_code"})
_READ_MODEL_0016 = frozenset({"masked_title", "masked_description"})
_READ_MODEL_0020 = frozenset(
    {
        "due_rank",
        "next_due_at",
        "next_due_name",
        "next_due_org",
        "next_due_org_name",
        "holder_name",
        "persons",
        "parties_label",
    }
)


async def _verify_at(engine: AsyncEngine, case_id: str) -> VerificationReport:
    async with create_sessionmaker(engine)() as session:
        return await verify_case(session, case_id)


# -- (b) an edited event ------------------------------------------------------------------------


async def test_an_edited_event_breaks_the_chain_at_its_seq(store: Store) -> None:
    edited, untouched = await projected_case(store), await projected_case(store)
    async with bypassing_triggers(store) as connection:
        await connection.execute(
            text("UPDATE case_events SET actor = '李四' WHERE case_id = :c AND seq = 3"),
            {"c": edited},
        )

    report = await verify(store, edited)
    assert not report.ok
    assert not report.chain_ok
    assert report.first_broken is not None
    assert report.first_broken.seq == 3
    assert report.first_broken.reason is BreakReason.HASH_MISMATCH
    assert "第 3 号事件" in report.first_broken.message_zh
    # The plan's recorded.by in the read model is that event's actor.
    assert not report.read_model_matches
    assert (await verify(store, untouched)).ok


async def test_an_edited_payload_breaks_the_chain_at_its_seq(store: Store) -> None:
    case_id = await projected_case(store)
    edit = (
        "jsonb_set(payload, '{responsible_person}', '\"李四\"')"
        if store.backend == "postgresql"
        else "json_set(payload, '$.responsible_person', '李四')"
    )
    async with bypassing_triggers(store) as connection:
        await connection.execute(
            text(f"UPDATE case_events SET payload = {edit} WHERE case_id = :c AND seq = 3"),
            {"c": case_id},
        )
    async with store.sessionmaker() as session:
        events = await repositories.case_events(case_id, session=session)
    assert events[2].body.responsible_person == "李四"  # type: ignore[union-attr]

    report = await verify(store, case_id)
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.reason) == (3, BreakReason.HASH_MISMATCH)
    assert "state.plans[0].responsible_person" in " ".join(report.read_model_differences)


async def test_a_deleted_event_is_reported_missing(store: Store) -> None:
    case_id = await projected_case(store)
    async with bypassing_triggers(store) as connection:
        await connection.execute(
            text("DELETE FROM case_events WHERE case_id = :c AND seq = 2"), {"c": case_id}
        )
    report = await verify(store, case_id)
    assert report.first_broken is not None
    assert (report.first_broken.seq, report.first_broken.reason) == (2, BreakReason.SEQ_MISSING)


# -- (c) the command line -----------------------------------------------------------------------


async def test_cli_names_the_broken_case_and_seq(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    intact, broken = await projected_case(store), await projected_case(store)
    async with bypassing_triggers(store) as connection:
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
    case_id = await projected_case(store)
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as connection:
            await connection.execute(text(statement), {"c": case_id})
    assert (await verify(store, case_id)).ok


async def test_postgresql_refuses_truncate(store: Store) -> None:
    if store.backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE trigger covers it)")
    with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
        async with store.engine.begin() as connection:
            await connection.execute(text("TRUNCATE case_events"))
