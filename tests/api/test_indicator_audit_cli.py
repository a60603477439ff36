"""``fengqiao audit indicators``: the auditor's recount from the command line, on a SQLite store
holding the hand-built county; exit 0 when every figure agrees, 1 when the read model lies."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import update

from activities.store import repositories
from activities.store.engine import create_engine
from activities.store.indicator_tables import IndicatorFactRow
from activities.store.migrate import upgrade
from tests.domain.indicator_cases import county


async def _store(database: str, *, lie: bool = False) -> None:
    engine = create_engine(database)
    try:
        async with engine.begin() as connection:
            if lie:
                await connection.execute(
                    update(IndicatorFactRow)
                    .where(IndicatorFactRow.case_id == "JF-2026-000004")
                    .values(concluded_on=IndicatorFactRow.accepted_on)
                )
                return
            for told in county():
                await repositories.append_events(tuple(told.events), connection=connection)
                await repositories.upsert_case(told.case, connection=connection)
    finally:
        await engine.dispose()


def test_the_recount_agrees_then_tells_a_changed_read_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from worker import main

    database = f"sqlite+aiosqlite:///{tmp_path / 'indicators.db'}"
    upgrade(database)
    asyncio.run(_store(database))
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", database)
    args = ["audit", "indicators", "--period", "2026-03", "--jurisdiction", "320102"]
    args += ["--as-of", "2026-04-10", "--json"]
    assert main(args) == 0
    lines = {x["indicator_id"]: x for x in json.loads(capsys.readouterr().out)["lines"]}
    assert lines["handled_rate"]["events"] == lines["handled_rate"]["read_model"] == "75.0%"
    assert all(line["agrees"] for line in lines.values())

    asyncio.run(_store(database, lie=True))  # JF4 concluded, says the read model alone
    assert main(args) == 1
    lines = {x["indicator_id"]: x for x in json.loads(capsys.readouterr().out)["lines"]}
    assert (lines["handled_rate"]["read_model"], lines["handled_rate"]["events"]) == (
        "100.0%",
        "75.0%",
    )
