"""排查: a unit's duties and reports (零报告), leaders' 专项排查, the Schedules' pause."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from activities.tasks.schedules import ScheduleView
from api.deps import SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import DutyIdPath, IdempotencyKey, ScheduleIdPath
from api.permissions import DutyReader, ScheduleKeeper, ScreeningFiler, SweepLauncher
from api.screening_schemas import (
    DutyList,
    DutyOut,
    ScheduleList,
    ScheduleOut,
    SchedulePause,
    ScreeningReportBody,
    SweepBody,
    SweepLaunched,
)
from api.services import screening
from domain.screening.duties import DutyStatus
from domain.values import CHINA_TZ

router = APIRouter(prefix="/v1/screening", tags=["screening 排查"])


@router.get("/duties", response_model=DutyList, responses=ERROR_RESPONSES, summary="排查任务")
async def list_duties(
    principal: DutyReader,
    sessionmaker: SessionmakerDep,
    status: Annotated[list[DutyStatus] | None, Query(description="状态 / status")] = None,
) -> DutyList:
    items = await screening.list_duties(
        principal, sessionmaker=sessionmaker, status=tuple(status or ())
    )
    return DutyList(items=items)


@router.get(
    "/duties/{duty_id}", response_model=DutyOut, responses=ERROR_RESPONSES, summary="排查任务"
)
async def get_duty(
    principal: DutyReader, sessionmaker: SessionmakerDep, duty_id: DutyIdPath
) -> DutyOut:
    return await screening.get_duty(principal, duty_id, sessionmaker=sessionmaker)


@router.post(
    "/duties/{duty_id}/report",
    response_model=DutyOut,
    responses=ERROR_RESPONSES,
    summary="报送排查情况或零报告 / file the screening report or a zero report",
)
async def file_report(
    principal: ScreeningFiler,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    duty_id: DutyIdPath,
    body: ScreeningReportBody,
) -> DutyOut:
    return await screening.file_report(
        principal, duty_id, body, sessionmaker=sessionmaker, temporal=temporal
    )


@router.post(
    "/sweeps",
    response_model=SweepLaunched,
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="专项排查 / launch a special sweep",
)
async def launch_sweep(
    principal: SweepLauncher,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    body: SweepBody,
    idempotency_key: IdempotencyKey = None,
) -> SweepLaunched:
    today = datetime.now(CHINA_TZ).date()
    return await screening.launch_sweep(
        principal,
        body,
        key=idempotency_key,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
        today=today,
    )


def _schedule_list(views: list[ScheduleView]) -> ScheduleList:
    return ScheduleList(
        items=[
            ScheduleOut(**view.model_dump(exclude={"next_runs"}), next_runs=list(view.next_runs))
            for view in views
        ]
    )


@router.get(
    "/schedules", response_model=ScheduleList, responses=ERROR_RESPONSES, summary="计划任务"
)
async def list_schedules(
    principal: ScheduleKeeper, temporal: TemporalDep, settings: SettingsDep
) -> ScheduleList:
    return _schedule_list(await screening.schedules(temporal, settings))


@router.post(
    "/schedules/{schedule_id}/pause",
    response_model=ScheduleList,
    responses=ERROR_RESPONSES,
    summary="暂停计划任务 / pause a schedule",
)
async def pause_schedule(
    principal: ScheduleKeeper,
    temporal: TemporalDep,
    settings: SettingsDep,
    schedule_id: ScheduleIdPath,
    body: SchedulePause | None = None,
) -> ScheduleList:
    views = await screening.pause_schedule(
        schedule_id,
        paused=True,
        note=body.note if body else "",
        temporal=temporal,
        settings=settings,
    )
    return _schedule_list(views)


@router.post(
    "/schedules/{schedule_id}/resume",
    response_model=ScheduleList,
    responses=ERROR_RESPONSES,
    summary="恢复计划任务 / resume a schedule",
)
async def resume_schedule(
    principal: ScheduleKeeper,
    temporal: TemporalDep,
    settings: SettingsDep,
    schedule_id: ScheduleIdPath,
    body: SchedulePause | None = None,
) -> ScheduleList:
    views = await screening.pause_schedule(
        schedule_id,
        paused=False,
        note=body.note if body else "",
        temporal=temporal,
        settings=settings,
    )
    return _schedule_list(views)
