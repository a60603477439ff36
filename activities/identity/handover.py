"""Credentials handed over under 三员分立: requests a second administrator decides, one-time links.

A link reads ``/welcome/<token>``: 256 random bits, only its SHA-256 stored, redeemed once before
it expires by the user, who chooses their password there. Nobody else ever sees that password.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.identity import passwords
from activities.identity.principals import DirectoryError
from activities.store.sql import utc
from activities.store.tables import CredentialRequestRow, OneTimeLinkRow, UserRow
from domain.people.access import Principal
from domain.people.administration import LINK_LIFETIME, RequestKind, RequestStatus, link_usable


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_request(
    kind: RequestKind,
    target_user_id: str,
    *,
    requester: Principal,
    new_user: dict[str, Any] | None = None,
    now: datetime,
    session: AsyncSession,
) -> CredentialRequestRow:
    row = CredentialRequestRow(
        request_id=f"R{secrets.token_hex(8)}",
        kind=kind.value,
        target_user_id=target_user_id,
        new_user=new_user,
        requested_by=requester.user_id,
        requested_by_name=requester.display_name,
        opened_at=now,
        status=RequestStatus.PENDING.value,
    )
    session.add(row)
    await session.flush()
    return row


async def get_request(
    request_id: str, *, session: AsyncSession, for_update: bool = False
) -> CredentialRequestRow | None:
    return await session.get(CredentialRequestRow, request_id, with_for_update=for_update)


async def list_requests(
    *, session: AsyncSession, status: RequestStatus | None = None, limit: int = 200
) -> list[CredentialRequestRow]:
    statement = select(CredentialRequestRow)
    if status is not None:
        statement = statement.where(CredentialRequestRow.status == status.value)
    statement = statement.order_by(CredentialRequestRow.opened_at.desc()).limit(limit)
    return list(await session.scalars(statement))


async def pending_for(target_user_id: str, kind: RequestKind, *, session: AsyncSession) -> bool:
    found = await session.scalar(
        select(CredentialRequestRow.request_id).where(
            CredentialRequestRow.target_user_id == target_user_id,
            CredentialRequestRow.kind == kind.value,
            CredentialRequestRow.status == RequestStatus.PENDING.value,
        )
    )
    return found is not None


async def issue_link(
    user_id: str, *, request_id: str, now: datetime, session: AsyncSession
) -> tuple[str, datetime]:
    """A fresh one-time link token for ``user_id`` (shown once; earlier unused links lapse)."""
    for earlier in await session.scalars(
        select(OneTimeLinkRow).where(
            OneTimeLinkRow.user_id == user_id, OneTimeLinkRow.used_at.is_(None)
        )
    ):
        earlier.used_at = now  # superseded: only the newest link works
    token = secrets.token_urlsafe(32)
    expires = now + LINK_LIFETIME
    session.add(
        OneTimeLinkRow(
            token_hash=_digest(token),
            user_id=user_id,
            request_id=request_id,
            issued_at=now,
            expires_at=expires,
        )
    )
    await session.flush()
    return token, expires


async def link_holder(token: str, *, now: datetime, session: AsyncSession) -> UserRow | None:
    """The active user a still usable link was issued to (None: unknown, used or expired)."""
    row = await session.get(OneTimeLinkRow, _digest(token))
    if row is None:
        return None
    used = utc(row.used_at) if row.used_at is not None else None
    if not link_usable(expires_at=utc(row.expires_at), used_at=used, now=now):
        return None
    user = await session.get(UserRow, row.user_id)
    return user if user is not None and user.active else None


async def redeem_link(
    token: str, password: str, *, now: datetime, session: AsyncSession
) -> UserRow:
    """The user sets their own password through the link; the link is spent."""
    row = await session.get(OneTimeLinkRow, _digest(token), with_for_update=True)
    user = await link_holder(token, now=now, session=session)
    if row is None or user is None:
        raise DirectoryError("链接无效、已使用或已过期 / the link is unknown, used or expired")
    await passwords.set_password(user.user_id, password, session=session)
    row.used_at = now
    user.must_change_password = False
    await session.flush()
    return user


async def change_own_password(
    user_id: str, current: str, new: str, *, session: AsyncSession
) -> None:
    """The signed-in user changes their password (required after someone else set it)."""
    user = await session.get(UserRow, user_id)
    if user is None or not user.password_hash:
        raise DirectoryError(f"no user {user_id}")
    if not passwords.verify_password(user.password_hash, current):
        raise DirectoryError("当前密码不正确 / the current password is wrong")
    if new == current:
        raise DirectoryError("新密码不能与当前密码相同 / the new password equals the current one")
    await passwords.set_password(user_id, new, session=session)
    user.must_change_password = False
    await session.flush()
