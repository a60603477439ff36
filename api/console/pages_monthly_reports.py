"""月报 in the console: the monthly reports kept for a leader's or an auditor's place, each as
.xlsx and PDF to download, and a form to make any past month's (the same services as
``/v1/reports/monthly``)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse

from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import FilesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.services import monthly_reports as service
from domain.people.access import Permission, Role
from domain.values import CHINA_TZ

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reader = Annotated[ConsoleUser, Depends(require(Permission.LIST_CASES, Permission.AUDIT))]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _reader(user: ConsoleUser) -> ConsoleUser:
    if user.principal.role not in (Role.LEADER, Role.AUDITOR):
        raise PageError(403, "只有领导和审计人员可以查看月报")
    return user


def _last_month() -> str:
    today = datetime.now(CHINA_TZ).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


async def _page(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    *,
    flash: str | None = None,
    error: str | None = None,
    month: str = "",
    status: int = 200,
) -> Response:
    reports = await service.list_reports(user.principal, month=None, sessionmaker=sessionmaker)
    return render(
        request,
        "monthly_reports.html",
        {
            "user": user,
            "reports": reports,
            "flash": flash,
            "error": error,
            "month": month or _last_month(),
        },
        status=status,
    )


@router.get("/reports/monthly")
async def reports_page(
    request: Request, user: Reader, sessionmaker: SessionmakerDep, done: str | None = None
) -> Response:
    flash = "已提交生成，稍后出现在下表（刷新本页查看）。" if done == "1" else None
    return await _page(request, _reader(user), sessionmaker, flash=flash)


@router.post("/reports/monthly")
async def request_report(
    request: Request,
    user: Reader,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> Response:
    form = await checked_form(request, _reader(user))
    month = (form.get("month") or [""])[0].strip()
    if not _MONTH.fullmatch(month):
        return await _page(
            request,
            user,
            sessionmaker,
            error="请按“2026-03”的格式填写月份",
            month=month[:20] if month.isprintable() else "",
            status=422,
        )
    try:
        await service.request_reports(
            user.principal,
            month=month,
            as_of=None,
            task_queue=settings.task_queue,
            temporal=temporal,
        )
    except ApiError as refused:
        return await _page(
            request,
            user,
            sessionmaker,
            error=refused.body.message_zh,
            month=month,
            status=refused.status,
        )
    return RedirectResponse("/reports/monthly?done=1", status_code=303)


@router.get("/reports/monthly/{report_id}/{kind}")
async def download(
    report_id: str,
    kind: str,
    user: Reader,
    sessionmaker: SessionmakerDep,
    files: FilesDep,
) -> Response:
    if kind not in ("xlsx", "pdf"):
        raise PageError(404, "没有这种格式")
    try:
        found = await service.report_file(
            _reader(user).principal,
            report_id,
            "xlsx" if kind == "xlsx" else "pdf",
            sessionmaker=sessionmaker,
        )
    except ApiError as refused:
        raise PageError(refused.status, refused.body.message_zh) from refused
    return StreamingResponse(
        service.file_chunks(files, found.sha256),
        media_type=found.media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}"},
    )
