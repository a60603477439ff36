"""台账导入: upload a ledger (.xlsx), follow its progress, download the rejected rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response

from activities.reports.ledger_book import XLSX
from api.deps import FilesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.permissions import Mediator
from api.services import ledger

router = APIRouter(prefix="/v1/ledger", tags=["ledger 台账"])
ImportIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="导入编号")]


@router.post(
    "/imports",
    status_code=202,
    responses=ERROR_RESPONSES,
    summary="导入台账 / import a ledger (.xlsx, multipart ``file``): rows registered as cases",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
            "required": True,
        }
    },
)
async def start_import(
    request: Request,
    principal: Mediator,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    files: FilesDep,
) -> JSONResponse:
    started = await ledger.start_import(
        request.headers.get("content-type", ""),
        request.stream(),
        principal=principal,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
        files=files,
    )
    body = {**ledger.import_view(started.entry), "new": started.new}
    return JSONResponse(body, status_code=202 if started.new else 200)


@router.get("/imports", responses=ERROR_RESPONSES, summary="本单位的台账导入 / imports")
async def list_imports(principal: Mediator, sessionmaker: SessionmakerDep) -> JSONResponse:
    entries = await ledger.list_imports(principal, sessionmaker)
    return JSONResponse({"items": [ledger.import_view(entry) for entry in entries]})


@router.get(
    "/imports/{import_id}",
    responses=ERROR_RESPONSES,
    summary="导入进度 / an import's progress: rows registered and rejected so far",
)
async def import_status(
    import_id: ImportIdPath, principal: Mediator, sessionmaker: SessionmakerDep
) -> JSONResponse:
    return JSONResponse(
        ledger.import_view(await ledger.import_status(import_id, principal, sessionmaker))
    )


@router.get(
    "/imports/{import_id}/rejected",
    responses={**ERROR_RESPONSES, 200: {"content": {XLSX: {}}, "description": "拒收行"}},
    response_class=Response,
    summary="拒收行 / the rejected rows as in the file, with 拒收原因 (.xlsx)",
)
async def rejected_rows(
    import_id: ImportIdPath, principal: Mediator, sessionmaker: SessionmakerDep, files: FilesDep
) -> Response:
    return await ledger.rejected_file(import_id, principal, sessionmaker=sessionmaker, files=files)
