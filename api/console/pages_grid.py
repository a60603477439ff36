"""我上报的事项: a grid worker's (网格员) home page — 上报 a dispute found in their grid, and the
status of the cases they reported.

The report goes through the intake service the JSON route calls (``POST /v1/cases``) and is
validated by the same request model: the service places it at the grid's village and sends it
through the grid channel (网格上报), and the routing rules choose who handles it. The list shows
where each report stands and who handles it, never its parties or its record.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.console.forms import GRID_REPORT_FIELDS, FormState, body_of, form_key
from api.console.refusals import field_errors, show_refusal
from api.console.session import ConsoleRoute, ConsoleUser, checked_form, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.schemas import IntakeRequest
from api.services import intake
from api.services.documents import own_reports
from domain.people.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reporter = Annotated[ConsoleUser, Depends(require(Permission.READ_OWN_REPORTS))]
GridReporter = Annotated[ConsoleUser, Depends(require(Permission.REPORT_FROM_GRID))]

_REPORTED = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")


async def _page(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    *,
    form: FormState | None = None,
    flash: str | None = None,
    status: int = 200,
) -> Response:
    reports = await own_reports(user.principal, limit=100, sessionmaker=sessionmaker)
    context: dict[str, Any] = {"user": user, "reports": reports, "flash": flash}
    if user.principal.may(Permission.REPORT_FROM_GRID):
        context["grid"] = await intake.grid_place(user.principal, sessionmaker=sessionmaker)
        context["form"] = form or FormState(list(GRID_REPORT_FIELDS))
        context["idempotency_key"] = str(uuid.uuid4())
    return render(request, "reports.html", context, status=status)


@router.get("/reports")
async def reports_page(
    request: Request, user: Reporter, sessionmaker: SessionmakerDep, reported: str | None = None
) -> Response:
    flash = None
    if reported and _REPORTED.match(reported):
        flash = f"已上报（{reported}），按分流规则交有关单位办理"
    return await _page(request, user, sessionmaker, flash=flash)


@router.post("/reports")
async def report(
    request: Request,
    user: GridReporter,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Response:
    """上报: the intake service fills in the grid's village and the grid channel."""
    form = await checked_form(request, user)
    fields = list(GRID_REPORT_FIELDS)
    body, raw = body_of(fields, form)
    state = FormState(fields, values=raw)
    try:
        details = await intake.grid_report(body, user.principal, sessionmaker=sessionmaker)
        checked = IntakeRequest.model_validate(details)
        registered = await intake.register(
            checked.model_dump(),
            key=form_key(form),
            principal=user.principal,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
        )
    except ValidationError as error:
        state.errors = field_errors(error, fields)
        return await _page(request, user, sessionmaker, form=state, status=422)
    except ApiError as refused:
        show_refusal(state, refused)
        return await _page(request, user, sessionmaker, form=state, status=refused.status)
    case_id = str(registered.body["case_id"])
    return RedirectResponse(f"/reports?reported={case_id}", status_code=303)
