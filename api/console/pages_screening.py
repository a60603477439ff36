"""排查: the unit's duties (what is due; file the disputes found or 零报告), the leader's duties
of their area and 专项排查, the system administrator's pause of the Schedules.

The pages call the services ``/v1/screening`` calls, with the same request models.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.console.forms import form_key, iso_day
from api.console.refusals import refusal_text
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.screening_schemas import ScreeningReportBody, SweepBody
from api.services import screening
from domain.people.access import Permission
from domain.screening.duties import DutyStatus
from domain.values import CHINA_TZ

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

DutyUser = Annotated[
    ConsoleUser, Depends(require(Permission.FILE_SCREENING, Permission.LAUNCH_SWEEP))
]
Filer = Annotated[ConsoleUser, Depends(require(Permission.FILE_SCREENING))]
Launcher = Annotated[ConsoleUser, Depends(require(Permission.LAUNCH_SWEEP))]
Keeper = Annotated[ConsoleUser, Depends(require(Permission.MANAGE_SCHEDULES))]

_OPEN = (DutyStatus.OPEN.value, DutyStatus.OVERDUE.value)
_DONE = {
    "filed": "排查情况已报送。",
    "zero": "零报告已报送。",
    "sweep": "专项排查已部署，已向辖区内各单位下发排查任务。",
    "paused": "计划任务已暂停。",
    "resumed": "计划任务已恢复。",
}
LEVEL_NAMES = {1: "本单位", 2: "单位负责人", 3: "乡镇（街道）领导", 4: "县级领导"}


def _today() -> date:
    return datetime.now(CHINA_TZ).date()


async def _duties_page(
    request: Request,
    user: ConsoleUser,
    sessionmaker: Any,
    *,
    flash: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    principal = user.principal
    duties = await screening.list_duties(principal, sessionmaker=sessionmaker)
    # What is due, nearest due time first; the rest newest first.
    due = sorted((d for d in duties if d.status in _OPEN), key=lambda d: d.due_at)
    done = [d for d in duties if d.status not in _OPEN]
    choices: dict[str, list[tuple[str, str]]] = {}
    if principal.may(Permission.FILE_SCREENING):
        for duty in due:
            choices[duty.duty_id] = await screening.reportable_cases(
                principal, duty, sessionmaker=sessionmaker
            )
    today = _today()
    return render(
        request,
        "screening.html",
        {
            "user": user,
            "flash": flash,
            "due": due,
            "done": done,
            "choices": choices,
            "filer": principal.may(Permission.FILE_SCREENING),
            "launcher": principal.may(Permission.LAUNCH_SWEEP),
            "errors": errors or {},
            "values": values
            or {"area": principal.jurisdiction or "", "starts_on": str(today), "ends_on": ""},
            "level_names": LEVEL_NAMES,
            # A double submit of one rendering launches one sweep (api/idempotency.py).
            "sweep_key": str(uuid.uuid4()),
        },
        status=status,
    )


@router.get("/screening")
async def duties_page(
    request: Request, user: DutyUser, sessionmaker: SessionmakerDep, done: str | None = None
) -> Response:
    return await _duties_page(request, user, sessionmaker, flash=_DONE.get(done or ""))


@router.post("/screening/{duty_id}/report")
async def file_report(
    request: Request,
    duty_id: str,
    user: Filer,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
) -> Response:
    form = await checked_form(request, user)
    zero = (form.get("kind") or [""])[0] == "zero"
    note = (form.get("note") or [""])[0]
    key = f"report:{duty_id}"
    try:
        body = ScreeningReportBody(
            zero=zero, case_ids=[] if zero else form.get("case_ids", []), note=note
        )
    except ValidationError as error:
        return await _duties_page(
            request,
            user,
            sessionmaker,
            errors={key: refusal_text(error.errors()[0])},
            status=422,
        )
    try:
        await screening.file_report(
            user.principal, duty_id, body, sessionmaker=sessionmaker, temporal=temporal
        )
    except ApiError as refused:
        if refused.status not in (409, 422):
            raise
        return await _duties_page(
            request,
            user,
            sessionmaker,
            errors={key: refused.body.message_zh},
            status=refused.status,
        )
    return RedirectResponse(f"/screening?done={'zero' if zero else 'filed'}", status_code=303)


@router.post("/screening/sweeps")
async def launch_sweep(
    request: Request,
    user: Launcher,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Response:
    form = await checked_form(request, user)
    values = {
        k: (form.get(k) or [""])[0].strip() for k in ("area", "theme", "starts_on", "ends_on")
    }
    errors: dict[str, str] = {}
    days: dict[str, str] = {}
    for name in ("starts_on", "ends_on"):
        try:
            days[name] = iso_day(values[name])
            date.fromisoformat(days[name])
        except ValueError:
            errors[name] = "请按“年-月-日”填写有效日期，如 2026-03-02"
    if not values["theme"]:
        errors["theme"] = "此项必填"
    body: SweepBody | None = None
    if not errors:
        try:
            body = SweepBody(
                area=values["area"],
                theme=values["theme"],
                starts_on=date.fromisoformat(days["starts_on"]),
                ends_on=date.fromisoformat(days["ends_on"]),
            )
        except ValidationError as error:
            first = error.errors()[0]
            where = str(first["loc"][0]) if first["loc"] else "area"
            errors[where] = (
                "请填写 6、9 或 12 位行政区划代码" if where == "area" else refusal_text(first)
            )
    if body is not None:
        try:
            await screening.launch_sweep(
                user.principal,
                body,
                key=form_key(form),
                sessionmaker=sessionmaker,
                temporal=temporal,
                settings=settings,
                today=_today(),
            )
        except ApiError as refused:
            if refused.status != 422:
                raise
            field = refused.body.field or "area"
            errors[field if field in values else "sweep"] = refused.body.message_zh
    if errors:
        return await _duties_page(
            request, user, sessionmaker, errors=errors, values=values, status=422
        )
    return RedirectResponse("/screening?done=sweep", status_code=303)


@router.get("/admin/schedules")
async def schedules_page(
    request: Request,
    user: Keeper,
    temporal: TemporalDep,
    settings: SettingsDep,
    done: str | None = None,
) -> Response:
    views = await screening.schedules(temporal, settings)
    return render(
        request,
        "admin_schedules.html",
        {"user": user, "flash": _DONE.get(done or ""), "schedules": views},
    )


@router.post("/admin/schedules/{schedule_id}/{what}")
async def pause_schedule(
    request: Request,
    schedule_id: str,
    what: str,
    user: Keeper,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Response:
    form = await checked_form(request, user)
    if what not in ("pause", "resume"):
        raise PageError(404, "没有这项操作")
    note = (form.get("note") or [""])[0].strip()[:500]
    await screening.pause_schedule(
        schedule_id, paused=what == "pause", note=note, temporal=temporal, settings=settings
    )
    return RedirectResponse(
        f"/admin/schedules?done={'paused' if what == 'pause' else 'resumed'}", status_code=303
    )
