"""``fengqiao calendar push``: newly published holiday data to cases with provisional clocks.

A trigger of ``CalendarPushWorkflow`` (the same workflow its Schedule starts daily): the push runs
on the workers, which read the holiday data they were started with; this command waits for it
and prints what it did.
"""

from __future__ import annotations

from datetime import UTC, datetime

from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect
from workflows.screening_contract import (
    CALENDAR_PUSH_WORKFLOW,
    CalendarPushInput,
    CalendarPushResult,
)


async def run_calendar_push(settings: Settings) -> int:
    client = await connect(settings)
    started = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    result = await client.execute_workflow(
        CALENDAR_PUSH_WORKFLOW,
        CalendarPushInput(),
        id=f"calendar-push-cli-{started}",
        task_queue=settings.task_queue,
        result_type=CalendarPushResult,
    )
    print(f"节假日数据：{result.pushed} 件案件重算临时期限 / cases rescheduled")
    if result.unanswered:
        print(f"  {result.unanswered} 件未应答，留待下次推送 / left for the next push")
    for case_id in result.case_ids:
        print(f"  {case_id}")
    if result.pushed > len(result.case_ids):
        print(f"  …（另 {result.pushed - len(result.case_ids)} 件）")
    return 0
