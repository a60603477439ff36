"""Requests and approvals (申请与审批, 三员分立): what one administrator asked, decided by a second
security administrator; an approved link is shown once, to the approver, to hand to the user.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api.console.refusals import refusal_text
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import SessionmakerDep
from api.services import users
from domain.people.access import Permission
from domain.people.administration import (
    REQUEST_KIND_LABELS,
    REQUEST_STATUS_LABELS,
    RequestKind,
    RequestStatus,
)
from domain.text import Remark

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

UserAdmin = Annotated[ConsoleUser, Depends(require(Permission.MANAGE_USERS))]
Approver = Annotated[ConsoleUser, Depends(require(Permission.APPROVE_CREDENTIALS))]

_DONE = {"refused": "已驳回该申请"}


@router.get("/admin/requests")
async def requests_page(
    request: Request, user: UserAdmin, sessionmaker: SessionmakerDep, done: str | None = None
) -> Response:
    rows = await users.list_requests(admin=user.principal, sessionmaker=sessionmaker)
    listed = [
        {
            "request_id": row.request_id,
            "kind": REQUEST_KIND_LABELS[RequestKind(row.kind)],
            "target": row.target_user_id,
            "role": (row.new_user or {}).get("role"),
            "requested_by": f"{row.requested_by_name}（{row.requested_by}）",
            "own": row.requested_by == user.principal.user_id,
            "opened_at": row.opened_at,
            "pending": row.status == RequestStatus.PENDING.value,
            "status": REQUEST_STATUS_LABELS[RequestStatus(row.status)],
            "decided_by": row.decided_by,
        }
        for row in rows
    ]
    return render(
        request,
        "admin_requests.html",
        {
            "user": user,
            "rows": listed,
            "flash": _DONE.get(done or ""),
            "may_decide": user.may(Permission.APPROVE_CREDENTIALS),
        },
    )


_REASON: TypeAdapter[str] = TypeAdapter(Remark)


@router.post("/admin/requests/{request_id}/{what}")
async def decide(
    request: Request, request_id: str, what: str, user: Approver, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    if what not in ("approve", "refuse"):
        raise PageError(404, "没有这项操作")
    try:  # the reason is kept in the administration trail: the API's own text checks
        reason = _REASON.validate_python((form.get("reason") or [""])[0]) or None
    except ValidationError as error:
        raise PageError(422, f"驳回理由{refusal_text(error.errors()[0])}") from error
    decided = await users.decide(
        request_id,
        approve=what == "approve",
        approver=user.principal,
        reason=reason,
        sessionmaker=sessionmaker,
    )
    if decided.link_token is None:
        return RedirectResponse("/admin/requests?done=refused", status_code=303)
    link = str(request.base_url).rstrip("/") + f"/welcome/{decided.link_token}"
    response = render(
        request,
        "admin_link.html",
        {"user": user, "decided": decided, "link": link},
    )
    response.headers["Cache-Control"] = "no-store"
    return response
