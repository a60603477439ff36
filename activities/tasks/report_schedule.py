"""The ``monthly-report`` Temporal Schedule: 月报 at 01:00 China time on the 1st of each month.

Created with the other recurring schedules when a worker starts (``activities.tasks.schedules``,
listed and paused there like them), once: a schedule that exists already is left as it is, so
any number of workers starting changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)

from workflows.report_contract import (
    MONTHLY_REPORT_SCHEDULE,
    MONTHLY_REPORT_WORKFLOW,
    MonthlyReportRun,
)

CHINA_ZONE = "Asia/Shanghai"


def monthly_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            MONTHLY_REPORT_WORKFLOW,
            MonthlyReportRun(),
            id="monthly-report-run",
            task_queue=task_queue,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
        state=ScheduleState(note="月报生成"),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    day_of_month=[ScheduleRange(1)],
                    hour=[ScheduleRange(1)],
                    minute=[ScheduleRange(0)],
                    second=[ScheduleRange(0)],
                )
            ],
            time_zone_name=CHINA_ZONE,
        ),
    )


async def ensure_monthly_report_schedule(client: Client, task_queue: str) -> bool:
    """Create the schedule unless it exists; True when this call created it."""
    try:
        await client.create_schedule(MONTHLY_REPORT_SCHEDULE, monthly_schedule(task_queue))
    except ScheduleAlreadyRunningError:
        return False
    return True
