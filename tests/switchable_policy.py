"""The real policy provider, whose rule set a test can swap between two intakes (and back)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from activities.policy.book import PolicyBook
from activities.tasks.policy import PolicyProvider


class SwitchablePolicy(PolicyProvider):
    """Cases registered after ``use`` snapshot ``book``; running cases keep their snapshot."""

    def use(self, book: PolicyBook) -> None:
        self._book = book

    @contextmanager
    def using(self, book: PolicyBook) -> Iterator[None]:
        previous = self._book
        self._book = book
        try:
            yield
        finally:
            self._book = previous
