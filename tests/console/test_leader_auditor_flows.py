"""A leader sees an overdue alert and acknowledges it; an auditor verifies the chain, reads the
case as of a moment and downloads the dossier — each read asking for its purpose first."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import text

from domain.values import CHINA_TZ
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import today
from tests.principals import bearer
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def _late_case(console: Console) -> dict[str, Any]:
    """A labour dispute recorded 60 days after it was received (补录): its 15-day mediation period
    (E1, counted from receipt) has run, so it is overdue the moment it is registered and the
    breach alerts at once (this deployment sets no 补录宽限: see the console fixture)."""
    received = (today() - timedelta(days=60)).isoformat()
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        response = await api.post(
            "/v1/cases",
            json=intake_body(
                title=f"逾期未受理的劳动争议 {uuid.uuid4().hex[:4]}",
                category="labour",
                received_on=received,
            ),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    assert any(a["kind"] == "breach" for a in case["alerts"]), case["alerts"]
    return case


async def test_a_leader_sees_the_overdue_alert_and_acknowledges_it(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _late_case(console)
    page = await pages.open()
    await pages.sign_in(page, "liuqiang")  # 刘强, leader of the case's town
    await expect(page.get_by_role("heading", name="领导看板")).to_be_visible()
    row = page.locator("tr", has_text=case["case_id"]).filter(has_text="逾期督办").first
    await expect(row).to_be_visible()
    assert int(await page.locator("#overdue-count").inner_text()) >= 1
    await shot(page, "01-leader-board")

    await row.get_by_placeholder("签收意见（可选）").fill("已责成街道三日内受理")
    await row.get_by_role("button", name="签收").click()
    await expect(page.get_by_role("status")).to_have_text("已签收")
    await expect(
        page.locator("tr", has_text=case["case_id"]).filter(has_text="逾期督办")
    ).to_have_count(0)
    await shot(page, "02-acknowledged")

    await page.goto(f"{console.url}/cases/{case['case_id']}")
    await expect(page.get_by_text("刘强 签收").first).to_be_visible()
    # Counts by stage drill down to the cases.
    await page.goto(f"{console.url}/leader")
    await page.get_by_role("link", name="已登记", exact=True).click()
    await expect(page.get_by_role("link", name=case["case_id"])).to_be_visible()
    wide = await pages.open(1920, 1080)
    await pages.sign_in(wide, "liuqiang")
    await shot(wide, "03-leader-board-1920")


async def test_an_auditor_verifies_views_as_of_and_downloads_the_dossier(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _late_case(console)
    case_id = case["case_id"]
    page = await pages.open()
    await pages.sign_in(page, "wuming")  # 吴明, auditor of the district
    await page.get_by_label("检索", exact=True).fill("逾期未受理")
    await page.get_by_role("button", name="检索").click()
    await page.get_by_role("link", name=case_id).click()

    # Nothing is shown before a purpose is stated.
    await page.get_by_role("button", name="核验哈希链").click()
    await expect(page.locator("#purpose-error")).to_contain_text("请先说明查阅用途")
    await shot(page, "01-purpose-first")

    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill("年度案卷质量抽查")
    await page.get_by_role("button", name="核验哈希链").click()
    await expect(page.locator("#verify-result")).to_contain_text("核验通过")
    await shot(page, "02-verified")

    moment = datetime.now(CHINA_TZ)  # after the registration, to the second
    await page.get_by_label("时刻（北京时间）").fill(moment.strftime("%Y-%m-%dT%H:%M:%S"))
    await page.get_by_role("button", name="某一时刻的状态").click()
    await expect(page.locator("#state-result")).to_contain_text("已登记")
    await shot(page, "03-as-of")

    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="下载卷宗（PDF）").click()
    download = await waiting.value
    assert download.suggested_filename == f"{case_id}-dossier.pdf"
    path = await download.path()
    assert path.read_bytes().startswith(b"%PDF")

    await page.goto(f"{console.url}/audit/trail")
    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill("核对本人查阅记录")
    await page.get_by_label("案件编号（可选）").fill(case_id)
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("td", has_text="年度案卷质量抽查").first).to_be_visible()
    await shot(page, "04-access-trail")
    async with console.sessionmaker() as session:
        purposes = (
            await session.execute(
                text("SELECT endpoint, purpose FROM access_trail WHERE case_id = :c"),
                {"c": case_id},
            )
        ).all()
    endpoints = {endpoint for endpoint, purpose in purposes if purpose == "年度案卷质量抽查"}
    assert {"GET /v1/cases/{id}/verify", "GET /v1/cases/{id}/state"} <= endpoints
    assert "GET /v1/cases/{id}/dossier?format=pdf" in endpoints
