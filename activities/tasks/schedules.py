"""The Temporal Schedules of the recurring work: one per 排查 cadence rule, and the holiday-data
push. Created when a worker starts, idempotently: a schedule that exists is left as it is (its
pause, its note, its history), so restarts and several workers never duplicate one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from temporalio.service import RPCError, RPCStatusCode

from activities.tasks.report_schedule import monthly_schedule
from domain.base import Frozen
from domain.organisation.organisations import ORG_LEVEL_LABELS
from domain.screening.duties import CADENCE_LABELS, Cadence, ScreeningPolicy
from workflows.report_contract import MONTHLY_REPORT_SCHEDULE
from workflows.screening_contract import (
    CALENDAR_PUSH_SCHEDULE,
    CALENDAR_PUSH_WORKFLOW,
    SCREENING_PERIOD_WORKFLOW,
    CalendarPushInput,
    PeriodInput,
    screening_schedule_id,
)

CHINA = "Asia/Shanghai"
# Five past midnight, China time: the day the period starts (a late firing still lands in it).
_HOUR, _MINUTE = [ScheduleRange(0)], [ScheduleRange(5)]
_CALENDARS: dict[Cadence, ScheduleCalendarSpec] = {
    Cadence.WEEKLY: ScheduleCalendarSpec(
        day_of_week=[ScheduleRange(1)], hour=_HOUR, minute=_MINUTE
    ),
    Cadence.HALF_MONTHLY: ScheduleCalendarSpec(
        day_of_month=[ScheduleRange(1), ScheduleRange(16)], hour=_HOUR, minute=_MINUTE
    ),
    Cadence.MONTHLY: ScheduleCalendarSpec(
        day_of_month=[ScheduleRange(1)], hour=_HOUR, minute=_MINUTE
    ),
}
_POLICY = SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1))


class ScheduleView(Frozen):
    schedule_id: str
    label: str
    paused: bool
    note: str
    next_runs: tuple[datetime, ...]


def desired_schedules(policy: ScreeningPolicy, task_queue: str) -> list[tuple[str, str, Schedule]]:
    """(id, Chinese label, schedule) of every schedule this deployment keeps."""
    wanted: list[tuple[str, str, Schedule]] = []
    for rule in policy.rules:
        schedule_id = screening_schedule_id(rule.rule_id)
        where = f"（{rule.jurisdiction}）" if rule.jurisdiction else ""
        label = f"{CADENCE_LABELS[rule.cadence]}排查：{ORG_LEVEL_LABELS[rule.level]}{where}"
        wanted.append(
            (
                schedule_id,
                label,
                Schedule(
                    action=ScheduleActionStartWorkflow(
                        SCREENING_PERIOD_WORKFLOW,
                        PeriodInput(rule_id=rule.rule_id),
                        id=schedule_id,
                        task_queue=task_queue,
                    ),
                    spec=ScheduleSpec(calendars=[_CALENDARS[rule.cadence]], time_zone_name=CHINA),
                    policy=_POLICY,
                    state=ScheduleState(note=label),
                ),
            )
        )
    wanted.append(
        (
            CALENDAR_PUSH_SCHEDULE,
            "节假日数据推送",
            Schedule(
                action=ScheduleActionStartWorkflow(
                    CALENDAR_PUSH_WORKFLOW,
                    CalendarPushInput(),
                    id=CALENDAR_PUSH_SCHEDULE,
                    task_queue=task_queue,
                ),
                spec=ScheduleSpec(
                    calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(3)])],
                    time_zone_name=CHINA,
                ),
                policy=_POLICY,
                state=ScheduleState(note="节假日数据推送"),
            ),
        )
    )
    # 月报: last month's reports of every county and town, at 01:00 on the 1st.
    wanted.append((MONTHLY_REPORT_SCHEDULE, "月报生成", monthly_schedule(task_queue)))
    return wanted


async def ensure_schedules(client: Client, policy: ScreeningPolicy, task_queue: str) -> list[str]:
    """Create the schedules that do not exist yet; returns the ids created."""
    created: list[str] = []
    for schedule_id, _, schedule in desired_schedules(policy, task_queue):
        try:
            await client.create_schedule(schedule_id, schedule)
        except ScheduleAlreadyRunningError:
            continue
        created.append(schedule_id)
    return created


async def list_schedules(
    client: Client, policy: ScreeningPolicy, task_queue: str
) -> list[ScheduleView]:
    views: list[ScheduleView] = []
    for schedule_id, label, _ in desired_schedules(policy, task_queue):
        try:
            described = await client.get_schedule_handle(schedule_id).describe()
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            continue
        state = described.schedule.state
        views.append(
            ScheduleView(
                schedule_id=schedule_id,
                label=label,
                paused=state.paused,
                note=state.note or "",
                next_runs=tuple(at.astimezone(UTC) for at in described.info.next_action_times[:3]),
            )
        )
    return views


async def set_paused(client: Client, schedule_id: str, *, paused: bool, note: str) -> None:
    handle = client.get_schedule_handle(schedule_id)
    if paused:
        await handle.pause(note=note)
    else:
        await handle.unpause(note=note)
