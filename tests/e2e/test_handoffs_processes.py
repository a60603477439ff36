"""Issue 11's acceptance over HTTP with real processes (the dev server, ``python -m worker``,
``python -m api``): a labour dispute reported at a village is routed, transferred by mistake and
returned, assigned with a report-back, lifted and mediated with roster mediators, then closed;
at every moment each organisation's staff can do exactly what they should (tests.handoff_flow).
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
import pytest

from tests.e2e.conftest import Processes, wait_ready
from tests.handoff_county import seed_county_database
from tests.handoff_flow import check_timeline, run_flow
from tests.principals import bearer

pytestmark = pytest.mark.e2e


async def test_hand_offs_between_organisations_against_real_processes(
    processes: Processes,
) -> None:
    keys = await seed_county_database(processes.database_url)
    await wait_ready(processes.api_url)
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(base_url=processes.api_url, timeout=60, headers=bearer(key))
            )
            for name, key in keys.items()
        }
        closed = await run_flow(clients)
        await check_timeline(clients["county"], closed)
        # The read model and the case itself agree on where the case ended up.
        case_id = closed["case_id"]
        county = clients["county"]
        live = (await county.get(f"/v1/cases/{case_id}", params={"consistent": "true"})).json()
        stored = (await county.get(f"/v1/cases/{case_id}")).json()
        assert live == stored
        assert stored["former_holders"] == ["jn-labour-room"]
