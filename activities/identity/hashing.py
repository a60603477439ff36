"""Password checks off the event loop (口令校验线程池): argon2id on a few threads, a bounded queue.

argon2id takes ~100 ms of CPU and 64 MiB by design; on the event loop thirty bad sign-ins at once
stalled every other request (``/healthz`` included). Here the hash runs on a small thread pool;
at most ``threads + queue`` checks are in flight, and a sign-in beyond them is refused at once
(``HashPoolBusy``, answered 429) rather than queued without bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

Verify = Callable[[str, str], bool]


class HashPoolBusy(Exception):
    """Every thread is busy and the queue is full: try again shortly."""


class HashPool:
    def __init__(self, verify: Verify, *, threads: int, queue: int) -> None:
        self._verify = verify
        self._executor = ThreadPoolExecutor(
            max_workers=max(1, threads), thread_name_prefix="argon2"
        )
        self._capacity = max(1, threads) + max(0, queue)
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a place for one sign-in's check; ``HashPoolBusy`` when none is left."""
        if self._in_flight >= self._capacity:
            raise HashPoolBusy
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1

    async def verify(self, password_hash: str, password: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._verify, password_hash, password)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
