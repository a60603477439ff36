"""约谈通报 in the console: a county leader records a 约谈 of the village committee about a case
on a phone (390×844); it is listed in the register and on the case page the leader sees, never
on the handling mediator's case page. At a desk too."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import day, menu_entries, page_width
from tests.principals import bearer
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def test_a_leader_records_a_summons_about_a_case(
    console: Console, pages: Pages, shot: Shot
) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        response = await api.post(
            "/v1/cases",
            json=intake_body(title=f"回访逾期的纠纷 {uuid.uuid4().hex[:4]}"),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    facts = f"回访逾期两次{uuid.uuid4().hex[:4]}"

    leader = await pages.open(390, 844)
    await pages.sign_in(leader, "zhoujun")
    assert ("约谈通报", "/accountability") in await menu_entries(leader)
    await leader.goto(f"{console.url}/accountability")
    form = leader.locator("#accountability-form")
    await form.get_by_label("类别", exact=True).select_option(value="summon")
    await form.get_by_label("对象", exact=True).select_option(value="organisation")
    await form.get_by_label("单位", exact=True).select_option(value="xw-dxg-committee")
    await form.get_by_label("约谈（通报）日期").fill(day(0))
    await form.get_by_label("所涉案件编号").fill(case_id)
    await form.get_by_label("问题", exact=True).fill(facts)
    await form.get_by_label("处理意见", exact=True).fill("限期十日整改")
    await shot(leader, "01-summons-form-390")
    assert await page_width(leader) <= 390
    await form.get_by_role("button", name="保存记录").click()
    await expect(leader.get_by_role("status")).to_have_text("已记录")
    row = leader.locator("#accountability-records tr", has_text=facts)
    await expect(row).to_contain_text("大行宫社区人民调解委员会")
    await expect(row).to_contain_text(case_id)
    await shot(leader, "02-summons-listed-390")
    assert await page_width(leader) <= 390

    await leader.goto(f"{console.url}/cases/{case_id}")
    await expect(leader.locator("#accountability")).to_contain_text(facts)
    await shot(leader, "03-case-summons-390")

    mediator = await pages.open(1366, 768)
    await pages.sign_in(mediator, "wangfang")
    await mediator.goto(f"{console.url}/cases/{case_id}")
    await expect(mediator.locator("#timeline")).to_be_visible()
    assert await mediator.locator("#accountability").count() == 0
    assert facts not in await mediator.content()

    wide = await pages.open(1366, 768)
    await pages.sign_in(wide, "zhoujun")
    await wide.goto(f"{console.url}/accountability")
    await shot(wide, "04-summons-desk")
