"""Console sign-in rules (登录): lock-out after repeated failures, and when a session has ended.

Pure: the instant is an argument. The store keeps the counters; these functions decide.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.base import Frozen


class SignInPolicy(Frozen):
    """How many consecutive failures lock an account, for how long; how long a session lives."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle: timedelta = timedelta(minutes=30)  # no request for this long ends the session
    absolute: timedelta = timedelta(hours=12)  # a session never lives longer than this


def locked(locked_until: datetime | None, now: datetime) -> bool:
    """The account is locked out at ``now``."""
    return locked_until is not None and now < locked_until


def after_failure(
    failures: int, now: datetime, policy: SignInPolicy
) -> tuple[int, datetime | None]:
    """One more failed attempt: the new count, and the end of the lock-out it starts (if any).

    Reaching ``max_failures`` locks the account and resets the count, so the attempts after the
    lock-out ends are counted afresh.
    """
    failures += 1
    if failures >= policy.max_failures:
        return 0, now + policy.lockout
    return failures, None


def session_alive(
    last_seen_at: datetime, expires_at: datetime, now: datetime, policy: SignInPolicy
) -> bool:
    """A session is used within its idle time and before its absolute end."""
    return now < expires_at and now - last_seen_at < policy.idle
