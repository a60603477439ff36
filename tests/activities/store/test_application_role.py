"""The application connects as a role that owns nothing (PostgreSQL): it does its work, and it
cannot change the record — not even with the append-only triggers out of its way."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from activities.store.engine import create_engine, create_sessionmaker
from activities.store.grants import checked_role
from tests.activities.audit.chain_support import Store, history_of, new_case_id, project, verify
from tests.databases import PostgresAdmin
from tests.engine_keys import ENV_A

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def owner_and_app(postgres_admin: PostgresAdmin) -> AsyncIterator[tuple[str, str]]:
    """A new database migrated by its owner with ``fengqiao migrate``, and the URL of the
    application role that command granted."""
    name = f"fengqiao_test_{uuid.uuid4().hex[:10]}"
    role = f"fq_app_{uuid.uuid4().hex[:8]}"
    owner_url = await postgres_admin.create(name)
    admin = make_url(postgres_admin.base_url)
    connection = await asyncpg.connect(
        host=admin.host, port=admin.port, user=admin.username, database=name
    )
    await connection.execute(f"CREATE ROLE {role} LOGIN")
    env = {
        **os.environ,
        **ENV_A,
        "FENGQIAO_DATABASE_URL": owner_url,
        "FENGQIAO_DATABASE_APP_ROLE": role,
    }
    migrated = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "worker.py", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    try:
        yield owner_url, make_url(owner_url).set(username=role).render_as_string(False)
    finally:
        await connection.execute(f"DROP OWNED BY {role}")
        await connection.close()
        await postgres_admin.drop(name)
        await postgres_admin._execute(f"DROP ROLE IF EXISTS {role}")


async def _refused(engine_url: str, statement: str) -> str:
    engine = create_engine(engine_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    except DBAPIError as error:
        return str(error.orig)
    finally:
        await engine.dispose()
    return ""


async def test_the_application_role_works_but_cannot_change_the_record(
    owner_and_app: tuple[str, str],
) -> None:
    _, app_url = owner_and_app
    engine = create_engine(app_url)
    store = Store("postgresql", app_url, engine, create_sessionmaker(engine))
    try:
        case_id = new_case_id()
        await project(store, history_of(case_id, "accept", "plan"))  # the projection's writes
        assert (await verify(store, case_id)).ok
    finally:
        await engine.dispose()

    for statement in (
        f"UPDATE case_events SET actor = 'x' WHERE case_id = '{case_id}'",
        f"DELETE FROM case_events WHERE case_id = '{case_id}'",
        "DELETE FROM access_trail",
        "UPDATE admin_trail SET id = id",
        "TRUNCATE history_archives",
        "SET session_replication_role = replica",
        "ALTER TABLE case_events DISABLE TRIGGER ALL",
        "DROP TRIGGER IF EXISTS case_events_append_only ON case_events",
        "UPDATE alembic_version SET version_num = '0001'",
        "DELETE FROM case_events_superseded",
        "UPDATE case_events_superseded SET actor = 'x'",
    ):
        refusal = await _refused(app_url, statement)
        refused = ("permission denied", "must be owner", "append-only")
        assert any(reason in refusal for reason in refused), statement


def test_a_role_name_is_never_written_into_sql_unchecked() -> None:
    assert checked_role("fengqiao_app") == "fengqiao_app"
    for hostile in ("app; DROP TABLE cases", "App", "a-b", "", "x" * 64):
        with pytest.raises(ValueError, match="role name"):
            checked_role(hostile)
