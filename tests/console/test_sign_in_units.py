"""Passwords (argon2id), lock-out, session expiry on both stores; the rules themselves pure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import passwords, principals
from activities.identity.passwords import SignInOutcome
from domain.people.access import Principal, Role
from domain.people.sign_in import SignInPolicy, after_failure, locked, session_alive

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
POLICY = SignInPolicy()


def test_passwords_are_argon2id_and_only_the_right_one_verifies() -> None:
    stored = passwords.hash_password("Correct-horse-1")
    assert stored.startswith("$argon2id$")
    assert "Correct-horse-1" not in stored
    assert passwords.verify_password(stored, "Correct-horse-1")
    assert not passwords.verify_password(stored, "correct-horse-1")
    assert not passwords.verify_password("not-a-hash", "Correct-horse-1")
    assert passwords.hash_password("Correct-horse-1") != stored  # salted


def test_the_fifth_consecutive_failure_locks_for_the_policy_period() -> None:
    failures, until = 0, None
    for _ in range(4):
        failures, until = after_failure(failures, T0, POLICY)
        assert until is None
    failures, until = after_failure(failures, T0, POLICY)
    assert (failures, until) == (0, T0 + timedelta(minutes=15))
    assert locked(until, T0 + timedelta(minutes=14, seconds=59))
    assert not locked(until, T0 + timedelta(minutes=15))


def test_a_session_ends_when_idle_or_at_its_absolute_end() -> None:
    assert session_alive(T0, T0 + timedelta(hours=12), T0 + timedelta(minutes=29), POLICY)
    assert not session_alive(T0, T0 + timedelta(hours=12), T0 + timedelta(minutes=30), POLICY)
    late = T0 + timedelta(hours=12)
    assert not session_alive(late - timedelta(minutes=1), late, late, POLICY)


async def _user(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    user_id = f"u{uuid.uuid4().hex[:10]}"
    async with sessionmaker.begin() as session:
        await principals.create_user(
            Principal(
                user_id=user_id,
                display_name="测试",
                role=Role.LEADER,
                jurisdiction="320102",
            ),
            session=session,
        )
        await passwords.set_password(user_id, "Right-password-1", session=session)
    return user_id


async def _attempt(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: str, password: str, at: datetime
) -> passwords.SignInResult:
    async with sessionmaker.begin() as session:
        return await passwords.check_password(
            user_id, password, now=at, policy=POLICY, remote="127.0.0.1", session=session
        )


async def test_lock_out_after_five_failures_then_sign_in_after_it_ends(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user_id = await _user(sessionmaker)
    outcomes = [(await _attempt(sessionmaker, user_id, "wrong", T0)).outcome for _ in range(5)]
    assert outcomes == [SignInOutcome.BAD_CREDENTIALS] * 4 + [SignInOutcome.LOCKED_NOW]
    during = await _attempt(sessionmaker, user_id, "Right-password-1", T0 + timedelta(minutes=1))
    assert during.outcome is SignInOutcome.LOCKED
    assert during.principal is None
    after = await _attempt(sessionmaker, user_id, "Right-password-1", T0 + timedelta(minutes=16))
    assert after.outcome is SignInOutcome.SIGNED_IN
    assert after.principal is not None
    # A success resets the count: four more failures do not lock.
    for _ in range(4):
        await _attempt(sessionmaker, user_id, "wrong", T0 + timedelta(minutes=17))
    assert (
        await _attempt(sessionmaker, user_id, "Right-password-1", T0 + timedelta(minutes=18))
    ).outcome is SignInOutcome.SIGNED_IN


async def test_an_unknown_user_and_a_user_without_password_are_refused_alike(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert (await _attempt(sessionmaker, "nobody-here", "x", T0)).outcome is (
        SignInOutcome.BAD_CREDENTIALS
    )
    user_id = f"k{uuid.uuid4().hex[:10]}"
    async with sessionmaker.begin() as session:
        await principals.create_user(
            Principal(
                user_id=user_id, display_name="无密码", role=Role.AUDITOR, jurisdiction="320102"
            ),
            session=session,
        )
    assert (await _attempt(sessionmaker, user_id, "", T0)).outcome is (
        SignInOutcome.BAD_CREDENTIALS
    )


async def test_sessions_expire_when_idle_and_at_the_absolute_end_and_on_sign_out(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user_id = await _user(sessionmaker)

    async def live(token: str, at: datetime) -> passwords.LiveSession | None:
        async with sessionmaker.begin() as session:
            return await passwords.live_session(token, now=at, policy=POLICY, session=session)

    async def open_at(at: datetime) -> passwords.OpenedSession:
        async with sessionmaker.begin() as session:
            return await passwords.open_session(
                user_id, method="password", now=at, policy=POLICY, session=session
            )

    idle = await open_at(T0)
    found = await live(idle.token, T0 + timedelta(minutes=20))
    assert found is not None
    assert found.principal.user_id == user_id
    assert await live(idle.token, T0 + timedelta(minutes=49)) is not None  # used at +20
    assert await live(idle.token, T0 + timedelta(minutes=80)) is None  # idle 31 minutes
    assert await live(idle.token, T0 + timedelta(minutes=81)) is None  # and gone for good

    kept = await open_at(T0)
    at = T0
    while at < T0 + timedelta(hours=11, minutes=40):
        at += timedelta(minutes=20)
        assert await live(kept.token, at) is not None
    assert await live(kept.token, T0 + timedelta(hours=12)) is None

    ended = await open_at(T0)
    async with sessionmaker.begin() as session:
        assert await passwords.close_session(ended.token, session=session) == user_id
    assert await live(ended.token, T0 + timedelta(minutes=1)) is None
    assert await live("not-a-token", T0) is None

    # A new password ends the user's sessions.
    other = await open_at(T0)
    async with sessionmaker.begin() as session:
        await passwords.set_password(user_id, "Another-password-2", session=session)
    assert await live(other.token, T0 + timedelta(minutes=1)) is None
