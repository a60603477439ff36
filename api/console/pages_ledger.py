"""台账 in the console: export the list shown as a 登记台账, import a ledger file and follow its
progress (the page refreshes itself without script; with script the bar moves in place), and
download the rejected rows. The same services as the JSON API (``api/services/ledger.py``)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.console.pages_case_list import chosen
from api.console.session import ConsoleRoute, ConsoleUser, PageError, require, same_origin
from api.console.templating import render
from api.deps import FilesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.services import cases, ledger
from domain.case.ledger import ACCEPTED_COLUMN, LEDGER_COLUMNS, REQUIRED_COLUMNS
from domain.people.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Lister = Annotated[ConsoleUser, Depends(require(Permission.LIST_CASES))]
Importer = Annotated[ConsoleUser, Depends(require(Permission.ACT))]
STATUS_LABELS = {"running": "导入中", "finished": "已完成", "failed": "失败"}


def _may_import(user: ConsoleUser) -> bool:
    return user.may(Permission.ACT) and user.principal.center_id is not None


def _refused(refused: ApiError) -> PageError:
    if refused.status >= 500:
        raise refused
    return PageError(refused.status if refused.status < 500 else 400, refused.body.message_zh)


@router.get("/ledger")
async def ledger_page(request: Request, user: Lister, sessionmaker: SessionmakerDep) -> Response:
    imports = await ledger.list_imports(user.principal, sessionmaker) if _may_import(user) else []
    return render(
        request,
        "ledger.html",
        {
            "user": user,
            "may_import": _may_import(user),
            "imports": [ledger.import_view(entry) for entry in imports],
            "status_labels": STATUS_LABELS,
            "columns": LEDGER_COLUMNS,
            "required": REQUIRED_COLUMNS,
            "accepted_column": ACCEPTED_COLUMN,
        },
    )


@router.get("/ledger/export")
async def export_ledger(
    request: Request, user: Lister, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> Response:
    """The list the case page shows (its filters and reach) as the 登记台账."""
    asked = chosen(request)
    if asked.error:
        raise PageError(400, asked.error)
    try:
        where = cases.list_filter(
            asked.filters,
            backlog=asked.backlog,
            holding=asked.holding,
            principal=user.principal,
            settings=settings,
        )
        return await ledger.export_ledger(
            where,
            by_deadline=asked.by_deadline,
            principal=user.principal,
            sessionmaker=sessionmaker,
        )
    except ApiError as refused:
        raise _refused(refused) from None


@router.post("/ledger/imports")
async def start_import(
    request: Request,
    user: Importer,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    files: FilesDep,
) -> Response:
    if not same_origin(request):
        raise PageError(403, "表单已失效或来源不明，请刷新页面后重试")

    def token_checked(fields: dict[str, str]) -> None:
        if not hmac.compare_digest(fields.get("csrf_token", ""), user.csrf_token):
            raise PageError(403, "表单已失效或来源不明，请刷新页面后重试")

    try:
        started = await ledger.start_import(
            request.headers.get("content-type", ""),
            request.stream(),
            principal=user.principal,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
            files=files,
            check_fields=token_checked,
        )
    except ApiError as refused:
        raise _refused(refused) from None
    again = "" if started.new else "?again=1"
    return RedirectResponse(f"/ledger/imports/{started.entry.import_id}{again}", status_code=303)


async def _import(
    import_id: str, user: ConsoleUser, sessionmaker: SessionmakerDep
) -> dict[str, Any]:
    if len(import_id) != 32 or not all(ch in "0123456789abcdef" for ch in import_id):
        raise PageError(404, "没有这次导入")
    try:
        return ledger.import_view(
            await ledger.import_status(import_id, user.principal, sessionmaker)
        )
    except ApiError as refused:
        raise _refused(refused) from None


@router.get("/ledger/imports/{import_id}")
async def import_page(
    request: Request,
    import_id: str,
    user: Importer,
    sessionmaker: SessionmakerDep,
    again: bool = False,
) -> Response:
    found = await _import(import_id, user, sessionmaker)
    flash = "该文件本单位已导入过，未重复登记；以下是那次导入的结果" if again else None
    return render(
        request,
        "ledger_import.html",
        {"user": user, "item": found, "status_labels": STATUS_LABELS, "flash": flash},
    )


@router.get("/ledger/imports/{import_id}/progress")
async def import_progress(
    import_id: str, user: Importer, sessionmaker: SessionmakerDep
) -> Response:
    """The progress the page's script polls (the same figures the page shows)."""
    found = await _import(import_id, user, sessionmaker)
    found["status_label"] = STATUS_LABELS.get(found["status"], found["status"])
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


@router.get("/ledger/imports/{import_id}/rejected")
async def rejected_rows(
    import_id: str, user: Importer, sessionmaker: SessionmakerDep, files: FilesDep
) -> Response:
    await _import(import_id, user, sessionmaker)
    try:
        return await ledger.rejected_file(
            import_id, user.principal, sessionmaker=sessionmaker, files=files
        )
    except ApiError as refused:
        raise _refused(refused) from None
