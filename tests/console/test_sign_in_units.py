"""Passwords (argon2id), sign-in delays and session expiry on both stores; the rules pure."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from activities.identity import passwords, principals, throttle
from activities.identity.hashing import HashPool, HashPoolBusy
from activities.identity.passwords import SignInOutcome
from activities.store.tables import SignInEventRow
from domain.people.access import Principal, Role
from domain.people.sign_in import SignInPolicy, Throttle, blocked, session_alive

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


def test_past_the_free_attempts_each_delay_doubles_up_to_the_longest() -> None:
    rule = Throttle(free=5, first_delay=timedelta(seconds=2), max_delay=timedelta(minutes=15))
    assert [rule.delay(n).total_seconds() for n in range(1, 10)] == [0, 0, 0, 0, 2, 4, 8, 16, 32]
    assert rule.delay(30) == timedelta(minutes=15)
    assert all(rule.delay(n) == delay for n, delay in rule.schedule().items())
    assert rule.delay(max(rule.schedule()) + 1) == rule.max_delay
    assert blocked(T0 + timedelta(seconds=2), T0 + timedelta(seconds=1))
    assert not blocked(T0 + timedelta(seconds=2), T0 + timedelta(seconds=2))


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


class Hasher:
    """argon2id as the app runs it, noting which threads the checks ran on."""

    def __init__(self) -> None:
        self.threads: list[str] = []
        self.checked = 0

    def __call__(self, stored: str, password: str) -> bool:
        self.threads.append(threading.current_thread().name)
        self.checked += 1
        return passwords.verify_password(stored, password)


async def _attempt(
    sessionmaker: async_sessionmaker[AsyncSession],
    user_id: str,
    password: str,
    at: datetime,
    *,
    remote: str | None = None,
    hashes: HashPool | None = None,
) -> passwords.SignInResult:
    """One attempt; from an address of the name's own unless one is given (the tests of a
    module share a store, and its per-address counts)."""
    return await passwords.check_password(
        user_id,
        password,
        now=at,
        policy=POLICY,
        remote=remote or f"10.8.{uuid.uuid5(uuid.NAMESPACE_DNS, user_id).int % 65536}",
        sessionmaker=sessionmaker,
        hashes=hashes or HashPool(passwords.verify_password, threads=2, queue=32),
    )


async def _outcomes(sessionmaker: async_sessionmaker[AsyncSession], name: str) -> list[str]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(SignInEventRow.outcome)
                .where(SignInEventRow.user_id == name)
                .order_by(SignInEventRow.id)
            )
        )


async def test_twenty_wrong_and_the_right_password_at_once_are_counted_atomically(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Finding 3: all 21 were checked on SQLite and the count ended at 2. Counted in one
    statement each, exactly the five free attempts are checked; the rest wait, unchecked."""
    user_id = await _user(sessionmaker)
    hasher = Hasher()
    hashes = HashPool(hasher, threads=2, queue=32)
    sent = ["wrong-password"] * 20 + ["Right-password-1"]
    results = await asyncio.gather(
        *(_attempt(sessionmaker, user_id, p, T0, hashes=hashes) for p in sent)
    )
    checked = [r for r in results if r.outcome is not SignInOutcome.THROTTLED]
    waiting = [r for r in results if r.outcome is SignInOutcome.THROTTLED]
    assert len(checked) == POLICY.max_failures == hasher.checked
    assert len(waiting) == 16
    assert all(r.retry_after is not None and r.retry_after.total_seconds() >= 1 for r in waiting)
    assert len(await _outcomes(sessionmaker, user_id)) == POLICY.max_failures
    async with sessionmaker() as session:
        failures, until = await passwords.lock_state(user_id, now=T0, session=session)
    if any(r.principal is not None for r in checked):  # the right one came among the five
        assert (failures, until) == (0, None)
    else:
        assert failures == POLICY.max_failures
        assert until == T0 + POLICY.per_account_address.first_delay


async def _until_a_transaction_waits_on_a_row(engine: AsyncEngine) -> None:
    """Poll (with a deadline) until a session of this store waits on a lock."""
    deadline = asyncio.get_running_loop().time() + 20
    async with engine.connect() as connection:
        while asyncio.get_running_loop().time() < deadline:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            if waiting:
                return
            await connection.rollback()
            await asyncio.sleep(0.02)
    raise AssertionError("the sign-in never waited on the attempt's rows")


async def test_a_right_password_while_another_attempt_counts_at_the_address_does_not_deadlock(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """CI found it: a right password cleared the account's counts before the address's, while
    an attempt at the same address held the address's and wanted the account's; PostgreSQL
    broke the deadlock by failing one of them. Every writer now takes them in one order."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite serialises whole transactions")
    user_id, other = await _user(sessionmaker), await _user(sessionmaker)
    address = f"10.9.{uuid.uuid4().int % 65536}"
    await _attempt(sessionmaker, user_id, "wrong", T0, remote=address)

    async def right_password() -> None:
        async with sessionmaker.begin() as session:
            await throttle.signed_in(user_id, address, policy=POLICY, session=session)

    async with sessionmaker.begin() as attempt:
        # Another name tried at the address: its count of the address is held until commit.
        await throttle.count_attempt(other, address, now=T0, policy=POLICY, session=attempt)
        signing_in = asyncio.create_task(right_password())
        await _until_a_transaction_waits_on_a_row(engine)
        # The same transaction now counts this account at the address, as a retry would.
        assert (
            await throttle.count_attempt(user_id, address, now=T0, policy=POLICY, session=attempt)
            is None
        )
    await signing_in
    async with sessionmaker() as session:
        failures, until = await passwords.lock_state(user_id, now=T0, session=session)
    assert (failures, until) == (0, None)


async def test_past_five_failures_each_attempt_waits_then_the_right_password_signs_in(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user_id = await _user(sessionmaker)
    outcomes = [(await _attempt(sessionmaker, user_id, "wrong", T0)).outcome for _ in range(5)]
    assert outcomes == [SignInOutcome.BAD_CREDENTIALS] * 5
    # While it waits, any password is refused unchecked: the right one too.
    during = await _attempt(sessionmaker, user_id, "Right-password-1", T0 + timedelta(seconds=1))
    assert during.outcome is SignInOutcome.THROTTLED
    assert during.retry_after == timedelta(seconds=1)
    # The delay doubles with each failure after it.
    at = T0 + timedelta(seconds=2)
    assert (await _attempt(sessionmaker, user_id, "wrong", at)).outcome is (
        SignInOutcome.BAD_CREDENTIALS
    )
    again = await _attempt(sessionmaker, user_id, "wrong", at)
    assert again.retry_after == timedelta(seconds=4)
    # After the delay the right password signs in, and the counts start afresh.
    after = await _attempt(sessionmaker, user_id, "Right-password-1", at + timedelta(seconds=4))
    assert after.outcome is SignInOutcome.SIGNED_IN
    assert after.principal is not None
    for _ in range(4):
        await _attempt(sessionmaker, user_id, "wrong", at + timedelta(seconds=5))
    assert (
        await _attempt(sessionmaker, user_id, "Right-password-1", at + timedelta(seconds=6))
    ).outcome is SignInOutcome.SIGNED_IN


async def test_a_guesser_elsewhere_does_not_keep_the_user_out(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Finding 11: five requests locked any named account for 15 minutes. Now a guesser's
    failures make the guesser wait; the user at their own address signs in."""
    user_id = await _user(sessionmaker)
    for _ in range(12):
        await _attempt(sessionmaker, user_id, "guess", T0, remote="203.0.113.9")
    assert (
        await _attempt(sessionmaker, user_id, "Right-password-1", T0, remote="203.0.113.9")
    ).outcome is SignInOutcome.THROTTLED
    mine = await _attempt(sessionmaker, user_id, "Right-password-1", T0, remote="10.1.2.3")
    assert mine.outcome is SignInOutcome.SIGNED_IN


async def test_an_address_trying_many_names_waits(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    for n in range(POLICY.per_address.free):
        found = await _attempt(sessionmaker, f"spray{n}-{address}", "x", T0, remote=address)
        assert found.outcome is SignInOutcome.BAD_CREDENTIALS
    user_id = await _user(sessionmaker)
    refused = await _attempt(sessionmaker, user_id, "Right-password-1", T0, remote=address)
    assert refused.outcome is SignInOutcome.THROTTLED


async def test_an_unknown_name_is_answered_checked_and_recorded_like_a_real_one(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Finding 11: unknown names answered faster and differently, and were not recorded."""
    user_id = await _user(sessionmaker)
    unknown = f"nobody-{uuid.uuid4().hex[:8]}"
    seen: dict[str, list[SignInOutcome]] = {}
    for name in (user_id, unknown):
        hasher = Hasher()
        hashes = HashPool(hasher, threads=1, queue=8)
        seen[name] = [
            (await _attempt(sessionmaker, name, "wrong", T0, hashes=hashes)).outcome
            for _ in range(POLICY.max_failures + 1)
        ]
        # The same argon2id work for a name nobody holds (a dummy hash), off the event loop.
        assert hasher.checked == POLICY.max_failures
        assert all(thread.startswith("argon2") for thread in hasher.threads)
    assert seen[user_id] == seen[unknown]
    assert seen[unknown][-1] is SignInOutcome.THROTTLED
    # Recorded under a masked, bounded form of the typed name, never the name itself.
    masked = passwords.recorded_name(unknown, known=False)
    assert unknown not in masked
    assert masked.startswith("?no***#")
    assert len(await _outcomes(sessionmaker, masked)) == POLICY.max_failures
    assert len(passwords.recorded_name("x" * 10_000, known=False)) < 20


async def test_a_full_hash_pool_refuses_at_once() -> None:
    release = threading.Event()

    def slow(stored: str, password: str) -> bool:
        release.wait(5)
        return False

    hashes = HashPool(slow, threads=1, queue=0)
    async with hashes.slot():
        with pytest.raises(HashPoolBusy):
            async with hashes.slot():
                pass
    release.set()
    hashes.close()


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
