"""Users (用户管理) for administrators: the directory, passwords, keys, enabling and unlocking.

A system administrator manages every user; a center administrator only the users of their center.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import passwords, principals
from activities.identity.principals import DirectoryError, IssuedKey
from activities.store.sql import utc
from api.errors import ApiError, database_errors
from domain.people.access import Principal, Role


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


def _center_of(admin: Principal) -> str | None:
    return admin.center_id if admin.role is Role.CENTER_ADMIN else None


def _refused(error: DirectoryError) -> ApiError:
    text = str(error)
    return ApiError(422, "directory_refused", text.split(" / ")[0], text)


async def list_users(
    *, admin: Principal, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[UserLine]:
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
        )
        for row in rows
    ]


# A center admin keeps the staff of their own organisation; leaders, auditors and system
# administrators are the system administrator's (三员分立): else a center admin could make an
# auditor for any area, set its password and act as it.
_CENTER_MANAGES = frozenset({Role.MEDIATOR, Role.CENTER_ADMIN, Role.GRID_WORKER})


async def _managed(admin: Principal, user_id: str, session: AsyncSession) -> None:
    row = await principals.get_user(user_id, session=session)
    center = _center_of(admin)
    if row is None or (
        center is not None and (row.center_id != center or Role(row.role) not in _CENTER_MANAGES)
    ):
        raise ApiError(404, "user_not_found", f"用户 {user_id} 不存在", f"no user {user_id}")


async def add_user(
    user: Principal, *, admin: Principal, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
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
    try:
        async with sessionmaker.begin() as session:
            await principals.create_user(user, session=session)
    except DirectoryError as error:
        raise _refused(error) from error


async def set_password(
    user_id: str,
    password: str,
    *,
    admin: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    try:
        async with sessionmaker.begin() as session:
            await _managed(admin, user_id, session)
            await passwords.set_password(user_id, password, session=session)
    except DirectoryError as error:
        raise ApiError(
            422, "weak_password", str(error).split(" / ")[0], str(error), field="password"
        ) from error


async def set_active(
    user_id: str,
    active: bool,
    *,
    admin: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await _managed(admin, user_id, session)
        await principals.set_active(user_id, active, session=session)


async def unlock(
    user_id: str, *, admin: Principal, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker.begin() as session:
        await _managed(admin, user_id, session)
        await passwords.unlock(user_id, session=session)


async def issue_key(
    user_id: str, *, admin: Principal, sessionmaker: async_sessionmaker[AsyncSession]
) -> IssuedKey:
    async with sessionmaker.begin() as session:
        await _managed(admin, user_id, session)
        return await principals.issue_key(user_id, session=session, label="console")
