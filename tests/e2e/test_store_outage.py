"""PostgreSQL goes away while commands arrive: the cases take them, reads answer 503, and the
projection catches up when the database returns, every event exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from temporalio.testing import WorkflowEnvironment

from activities.runtime.settings import Settings
from activities.store.engine import create_engine
from api.app import create_app
from tests.api.helpers import act, create_case
from tests.principals import bearer, seed_database
from tests.tcp_proxy import TcpProxy
from worker import WORKFLOWS, build_worker, case_activities

pytestmark = pytest.mark.e2e


@dataclass
class Outage:
    api: httpx.AsyncClient
    proxy: TcpProxy
    direct_url: str


@pytest.fixture
async def outage(
    temporal_env: WorkflowEnvironment, fresh_database_url: object
) -> AsyncIterator[Outage]:
    direct_url = await fresh_database_url("postgresql")  # type: ignore[operator]
    keys = await seed_database(direct_url)
    url = make_url(direct_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    port = await proxy.start()
    proxied = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    # A directory check expires at once: callers get in on the last check the outage interrupted.
    settings = Settings(
        database_url=proxied,
        task_queue="store-outage",
        command_timeout_seconds=60,
        auth_cache_seconds=0.0,
    )
    engine = create_engine(proxied, pre_ping=False)
    async with httpx.AsyncClient(trust_env=False) as http:
        activities = case_activities(engine, settings, http)
        async with build_worker(temporal_env.client, settings.task_queue, activities):
            app = create_app(settings, temporal=temporal_env.client, workflows=WORKFLOWS)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://t", headers=bearer(keys["mediator"])
                ) as api:
                    yield Outage(api, proxy, direct_url)
    await engine.dispose()
    await proxy.stop()


async def test_commands_are_taken_during_a_database_outage_and_projected_after(
    outage: Outage,
) -> None:
    api = outage.api
    case = await create_case(api)
    case_id = case["case_id"]
    assert (await act(api, case_id, "accept")).status_code == 200

    outage.proxy.cut()
    read = await api.get(f"/v1/cases/{case_id}")
    assert read.status_code == 503
    assert read.json()["code"] == "service_unavailable"
    assert (await api.get("/v1/cases")).status_code == 503
    intake = await api.post("/v1/cases", json=case_body())
    assert intake.status_code == 503  # a new case needs its number from the database
    planned = await act(api, case_id, "plan")
    assert planned.status_code == 200, planned.text  # the case itself takes the command
    mediating = await act(api, case_id, "start_mediation")
    assert mediating.status_code == 200
    live = (await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})).json()
    assert live["stage"] == "mediating"

    outage.proxy.restore()
    for _ in range(200):
        read = await api.get(f"/v1/cases/{case_id}")
        if read.status_code == 200 and read.json()["seq"] == live["seq"]:
            break
        await asyncio.sleep(0.1)
    assert read.status_code == 200
    assert read.json() == live

    engine = create_engine(outage.direct_url)
    async with engine.connect() as connection:
        seqs = [
            seq
            for (seq,) in await connection.execute(
                text("SELECT seq FROM case_events WHERE case_id = :c ORDER BY seq"), {"c": case_id}
            )
        ]
    await engine.dispose()
    assert seqs == list(range(1, live["seq"] + 1))  # every event once, none lost


def case_body() -> dict[str, object]:
    from tests.samples import intake_body

    return intake_body()
