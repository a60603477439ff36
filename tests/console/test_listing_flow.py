"""挂牌督办 in the browser: the county leader lists a case from its page (desktop), the case is
marked on the mediator's list and case page and on the leader board, the town leader is offered
no listing form, 摘牌 of the unresolved case is refused beside the form (phone width), and once
the case is resolved the county leader delists it at 390 px; the timeline shows both."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import act, day, page_width
from tests.principals import bearer
from tests.samples import action_bodies, china_today, intake_body

pytestmark = pytest.mark.e2e

REASON = "欠薪人数多、久调未决，县级领导挂牌督办"


async def _mediating_case(console: Console) -> dict[str, Any]:
    bodies = action_bodies(china_today())
    headers = bearer(console.keys["mediator"])
    async with httpx.AsyncClient(base_url=console.url, timeout=60, headers=headers) as api:
        response = await api.post(
            "/v1/cases",
            json=intake_body(title=f"工地欠薪纠纷 {uuid.uuid4().hex[:4]}"),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        case: dict[str, Any] = response.json()
        for path, action in (
            ("accept", "accept"),
            ("plan", "plan"),
            ("start-mediation", "start_mediation"),
        ):
            step = await api.post(f"/v1/cases/{case['case_id']}/{path}", json=bodies[action])
            assert step.status_code == 200, step.text
    return case


async def _agree(console: Console, case_id: str) -> None:
    body = action_bodies(china_today())["record_agreement"]
    headers = bearer(console.keys["mediator"])
    async with httpx.AsyncClient(base_url=console.url, timeout=60, headers=headers) as api:
        response = await api.post(f"/v1/cases/{case_id}/agreement", json=body)
    assert response.status_code == 200, response.text


async def test_a_county_leader_lists_and_delists_a_case_in_the_console(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _mediating_case(console)
    case_id = case["case_id"]
    deadline = day(20)

    town = await pages.open(390, 844)
    await pages.sign_in(town, "liuqiang")
    await town.goto(f"{console.url}/cases/{case_id}")
    await expect(town.locator("#action-instructions")).to_have_count(1)
    await expect(town.locator("#action-listing")).to_have_count(0)  # town leaders do not list

    county = await pages.open(1366, 900)
    await pages.sign_in(county, "zhoujun")
    await county.goto(f"{console.url}/cases/{case_id}")
    form = county.locator("#action-listing")
    await form.locator("summary").click()
    await form.get_by_label("督办时限").fill(deadline)
    await form.get_by_label("督办单位").select_option(label="玄武区矛盾纠纷调解中心")
    await form.get_by_label("挂牌事由及督办要求").fill(REASON)
    await shot(county, "01-county-leader-lists")
    await form.get_by_role("button", name="挂牌督办").click()
    await expect(county.get_by_role("status")).to_have_text("已挂牌督办")
    await expect(county.locator("#listed-tag")).to_have_text(f"挂牌督办 · 限 {deadline}")
    await expect(county.locator("#listings")).to_contain_text(REASON)
    await expect(county.locator("#listings")).to_contain_text("挂牌督办中")
    await expect(county.locator("#action-listing")).to_have_count(0)  # listed: not again
    await county.goto(f"{console.url}/leader")
    await expect(county.locator("#listed li", has_text=case_id)).to_contain_text(deadline)
    await shot(county, "02-leader-board-listed")

    mediator = await pages.open(390, 844)
    await pages.sign_in(mediator, "wangfang")
    await mediator.goto(f"{console.url}/cases?listed=true")
    row = mediator.locator("tr", has_text=case_id)
    await expect(row.locator(".listed-tag")).to_have_text(f"挂牌督办 · 限 {deadline}")
    await expect(mediator.get_by_label("只看挂牌督办")).to_be_checked()
    await shot(mediator, "03-mediator-list-390")
    assert await page_width(mediator) <= 390
    await mediator.goto(f"{console.url}/cases/{case_id}")
    await expect(mediator.locator("#listed-tag")).to_be_visible()
    await expect(mediator.locator("#action-delisting")).to_have_count(0)  # the lister's only
    await shot(mediator, "04-mediator-case-390")
    assert await page_width(mediator) <= 390

    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "zhoujun")
    await phone.goto(f"{console.url}/cases/{case_id}")
    await act(phone, "delisting", {"摘牌意见": "同意摘牌"})
    refused = phone.locator("#action-delisting")
    await expect(refused).to_contain_text("案件尚未化解，不能摘牌")
    await shot(phone, "05-delisting-refused-390")
    assert await page_width(phone) <= 390
    await expect(phone.locator("#listings")).to_contain_text("挂牌督办中")

    await _agree(console, case_id)
    await phone.goto(f"{console.url}/cases/{case_id}")
    await act(phone, "delisting", {"摘牌意见": "已达成协议，同意摘牌"})
    await expect(phone.get_by_role("status")).to_have_text("已摘牌")
    await expect(phone.locator("#listings")).to_contain_text("已摘牌")
    await expect(phone.locator("#listed-tag")).to_have_count(0)
    timeline = phone.locator("#timeline")
    await expect(timeline).to_contain_text("第1次挂牌督办")
    await expect(timeline).to_contain_text("摘牌")
    await shot(phone, "06-delisted-390")
    assert await page_width(phone) <= 390
