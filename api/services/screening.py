"""排查 duties: a unit's duties and its reports, leaders' 专项排查, the Schedules' pause, and the
per-period figures accountability reads (``missed_screening_reports``).

The duty work itself is workflow code (``workflows/screening.py``); these functions read the
store, check who may do what, and hand a report or a sweep to the workflows.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.policy.screening import load_screening_policy
from activities.runtime.settings import Settings
from activities.store import screening as store
from activities.store.screening import DutyView
from activities.store.tables import CaseRow
from activities.tasks.schedules import ScheduleView, list_schedules, set_paused
from api.errors import ApiError, invalid_input, unavailable
from api.gateway import update_refusal
from api.idempotency import bind
from api.screening_schemas import DutyOut, ScreeningReportBody, SweepBody, SweepLaunched
from domain.people.access import Permission, Principal
from domain.screening.duties import DUTY_STATUS_LABELS, DutyStatus, ScreeningReport, Sweep
from domain.values import CHINA_TZ
from workflows.screening_contract import (
    FILE_REPORT_UPDATE,
    SCREENING_PERIOD_WORKFLOW,
    DutyOutcome,
    OpenedDuties,
    PeriodInput,
    sweep_workflow_id,
)

_CLOSED = (DutyStatus.FILED, DutyStatus.FILED_LATE, DutyStatus.MISSED)
SWEEP_LONGEST_DAYS = 92
_SWEEP_MARK = "launch"  # the memo entry naming the launch a sweep workflow belongs to
_SWEEP_ID_TRIES = 4


def duty_out(view: DutyView) -> DutyOut:
    return DutyOut(
        **view.model_dump(exclude={"case_ids", "status"}),
        status=view.status.value,
        status_label=DUTY_STATUS_LABELS[view.status],
        case_ids=list(view.case_ids),
    )


def _not_found(duty_id: str) -> ApiError:
    return ApiError(
        404, "duty_not_found", f"排查任务 {duty_id} 不存在", f"screening duty {duty_id} not found"
    )


def _reach(principal: Principal) -> dict[str, str | None]:
    """A unit's own duties; a leader's: those of the units in their area."""
    if principal.may(Permission.FILE_SCREENING):
        return {"org_id": principal.center_id or "-", "within": None}
    return {"org_id": None, "within": principal.jurisdiction or "-"}


async def list_duties(
    principal: Principal,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    status: tuple[DutyStatus, ...] = (),
    limit: int = 100,
) -> list[DutyOut]:
    async with sessionmaker() as session:
        views = await store.list_duties(
            **_reach(principal), status=status, limit=limit, session=session
        )
    return [duty_out(view) for view in views]


async def get_duty(
    principal: Principal, duty_id: str, *, sessionmaker: async_sessionmaker[AsyncSession]
) -> DutyOut:
    async with sessionmaker() as session:
        view = await store.get_duty(duty_id, session=session)
    reach = _reach(principal)
    if view is None or (
        (reach["org_id"] is not None and view.org_id != reach["org_id"])
        or (reach["within"] is not None and not view.jurisdiction_code.startswith(reach["within"]))
    ):
        raise _not_found(duty_id)
    return duty_out(view)


async def reportable_cases(
    principal: Principal, duty: DutyOut, *, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[tuple[str, str]]:
    """What the unit's report may list: the cases it registered from the start of the period
    before this one (a dispute found at the turn of a period is registered either side of it)."""
    length = timedelta(days=(duty.ends_on - duty.starts_on).days + 1)
    since = datetime.combine(duty.starts_on - length, time.min, tzinfo=CHINA_TZ)
    async with sessionmaker() as session:
        return await store.cases_registered_by(duty.org_id, since, session=session)


async def file_report(
    principal: Principal,
    duty_id: str,
    body: ScreeningReportBody,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
) -> DutyOut:
    """The unit's report to its duty's workflow: the disputes it found (cases it registered
    through intake) or 零报告. A retried request is the same update (its id is the duty's)."""
    duty = await get_duty(principal, duty_id, sessionmaker=sessionmaker)
    if DutyStatus(duty.status) in _CLOSED:
        raise ApiError(
            409,
            "forbidden_transition",
            f"该期排查{duty.status_label}，不能再报送",
            f"this duty is {duty.status}; nothing to file",
        )
    if body.case_ids:
        async with sessionmaker() as session:
            own = set(
                await session.scalars(
                    select(CaseRow.case_id).where(
                        CaseRow.case_id.in_(body.case_ids), CaseRow.center_id == duty.org_id
                    )
                )
            )
        stray = [case_id for case_id in body.case_ids if case_id not in own]
        if stray:
            raise invalid_input(
                f"发现的纠纷须是本单位登记的案件：{'、'.join(stray)}",
                f"not a case registered by this unit: {', '.join(stray)}",
                field="case_ids",
            )
    report = ScreeningReport(
        zero=body.zero, case_ids=tuple(body.case_ids), note=body.note, filed_by=principal.actor
    )
    handle = temporal.get_workflow_handle(duty_id)
    try:
        await handle.execute_update(
            FILE_REPORT_UPDATE, report, id=f"report-{duty_id}", result_type=DutyOutcome
        )
    except WorkflowUpdateFailedError as error:
        raise update_refusal(error) from error
    except RPCError as error:
        if error.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise ApiError(
                409,
                "forbidden_transition",
                "该期排查已结束，不能再报送",
                "this duty has ended; nothing to file",
            ) from error
        raise unavailable("流程引擎", "workflow engine") from error
    return await get_duty(principal, duty_id, sessionmaker=sessionmaker)


async def launch_sweep(
    principal: Principal,
    body: SweepBody,
    *,
    key: str | None,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
    today: date,
) -> SweepLaunched:
    """专项排查 in the leader's area: opens a duty for each screening unit there (workflow code).

    Once per ``key`` (the caller's Idempotency-Key, bound to this body): a retried launch is
    answered by the sweep it started, never a second round of duties for every unit.
    """
    if not principal.covers(body.area):
        raise invalid_input(
            "排查范围须在您的辖区之内", "the area must lie within your jurisdiction", field="area"
        )
    if body.ends_on < body.starts_on:
        raise invalid_input(
            "截止日期不能早于开始日期", "ends_on is before starts_on", field="ends_on"
        )
    if body.ends_on < today:
        raise invalid_input("截止日期已过", "ends_on is in the past", field="ends_on")
    if (body.ends_on - body.starts_on).days > SWEEP_LONGEST_DAYS:
        raise invalid_input(
            f"专项排查期限不能超过{SWEEP_LONGEST_DAYS}天",
            f"a sweep lasts at most {SWEEP_LONGEST_DAYS} days",
            field="ends_on",
        )
    # The launch's own mark: the scoped key (a retry carries the same), else a fresh one.
    mark = (
        await bind(
            key,
            principal=principal,
            command="sweep",
            target=body.area,
            body=body,
            sessionmaker=sessionmaker,
        )
        if key
        else f"auto-{uuid.uuid4()}"
    )
    try:
        async with asyncio.timeout(settings.command_timeout_seconds):
            sweep, handle = await _started_sweep(principal, body, mark, temporal, settings)
            opened: OpenedDuties = await handle.result()
    except (RPCError, TimeoutError, WorkflowFailureError) as error:
        # Started (or not): a sweep still opening finishes on the workers by itself; one that
        # failed runs again when the launch is retried with its key.
        raise unavailable("流程引擎", "workflow engine") from error
    return SweepLaunched(
        sweep_id=sweep.sweep_id, period_key=opened.period_key, duties=len(opened.duty_ids)
    )


def sweep_ids(starts_on: date, mark: str) -> Iterator[str]:
    """The ids a launch marked ``mark`` may take, in order: its start day and six hex digits of
    the mark (then of the mark with a counter, should another launch hold one already)."""
    for attempt in range(_SWEEP_ID_TRIES):
        digest = hashlib.sha256(f"{mark}\x1f{attempt}".encode()).hexdigest()
        yield f"{starts_on:%y%m%d}{digest[:6]}"


async def _started_sweep(
    principal: Principal, body: SweepBody, mark: str, temporal: Client, settings: Settings
) -> tuple[Sweep, WorkflowHandle[Any, OpenedDuties]]:
    """The sweep workflow this launch started, or the one a retry of it started before (running
    or finished). The workflow's memo holds the launch's mark: an id held by another launch is
    passed over for the next."""
    for sweep_id in sweep_ids(body.starts_on, mark):
        sweep = Sweep(
            sweep_id=sweep_id,
            area=body.area,
            theme=body.theme,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            launched_by=principal.actor,
        )
        workflow_id = sweep_workflow_id(sweep_id)
        try:
            handle = await temporal.start_workflow(
                SCREENING_PERIOD_WORKFLOW,
                PeriodInput(sweep=sweep),
                id=workflow_id,
                task_queue=settings.task_queue,
                result_type=OpenedDuties,
                memo={_SWEEP_MARK: mark},
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                # A run that failed may run again (its duties are opened idempotently).
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            )
        except WorkflowAlreadyStartedError:  # finished already: a retry after the answer
            handle = temporal.get_workflow_handle(workflow_id, result_type=OpenedDuties)
        described = await handle.describe()
        if await described.memo_value(_SWEEP_MARK, None, type_hint=str) == mark:
            return sweep, handle
    raise unavailable("专项排查编号", "sweep id (every candidate taken)")


async def schedules(temporal: Client, settings: Settings) -> list[ScheduleView]:
    policy = load_screening_policy(settings.screening_policy_file)
    return await list_schedules(temporal, policy, settings.task_queue)


async def pause_schedule(
    schedule_id: str, *, paused: bool, note: str, temporal: Client, settings: Settings
) -> list[ScheduleView]:
    known = {view.schedule_id for view in await schedules(temporal, settings)}
    if schedule_id not in known:
        raise ApiError(
            404,
            "schedule_not_found",
            f"计划任务 {schedule_id} 不存在",
            f"schedule {schedule_id} not found",
        )
    default = "管理员暂停" if paused else "管理员恢复"
    await set_paused(temporal, schedule_id, paused=paused, note=note or default)
    return await schedules(temporal, settings)


class MissedReport(DutyOut):
    """One unit's missed report for one period (逾期未报, 逾期补报 or 未报送)."""


async def missed_screening_reports(
    session: AsyncSession, *, within: str, ends_from: date, ends_to: date
) -> list[MissedReport]:
    """Accountability per period: every duty within the jurisdiction subtree ``within`` whose
    period ended in [ends_from, ends_to] and whose report was not filed by its due time, ordered
    by unit, then period. Group by ``org_id`` and ``period_key`` for counts per unit per period."""
    views = await store.missed_reports(
        within=within, ends_from=ends_from, ends_to=ends_to, session=session
    )
    return [MissedReport(**duty_out(view).model_dump()) for view in views]
