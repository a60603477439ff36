"""Passwords and console sessions (密码与会话): argon2id hashes, throttled sign-in, sessions.

A password is stored as an argon2id hash (``argon2-cffi``, its RFC 9106 low-memory profile).
A session token is 256 random bits held only by the browser (cookie); the table keeps its SHA-256,
so a copy of the database opens no session. Each session has its own form token (CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import throttle
from activities.identity.hashing import HashPool
from activities.identity.principals import DirectoryError, principal_of
from activities.store.sql import utc
from activities.store.tables import ConsoleSessionRow, SignInEventRow, UserRow
from domain.people.access import Principal
from domain.people.sign_in import SignInPolicy, session_alive

_HASHER = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (RFC 9106 second recommendation)
# Verified against when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("fengqiao-no-such-user")

MIN_PASSWORD_LENGTH = 10
# A session's last use is written at most this often (not on every request).
_TOUCH_SECONDS = 60


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed_in"
    BAD_CREDENTIALS = "bad_credentials"  # unknown user, wrong password, disabled, no password
    THROTTLED = "throttled"  # too many failures: the attempt must wait (not checked)
    LOCKED = "locked"  # older records: the attempt came while the account was locked out
    LOCKED_NOW = "locked_now"  # older records: this failure locked the account
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    principal: Principal | None = None
    retry_after: timedelta | None = None  # THROTTLED: how long to wait


@dataclass(frozen=True)
class OpenedSession:
    token: str  # for the cookie; never stored
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class LiveSession:
    principal: Principal
    csrf_token: str
    method: str
    must_change: bool = False  # someone else set the password: the user changes it first


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def set_password(user_id: str, password: str, *, session: AsyncSession) -> None:
    """Set a user's password; clears the account's sign-in delays and ends its open sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DirectoryError(f"密码至少 {MIN_PASSWORD_LENGTH} 位 / password too short")
    user = await session.get(UserRow, user_id)
    if user is None:
        raise DirectoryError(f"no user {user_id}")
    stored = hash_password(password)
    # The counts before the user row: the order a sign-in attempt takes them (see throttle).
    await throttle.clear_account(user_id, session=session)
    user.password_hash = stored
    await session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == user_id))
    await session.flush()


async def record_sign_in_event(
    user_id: str,
    outcome: SignInOutcome,
    *,
    method: str,
    remote: str,
    at: datetime,
    session: AsyncSession,
) -> None:
    session.add(
        SignInEventRow(
            at=at, user_id=user_id[:64], outcome=outcome.value, method=method, remote=remote[:64]
        )
    )
    await session.flush()


def recorded_name(typed: str, *, known: bool) -> str:
    """The name a sign-in record keeps: an account's id, or a name nobody holds masked and
    bounded (its first two characters and a short hash, so repeated tries of one name line up
    without the typed text — perhaps a password typed in the wrong box — being kept)."""
    if known:
        return typed
    tag = hashlib.sha256(typed.encode()).hexdigest()[:8]
    return f"?{typed[:2]}***#{tag}"


async def check_password(
    user_id: str,
    password: str,
    *,
    now: datetime,
    policy: SignInPolicy,
    remote: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    hashes: HashPool,
) -> SignInResult:
    """One password sign-in attempt: counted before it is checked, checked off the event loop,
    recorded. Wrong password, unknown name, no password, disabled account: one outcome, and the
    same argon2id work. Raises ``HashPoolBusy`` when no check can be taken on now."""
    async with hashes.slot():
        async with sessionmaker.begin() as session:
            wait = await throttle.count_attempt(
                user_id, remote, now=now, policy=policy, session=session
            )
            user = None if wait is not None else await session.get(UserRow, user_id)
            stored = user.password_hash if user is not None else None
            principal = principal_of(user) if user is not None and user.active else None
        if wait is not None:
            # Not checked and not recorded one by one (a flood of refusals stays out of the
            # table); the attempt that started the delay was.
            structlog.get_logger(__name__).info(
                "sign_in_throttled",
                user=recorded_name(user_id, known=False),
                wait_seconds=int(wait.total_seconds()),
            )
            return SignInResult(SignInOutcome.THROTTLED, retry_after=wait)
        good = await hashes.verify(stored or _DUMMY_HASH, password) and stored is not None
    async with sessionmaker.begin() as session:
        if good and principal is not None:
            await throttle.signed_in(user_id, remote, policy=policy, session=session)
            await record_sign_in_event(
                user_id,
                SignInOutcome.SIGNED_IN,
                method="password",
                remote=remote,
                at=now,
                session=session,
            )
            return SignInResult(SignInOutcome.SIGNED_IN, principal=principal)
        await record_sign_in_event(
            recorded_name(user_id, known=user is not None),
            SignInOutcome.BAD_CREDENTIALS,
            method="password",
            remote=remote,
            at=now,
            session=session,
        )
    return SignInResult(SignInOutcome.BAD_CREDENTIALS)


async def open_session(
    user_id: str, *, method: str, now: datetime, policy: SignInPolicy, session: AsyncSession
) -> OpenedSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + policy.absolute
    session.add(
        ConsoleSessionRow(
            token_hash=_digest(token),
            user_id=user_id,
            csrf_token=csrf,
            method=method,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
        )
    )
    await session.flush()
    return OpenedSession(token=token, csrf_token=csrf, expires_at=expires)


async def live_session(
    token: str, *, now: datetime, policy: SignInPolicy, session: AsyncSession
) -> LiveSession | None:
    """The signed-in user of a live session (its last use noted), else None (and it is gone)."""
    digest = _digest(token)
    found = (
        await session.execute(
            select(ConsoleSessionRow, UserRow)
            .join(UserRow, UserRow.user_id == ConsoleSessionRow.user_id)
            .where(ConsoleSessionRow.token_hash == digest)
        )
    ).first()
    if found is None:
        return None
    row, user = found
    if not hmac.compare_digest(row.token_hash, digest):
        return None
    last_seen = utc(row.last_seen_at)
    if not user.active or not session_alive(last_seen, utc(row.expires_at), now, policy):
        await session.delete(row)
        await session.flush()
        return None
    if (now - last_seen).total_seconds() >= _TOUCH_SECONDS:
        row.last_seen_at = now
        await session.flush()
    return LiveSession(
        principal=principal_of(user),
        csrf_token=row.csrf_token,
        method=row.method,
        must_change=bool(user.must_change_password),
    )


async def close_session(token: str, *, session: AsyncSession) -> str | None:
    """Sign out: delete the session; returns its user (None if there was none)."""
    row = await session.get(ConsoleSessionRow, _digest(token))
    if row is None:
        return None
    await session.delete(row)
    await session.flush()
    return row.user_id


async def lock_state(
    user_id: str, *, now: datetime, session: AsyncSession
) -> tuple[int, datetime | None]:
    """(failed attempts counted, waiting until) — for administrators."""
    if await session.get(UserRow, user_id) is None:
        raise DirectoryError(f"no user {user_id}")
    return await throttle.account_state(user_id, now=now, session=session)


async def unlock(user_id: str, *, session: AsyncSession) -> None:
    """Every count of the account starts afresh (an administrator's 解除锁定)."""
    if await session.get(UserRow, user_id) is None:
        raise DirectoryError(f"no user {user_id}")
    await throttle.clear_account(user_id, session=session)
    await session.flush()
