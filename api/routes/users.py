"""Users (用户管理, 三员分立): security administrators add users and ask for one-time links, a
second security administrator approves; every user issues their own API key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import PrincipalDep
from api.deps import SessionmakerDep
from api.errors import ERROR_RESPONSES
from api.permissions import require_permission
from api.services import account, roster_link, users
from domain.people.access import (
    CenterId,
    GridCode,
    JurisdictionPrefix,
    Permission,
    Principal,
    Role,
    UserId,
)
from domain.text import NO_CONTROL_CHARS

router = APIRouter(tags=["users 用户管理"])

UserManager = Annotated[Principal, Depends(require_permission(Permission.MANAGE_USERS))]
Approver = Annotated[Principal, Depends(require_permission(Permission.APPROVE_CREDENTIALS))]
UserIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
RequestIdPath = Annotated[str, Path(pattern=r"^R[0-9a-f]{16}$")]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: UserId
    display_name: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_CONTROL_CHARS)]
    role: Role
    jurisdiction: JurisdictionPrefix | None = None
    center_id: CenterId | None = None  # an organisation id, as the user's Principal needs it
    grid_code: GridCode | None = None


class Refusal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=500, pattern=NO_CONTROL_CHARS)] = ""


class RequestView(BaseModel):
    request_id: str
    kind: str
    target_user_id: str
    requested_by: str
    opened_at: datetime
    status: str
    decided_by: str | None


@router.get("/v1/admin/users", responses=ERROR_RESPONSES, summary="用户 / the directory")
async def list_users(principal: UserManager, sessionmaker: SessionmakerDep) -> dict[str, Any]:
    lines = await users.list_users(admin=principal, sessionmaker=sessionmaker)
    return {"items": [line.__dict__ for line in lines]}


@router.post(
    "/v1/admin/users",
    status_code=201,
    responses={**ERROR_RESPONSES, 202: {"description": "待另一名安全管理员批准 / pending"}},
    summary="添加用户 / add a user (an administrator or auditor: a request to approve)",
)
async def add_user(
    body: NewUser, principal: UserManager, sessionmaker: SessionmakerDep
) -> JSONResponse:
    added = await users.add_user(
        Principal(**body.model_dump()), admin=principal, sessionmaker=sessionmaker
    )
    if added.request_id is None:
        return JSONResponse({"user_id": added.user_id, "status": "created"}, status_code=201)
    return JSONResponse(
        {"user_id": added.user_id, "status": "pending", "request_id": added.request_id},
        status_code=202,
    )


@router.post(
    "/v1/admin/users/{user_id}/password-link",
    status_code=202,
    responses=ERROR_RESPONSES,
    summary="申请一次性设置密码链接 / ask for a one-time link (a second admin approves)",
)
async def request_password_link(
    user_id: UserIdPath, principal: UserManager, sessionmaker: SessionmakerDep
) -> dict[str, str]:
    request_id = await users.request_password_link(
        user_id, admin=principal, sessionmaker=sessionmaker
    )
    return {"request_id": request_id, "status": "pending"}


class MediatorLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mediator_id: Annotated[
        str | None,
        Field(
            max_length=64,
            pattern=NO_CONTROL_CHARS,
            description="调解员名册编号，null 取消关联 / the roster entry; null unlinks",
        ),
    ]


@router.put(
    "/v1/admin/users/{user_id}/mediator",
    responses=ERROR_RESPONSES,
    summary="关联调解员名册 / link the account to its roster entry (the mediator picks herself)",
)
async def link_mediator(
    user_id: UserIdPath, body: MediatorLink, principal: UserManager, sessionmaker: SessionmakerDep
) -> dict[str, str | None]:
    await roster_link.link_mediator(
        user_id, body.mediator_id, admin=principal, sessionmaker=sessionmaker
    )
    return {"user_id": user_id, "mediator_id": body.mediator_id}


@router.get("/v1/admin/requests", responses=ERROR_RESPONSES, summary="申请 / requests to approve")
async def list_requests(principal: UserManager, sessionmaker: SessionmakerDep) -> dict[str, Any]:
    rows = await users.list_requests(admin=principal, sessionmaker=sessionmaker)
    return {
        "items": [
            RequestView.model_validate(row, from_attributes=True).model_dump(mode="json")
            for row in rows
        ]
    }


@router.post(
    "/v1/admin/requests/{request_id}/approve",
    responses=ERROR_RESPONSES,
    summary="批准 / approve another administrator's request: the one-time link, shown once",
)
async def approve(
    request_id: RequestIdPath, principal: Approver, sessionmaker: SessionmakerDep
) -> JSONResponse:
    decided = await users.decide(
        request_id, approve=True, approver=principal, sessionmaker=sessionmaker
    )
    return JSONResponse(
        {
            "request_id": decided.request_id,
            "status": decided.status.value,
            "user_id": decided.user_id,
            "link": f"/welcome/{decided.link_token}",
            "expires_at": decided.link_expires_at.isoformat() if decided.link_expires_at else None,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/v1/admin/requests/{request_id}/refuse",
    responses=ERROR_RESPONSES,
    summary="驳回 / refuse another administrator's request",
)
async def refuse(
    request_id: RequestIdPath, body: Refusal, principal: Approver, sessionmaker: SessionmakerDep
) -> dict[str, str]:
    decided = await users.decide(
        request_id,
        approve=False,
        approver=principal,
        reason=body.reason or None,
        sessionmaker=sessionmaker,
    )
    return {"request_id": decided.request_id, "status": decided.status.value}


@router.post(
    "/v1/account/key",
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="本人的 API 密钥 / issue an API key to oneself (shown once)",
)
async def own_key(principal: PrincipalDep, sessionmaker: SessionmakerDep) -> JSONResponse:
    issued = await account.issue_own_key(principal, sessionmaker=sessionmaker)
    return JSONResponse(
        {"key_id": issued.key_id, "key": issued.key},
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )
