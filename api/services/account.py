"""The signed-in user's own credentials (本人凭据): a one-time link redeemed, the password changed
at first sign-in, an API key issued to oneself. Each act is in the administration trail.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import admin_trail, handover, principals
from activities.identity.admin_trail import Actor
from activities.identity.principals import DirectoryError, IssuedKey
from api.errors import ApiError, database_errors
from domain.people.access import Principal
from domain.people.administration import AdminAction

Sessionmaker = async_sessionmaker[AsyncSession]


async def issue_own_key(principal: Principal, *, sessionmaker: Sessionmaker) -> IssuedKey:
    """A key for the signed-in user, shown to them once: nobody issues another user's key."""
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker.begin() as session:
            issued = await principals.issue_key(principal.user_id, session=session, label="本人")
            await admin_trail.append(
                Actor.of(principal),
                AdminAction.KEY_ISSUED,
                target=principal.user_id,
                details={"key_id": issued.key_id},
                at=now,
                session=session,
            )
            return issued


async def redeem_link(token: str, password: str, *, sessionmaker: Sessionmaker) -> str:
    """The user sets their password through a one-time link; their user id."""
    now = datetime.now(UTC)
    try:
        with database_errors():
            async with sessionmaker.begin() as session:
                user = await handover.redeem_link(token, password, now=now, session=session)
                await admin_trail.append(
                    Actor(user.user_id, user.display_name, user.role),
                    AdminAction.PASSWORD_SET,
                    target=user.user_id,
                    details={"by": "one_time_link"},
                    at=now,
                    session=session,
                )
                return user.user_id
    except DirectoryError as error:
        raise ApiError(
            422, "password_refused", str(error).split(" / ")[0], str(error), field="password"
        ) from error


# A link's token as issued (``secrets.token_urlsafe``).
_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,100}")


async def link_is_usable(token: str, *, sessionmaker: Sessionmaker) -> str | None:
    """The display name a usable link was issued to (None: unknown, used or expired)."""
    if not _LINK_TOKEN.fullmatch(token):  # never issued (a NUL would reach the store)
        return None
    with database_errors():
        async with sessionmaker() as session:
            user = await handover.link_holder(token, now=datetime.now(UTC), session=session)
    return user.display_name if user is not None else None


async def change_own_password(
    principal: Principal, current: str, new: str, *, sessionmaker: Sessionmaker
) -> None:
    now = datetime.now(UTC)
    try:
        with database_errors():
            async with sessionmaker.begin() as session:
                await handover.change_own_password(principal.user_id, current, new, session=session)
                await admin_trail.append(
                    Actor.of(principal),
                    AdminAction.PASSWORD_CHANGED,
                    target=principal.user_id,
                    at=now,
                    session=session,
                )
    except DirectoryError as error:
        field = "current" if "当前密码" in str(error) else "password"
        raise ApiError(
            422, "password_refused", str(error).split(" / ")[0], str(error), field=field
        ) from error
