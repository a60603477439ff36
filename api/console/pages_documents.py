"""文书 on the case page: issue a document, download a version as PDF or Word.

The same services as ``/v1/cases/{id}/documents``: issuing is a command of the organisation
acting on the case; a download is masked unless the reader may reveal, and every download is
recorded in the access trail. Staff who may reveal print the clear copy (a document is for the
parties: it carries their particulars); others get the masked copy.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from api.console.pages_cases import _case_page, _checked_case_id
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.deps import FilesDep, ScopesDep, SessionmakerDep, SettingsDep, TemplatesDep, TemporalDep
from api.errors import ApiError
from api.services import papers
from domain.case.issued import DocumentKind
from domain.people.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reader = Annotated[ConsoleUser, Depends(require(Permission.READ_CASE))]
Actor = Annotated[ConsoleUser, Depends(require(Permission.ACT))]

_KEY = re.compile(r"^[a-z_]+(:\d{1,6})?$")


@router.post("/cases/{case_id}/documents")
async def issue(
    request: Request,
    case_id: str,
    user: Actor,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    scopes: ScopesDep,
    settings: SettingsDep,
    templates: TemplatesDep,
) -> Response:
    case_id = _checked_case_id(case_id)
    form = await checked_form(request, user)
    kind_value = (form.get("kind") or [""])[0]
    subject_text = (form.get("subject") or [""])[0].strip()
    key = (form.get("idempotency_key") or [""])[0] or str(uuid.uuid4())
    error = ""
    try:
        kind = DocumentKind(kind_value)
        subject = int(subject_text) if subject_text else None
        if subject is not None and subject < 1:
            raise ValueError
    except ValueError:
        error = "请选择文书种类；次数须为正整数"
    if not error:
        try:
            issued = await papers.issue(
                case_id,
                kind,
                subject,
                key=key,
                principal=user.principal,
                scopes=scopes,
                sessionmaker=sessionmaker,
                temporal=temporal,
                settings=settings,
                templates=templates,
            )
        except ApiError as refused:
            if refused.status in (401, 403, 404):
                raise
            error = refused.body.message_zh
        else:
            anchor = quote(issued.entry["key"])
            return RedirectResponse(f"/cases/{case_id}?done=document#doc-{anchor}", status_code=303)
    return await _case_page(
        request,
        user,
        case_id,
        sessionmaker=sessionmaker,
        temporal=temporal,
        scopes=scopes,
        status=422,
        doc_error=error,
        doc_kind=kind_value,
    )


@router.get("/cases/{case_id}/documents/{key}/{format}")
async def download(
    case_id: str,
    key: str,
    format: Literal["pdf", "docx"],
    user: Reader,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    files: FilesDep,
    version: int | None = None,
) -> Response:
    case_id = _checked_case_id(case_id)
    if not _KEY.match(key) or (version is not None and version < 1):
        raise PageError(404, "没有这份文书")
    found = await papers.printed(
        case_id,
        key,
        format,
        version=version,
        reveal=user.may(Permission.REVEAL_PII),
        principal=user.principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        templates=templates,
        settings=settings,
        files=files,
    )
    disposition = f'attachment; filename="{found.filename}"'
    return Response(
        found.content, media_type=found.media_type, headers={"Content-Disposition": disposition}
    )
