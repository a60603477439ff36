"""The chain-audit tests' store: a throw-away database per backend, shared by a module's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from activities.store.engine import create_engine, create_sessionmaker
from tests.activities.audit.chain_support import Store
from tests.conftest import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
async def store(request: pytest.FixtureRequest, fresh_database_url: object) -> AsyncIterator[Store]:
    url = await fresh_database_url(request.param)  # type: ignore[operator]
    engine = create_engine(url)
    yield Store(request.param, url, engine, create_sessionmaker(engine))
    await engine.dispose()
