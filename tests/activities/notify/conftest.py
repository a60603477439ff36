"""The channel tests' loopback receiver and HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.activities.notify.channel_support import Receiver
from tests.loopback import serve


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rx = Receiver()
    async with serve(rx.handle) as port:
        rx.port = port
        yield rx
        rx.released.set()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: a proxy from the environment must not intercept loopback traffic.
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client
