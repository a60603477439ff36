"""An auditor reads the leaders' registers in the console (约谈通报, 重点人员名册, 领导接访):
nothing is shown until a purpose is stated, the read and its purpose land in the access trail,
numbers stay masked, and a case number leads to the auditor's own case page. At a desk and on a
phone."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import text

from tests.api.test_accountability_api import summon_body
from tests.api.test_receptions_api import reception_body
from tests.api.test_watched_api import fresh_id, person_body
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import page_width
from tests.principals import bearer
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def _seeded(console: Console) -> tuple[str, str, str, str]:
    """A case, a 约谈 about it and a watched person, entered by the leaders over the API."""
    facts = f"回访逾期{uuid.uuid4().hex[:4]}，当事人电话13812345678无人回复"
    number, name = fresh_id(), f"钱{uuid.uuid4().hex[:3]}"
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        created = await api.post(
            "/v1/cases",
            json=intake_body(),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        case_id = created.json()["case_id"]
        leader = bearer(console.keys["county_leader"])
        summoned = await api.post(
            "/v1/accountability", json=summon_body(case_id=case_id, facts=facts), headers=leader
        )
        assert summoned.status_code == 201, summoned.text
        entered = await api.post("/v1/watched", json=person_body(number, name=name), headers=leader)
        assert entered.status_code == 201, entered.text
    return case_id, facts, number, name


async def _shown(page: Page, shot: Shot, name: str, width: int) -> None:
    """The page's screenshot; on a phone, nothing wider than the screen."""
    await shot(page, name)
    if width < 600:
        assert await page_width(page) <= 390


async def _purposes(console: Console, endpoint: str) -> set[str]:
    async with console.sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT purpose FROM access_trail WHERE principal_id = 'wuming'"
                " AND endpoint = :endpoint"
            ),
            {"endpoint": endpoint},
        )
    return {purpose for (purpose,) in rows}


@pytest.mark.parametrize("width", [1366, 390])
async def test_an_auditor_reads_the_summons_register_and_the_watched_register_with_a_purpose(
    console: Console, pages: Pages, shot: Shot, width: int
) -> None:
    case_id, facts, number, name = await _seeded(console)
    page = await pages.open(width, 844 if width < 600 else 768)
    await pages.sign_in(page, "wuming")  # 吴明, auditor of the district
    await page.goto(f"{console.url}/audit")
    await page.get_by_role("link", name="约谈通报").click()
    await expect(page.get_by_role("heading", name="约谈通报")).to_be_visible()
    assert facts[:8] not in await page.content()  # nothing read before a purpose

    purpose = f"约谈记录专项检查{uuid.uuid4().hex[:4]}"
    await page.get_by_label("所涉案件编号（可选）").fill("JF-12")
    await page.get_by_role("button", name="查阅").click()
    await expect(page.locator("#purpose-error")).to_contain_text("请先说明查阅用途")
    await expect(page.locator("#case-error")).to_contain_text("案件编号格式不正确")
    await shot(page, f"01-audit-summons-refused-{width}")

    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill(purpose)
    await page.get_by_label("所涉案件编号（可选）").fill(case_id)
    await page.get_by_role("button", name="查阅").click()
    row = page.locator("#accountability-records tr", has_text=facts[:8])
    await expect(row).to_contain_text("大行宫社区人民调解委员会")
    await expect(row).to_contain_text("138****5678")
    assert "13812345678" not in await page.content()
    await _shown(page, shot, f"02-audit-summons-{width}", width)
    assert purpose in await _purposes(console, "GET /v1/accountability")
    await row.get_by_role("link", name=case_id).click()
    await expect(page).to_have_url(f"{console.url}/audit/cases/{case_id}")

    await page.goto(f"{console.url}/audit")
    await page.get_by_role("link", name="重点人员名册").click()
    assert name not in await page.content()
    watch_purpose = f"名册抽查{uuid.uuid4().hex[:4]}"
    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill(watch_purpose)
    await page.get_by_role("button", name="查阅").click()
    person = page.locator("#watched tr", has_text=name)
    await expect(person).to_contain_text(number[:4] + "*" * 10)
    await expect(person).to_contain_text("王芳")
    assert number not in await page.content()
    assert await person.get_by_role("link").count() == 0  # the leaders' person page is not theirs
    await _shown(page, shot, f"03-audit-watched-{width}", width)
    assert watch_purpose in await _purposes(console, "GET /v1/watched")


async def _reception(console: Console) -> tuple[str, str, str]:
    """A reception by 刘强 (town leader) with a case registered from it, over the API."""
    place = f"梅园新村接待室{uuid.uuid4().hex[:4]}"
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        leader = bearer(console.keys["town_leader"])
        logged = reception_body(place=place)
        recorded = await api.post("/v1/receptions", json=logged, headers=leader)
        assert recorded.status_code == 201, recorded.text
        rid = recorded.json()["reception_id"]
        body = {
            **{k: v for k, v in intake_body().items() if k not in ("channel", "applicants")},
            "visitors": [0],
        }
        registered = await api.post(
            f"/v1/receptions/{rid}/cases",
            json=body,
            headers={**leader, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert registered.status_code == 201, registered.text
    return rid, place, registered.json()["case_id"]


@pytest.mark.parametrize("width", [1366, 390])
async def test_an_auditor_reads_the_reception_log_and_one_reception_with_a_purpose(
    console: Console, pages: Pages, shot: Shot, width: int
) -> None:
    rid, place, case_id = await _reception(console)
    page = await pages.open(width, 844 if width < 600 else 768)
    await pages.sign_in(page, "wuming")
    await page.goto(f"{console.url}/audit")
    await page.get_by_role("link", name="领导接访").click()
    await expect(page.get_by_role("heading", name="领导接访", exact=True)).to_be_visible()
    assert place not in await page.content()  # nothing read before a purpose
    await page.get_by_role("button", name="查阅").click()
    await expect(page.locator("#purpose-error")).to_contain_text("请先说明查阅用途")

    purpose = f"接访记录抽查{uuid.uuid4().hex[:4]}"
    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill(purpose)
    await page.get_by_role("button", name="查阅").click()
    row = page.locator("#receptions tr", has_text=place)
    await expect(row).to_contain_text("刘强")
    await expect(row).to_contain_text("张伟")
    await _shown(page, shot, f"04-audit-receptions-{width}", width)
    assert purpose in await _purposes(console, "GET /v1/receptions")

    await row.get_by_role("link").click()  # the date leads to the reception, purpose kept
    await expect(page.locator("#visitors")).to_contain_text("1101**********1233")
    await expect(page.locator("#visitors")).to_contain_text("138****5678")
    content = await page.content()
    assert "13812345678" not in content
    assert "110101199003071233" not in content
    await expect(page.locator("#reception-cases")).to_contain_text(case_id)
    assert await page.locator("#reception-case-form").count() == 0  # the leader's form only
    await _shown(page, shot, f"05-audit-reception-{width}", width)
    assert purpose in await _purposes(console, "GET /v1/receptions/{id}")
    await page.get_by_role("link", name=case_id).click()
    await expect(page).to_have_url(f"{console.url}/audit/cases/{case_id}")


async def test_a_leader_has_no_auditors_register_pages(console: Console, pages: Pages) -> None:
    page = await pages.open(1366, 768)
    await pages.sign_in(page, "zhoujun")
    for path in (
        "/audit/accountability?purpose=看看记录",
        "/audit/watched?purpose=看看名册",
        "/audit/receptions?purpose=看看接访",
    ):
        response = await page.goto(f"{console.url}{path}")
        assert response is not None
        assert response.status == 403, path


async def test_hostile_purposes_and_case_numbers_are_refused_beside_the_field(
    console: Console, pages: Pages
) -> None:
    page = await pages.open(1366, 768)
    await pages.sign_in(page, "wuming")
    before = await _purposes(console, "GET /v1/accountability")
    for query in (
        {"purpose": "检查\x00记录"},
        {"purpose": "查" * 501},
        {"purpose": "<script>alert(1)</script>", "case_id": "JF-2026-0\x00"},
        {"purpose": "专项检查", "case_id": "'; DROP TABLE access_trail; --"},
    ):
        answer = await page.request.get(f"{console.url}/audit/accountability", params=query)
        assert answer.status == 422, query
        body = await answer.text()
        assert "field-error" in body
        assert "<script>alert(1)</script>" not in body
    for path in ("/audit/watched", "/audit/receptions", f"/audit/receptions/JD-{'0' * 20}"):
        answer = await page.request.get(f"{console.url}{path}", params={"purpose": "查\x07"})
        assert answer.status == 422, path
    missing = await page.request.get(
        f"{console.url}/audit/receptions/JD-x", params={"purpose": "查阅"}
    )
    assert missing.status == 404
    assert await _purposes(console, "GET /v1/accountability") == before
