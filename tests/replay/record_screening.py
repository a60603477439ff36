"""Histories of the recurring work: a period opening its duties, a duty closed by 零报告, a duty
that escalated to the top of the chain unanswered, a report of the disputes found, and a
holiday-data push.

    python -m tests.replay.record TAG screening
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.policy.screening import load_screening_policy
from activities.runtime.payload_codec import encrypting_converter
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from activities.store.tables import OrganisationRow
from activities.tasks.screening import ScreeningDuties
from domain.screening.duties import ScreeningReport
from domain.values import china_date
from tests.engine_keys import KEYS_A
from tests.workflows.clock_harness import Recorder
from worker import build_worker
from workflows.screening_contract import (
    CALENDAR_PUSH_WORKFLOW,
    FILE_REPORT_UPDATE,
    PUSH_CALENDAR_PAGE_ACTIVITY,
    SCREENING_PERIOD_WORKFLOW,
    CalendarPage,
    CalendarPageResult,
    CalendarPushInput,
    CalendarPushResult,
    DutyOutcome,
    OpenedDuties,
    PeriodInput,
)

UNITS = [
    ("town-a", "梅园新村街道人民调解委员会", "town", "320102001"),
    ("village-a", "大行宫社区人民调解委员会", "village", "320102001001"),
    ("xw-center", "玄武区矛调中心", "county", "320102"),
]


@activity.defn(name=PUSH_CALENDAR_PAGE_ACTIVITY)
async def push_page(page: CalendarPage) -> CalendarPageResult:
    """Two pages: two cases pushed, one that did not answer; then none left."""
    if page.after:
        return CalendarPageResult(pushed=(), unanswered=0, last=None)
    return CalendarPageResult(
        pushed=("JF-2026-000001", "JF-2026-000002"), unanswered=1, last="JF-2026-000003"
    )


async def record_screening(tag: str) -> None:
    from tests.replay.record import _save_history

    folder = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{folder / 'screening.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        session.add_all(
            OrganisationRow(
                org_id=org_id,
                name=name,
                type="mediation_committee" if level != "county" else "center",
                level=level,
                jurisdiction_code=code,
                categories=[],
                active=True,
            )
            for org_id, name, level, code in UNITS
        )
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=encrypting_converter(KEYS_A.payload),
        test_server_existing_path=str(Path(sys.executable).parent / "temporal-test-server"),
    )
    queue = "screening"
    recorder = Recorder()
    duties = ScreeningDuties(sessionmaker, env.client, load_screening_policy(), queue)
    activities = [
        duties.open_screening_duties,
        duties.record_screening_duty,
        recorder.deliver,
        push_page,
    ]
    client = env.client
    try:
        async with build_worker(client, queue, activities):
            today = china_date(await env.get_current_time())
            opened: dict[str, OpenedDuties] = {}
            for rule in ("village-weekly", "town-half-monthly", "county-monthly"):
                with env.auto_time_skipping_disabled():
                    opened[rule] = await client.execute_workflow(
                        SCREENING_PERIOD_WORKFLOW,
                        PeriodInput(rule_id=rule, day=today),
                        id=f"period-{rule}",
                        task_queue=queue,
                        result_type=OpenedDuties,
                    )
            await _save_history(client, "period-village-weekly", f"{tag}_screening_period_opened")
            village = client.get_workflow_handle(
                opened["village-weekly"].duty_ids[0], result_type=DutyOutcome
            )
            with env.auto_time_skipping_disabled():
                await village.execute_update(
                    FILE_REPORT_UPDATE,
                    ScreeningReport(zero=True, filed_by="李村调 (licundiao)"),
                    result_type=DutyOutcome,
                )
            await village.result()
            await _save_history(client, village.id, f"{tag}_screening_zero_report")
            county = client.get_workflow_handle(
                opened["county-monthly"].duty_ids[0], result_type=DutyOutcome
            )
            town = client.get_workflow_handle(
                opened["town-half-monthly"].duty_ids[0], result_type=DutyOutcome
            )
            # Past the town's due time by 30 hours (told the unit and its head); the county,
            # due at the month's end, files the disputes it found.
            now = await env.get_current_time()
            due = (await _due(sessionmaker, town.id)) - now
            await env.sleep(due + timedelta(hours=30))
            await county.execute_update(
                FILE_REPORT_UPDATE,
                ScreeningReport(
                    zero=False, case_ids=("JF-2026-000123",), filed_by="王芳 (wangfang)"
                ),
                result_type=DutyOutcome,
            )
            await env.sleep(timedelta(days=40))
            await county.result()
            await town.result()
            await _save_history(client, town.id, f"{tag}_screening_missed_escalated")
            await _save_history(client, county.id, f"{tag}_screening_found_disputes_filed")
            await client.execute_workflow(
                CALENDAR_PUSH_WORKFLOW,
                CalendarPushInput(),
                id="calendar-push",
                task_queue=queue,
                result_type=CalendarPushResult,
            )
            await _save_history(client, "calendar-push", f"{tag}_calendar_push")
    finally:
        await env.shutdown()
        await engine.dispose()


async def _due(sessionmaker: object, duty_id: str) -> object:
    from datetime import UTC

    from activities.store.screening import get_duty

    async with sessionmaker() as session:  # type: ignore[operator]
        duty = await get_duty(duty_id, session=session)
    assert duty is not None
    return duty.due_at.astimezone(UTC)
