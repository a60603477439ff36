"""月报: ``POST /v1/reports/monthly`` (make a month's reports for the caller's place, 202),
``GET /v1/reports/monthly`` (those kept), ``GET /v1/reports/monthly/{report_id}/{xlsx|pdf}``."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import FilesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import ReportIdPath
from api.permissions import Lister
from api.services import monthly_reports as service
from api.services.monthly_reports import ReportLine, ReportRequested

router = APIRouter(prefix="/v1/reports/monthly", tags=["reports 月报"])


class ReportRequest(BaseModel):
    month: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="月份，如2026-03 / month")]
    as_of: Annotated[
        AwareDatetime | None,
        Field(description="统计截止（默认现在）：同一月份与截止时间得出同一份月报 / cut-off"),
    ] = None


class ReportList(BaseModel):
    items: list[ReportLine]


@router.post(
    "",
    status_code=202,
    response_model=ReportRequested,
    responses=ERROR_RESPONSES,
    summary="生成月报 / make a month's reports for the caller's place (any past month)",
)
async def request_reports(
    body: ReportRequest, principal: Lister, settings: SettingsDep, temporal: TemporalDep
) -> ReportRequested:
    return await service.request_reports(
        principal,
        month=body.month,
        as_of=body.as_of,
        task_queue=settings.task_queue,
        temporal=temporal,
    )


@router.get(
    "",
    response_model=ReportList,
    responses=ERROR_RESPONSES,
    summary="月报列表 / the monthly reports kept for the caller's place",
)
async def list_reports(
    principal: Lister,
    sessionmaker: SessionmakerDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
) -> ReportList:
    return ReportList(
        items=await service.list_reports(principal, month=month, sessionmaker=sessionmaker)
    )


@router.get(
    "/{report_id}/{kind}",
    responses=ERROR_RESPONSES,
    summary="下载月报 / a kept report as .xlsx or PDF",
)
async def download_report(
    report_id: ReportIdPath,
    kind: Literal["xlsx", "pdf"],
    principal: Lister,
    sessionmaker: SessionmakerDep,
    files: FilesDep,
) -> StreamingResponse:
    found = await service.report_file(principal, report_id, kind, sessionmaker=sessionmaker)
    return StreamingResponse(
        service.file_chunks(files, found.sha256),
        media_type=found.media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}"},
    )
