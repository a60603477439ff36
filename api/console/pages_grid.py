"""我上报的事项: a grid worker's (网格员) home page — 上报 a dispute found in their grid, and the
status of the cases they reported.

The report goes through the intake service the JSON route calls (``POST /v1/cases``) and is
validated by the same request model: the service places it at the grid's village and sends it
through the grid channel (网格上报), and the routing rules choose who handles it. Photos taken
with the phone's camera go with the report (网格员上报照片: files of the report step of the case
it registered). The list shows where each report stands and who handles it, and the report's
photos, never its parties or its record.
"""

from __future__ import annotations

import hmac
import re
import uuid
from contextlib import ExitStack
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from activities.files.spool import Spool
from api.console.forms import GRID_REPORT_FIELDS, FormState, body_of, form_key
from api.console.refusals import field_errors, show_refusal
from api.console.session import (
    FORM_LIMIT,
    ConsoleRoute,
    ConsoleUser,
    PageError,
    checked_form,
    require,
    same_origin,
)
from api.console.templating import render
from api.deps import FilesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.schemas import IntakeRequest
from api.services import attachments, intake
from api.services.documents import own_reports
from api.uploads import Part, receive_form, spool_dir
from domain.people.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reporter = Annotated[ConsoleUser, Depends(require(Permission.READ_OWN_REPORTS))]
GridReporter = Annotated[ConsoleUser, Depends(require(Permission.REPORT_FROM_GRID))]

_REPORTED = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")
MAX_REPORT_PHOTOS = 6  # photos taken with one report (more can be added to it afterwards)


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
    files: FilesDep,
) -> Response:
    """上报: the intake service fills in the grid's village and the grid channel; the photos
    taken with it (a phone's camera) are checked by content before the case is registered,
    then kept as files of the report step of the case it registered."""
    with ExitStack() as spools:
        form, photos = await _report_form(request, user, settings, spools)
        fields = list(GRID_REPORT_FIELDS)
        body, raw = body_of(fields, form)
        state = FormState(fields, values=raw)
        key = form_key(form) or str(uuid.uuid4())
        try:
            media_types = attachments.checked_photos(photos)
            details = await intake.grid_report(body, user.principal, sessionmaker=sessionmaker)
            checked = IntakeRequest.model_validate(details)
            registered = await intake.register(
                checked.model_dump(),
                key=key,
                principal=user.principal,
                sessionmaker=sessionmaker,
                temporal=temporal,
                settings=settings,
            )
            case_id = str(registered.body["case_id"])
            await attachments.add_report_photos(
                case_id,
                photos,
                media_types,
                key=key,
                principal=user.principal,
                sessionmaker=sessionmaker,
                temporal=temporal,
                settings=settings,
                files=files,
            )
        except ValidationError as error:
            state.errors = field_errors(error, fields)
            return await _page(request, user, sessionmaker, form=state, status=422)
        except ApiError as refused:
            if refused.body.field == "photos":
                state.errors["photos"] = refused.body.message_zh
            else:
                show_refusal(state, refused)
            return await _page(request, user, sessionmaker, form=state, status=refused.status)
    return RedirectResponse(f"/reports?reported={case_id}", status_code=303)


async def _report_form(
    request: Request, user: ConsoleUser, settings: SettingsDep, spools: ExitStack
) -> tuple[dict[str, list[str]], list[Part]]:
    """The report's fields and photos (multipart, streamed into spools closed with
    ``spools``), or its fields alone (a form without files); 403 without this session's form
    token from this origin."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return await checked_form(request, user), []

    def open_spool() -> Spool:
        return spools.enter_context(Spool(spool_dir(settings.data_dir), settings.max_upload_bytes))

    try:
        form, photos = await receive_form(
            content_type,
            request.stream(),
            open_spool,
            file_field="photos",
            max_files=MAX_REPORT_PHOTOS,
            text_limit=FORM_LIMIT,
        )
    except ApiError as refused:
        raise PageError(refused.status, refused.body.message_zh) from None
    sent = (form.get("csrf_token") or [""])[0]
    if not same_origin(request) or not hmac.compare_digest(sent, user.csrf_token):
        raise PageError(403, "表单已失效或来源不明，请刷新页面后重试")
    return form, photos
