"""Console sign-in rules (登录): growing delays after repeated failures, and when a session ends.

Pure: the instant is an argument. The store keeps the counters; these functions decide.

Failed attempts are counted three ways (``Throttle``): per account and address together (the
strict one: five free attempts), per address, and per account from every address (loose: a
guesser spread over many machines). Past a count's free attempts, every further attempt waits a
delay that doubles each time up to a cap, whatever password it carries, and is refused (429)
until then without being checked; a count that sees no attempt for its window starts afresh.
Nobody can lock an account out for good: the right password after the delay signs in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.base import Frozen


class Throttle(Frozen):
    """One count of failed attempts: how many are free, then how long each further one waits."""

    free: int = 5
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)
    # A count with no attempt for this long starts again from zero.
    window: timedelta = timedelta(minutes=30)

    def delay(self, attempts: int) -> timedelta:
        """How long the attempt after the ``attempts``-th counted one must wait (0: none)."""
        if attempts < self.free:
            return timedelta(0)
        # Doubling from the first delay; capped before the power can grow large.
        steps = min(attempts - self.free, 40)
        grown: timedelta = self.first_delay * (2**steps)
        return min(grown, self.max_delay)

    def schedule(self) -> dict[int, timedelta]:
        """Every count whose delay is below the cap, with its delay (the rest wait the cap)."""
        table: dict[int, timedelta] = {}
        attempts = self.free
        while self.delay(attempts) < self.max_delay:
            table[attempts] = self.delay(attempts)
            attempts += 1
        return table


class SignInPolicy(Frozen):
    """The three counts of failed sign-ins, and how long a session lives."""

    per_account_address: Throttle = Throttle()
    per_address: Throttle = Throttle(free=30)
    per_account: Throttle = Throttle(free=50)
    idle: timedelta = timedelta(minutes=30)  # no request for this long ends the session
    absolute: timedelta = timedelta(hours=12)  # a session never lives longer than this

    @property
    def max_failures(self) -> int:
        """Free attempts of one account from one address."""
        return self.per_account_address.free


def blocked(blocked_until: datetime | None, now: datetime) -> bool:
    """An attempt at ``now`` must still wait."""
    return blocked_until is not None and now < blocked_until


def session_alive(
    last_seen_at: datetime, expires_at: datetime, now: datetime, policy: SignInPolicy
) -> bool:
    """A session is used within its idle time and before its absolute end."""
    return now < expires_at and now - last_seen_at < policy.idle
