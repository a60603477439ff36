"""Passwords and console sessions (密码与会话): argon2id hashes, lock-out, server-side sessions.

A password is stored as an argon2id hash (``argon2-cffi``, its RFC 9106 low-memory profile).
A session token is 256 random bits held only by the browser (cookie); the table keeps its SHA-256,
so a copy of the database opens no session. Each session has its own form token (CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.identity.principals import DirectoryError, principal_of
from activities.store.sql import utc
from activities.store.tables import ConsoleSessionRow, SignInEventRow, UserRow
from domain.people.access import Principal
from domain.people.sign_in import SignInPolicy, after_failure, locked, session_alive

_HASHER = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (RFC 9106 second recommendation)
# Verified against when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("fengqiao-no-such-user")

MIN_PASSWORD_LENGTH = 10
# A session's last use is written at most this often (not on every request).
_TOUCH_SECONDS = 60


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed_in"
    BAD_CREDENTIALS = "bad_credentials"  # unknown user, wrong password, disabled, no password
    LOCKED = "locked"  # the attempt came while the account was locked out
    LOCKED_NOW = "locked_now"  # this failure locked the account
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    principal: Principal | None = None
    locked_until: datetime | None = None


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
    """Set a user's password; clears a lock-out and ends the user's open sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DirectoryError(f"密码至少 {MIN_PASSWORD_LENGTH} 位 / password too short")
    user = await session.get(UserRow, user_id)
    if user is None:
        raise DirectoryError(f"no user {user_id}")
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
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


async def check_password(
    user_id: str,
    password: str,
    *,
    now: datetime,
    policy: SignInPolicy,
    remote: str,
    session: AsyncSession,
) -> SignInResult:
    """One password sign-in attempt, counted and recorded (the caller commits)."""
    user = await session.get(UserRow, user_id, with_for_update=True)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    until = utc(user.locked_until) if user.locked_until is not None else None
    if locked(until, now):
        await record_sign_in_event(
            user_id,
            SignInOutcome.LOCKED,
            method="password",
            remote=remote,
            at=now,
            session=session,
        )
        return SignInResult(SignInOutcome.LOCKED, locked_until=until)
    good = verify_password(user.password_hash or _DUMMY_HASH, password) and bool(user.password_hash)
    if good and user.active:
        user.failed_sign_ins = 0
        user.locked_until = None
        await record_sign_in_event(
            user_id,
            SignInOutcome.SIGNED_IN,
            method="password",
            remote=remote,
            at=now,
            session=session,
        )
        return SignInResult(SignInOutcome.SIGNED_IN, principal=principal_of(user))
    failures, lock_until = after_failure(user.failed_sign_ins, now, policy)
    user.failed_sign_ins = failures
    outcome = SignInOutcome.BAD_CREDENTIALS
    if lock_until is not None:
        user.locked_until = lock_until
        outcome = SignInOutcome.LOCKED_NOW
    await record_sign_in_event(
        user_id, outcome, method="password", remote=remote, at=now, session=session
    )
    return SignInResult(outcome, locked_until=lock_until)


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


async def lock_state(user_id: str, *, session: AsyncSession) -> tuple[int, datetime | None]:
    """(consecutive failures, locked until) — for administrators."""
    user = await session.get(UserRow, user_id)
    if user is None:
        raise DirectoryError(f"no user {user_id}")
    until = utc(user.locked_until) if user.locked_until is not None else None
    return user.failed_sign_ins, until


async def unlock(user_id: str, *, session: AsyncSession) -> None:
    user = await session.get(UserRow, user_id)
    if user is None:
        raise DirectoryError(f"no user {user_id}")
    user.failed_sign_ins = 0
    user.locked_until = None
    await session.flush()
