"""证据材料 routes: upload (multipart, streamed), list, download (recorded), withdraw."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict

from api.deps import FilesDep, ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import CaseIdPath, IdempotencyKey, OptionalPurpose
from api.permissions import Mediator, Reader, Registrar
from api.services import attachments
from domain.text import ShortText

router = APIRouter(prefix="/v1/cases", tags=["attachments 证据材料"])

# The upload path reads its body as it streams (the app's small-body limit does not buffer it).
STREAMED_UPLOADS = re.compile(
    r"/v1/cases/[^/]+/attachments|/cases/[^/]+/attachments|/v1/ledger/imports|/ledger/imports"
)
AttachmentIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: ShortText


@router.post(
    "/{case_id}/attachments",
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="添加证据材料 / upload a file (multipart: file, step, name?, signer?)",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "step": {"type": "string"},
                            "name": {"type": "string"},
                            "signer": {"type": "string"},
                        },
                    }
                }
            },
            "required": True,
        }
    },
)
async def upload(
    case_id: CaseIdPath,
    request: Request,
    principal: Registrar,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    files: FilesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    added = await attachments.upload(
        case_id,
        request.headers.get("content-type", ""),
        request.stream(),
        key=idempotency_key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
        files=files,
    )
    return JSONResponse(added, status_code=201)


@router.get(
    "/{case_id}/attachments",
    responses=ERROR_RESPONSES,
    summary="证据材料列表 / the case's files (withdrawn ones marked)",
)
async def list_attachments(
    case_id: CaseIdPath, principal: Reader, scopes: ScopesDep, sessionmaker: SessionmakerDep
) -> JSONResponse:
    found = await attachments.list_attachments(
        case_id, principal=principal, scopes=scopes, sessionmaker=sessionmaker
    )
    return JSONResponse(found)


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    responses=ERROR_RESPONSES,
    summary="下载证据材料 / download a file (recorded in the access trail)",
)
async def download(
    case_id: CaseIdPath,
    attachment_id: AttachmentIdPath,
    principal: Reader,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    files: FilesDep,
    purpose: OptionalPurpose = None,
    thumbnail: Annotated[bool, Query(description="缩略图（无EXIF）/ the thumbnail")] = False,
) -> StreamingResponse:
    found, chunks = await attachments.download(
        case_id,
        attachment_id,
        thumbnail=thumbnail,
        purpose=purpose,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        files=files,
    )
    media_type = "image/jpeg" if thumbnail else found["media_type"]
    name = quote(found["name"], safe="")
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/{case_id}/attachments/{attachment_id}/withdraw",
    responses=ERROR_RESPONSES,
    summary="撤回证据材料 / withdraw a file (kept, marked withdrawn with the reason)",
)
async def withdraw(
    case_id: CaseIdPath,
    attachment_id: AttachmentIdPath,
    body: WithdrawBody,
    principal: Mediator,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    view = await attachments.withdraw(
        case_id,
        attachment_id,
        body.reason,
        key=idempotency_key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
    return JSONResponse(view)
