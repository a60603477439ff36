"""Users (用户管理) under 三员分立: the directory, one-time links, approvals, keys, the trail.

Security administrators (安全管理员) manage every user; a center administrator only the staff of
their center. Nobody sets another user's password or sees their API key: a password is chosen by
the user through a one-time link that a *second* security administrator approved; a key is issued
by its holder. Adding an administrator or an auditor needs the same second approval. Every act
is appended to the administration trail in the transaction that does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import admin_trail, handover, passwords, principals
from activities.identity.admin_trail import Actor
from activities.identity.principals import DirectoryError
from activities.store.sql import utc
from activities.store.tables import CredentialRequestRow
from api.errors import ApiError, database_errors, forbidden
from domain.people.access import Permission, Principal, Role
from domain.people.administration import (
    AdminAction,
    RequestKind,
    RequestStatus,
    creation_needs_approval,
    decision_refusal,
)

Sessionmaker = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class UserLine:
    user_id: str
    display_name: str
    role: Role
    jurisdiction: str | None
    center_id: str | None
    active: bool
    has_password: bool
    locked_until: datetime | None
    keys: int  # keys neither revoked nor expired
    mediator_id: str | None = None  # 调解员名册: the roster entry the account is linked to


@dataclass(frozen=True)
class Added:
    """A user added at once, or a request waiting for a second security administrator."""

    user_id: str
    request_id: str | None = None


@dataclass(frozen=True)
class Decided:
    """An approved request's one-time link (shown once, to the approver only), or a refusal."""

    request_id: str
    status: RequestStatus
    user_id: str
    link_token: str | None = None
    link_expires_at: datetime | None = None


def _center_of(admin: Principal) -> str | None:
    return admin.center_id if admin.role is Role.CENTER_ADMIN else None


def _refused(error: DirectoryError) -> ApiError:
    text = str(error)
    return ApiError(422, "directory_refused", text.split(" / ")[0], text)


def _require_manager(admin: Principal) -> None:
    if not admin.may(Permission.MANAGE_USERS):
        raise forbidden(
            "只有安全管理员（及中心管理员对本单位人员）可以管理用户",
            f"role '{admin.role.value}' may not manage users",
        )


async def list_users(*, admin: Principal, sessionmaker: Sessionmaker) -> list[UserLine]:
    _require_manager(admin)
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker() as session:
            rows = await principals.list_users(session=session, center_id=_center_of(admin))
            keys = await principals.list_keys(session=session)
    live: dict[str, int] = {}
    for key in keys:
        if key.revoked_at is None and (key.expires_at is None or utc(key.expires_at) > now):
            live[key.user_id] = live.get(key.user_id, 0) + 1
    return [
        UserLine(
            user_id=row.user_id,
            display_name=row.display_name,
            role=Role(row.role),
            jurisdiction=row.jurisdiction_code,
            center_id=row.center_id,
            active=row.active,
            has_password=row.password_hash is not None,
            locked_until=utc(row.locked_until)
            if row.locked_until is not None and utc(row.locked_until) > now
            else None,
            keys=live.get(row.user_id, 0),
            mediator_id=row.mediator_id,
        )
        for row in rows
    ]


# A center admin keeps the staff of their own organisation; leaders, auditors and administrators
# are the security administrators' (三员分立).
_CENTER_MANAGES = frozenset({Role.MEDIATOR, Role.CENTER_ADMIN, Role.GRID_WORKER})


async def managed(admin: Principal, user_id: str, session: AsyncSession) -> None:
    _require_manager(admin)
    row = await principals.get_user(user_id, session=session)
    center = _center_of(admin)
    if row is None or (
        center is not None and (row.center_id != center or Role(row.role) not in _CENTER_MANAGES)
    ):
        raise ApiError(404, "user_not_found", f"用户 {user_id} 不存在", f"no user {user_id}")


async def add_user(user: Principal, *, admin: Principal, sessionmaker: Sessionmaker) -> Added:
    """Add a user (no credential yet); an administrator or auditor waits for a second approval."""
    _require_manager(admin)
    center = _center_of(admin)
    if center is not None and (
        user.center_id != center
        or user.role not in _CENTER_MANAGES
        or user.jurisdiction is None
        or not admin.covers(user.jurisdiction)
    ):
        raise ApiError(
            403,
            "forbidden",
            "中心管理员只能在本单位、本辖区内添加调解员、中心管理员和网格员",
            "a center admin adds only mediators, center admins and grid workers of their own "
            "organisation, within their area",
        )
    now = datetime.now(UTC)
    actor = Actor.of(admin)
    details = {"role": user.role.value, "display_name": user.display_name}
    try:
        with database_errors():
            async with sessionmaker.begin() as session:
                if not creation_needs_approval(user.role):
                    await principals.create_user(user, session=session)
                    await admin_trail.append(
                        actor,
                        AdminAction.USER_CREATED,
                        target=user.user_id,
                        details=details,
                        at=now,
                        session=session,
                    )
                    return Added(user.user_id)
                if not user.complete:
                    raise DirectoryError(f"role {user.role.value} needs a jurisdiction")
                if await principals.get_user(user.user_id, session=session) is not None:
                    raise DirectoryError(f"user {user.user_id} already exists")
                request = await handover.open_request(
                    RequestKind.CREATE_USER,
                    user.user_id,
                    requester=admin,
                    new_user=user.model_dump(mode="json"),
                    now=now,
                    session=session,
                )
                await admin_trail.append(
                    actor,
                    AdminAction.REQUEST_OPENED,
                    target=user.user_id,
                    details={**details, "request": request.request_id, "kind": request.kind},
                    at=now,
                    session=session,
                )
                return Added(user.user_id, request.request_id)
    except DirectoryError as error:
        raise _refused(error) from error


async def request_password_link(
    user_id: str, *, admin: Principal, sessionmaker: Sessionmaker
) -> str:
    """Ask that ``user_id`` get a one-time link to set their own password; the request id."""
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker.begin() as session:
            await managed(admin, user_id, session)
            if await handover.pending_for(user_id, RequestKind.PASSWORD_LINK, session=session):
                raise ApiError(
                    409,
                    "request_pending",
                    "该用户已有待批准的链接申请",
                    "a link request for this user is already pending",
                )
            request = await handover.open_request(
                RequestKind.PASSWORD_LINK, user_id, requester=admin, now=now, session=session
            )
            await admin_trail.append(
                Actor.of(admin),
                AdminAction.REQUEST_OPENED,
                target=user_id,
                details={"request": request.request_id, "kind": request.kind},
                at=now,
                session=session,
            )
            return request.request_id


async def list_requests(
    *, admin: Principal, sessionmaker: Sessionmaker, pending_only: bool = False
) -> list[CredentialRequestRow]:
    _require_manager(admin)
    status = RequestStatus.PENDING if pending_only else None
    with database_errors():
        async with sessionmaker() as session:
            rows = await handover.list_requests(session=session, status=status)
    center = _center_of(admin)
    return [row for row in rows if center is None or row.requested_by == admin.user_id]


async def decide(
    request_id: str,
    *,
    approve: bool,
    approver: Principal,
    sessionmaker: Sessionmaker,
    reason: str | None = None,
) -> Decided:
    """A second security administrator approves (the link is issued) or refuses a request."""
    now = datetime.now(UTC)
    actor = Actor.of(approver)
    try:
        with database_errors():
            async with sessionmaker.begin() as session:
                row = await handover.get_request(request_id, session=session, for_update=True)
                if row is None:
                    raise ApiError(
                        404,
                        "request_not_found",
                        f"申请 {request_id} 不存在",
                        f"no request {request_id}",
                    )
                refusal = decision_refusal(
                    requested_by=row.requested_by,
                    status=RequestStatus(row.status),
                    opened_at=utc(row.opened_at),
                    approver=approver,
                    now=now,
                )
                if refusal is not None:
                    status = 409 if row.status != RequestStatus.PENDING.value else 403
                    raise ApiError(status, "approval_refused", refusal, "approval refused")
                row.decided_by = approver.user_id
                row.decided_at = now
                row.reason = reason
                trail = {
                    "request": row.request_id,
                    "kind": row.kind,
                    "requested_by": row.requested_by,
                }
                if not approve:
                    row.status = RequestStatus.REFUSED.value
                    await admin_trail.append(
                        actor,
                        AdminAction.REQUEST_REFUSED,
                        target=row.target_user_id,
                        details={**trail, "reason": reason or ""},
                        at=now,
                        session=session,
                    )
                    return Decided(row.request_id, RequestStatus.REFUSED, row.target_user_id)
                row.status = RequestStatus.APPROVED.value
                await admin_trail.append(
                    actor,
                    AdminAction.REQUEST_APPROVED,
                    target=row.target_user_id,
                    details=trail,
                    at=now,
                    session=session,
                )
                if row.kind == RequestKind.CREATE_USER.value and row.new_user is not None:
                    created = Principal.model_validate(row.new_user)
                    await principals.create_user(created, session=session)
                    await admin_trail.append(
                        Actor(row.requested_by, row.requested_by_name, "security_admin"),
                        AdminAction.USER_CREATED,
                        target=created.user_id,
                        details={"role": created.role.value, "approved_by": approver.user_id},
                        at=now,
                        session=session,
                    )
                token, expires = await handover.issue_link(
                    row.target_user_id, request_id=row.request_id, now=now, session=session
                )
                await admin_trail.append(
                    actor,
                    AdminAction.LINK_ISSUED,
                    target=row.target_user_id,
                    details={"request": row.request_id, "expires_at": expires.isoformat()},
                    at=now,
                    session=session,
                )
                return Decided(
                    row.request_id, RequestStatus.APPROVED, row.target_user_id, token, expires
                )
    except DirectoryError as error:
        raise _refused(error) from error


async def set_active(
    user_id: str, active: bool, *, admin: Principal, sessionmaker: Sessionmaker
) -> None:
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker.begin() as session:
            await managed(admin, user_id, session)
            await principals.set_active(user_id, active, session=session)
            action = AdminAction.USER_ENABLED if active else AdminAction.USER_DISABLED
            await admin_trail.append(
                Actor.of(admin), action, target=user_id, at=now, session=session
            )


async def unlock(user_id: str, *, admin: Principal, sessionmaker: Sessionmaker) -> None:
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker.begin() as session:
            await managed(admin, user_id, session)
            await passwords.unlock(user_id, session=session)
            await admin_trail.append(
                Actor.of(admin),
                AdminAction.USER_UNLOCKED,
                target=user_id,
                at=now,
                session=session,
            )


async def revoke_key(key_id: str, *, admin: Principal, sessionmaker: Sessionmaker) -> None:
    """Revoking takes nothing from anyone's view: an administrator may do it alone."""
    now = datetime.now(UTC)
    try:
        with database_errors():
            async with sessionmaker.begin() as session:
                rows = await principals.list_keys(session=session)
                owner = next((row.user_id for row in rows if row.key_id == key_id), None)
                if owner is None:
                    raise DirectoryError(f"no key {key_id}")
                await managed(admin, owner, session)
                await principals.revoke_key(key_id, session=session, now=now)
                await admin_trail.append(
                    Actor.of(admin),
                    AdminAction.KEY_REVOKED,
                    target=owner,
                    details={"key_id": key_id},
                    at=now,
                    session=session,
                )
    except DirectoryError as error:
        raise _refused(error) from error


def another_users_credential() -> ApiError:
    """What an administrator trying to set a password or show a key of another user is told."""
    return forbidden(
        "管理员不能设置他人密码或查看他人密钥：密码由本人通过一次性链接设置（须另一名安全管理员"
        "批准），API 密钥由本人登录后签发",
        "administrators neither set another user's password nor see their key: the user sets "
        "the password through a one-time link a second security admin approved, and issues "
        "their own key",
    )
