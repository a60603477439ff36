"""Issue 20's acceptance over HTTP with real processes (the Temporal dev server, ``python -m
worker``, ``python -m api``): a case registered from a town leader's reception log (领导接访)
is instructed (批示) and
answered (落实反馈), listed by the county leader (挂牌督办), refused delisting while unresolved,
resolved and delisted (摘牌); the timeline and the dossier show all of it."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from tests.e2e.conftest import Processes, wait_ready
from tests.leader_listing_flow import run_listing_flow

pytestmark = pytest.mark.e2e


async def test_a_received_case_is_instructed_listed_resolved_and_delisted(
    processes: Processes,
) -> None:
    await wait_ready(processes.api_url)
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(processes.client(name))
            for name in ("mediator", "town_leader", "county_leader", "auditor")
        }
        ended = await run_listing_flow(clients)
    assert ended["stage"] == "agreement_reached"
    assert ended["listings"][0]["delisted_at"] is not None
