"""证据材料 in the console: attach a file (or a photo from a phone's camera, or a signature drawn
on a tablet) to a step of the case, and view the files; the same services as the JSON API."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from api.console.session import ConsoleRoute, ConsoleUser, PageError, require, same_origin
from api.deps import FilesDep, ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.services import attachments
from domain.people.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

# A grid worker reads the photos of their own reports (the service refuses anything else).
Reader = Annotated[ConsoleUser, Depends(require(Permission.READ_CASE, Permission.READ_OWN_REPORTS))]
Attacher = Annotated[ConsoleUser, Depends(require(Permission.ACT, Permission.REPORT_FROM_GRID))]


@router.post("/cases/{case_id}/attachments")
async def attach(
    request: Request,
    case_id: str,
    user: Attacher,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    files: FilesDep,
) -> Response:
    """The form's file, streamed like the API's upload; the form token is checked before the
    file is kept. A script (signature pad) asks for JSON; a plain form goes back to the case."""
    if not same_origin(request):
        raise PageError(403, "表单已失效或来源不明，请刷新页面后重试")

    def token_checked(fields: dict[str, str]) -> None:
        if not hmac.compare_digest(fields.get("csrf_token", ""), user.csrf_token):
            raise PageError(403, "表单已失效或来源不明，请刷新页面后重试")

    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        added = await attachments.upload(
            case_id,
            request.headers.get("content-type", ""),
            request.stream(),
            key=None,
            principal=user.principal,
            scopes=scopes,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
            files=files,
            check_fields=token_checked,
        )
    except ApiError as refused:
        if wants_json:
            raise
        raise PageError(refused.status, refused.body.message_zh) from None
    if wants_json:
        return Response(status_code=201, content=added["attachment_id"], media_type="text/plain")
    back = "/reports" if not user.may(Permission.READ_CASE) else f"/cases/{case_id}"
    return RedirectResponse(f"{back}?done=attached#files", status_code=303)


@router.get("/cases/{case_id}/attachments/{attachment_id}")
async def view(
    case_id: str,
    attachment_id: str,
    user: Reader,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    files: FilesDep,
    thumbnail: bool = False,
) -> Response:
    found, chunks = await attachments.download(
        case_id,
        attachment_id,
        thumbnail=thumbnail,
        purpose=None,
        principal=user.principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        files=files,
    )
    inline = "inline" if thumbnail else "attachment"
    return StreamingResponse(
        chunks,
        media_type="image/jpeg" if thumbnail else found["media_type"],
        headers={
            "Content-Disposition": f"{inline}; filename*=UTF-8''{quote(found['name'], safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
