"""``fengqiao demo`` on a fresh machine (both stores): the accounts it prints sign in to the
console and land on their home pages, and the hand-off cases wait in the right worklists.

The demo gets a database and a Temporal namespace of its own (its case numbers start at 1, as on
a fresh machine), and runs against the real app in process with a real worker.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.identity import passwords
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from api.app import create_app
from api.cli.demo import demo
from domain.values import china_date
from tests.conftest import BACKENDS
from tests.samples import china_today
from worker import WORKFLOWS, build_worker, case_activities, diversion_activities

BASE = "http://fengqiao.test"

# Where each demo account lands after signing in (README "Web console"), written by hand.
HOMES = {
    "demo-mediator": "/worklist",
    "demo-town-mediator": "/worklist",
    "demo-village-mediator": "/worklist",
    "demo-labour-mediator": "/worklist",
    "demo-hrss": "/worklist",
    "demo-grid-worker": "/reports",
    "demo-leader": "/leader",
    "demo-auditor": "/audit",
    "demo-admin": "/admin/organisations",
    "demo-security": "/admin/users",
    "demo-security-2": "/admin/users",
}
NAMES = {
    "demo-mediator": "王芳",
    "demo-town-mediator": "陈建平",
    "demo-village-mediator": "张桂兰",
    "demo-labour-mediator": "黄志刚",
    "demo-hrss": "许立新",
    "demo-grid-worker": "李小梅",
    "demo-leader": "张华",
    "demo-auditor": "李审",
    "demo-admin": "演示管理员",
    "demo-security": "安全管理员甲",
    "demo-security-2": "安全管理员乙",
}
TRANSFERRED = "长江路社区楼道堆物引发邻里纠纷"
ASSIGNED = "某装修公司拖欠十二名工人工资"
ROUTED = "长江路社区某餐饮店拖欠厨师工资纠纷"
LIFTED = "长江路社区两户相邻通行纠纷"
LIFT_PENDING = "长江路社区宠物犬伤人赔偿纠纷"
GRID_REPORT = "长江路社区第一网格楼上漏水引发邻里矛盾"


@dataclass
class DemoStack:
    settings: Settings
    transport: httpx.ASGITransport


@pytest.fixture(scope="module", params=BACKENDS)
async def fresh(
    request: pytest.FixtureRequest, temporal_env: WorkflowEnvironment, fresh_database_url: object
) -> AsyncIterator[DemoStack]:
    """An empty migrated database, its own namespace, a worker and the app: a fresh machine."""
    backend: str = request.param
    namespace = f"demo-{backend}"
    database_url = await fresh_database_url(backend)  # type: ignore[operator]
    target = temporal_env.client.service_client.config.target_host
    client = await Client.connect(
        target, namespace=namespace, data_converter=pydantic_data_converter
    )
    settings = Settings(
        database_url=database_url,
        temporal_address=target,
        temporal_namespace=namespace,
        task_queue=f"demo-cases-{backend}",
    )
    engine = create_engine(database_url)
    app = create_app(settings, temporal=client, workflows=WORKFLOWS)
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        activities = [*case_activities(engine, settings, http)]
        activities += diversion_activities(engine, client, settings)
        async with (
            build_worker(client, settings.task_queue, activities),
            app.router.lifespan_context(app),
        ):
            yield DemoStack(settings, httpx.ASGITransport(app=app))
    await engine.dispose()


def _printed(output: str) -> tuple[str, str, dict[str, str]]:
    """(console URL, demo password, user id → API key) as ``fengqiao demo`` printed them."""
    url = re.search(r"console: (\S+)", output)
    password = re.search(r"demo password[^:]*: (\S+)", output)
    assert url is not None, output
    assert password is not None, output
    keys = dict(re.findall(r"^\s+(demo-[a-z0-9-]+): (fq_\S+)$", output, flags=re.MULTILINE))
    return url.group(1), password.group(1), keys


async def _sign_in(transport: httpx.ASGITransport, user_id: str, password: str) -> httpx.Response:
    """Sign in through the console's form as a person would; the page it ends on."""
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, follow_redirects=True
    ) as browser:
        form = await browser.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        return await browser.post(
            "/signin",
            data={"user_id": user_id, "password": password, "csrf_token": token.group(1)},
            headers={"Origin": BASE},
        )


def _api(stack: DemoStack, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=stack.transport, base_url=BASE, headers={"Authorization": f"Bearer {key}"}
    )


async def _worklist(stack: DemoStack, key: str, group: str) -> dict[str, dict[str, Any]]:
    """The caller's worklist group: case title → item."""
    async with _api(stack, key) as api:
        response = await api.get("/v1/worklist", params={"group": group, "limit": 100})
    assert response.status_code == 200, response.text
    return {item["title"]: item for item in response.json()["items"]}


async def _case(stack: DemoStack, key: str, title: str) -> dict[str, Any]:
    async with _api(stack, key) as api:
        listed = await api.get("/v1/cases", params={"q": title})
        assert listed.status_code == 200, listed.text
        (found,) = [c for c in listed.json()["items"] if c["title"] == title]
        case: dict[str, Any] = (await api.get(f"/v1/cases/{found['case_id']}")).json()
        return case


async def test_the_demo_accounts_sign_in_and_the_handoffs_wait_where_they_should(
    fresh: DemoStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await demo(fresh.settings, BASE, transport=fresh.transport) == 0
    output = capsys.readouterr().out
    url, password, keys = _printed(output)
    assert url == f"{BASE}/"
    assert "never in production" in output
    assert "切勿用于生产环境" in output
    assert set(keys) == set(HOMES)

    for user_id, home in HOMES.items():
        landed = await _sign_in(fresh.transport, user_id, password)
        assert landed.status_code == 200, (user_id, landed.text[:300])
        assert landed.url.path == home, user_id
        assert NAMES[user_id] in landed.text, user_id
        assert user_id in output  # printed with the accounts

    # 转办: the town center's home page and worklist show the case awaiting its 签收.
    town = await _worklist(fresh, keys["demo-town-mediator"], "incoming_transfer")
    assert town[TRANSFERRED]["organisation"] == "xw-myxc-center"
    assert town[TRANSFERRED]["due_at"] is not None
    landed = await _sign_in(fresh.transport, "demo-town-mediator", password)
    assert TRANSFERRED in landed.text
    assert "待签收" in landed.text

    # 交办: 人社局 owes its report by the deadline the labour room set.
    hrss = await _worklist(fresh, keys["demo-hrss"], "report_back_due")
    item = hrss[ASSIGNED]
    assert item["assignment_no"] == 1
    due = datetime.fromisoformat(item["due_at"])
    assert china_date(due) in {china_today() + timedelta(days=d) for d in (10, 11)}
    assert not item["overdue"]

    # 分流: registered by the village committee, the labour room holds it (suggestion taken).
    routed = await _case(fresh, keys["demo-labour-mediator"], ROUTED)
    assert routed["routing"]["rule_id"] == "labour-to-county-room"
    assert routed["routing"]["chosen"] == routed["routing"]["suggested"]
    assert routed["holder"]["org_id"] == "xw-labour-room"
    assert routed["center_id"] == "xw-cjl-committee"

    # 上提: three sessions at the village, the suggestion, then the town center holds it.
    lifted = await _case(fresh, keys["demo-town-mediator"], LIFTED)
    assert lifted["holder"]["org_id"] == "xw-myxc-center"
    async with _api(fresh, keys["demo-town-mediator"]) as api:
        timeline = (await api.get(f"/v1/cases/{lifted['case_id']}/timeline")).json()
    kinds = [entry["type"] for entry in timeline["entries"]]
    assert kinds.count("session_recorded") == 3
    assert kinds.index("lift_suggested") < kinds.index("case_lifted")
    village_lifts = await _worklist(fresh, keys["demo-village-mediator"], "lift_suggested")
    assert set(village_lifts) == {LIFT_PENDING}

    # 网格员上报: the village committee has it to accept; the grid worker sees where it stands.
    village_new = await _worklist(fresh, keys["demo-village-mediator"], "new_intake")
    assert GRID_REPORT in village_new
    reports = await _sign_in(fresh.transport, "demo-grid-worker", password)
    assert GRID_REPORT in reports.text
    assert "长江路社区人民调解委员会" in reports.text
    assert "朱静" not in reports.text  # a report's status, never its parties
    assert ROUTED not in reports.text  # the village committee's own registration is not theirs


async def test_a_second_run_keeps_the_cases_and_a_password_someone_set(
    fresh: DemoStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await demo(fresh.settings, BASE, transport=fresh.transport) == 0
    _, password, keys = _printed(capsys.readouterr().out)
    async with _api(fresh, keys["demo-mediator"]) as api:
        before = (await api.get("/v1/cases", params={"limit": 100})).json()["items"]
    engine = create_engine(fresh.settings.resolved_database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await passwords.set_password("demo-leader", "the-leader-chose-this", session=session)
    finally:
        await engine.dispose()

    assert await demo(fresh.settings, BASE, transport=fresh.transport) == 0
    _, again, new_keys = _printed(capsys.readouterr().out)
    assert again == password
    assert new_keys["demo-mediator"] != keys["demo-mediator"]  # a fresh key each run
    async with _api(fresh, new_keys["demo-mediator"]) as api:
        after = (await api.get("/v1/cases", params={"limit": 100})).json()["items"]
    assert [(c["case_id"], c["stage"]) for c in after] == [
        (c["case_id"], c["stage"]) for c in before
    ]
    refused = await _sign_in(fresh.transport, "demo-leader", password)
    assert refused.status_code == 401
    kept = await _sign_in(fresh.transport, "demo-leader", "the-leader-chose-this")
    assert kept.url.path == "/leader"
