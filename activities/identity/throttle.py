"""Sign-in throttle (登录限速): failed attempts counted per account at an address, per address and
per account, each count and its delay one atomic statement on PostgreSQL and SQLite.

An attempt is counted before its password is checked (``INSERT … ON CONFLICT DO UPDATE … WHERE
not waiting … RETURNING failures``): twenty wrong passwords and the right one sent at once are
serialised by the store, the first few are checked, and the rest are refused unchecked because
the count that reached its free attempts set the delay in the same statement. No value is ever
read, changed in Python and written back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.sql import insert_for
from activities.store.tables import SignInThrottleRow, UserRow
from domain.people.sign_in import SignInPolicy, Throttle


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def account_digest(name: str) -> str:
    return _digest("account", name.casefold())


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _millis(value: int) -> ColumnElement[int]:
    return literal(value, BigInteger())


@dataclass(frozen=True)
class _Count:
    subject: str
    account: str | None
    rule: Throttle


def _counts(name: str, address: str, policy: SignInPolicy) -> list[_Count]:
    account = account_digest(name)
    return [
        _Count(_digest("address", address), None, policy.per_address),
        _Count(_digest("pair", name.casefold(), address), account, policy.per_account_address),
        _Count(account, account, policy.per_account),
    ]


def _blocked_until_ms(counted: ColumnElement[int], rule: Throttle, now_ms: int) -> Any:
    """Until when the next attempt waits after the ``counted``-th, as SQL: the rule's own
    schedule spelt out. 0 (not ``now``) while attempts are free: requests read the clock a moment
    apart, and one must never wait on another's ``now``."""
    steps = [(counted < rule.free, _millis(0))]
    steps += [
        (counted == attempts, _millis(now_ms + int(delay.total_seconds() * 1000)))
        for attempts, delay in rule.schedule().items()
    ]
    longest = now_ms + int(rule.max_delay.total_seconds() * 1000)
    return case(*steps, else_=_millis(longest))


async def _count_one(count: _Count, now_ms: int, session: AsyncSession) -> int | None:
    """Count one attempt on ``count``; the new count, or None while it must wait."""
    row = SignInThrottleRow
    window_ms = int(count.rule.window.total_seconds() * 1000)
    counted = case((row.updated_ms < _millis(now_ms - window_ms), 1), else_=row.failures + 1)
    first = int(count.rule.delay(1).total_seconds() * 1000)
    statement = (
        insert_for(session, row)
        .values(
            subject=count.subject,
            account=count.account,
            failures=1,
            blocked_until_ms=now_ms + first if first else 0,
            updated_ms=now_ms,
        )
        .on_conflict_do_update(
            index_elements=["subject"],
            set_={
                "failures": counted,
                "blocked_until_ms": _blocked_until_ms(counted, count.rule, now_ms),
                "updated_ms": _millis(now_ms),
            },
            where=row.blocked_until_ms <= _millis(now_ms),
        )
        .returning(row.failures)
    )
    found: int | None = (await session.execute(statement)).scalar_one_or_none()
    return found


async def _wait_of(subject: str, now_ms: int, session: AsyncSession) -> timedelta:
    until = await session.scalar(
        select(SignInThrottleRow.blocked_until_ms).where(SignInThrottleRow.subject == subject)
    )
    return timedelta(milliseconds=max(int(until or 0) - now_ms, 1000))


async def count_attempt(
    name: str, address: str, *, now: datetime, policy: SignInPolicy, session: AsyncSession
) -> timedelta | None:
    """Count one sign-in attempt of ``name`` from ``address`` (before its password is checked).

    None: the attempt may be checked. Else how long it must wait: it is not checked, and counts
    no further (the address first, so a waiting address adds nothing to an account's counts).
    """
    now_ms = _ms(now)
    counted: list[tuple[_Count, int]] = []
    for count in _counts(name, address, policy):
        failures = await _count_one(count, now_ms, session)
        if failures is None:
            return await _wait_of(count.subject, now_ms, session)
        counted.append((count, failures))
    # The account's administrators see how long it waits (accounts that exist only).
    waits = [now + c.rule.delay(n) for c, n in counted if c.account is not None and c.rule.delay(n)]
    if waits:
        await session.execute(
            update(UserRow)
            .where(UserRow.user_id == name)
            .values(locked_until=max(waits), failed_sign_ins=counted[-1][1])
        )
    return None


# Every writer takes the rows of one sign-in in the order an attempt counts them (the address,
# the account at that address, the account, then the user): on PostgreSQL two transactions that
# take them in opposite orders deadlock, and one of the sign-ins fails.


async def signed_in(
    name: str, address: str, *, policy: SignInPolicy, session: AsyncSession
) -> None:
    """A right password: the account's counts start afresh; the address gets its attempt back."""
    address_count, *account_counts = _counts(name, address, policy)
    await session.execute(
        update(SignInThrottleRow)
        .where(SignInThrottleRow.subject == address_count.subject, SignInThrottleRow.failures > 0)
        .values(failures=SignInThrottleRow.failures - 1)
    )
    for count in account_counts:
        await session.execute(
            delete(SignInThrottleRow).where(SignInThrottleRow.subject == count.subject)
        )
    await clear_account_mirror(name, session=session)


async def clear_account(name: str, *, session: AsyncSession) -> None:
    """Every count of the account goes (a new password, an administrator's unlock): those at an
    address first, the account's own last, in the order an attempt takes them."""
    account = account_digest(name)
    row = SignInThrottleRow
    await session.execute(delete(row).where(row.account == account, row.subject != account))
    await session.execute(delete(row).where(row.subject == account))
    await clear_account_mirror(name, session=session)


async def clear_account_mirror(name: str, *, session: AsyncSession) -> None:
    await session.execute(
        update(UserRow)
        .where(UserRow.user_id == name, UserRow.locked_until.is_not(None))
        .values(locked_until=None, failed_sign_ins=0)
    )


async def account_state(
    name: str, *, now: datetime, session: AsyncSession
) -> tuple[int, datetime | None]:
    """(failures in the account's largest count, until when it waits) — for administrators."""
    found = (
        await session.execute(
            select(
                func.max(SignInThrottleRow.failures), func.max(SignInThrottleRow.blocked_until_ms)
            ).where(SignInThrottleRow.account == account_digest(name))
        )
    ).one()
    failures, until_ms = int(found[0] or 0), int(found[1] or 0)
    return failures, (_at(until_ms) if until_ms > _ms(now) else None)
