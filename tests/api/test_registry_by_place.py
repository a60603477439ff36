"""单位名录 by place at the console benchmark's registry (four counties, 1,068 organisations):
each page lists one place's organisations, stays small, searches by name and pages; the JSON
API answers the same pages and refuses bad paging (422); a mediator still gets no admin page.
Driven over HTTP against the real app (no Temporal: these pages only read the registry)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.identity import passwords, principals
from activities.runtime.settings import Settings
from activities.store import registry as registry_store
from activities.store.engine import create_sessionmaker
from api.app import create_app
from bench.real_cases import bench_registry
from domain.people.access import Principal, Role
from domain.people.sign_in import SignInPolicy
from tests.principals import USERS

BASE = "http://fengqiao.test"
PAGE_BOUND = 120_000  # bytes; the whole registry on one page was 842,793 (docs/console.md)
PEOPLE = {
    "system_admin": USERS["system_admin"],
    "mediator": Principal(
        user_id="bench-town-mediator",
        display_name="王芳",
        role=Role.MEDIATOR,
        jurisdiction="320102001",
        center_id="center-320102001",
    ),
}
ORG_LINK = re.compile(r'href="/admin/organisations/([^"/?]+)"')


@pytest.fixture(scope="module")
async def clients(engine: AsyncEngine) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    registry_ = bench_registry()
    assert len(registry_.organisations) == 1_068
    sessionmaker = create_sessionmaker(engine)
    tokens: dict[str, str] = {}
    async with sessionmaker.begin() as session:
        await registry_store.load_registry(registry_, session=session)
        for name, user in PEOPLE.items():
            await principals.create_user(user, session=session)
            session_opened = await passwords.open_session(
                user.user_id,
                method="password",
                now=datetime.now(UTC),
                policy=SignInPolicy(),
                session=session,
            )
            tokens[name] = session_opened.token
        keys = {
            name: (await principals.issue_key(user.user_id, session=session)).key
            for name, user in PEOPLE.items()
        }
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, temporal_address="127.0.0.1:1"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        opened = {
            name: httpx.AsyncClient(
                transport=transport, base_url=BASE, cookies={"fq_session": token}
            )
            for name, token in tokens.items()
        } | {
            f"api-{name}": httpx.AsyncClient(
                transport=transport, base_url=BASE, headers={"Authorization": f"Bearer {key}"}
            )
            for name, key in keys.items()
        }
        yield opened
        for client in opened.values():
            await client.aclose()


async def test_the_top_lists_the_counties_and_no_organisation(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    page = await clients["system_admin"].get("/admin/organisations")
    assert page.status_code == 200
    assert len(page.content) < PAGE_BOUND
    for name in ("玄武区", "秦淮区", "建邺区", "鼓楼区"):
        assert name in page.text
    assert "请选择区划查看其单位" in page.text
    assert ORG_LINK.findall(page.text) == []


async def test_a_town_lists_its_own_organisations_and_villages_only(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    page = await clients["system_admin"].get("/admin/organisations?place=320104003")
    assert page.status_code == 200, page.text
    assert len(page.content) < PAGE_BOUND
    assert set(ORG_LINK.findall(page.text)) == {"center-320104003", "police-320104003"}
    # breadcrumb up to the county, its 20 villages as links, no other town's
    assert 'href="/admin/organisations?place=320104"' in page.text
    assert page.text.count('href="/admin/organisations?place=320104003') >= 20
    assert "320104004001" not in page.text
    # the new-organisation form offers the places around it and the organisations over it
    assert 'value="center-320104"' in page.text
    assert 'value="center-320102"' not in page.text


async def test_search_by_name_within_a_county_pages_by_fifty(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    first = await clients["system_admin"].get(
        "/admin/organisations?place=320102&q=社区人民调解委员会"
    )
    assert first.status_code == 200
    assert len(first.content) < PAGE_BOUND
    found = ORG_LINK.findall(first.text)
    assert len(found) == 50
    assert all(org.startswith("committee-320102") for org in found)
    assert "（240）" in first.text
    assert "第 1 / 5 页" in first.text
    last = await clients["system_admin"].get(
        "/admin/organisations?place=320102&q=社区人民调解委员会&page=5"
    )
    assert len(ORG_LINK.findall(last.text)) == 40
    anywhere = await clients["system_admin"].get("/admin/organisations?q=劳动争议调解室")
    assert sorted(ORG_LINK.findall(anywhere.text)) == [
        "room-320102",
        "room-320104",
        "room-320105",
        "room-320106",
    ]
    none = await clients["system_admin"].get("/admin/organisations?q=不存在的单位")
    assert "没有名称含此词的单位" in none.text


async def test_bad_walk_parameters_are_refused_in_chinese(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    for query, status, text in (
        ("place=12", 422, "区划代码"),
        ("place=999999", 404, "不在区划名录中"),
        ("page=0", 422, "页码"),
        ("page=x", 422, "页码"),
        ("q=" + "长" * 101, 422, "检索词"),
    ):
        page = await clients["system_admin"].get(f"/admin/organisations?{query}")
        assert page.status_code == status, query
        assert text in page.text


async def test_a_mediator_gets_no_admin_registry_page(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    for path in ("/admin/organisations", "/admin/organisations?place=320104&q=中心"):
        page = await clients["mediator"].get(path)
        assert page.status_code == 403
        assert "无权管理单位名录" in page.text


async def test_the_json_api_pages_by_place_and_name(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    api = clients["api-mediator"]
    at = await api.get("/v1/organisations", params={"at": "320104003"})
    assert at.status_code == 200
    assert {o["org_id"] for o in at.json()["items"]} == {"center-320104003", "police-320104003"}
    assert at.json()["total"] == 2
    named = await api.get(
        "/v1/organisations",
        params={"within": "320106", "name": "调解委员会", "limit": 100, "offset": 200},
    )
    assert named.json()["total"] == 240
    assert len(named.json()["items"]) == 40
    walked = await api.get("/v1/jurisdictions/walk", params={"place": "320106002"})
    assert walked.status_code == 200
    body = walked.json()
    assert [p["code"] for p in body["trail"]] == ["320106"]
    assert body["place"]["name"] == "第2街道"
    assert body["children_total"] == 20
    top = await api.get("/v1/jurisdictions/walk")
    assert [p["code"] for p in top.json()["children"]] == ["320102", "320104", "320105", "320106"]
    everything = await api.get("/v1/organisations")  # unpaged, as before
    assert len(everything.json()["items"]) == 1_068
    assert everything.json()["total"] is None
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "x"}):
        refused = await api.get("/v1/organisations", params=params)
        assert refused.status_code == 422, params
        assert refused.json()["code"] == "invalid_input"
    unknown = await api.get("/v1/jurisdictions/walk", params={"place": "999999"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "place_not_found"
