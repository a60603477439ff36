"""Auditors (审计) read the leaders' registers: 约谈通报, 重点人员名册 and 领导接访, each read
with its stated purpose and recorded by the service (the access trail), as over
``GET /v1/accountability``, ``GET /v1/watched`` and ``GET /v1/receptions``. Nothing is read until
a purpose is given; a refusal of the service is the error page (``ConsoleRoute``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from api.console.pages_audit import stated_purpose
from api.console.session import ConsoleRoute, ConsoleUser, PageError, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep
from api.params import CASE_ID, RECEPTION_ID
from api.services import accountability, receptions, watched
from domain.people.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Auditor = Annotated[ConsoleUser, Depends(require(Permission.AUDIT))]

CASE_ID_FORMAT = "案件编号格式不正确，如 JF-2026-000123"


async def _read_with_purpose(
    request: Request,
    template: str,
    context: dict[str, Any],
    purpose: str | None,
    read: Callable[[str], Awaitable[Any]],
    *,
    into: str = "items",
    other_error: str = "",
) -> Response:
    """A register page: its purpose form alone until a purpose is sent; then the purpose (and
    ``other_error``, a field of the page's own) checked beside the field, and ``read`` with the
    stated purpose into ``context[into]``."""
    context.update(purpose=purpose or "", purpose_error="")
    context.setdefault(into, None)
    if purpose is None:
        return render(request, template, context)
    stated, context["purpose_error"] = stated_purpose(purpose)
    if stated is None or other_error:
        return render(request, template, context, status=422)
    context["purpose"] = stated
    context[into] = await read(stated)
    return render(request, template, context)


@router.get("/audit/accountability")
async def accountability_register(
    request: Request,
    user: Auditor,
    sessionmaker: SessionmakerDep,
    purpose: str | None = None,
    case_id: str | None = None,
) -> Response:
    """约谈通报 of the auditor's area, about one case when its number is given."""
    wanted = (case_id or "").strip()
    malformed = purpose is not None and wanted and not re.fullmatch(CASE_ID, wanted)
    case_error = CASE_ID_FORMAT if malformed else ""
    context = {"user": user, "case_id": wanted, "case_error": case_error}

    async def read(stated: str) -> Any:
        return await accountability.list_records(
            case_id=wanted or None,
            purpose=stated,
            limit=200,
            principal=user.principal,
            sessionmaker=sessionmaker,
        )

    return await _read_with_purpose(
        request,
        "audit_accountability.html",
        context,
        purpose,
        read,
        other_error=case_error,
    )


@router.get("/audit/watched")
async def watched_register(
    request: Request,
    user: Auditor,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    purpose: str | None = None,
) -> Response:
    """重点人员名册 of the auditor's area (ID numbers masked), if the register's policy lets
    auditors read it."""

    async def read(stated: str) -> Any:
        return await watched.list_persons(
            purpose=stated,
            limit=200,
            principal=user.principal,
            settings=settings,
            sessionmaker=sessionmaker,
        )

    return await _read_with_purpose(request, "audit_watched.html", {"user": user}, purpose, read)


@router.get("/audit/receptions")
async def reception_register(
    request: Request, user: Auditor, sessionmaker: SessionmakerDep, purpose: str | None = None
) -> Response:
    """领导接访 of the auditor's area (visitors' numbers masked)."""

    async def read(stated: str) -> Any:
        return await receptions.list_receptions(
            limit=200, purpose=stated, principal=user.principal, sessionmaker=sessionmaker
        )

    return await _read_with_purpose(request, "audit_receptions.html", {"user": user}, purpose, read)


@router.get("/audit/receptions/{reception_id}")
async def reception_record(
    request: Request,
    reception_id: str,
    user: Auditor,
    sessionmaker: SessionmakerDep,
    purpose: str | None = None,
) -> Response:
    """One reception of the auditor's area with the cases registered from it."""
    if not re.fullmatch(RECEPTION_ID, reception_id):
        raise PageError(404, "接访记录不存在")

    async def read(stated: str) -> Any:
        return await receptions.get_reception(
            reception_id, purpose=stated, principal=user.principal, sessionmaker=sessionmaker
        )

    context = {"user": user, "reception_id": reception_id}
    return await _read_with_purpose(
        request, "audit_reception.html", context, purpose, read, into="r"
    )
