"""Migration 0010: cases stored before it get their holder, related organisations, work items and
party keys from their documents."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.runtime.settings import DEVELOPMENT_PARTY_KEY
from activities.store.migrate import upgrade_async
from domain.case.worklist import party_key
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at
from tests.worklist_support import CaseAt


@pytest.fixture(params=BACKENDS)
async def database_at_0009(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0009", request.param, postgres_admin, tmp_path) as database:
        yield database


_ORG = text(
    "INSERT INTO organisations (org_id, name, type, level, jurisdiction_code, categories, active) "
    "VALUES (:org_id, :name, 'center', 'county', '320102', '[]', true)"
)
_CASE = text(
    "INSERT INTO cases (case_id, kind, stage, category, channel, title, description, "
    "jurisdiction_code, risk_level, registered_at, updated_at, seq, state, center_id) VALUES "
    "(:case_id, :kind, :stage, :category, 'walk_in', :title, '', :code, 'low', "
    ":at, :at, :seq, :state, :center)"
)


async def _rows(engine: AsyncEngine, sql: str) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(sql))]


async def test_existing_cases_are_held_by_their_center_and_fill_the_new_tables(
    database_at_0009: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0009
    # A case from before organisations: its document has no holder (the center holds it).
    waiting = CaseAt("JF-2026-700001", center="xw-center").case
    mediating = CaseAt("JF-2026-700002", center="xw-center").do("accept").do("plan").case
    async with engine.begin() as connection:
        await connection.execute(_ORG, {"org_id": "xw-center", "name": "玄武区矛盾纠纷调解中心"})
        for state in (waiting, mediating):
            document = state.model_dump(mode="json")
            assert "holder" in document
            assert document["holder"] is None
            await connection.execute(
                _CASE,
                {
                    "case_id": state.case_id,
                    "kind": state.kind.value,
                    "stage": state.stage.value,
                    "category": state.category.value,
                    "title": state.title,
                    "code": state.jurisdiction.code,
                    "at": state.registered.at,
                    "seq": state.seq,
                    "state": json.dumps(document, ensure_ascii=False),
                    "center": "xw-center",
                },
            )
        # A row written by hand whose document is no case: held by its center, nothing due.
        await connection.execute(
            _CASE,
            {
                "case_id": "JF-2026-700003",
                "kind": "dispute",
                "stage": "registered",
                "category": "labour",
                "title": "手工录入",
                "code": "320102",
                "at": waiting.registered.at,
                "seq": 1,
                "state": "{}",
                "center": "xw-center",
            },
        )
    await engine.dispose()

    await upgrade_async(url)

    assert await _rows(engine, "SELECT case_id, holder_id, incoming_id FROM cases ORDER BY 1") == [
        ("JF-2026-700001", "xw-center", None),
        ("JF-2026-700002", "xw-center", None),
        ("JF-2026-700003", "xw-center", None),
    ]
    assert await _rows(
        engine, "SELECT case_id, org_id, relation FROM case_organisations ORDER BY 1, 3"
    ) == [
        ("JF-2026-700001", "xw-center", "holder"),
        ("JF-2026-700001", "xw-center", "registrar"),
        ("JF-2026-700002", "xw-center", "holder"),
        ("JF-2026-700002", "xw-center", "registrar"),
        ("JF-2026-700003", "xw-center", "holder"),
        ("JF-2026-700003", "xw-center", "registrar"),
    ]
    # Only the case still awaiting acceptance needs its center; the accepted one has nothing due.
    assert await _rows(engine, "SELECT case_id, org_id, kind, title FROM work_items") == [
        ("JF-2026-700001", "xw-center", "new_intake", waiting.title)
    ]
    keys = await _rows(engine, "SELECT case_id, party_key FROM case_parties ORDER BY 1, 2")
    expected = sorted(
        {
            party_key(key=DEVELOPMENT_PARTY_KEY, id_number="110101199003071233"),
            party_key(key=DEVELOPMENT_PARTY_KEY, name="李娜", phone="13987654321"),
        }
    )
    assert keys == [
        (case_id, key) for case_id in ("JF-2026-700001", "JF-2026-700002") for key in expected
    ]


@pytest.fixture(params=BACKENDS)
async def database_at_0018(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0018", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_existing_cases_get_their_next_deadline_parties_and_people(
    database_at_0018: tuple[str, AsyncEngine],
) -> None:
    """Migration 0020: the list columns of a stored case come from its document, as the
    projection writes them now (the nearest running clock and whose it is; no clock: last)."""
    url, engine = database_at_0018
    waiting = CaseAt("JF-2026-700011", center="xw-center").case
    planned = CaseAt("JF-2026-700012", center="xw-center").do("accept").do("plan").case
    async with engine.begin() as connection:
        await connection.execute(_ORG, {"org_id": "xw-center", "name": "玄武区矛盾纠纷调解中心"})
        for state in (waiting, planned):
            await connection.execute(
                _CASE,
                {
                    "case_id": state.case_id,
                    "kind": state.kind.value,
                    "stage": state.stage.value,
                    "category": state.category.value,
                    "title": state.title,
                    "code": state.jurisdiction.code,
                    "at": state.registered.at,
                    "seq": state.seq,
                    "state": json.dumps(state.model_dump(mode="json"), ensure_ascii=False),
                    "center": "xw-center",
                },
            )
            await connection.execute(
                text(
                    "INSERT INTO case_organisations (case_id, org_id, relation, reach, "
                    "registered_at, stage, kind, category, jurisdiction_code) VALUES "
                    "(:case_id, 'xw-center', 'holder', true, :at, :stage, 'dispute', 'labour', "
                    "'320102')"
                ),
                {"case_id": state.case_id, "at": state.registered.at, "stage": state.stage.value},
            )
    await engine.dispose()

    await upgrade_async(url)

    from activities.store.repositories import case_columns

    names = (
        "next_due_name",
        "next_due_org",
        "holder_name",
        "persons",
        "parties_label",
    )
    found = await _rows(engine, f"SELECT case_id, {', '.join(names)} FROM cases ORDER BY 1")
    expected = [
        (state.case_id, *(case_columns(state)[name] for name in names))
        for state in (waiting, planned)
    ]
    assert found == expected
    # By hand: the waiting case runs no clock (last by deadline); the planned one runs the
    # mediation month (due 4月3日 00:00) and the plan's deadline (4月2日 00:00): the nearer is
    # the plan's, the center's to meet; its responsible person is 王芳.
    assert found == [
        ("JF-2026-700011", None, None, None, None, "张伟 等2人"),
        ("JF-2026-700012", "一案一策化解时限", "xw-center", None, "|王芳|", "张伟 等2人"),
    ]
    ranks = await _rows(
        engine, "SELECT case_id, due_rank FROM case_organisations WHERE reach ORDER BY due_rank"
    )
    assert [case_id for case_id, _ in ranks] == ["JF-2026-700012", "JF-2026-700011"]
    assert str(ranks[0][1]).startswith("2026-04-01 16:00")
    assert str(ranks[1][1]).startswith("9999-12-31")
