"""Migration 0027 (排查): the duties' tables come and go on both stores; a store of 0030 keeps its
organisations, and the store's duty queries work on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.store import screening as store
from activities.store.engine import create_sessionmaker
from activities.store.migrate import alembic_config, upgrade_async
from domain.organisation.organisations import OrgLevel, OrgType
from domain.screening.duties import (
    Cadence,
    Duty,
    DutyStatus,
    ScreeningReport,
    Unit,
    duty_id,
    period_of,
)
from tests.conftest import BACKENDS
from tests.databases import PostgresAdmin, database_at


@pytest.fixture(params=BACKENDS)
async def database_at_0030(
    request: pytest.FixtureRequest, postgres_admin: PostgresAdmin, tmp_path: Path
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with database_at("0030", request.param, postgres_admin, tmp_path) as database:
        yield database


async def test_upgrade_adds_the_duty_tables_and_downgrade_removes_them(
    database_at_0030: tuple[str, AsyncEngine],
) -> None:
    url, engine = database_at_0030
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO organisations (org_id, name, type, level, jurisdiction_code, "
                "categories, active) VALUES ('town-a', '梅园新村街道人民调解委员会', "
                "'mediation_committee', 'town', '320102001', '[]', true)"
            )
        )
    await upgrade_async(url)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        [unit] = await store.screening_units(session=session)
        assert unit == Unit(
            org_id="town-a",
            name="梅园新村街道人民调解委员会",
            level=OrgLevel.TOWN,
            type=OrgType.MEDIATION_COMMITTEE,
            jurisdiction_code="320102001",
        )
        period = period_of(Cadence.HALF_MONTHLY, date(2026, 3, 2))
        duty = Duty(
            duty_id=duty_id("town-half-monthly", period.key, "town-a"),
            source="town-half-monthly",
            period=period,
            unit=unit,
            town_code="320102001",
            county_code="320102",
        )
        at = datetime(2026, 3, 1, 16, 5, tzinfo=UTC)
        await store.open_duties([duty, duty], at=at, session=session)
        await store.open_duties([duty], at=at, session=session)  # opened again: nothing new
        report = ScreeningReport(
            zero=False, case_ids=("JF-2026-000001",), filed_by="王芳 (wangfang)", filed_at=at
        )
        await store.record_duty(
            duty.duty_id,
            DutyStatus.FILED,
            at=at,
            level=0,
            recipient="",
            report=report,
            session=session,
        )
        # An escalation step arriving after the report never overwrites it.
        await store.record_duty(
            duty.duty_id,
            DutyStatus.OVERDUE,
            at=at,
            level=1,
            recipient="org:town-a",
            report=None,
            session=session,
        )
    async with sessionmaker() as session:
        view = await store.get_duty(duty.duty_id, session=session)
        assert await store.count_duties(session=session) == 1
    assert view is not None
    assert view.status is DutyStatus.FILED
    assert view.case_ids == ("JF-2026-000001",)
    assert view.escalation_level == 0

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0030")

    def tables(sync: object) -> list[str]:
        return inspect(sync).get_table_names()

    async with engine.begin() as connection:
        remaining = await connection.run_sync(tables)
    assert "screening_duties" not in remaining
    assert "screening_report_cases" not in remaining
    assert "organisations" in remaining
