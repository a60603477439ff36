"""排查 duties on the time-skipping server: a period opens a duty per unit in scope, a report or
零报告 closes it, a missing report walks the screening escalation chain, a 专项排查 opens duties
in its area only."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.policy.screening import load_screening_policy
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.screening_tables import ScreeningDutyRow
from activities.store.tables import OrganisationRow
from activities.tasks.screening import ScreeningDuties
from domain.screening.duties import DutyStatus, ScreeningReport, Sweep
from domain.values import china_date
from tests.workflows.clock_harness import Recorder
from worker import build_worker
from workflows.screening_contract import (
    FILE_REPORT_UPDATE,
    SCREENING_PERIOD_WORKFLOW,
    DutyOutcome,
    OpenedDuties,
    PeriodInput,
)

# A county center, two town committees, a village committee in each town, a sector room.
UNITS = [
    ("xw-center", "玄武区矛调中心", "center", "county", "320102"),
    ("town-a", "梅园新村街道人民调解委员会", "mediation_committee", "town", "320102001"),
    ("town-b", "新街口街道人民调解委员会", "mediation_committee", "town", "320102002"),
    ("village-a", "大行宫社区人民调解委员会", "mediation_committee", "village", "320102001001"),
    ("village-b", "丰富路社区人民调解委员会", "mediation_committee", "village", "320102002001"),
    ("room-a", "物业纠纷调解室", "sector_room", "town", "320102001"),
]


@dataclass
class Rig:
    env: WorkflowEnvironment
    sessionmaker: async_sessionmaker[AsyncSession]
    recorder: Recorder
    task_queue: str

    async def open_period(self, request: PeriodInput) -> OpenedDuties:
        # Time stands still while the period opens (else the server skips to the next timer).
        with self.env.auto_time_skipping_disabled():
            return await self.env.client.execute_workflow(
                SCREENING_PERIOD_WORKFLOW,
                request,
                id=f"period-{uuid.uuid4().hex[:8]}",
                task_queue=self.task_queue,
                result_type=OpenedDuties,
            )

    async def rows(self, duty_ids: tuple[str, ...]) -> dict[str, ScreeningDutyRow]:
        async with self.sessionmaker() as session:
            found = await session.scalars(
                select(ScreeningDutyRow).where(ScreeningDutyRow.duty_id.in_(duty_ids))
            )
            return {row.org_id: row for row in found}

    async def skip_past(self, due_at: datetime, *, hours: float) -> None:
        now = await self.env.get_current_time()
        await self.env.sleep(due_at.replace(tzinfo=UTC) - now + timedelta(hours=hours))

    async def today(self) -> date:
        return china_date(await self.env.get_current_time())


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'screening.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        session.add_all(
            OrganisationRow(
                org_id=org_id,
                name=name,
                type=kind,
                level=level,
                jurisdiction_code=code,
                categories=[],
                active=True,
            )
            for org_id, name, kind, level, code in UNITS
        )
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(Path(sys.executable).parent / "temporal-test-server"),
    )
    recorder = Recorder()
    queue = "screening"
    duties = ScreeningDuties(sessionmaker, env.client, load_screening_policy(), queue)
    activities = [duties.open_screening_duties, duties.record_screening_duty, recorder.deliver]
    try:
        async with build_worker(env.client, queue, activities):
            yield Rig(env, sessionmaker, recorder, queue)
    finally:
        await env.shutdown()
        await engine.dispose()


async def test_a_villages_weekly_duty_opens_and_its_zero_report_closes_it(rig: Rig) -> None:
    today = await rig.today()
    opened = await rig.open_period(PeriodInput(rule_id="village-weekly", day=today))
    rows = await rig.rows(opened.duty_ids)
    assert set(rows) == {"village-a", "village-b"}  # villages only: no town, county or room
    monday = today - timedelta(days=today.weekday())
    assert rows["village-a"].starts_on == monday
    assert rows["village-a"].ends_on == monday + timedelta(days=6)
    assert rows["village-a"].status == DutyStatus.OPEN.value
    # Opening the same period again (a schedule's retry) opens nothing new.
    again = await rig.open_period(PeriodInput(rule_id="village-weekly", day=today))
    assert again.duty_ids == opened.duty_ids

    duty = rig.env.client.get_workflow_handle(rows["village-a"].duty_id, result_type=DutyOutcome)
    with rig.env.auto_time_skipping_disabled():
        outcome = await duty.execute_update(
            FILE_REPORT_UPDATE,
            ScreeningReport(zero=True, filed_by="李村调 (licundiao)"),
            result_type=DutyOutcome,
        )
    assert outcome.status is DutyStatus.FILED
    assert (await duty.result()).status is DutyStatus.FILED
    filed = (await rig.rows(opened.duty_ids))["village-a"]
    assert filed.status == DutyStatus.FILED.value
    assert filed.zero_report is True
    assert filed.escalation_level == 0
    assert not [d for d in rig.recorder.deliveries if d.case_id == filed.duty_id]
    # A second report is refused: the duty is closed.
    with pytest.raises(RPCError):  # the duty's workflow has ended
        await rig.env.client.get_workflow_handle(filed.duty_id).execute_update(
            FILE_REPORT_UPDATE, ScreeningReport(zero=True, filed_by="x"), result_type=DutyOutcome
        )


async def test_a_town_that_files_nothing_escalates_up_the_chain(rig: Rig) -> None:
    today = await rig.today()
    opened = await rig.open_period(PeriodInput(rule_id="town-half-monthly", day=today))
    rows = await rig.rows(opened.duty_ids)
    assert set(rows) == {"town-a", "town-b"}  # the sector room is not a screening unit
    duty = rig.env.client.get_workflow_handle(rows["town-a"].duty_id, result_type=DutyOutcome)
    # Past the due time and every step of the chain (24 + 48 + 72 + 72 hours): nothing filed.
    await rig.skip_past(rows["town-a"].due_at, hours=24 + 48 + 72 + 72 + 1)
    outcome = await duty.result()
    assert outcome.status is DutyStatus.MISSED
    assert outcome.level == 4
    steps = [(d.level, d.recipient) for d in rig.recorder.deliveries if d.case_id == duty.id]
    assert steps == [
        (1, "org:town-a"),
        (2, "org-head:town-a"),
        (3, "town-leader:320102001"),
        (4, "county-leader:320102"),
    ]
    first = next(d for d in rig.recorder.deliveries if d.case_id == duty.id)
    assert first.raised_at >= rows["town-a"].due_at.replace(tzinfo=first.raised_at.tzinfo)
    assert "排查逾期未报" in first.title
    row = (await rig.rows(opened.duty_ids))["town-a"]
    assert row.status == DutyStatus.MISSED.value
    assert row.escalation_level == 4
    assert row.escalated_to == "county-leader:320102"


async def test_a_late_report_stops_the_escalation(rig: Rig) -> None:
    today = await rig.today()
    opened = await rig.open_period(PeriodInput(rule_id="county-monthly", day=today))
    rows = await rig.rows(opened.duty_ids)
    assert set(rows) == {"xw-center"}
    row = rows["xw-center"]
    await rig.skip_past(row.due_at, hours=30)
    duty = rig.env.client.get_workflow_handle(row.duty_id, result_type=DutyOutcome)
    outcome = await duty.execute_update(
        FILE_REPORT_UPDATE,
        ScreeningReport(zero=False, case_ids=("JF-2026-000123",), filed_by="王芳 (wangfang)"),
        result_type=DutyOutcome,
    )
    assert outcome.status is DutyStatus.FILED_LATE
    assert outcome.level == 2  # told the unit, then its head, before it filed
    assert (await duty.result()).status is DutyStatus.FILED_LATE
    assert [d.level for d in rig.recorder.deliveries if d.case_id == duty.id] == [1, 2]
    filed = (await rig.rows(opened.duty_ids))["xw-center"]
    assert filed.status == DutyStatus.FILED_LATE.value
    assert filed.zero_report is False


async def test_a_report_that_does_not_hold_together_is_refused(rig: Rig) -> None:
    opened = await rig.open_period(PeriodInput(rule_id="village-weekly", day=await rig.today()))
    duty = rig.env.client.get_workflow_handle(opened.duty_ids[0])
    for report in (
        ScreeningReport(zero=False, filed_by="x"),  # neither disputes nor 零报告
        ScreeningReport(zero=True, case_ids=("JF-2026-000001",), filed_by="x"),
    ):
        with pytest.raises(WorkflowUpdateFailedError), rig.env.auto_time_skipping_disabled():
            await duty.execute_update(FILE_REPORT_UPDATE, report, result_type=DutyOutcome)
    row = await rig.rows(opened.duty_ids)
    assert all(r.status == DutyStatus.OPEN.value for r in row.values())


async def test_a_special_sweep_opens_duties_for_its_area_only(rig: Rig) -> None:
    today = await rig.today()
    sweep = Sweep(
        sweep_id="20261201ab12",
        area="320102001",
        theme="春节前矛盾纠纷专项排查",
        starts_on=today,
        ends_on=today + timedelta(days=10),
        launched_by="刘强 (liuqiang)",
    )
    opened = await rig.open_period(PeriodInput(sweep=sweep))
    rows = await rig.rows(opened.duty_ids)
    assert set(rows) == {"town-a", "village-a"}  # 梅园新村街道 only: not town-b, village-b
    assert all(row.theme == "春节前矛盾纠纷专项排查" for row in rows.values())
    assert all(row.ends_on == today + timedelta(days=10) for row in rows.values())
