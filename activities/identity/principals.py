"""The user directory and API keys (用户与密钥): create, issue, revoke, and look a key up.

A key reads ``fq_<key_id>_<secret>``. Only SHA-256 of the whole key is stored: the secret is
256 random bits, so a fast hash is as strong as a slow one here, and lookup stays cheap. The
``key_id`` is the public part that finds the row (and shows in lists and logs).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.sql import utc
from activities.store.tables import ApiKeyRow, JurisdictionRow, OrganisationRow, UserRow
from domain.people.access import Principal, Role

KEY_PREFIX = "fq_"


class DirectoryError(ValueError):
    """A user or key operation that cannot be done (unknown user, duplicate id, bad scope)."""


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    user_id: str
    key: str  # shown once; never stored
    expires_at: datetime | None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_key(key: str) -> str | None:
    """The key id of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != 12 or not key_id.isalnum() or len(secret) < 32:
        return None
    return key_id


def principal_of(row: UserRow) -> Principal:
    return Principal(
        user_id=row.user_id,
        display_name=row.display_name,
        role=Role(row.role),
        jurisdiction=row.jurisdiction_code,
        center_id=row.center_id,
        grid_code=row.grid_code,
        mediator_id=row.mediator_id,
    )


async def create_user(
    principal: Principal, *, session: AsyncSession, active: bool = True
) -> Principal:
    if not principal.complete:
        if principal.role is Role.GRID_WORKER:
            raise DirectoryError(
                "网格员须属于一个单位并有所在网格（网格代码属于其辖区）"
                " / a grid worker needs an organisation and a grid inside their jurisdiction"
            )
        raise DirectoryError(
            f"role {principal.role.value} needs "
            + ("a center and a jurisdiction" if principal.center_id is None else "a jurisdiction")
        )
    if await session.get(UserRow, principal.user_id) is not None:
        raise DirectoryError(f"user {principal.user_id} already exists")
    if principal.center_id is not None:
        organisation = await session.get(OrganisationRow, principal.center_id)
        if organisation is None:
            raise DirectoryError(
                f"单位 {principal.center_id} 不存在，请先在单位名录中登记"
                f" / organisation {principal.center_id} is unknown: add it to the registry first"
            )
        if not organisation.active:
            raise DirectoryError(
                f"单位 {principal.center_id} 已停用"
                f" / organisation {principal.center_id} is inactive"
            )
        if principal.grid_code is not None and not principal.grid_code.startswith(
            organisation.jurisdiction_code
        ):
            raise DirectoryError(
                f"网格 {principal.grid_code} 不在单位 {principal.center_id} 的区划内"
                f" / grid {principal.grid_code} lies outside {principal.center_id}'s area"
            )
    if principal.grid_code is not None:
        grid = await session.get(JurisdictionRow, principal.grid_code)
        if grid is None or grid.level != "grid":
            raise DirectoryError(
                f"网格 {principal.grid_code} 不在区划名录中"
                f" / grid {principal.grid_code} is not in the registry"
            )
    session.add(
        UserRow(
            user_id=principal.user_id,
            display_name=principal.display_name,
            role=principal.role.value,
            jurisdiction_code=principal.jurisdiction,
            center_id=principal.center_id,
            grid_code=principal.grid_code,
            active=active,
        )
    )
    await session.flush()
    return principal


async def get_user(user_id: str, *, session: AsyncSession) -> UserRow | None:
    return await session.get(UserRow, user_id)


async def list_users(*, session: AsyncSession, center_id: str | None = None) -> list[UserRow]:
    query = select(UserRow).order_by(UserRow.user_id)
    if center_id is not None:
        query = query.where(UserRow.center_id == center_id)
    return list(await session.scalars(query))


async def list_leaders_over(code: str, *, session: AsyncSession) -> list[UserRow]:
    """The active leaders whose area holds the place ``code`` (its county, town or village)."""
    areas = [code[:length] for length in (6, 9, 12, 15) if len(code) >= length]
    query = (
        select(UserRow)
        .where(UserRow.role == "leader", UserRow.active, UserRow.jurisdiction_code.in_(areas))
        .order_by(UserRow.jurisdiction_code, UserRow.user_id)
    )
    return list(await session.scalars(query))


async def set_active(user_id: str, active: bool, *, session: AsyncSession) -> None:
    result = await session.execute(
        update(UserRow).where(UserRow.user_id == user_id).values(active=active)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise DirectoryError(f"no user {user_id}")


async def issue_key(
    user_id: str,
    *,
    session: AsyncSession,
    expires_at: datetime | None = None,
    label: str = "",
) -> IssuedKey:
    if await session.get(UserRow, user_id) is None:
        raise DirectoryError(f"no user {user_id}")
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiKeyRow(
            key_id=key_id,
            user_id=user_id,
            secret_hash=_digest(key),
            label=label,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return IssuedKey(key_id=key_id, user_id=user_id, key=key, expires_at=expires_at)


async def revoke_key(key_id: str, *, session: AsyncSession, now: datetime) -> str:
    """Revoke a key; returns its user. Revoking twice keeps the first time."""
    row = await session.get(ApiKeyRow, key_id)
    if row is None:
        raise DirectoryError(f"no key {key_id}")
    if row.revoked_at is None:
        row.revoked_at = now
        await session.flush()
    return row.user_id


async def list_keys(*, session: AsyncSession, user_id: str | None = None) -> list[ApiKeyRow]:
    query = select(ApiKeyRow).order_by(ApiKeyRow.created_at)
    if user_id is not None:
        query = query.where(ApiKeyRow.user_id == user_id)
    return list(await session.scalars(query))


async def principal_for_key(key: str, *, session: AsyncSession, now: datetime) -> Principal | None:
    """The active user holding this key, if the key is known, unrevoked and unexpired."""
    key_id = parse_key(key)
    if key_id is None:
        return None
    found = (
        await session.execute(
            select(ApiKeyRow, UserRow)
            .join(UserRow, UserRow.user_id == ApiKeyRow.user_id)
            .where(ApiKeyRow.key_id == key_id)
        )
    ).first()
    if found is None:
        return None
    key_row, user = found
    if not hmac.compare_digest(key_row.secret_hash, _digest(key)):
        return None
    if key_row.revoked_at is not None or not user.active:
        return None
    if key_row.expires_at is not None and utc(key_row.expires_at) <= now:
        return None
    return principal_of(user)


async def active_principal(user_id: str, *, session: AsyncSession) -> Principal | None:
    """A bearer token's subject as a directory user (None if unknown or disabled)."""
    user = await session.get(UserRow, user_id)
    return principal_of(user) if user is not None and user.active else None
