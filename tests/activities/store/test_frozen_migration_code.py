"""Migrations carry frozen copies of the code they need; derived rows come from today's code."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from activities.store import read_model
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrations import frozen
from activities.store.read_model_rebuild import rebuild_read_model
from activities.store.tables import CasePartyRow, CaseRow
from domain.audit import admin_trail, chain
from domain.people.administration import AdminAction
from tests.activities.audit.chain_support import Store, history_of, new_case_id, project
from tests.conftest import BACKENDS

VERSIONS = Path(frozen.__file__).parent / "versions"
# What a migration may import from the project: its own helpers and frozen copies, and the
# deployment's settings (a key, never code).
ALLOWED = ("activities.store.migrations.", "activities.runtime.settings")


def test_no_migration_imports_live_models_or_rules() -> None:
    for path in sorted(VERSIONS.glob("0*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = node.module
                if module.split(".")[0] in ("domain", "activities", "api", "workflows"):
                    assert module.startswith(ALLOWED) or module + "." in ALLOWED, (
                        f"{path.name} imports {module}"
                    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(
    payload=JSON,
    seq=st.integers(min_value=1, max_value=10**6),
    minutes=st.integers(min_value=0, max_value=10**6),
    offset=st.integers(min_value=-12, max_value=14),
)
def test_the_frozen_chain_code_seals_as_the_live_code_does(
    payload: object, seq: int, minutes: int, offset: int
) -> None:
    at = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=offset))) + timedelta(minutes=minutes)
    fields = {
        "case_id": "JF-2026-000001",
        "seq": seq,
        "type": "CaseRegistered",
        "occurred_at": at,
        "actor": "王芳",
        "command_id": "c-1",
        "payload": payload,
    }
    live = chain.event_hash(chain.GENESIS_HASH, chain.canonical_event(**fields))  # type: ignore[arg-type]
    assert frozen.event_hash(frozen.GENESIS_HASH, frozen.canonical_event(**fields)) == live  # type: ignore[arg-type]
    entry = {
        "at": at,
        "actor_id": "sysadmin-1",
        "actor_name": "张三",
        "actor_role": "system_admin",
        "action": frozen.ROLE_MODEL_SPLIT,
        "target": "*",
        "details": {"note": str(payload)[:20]},
    }
    assert frozen.trail_hash(frozen.GENESIS_HASH, **entry) == admin_trail.trail_hash(  # type: ignore[arg-type]
        admin_trail.GENESIS_HASH,
        **entry,  # type: ignore[arg-type]
    )
    assert frozen.ROLE_MODEL_SPLIT == AdminAction.ROLE_MODEL_SPLIT.value


@pytest.fixture(scope="module", params=BACKENDS)
async def store(request: pytest.FixtureRequest, fresh_database_url: object) -> AsyncIterator[Store]:
    url = await fresh_database_url(request.param)  # type: ignore[operator]
    engine = create_engine(url)
    yield Store(request.param, url, engine, create_sessionmaker(engine))
    await engine.dispose()


async def test_stale_rows_are_rebuilt_by_todays_code_and_a_second_run_finds_nothing(
    store: Store,
) -> None:
    fresh, stale = new_case_id(), new_case_id()
    for case_id in (fresh, stale):
        await project(store, history_of(case_id, "accept", "plan"))
    async with store.engine.begin() as connection:
        # The rows of an older release's rules: a wrong holder name, its party keys lost.
        await connection.execute(
            update(CaseRow)
            .where(CaseRow.case_id == stale)
            .values(holder_name="旧规则", read_model_version=read_model.READ_MODEL_VERSION - 1)
        )
        await connection.execute(text("DELETE FROM case_parties WHERE case_id = :c"), {"c": stale})
    assert await rebuild_read_model(store.engine, search_key=None) == 1
    async with store.sessionmaker() as session:
        rows = {
            row.case_id: row
            for row in await session.scalars(
                select(CaseRow).where(CaseRow.case_id.in_((fresh, stale)))
            )
        }
        parties = set(
            await session.scalars(select(CasePartyRow.case_id).where(CasePartyRow.case_id == stale))
        )
    assert rows[stale].holder_name == rows[fresh].holder_name != "旧规则"
    assert rows[stale].read_model_version == read_model.READ_MODEL_VERSION
    assert parties == {stale}
    assert await rebuild_read_model(store.engine, search_key=None) == 0
