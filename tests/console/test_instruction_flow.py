"""A town leader writes an instruction (领导批示) on a case straight from an alert in the inbox;
the mediator sees it on the case page and answers it (落实反馈); the leader board shows the
answer. At phone width (390 px) and at desktop width."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import day, page_width
from tests.principals import bearer
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def _major_case(console: Console) -> dict[str, Any]:
    """A major dispute: it reports to the county and the town at once (重大矛盾纠纷直报)."""
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        response = await api.post(
            "/v1/cases",
            json=intake_body(title=f"工地欠薪群体纠纷 {uuid.uuid4().hex[:4]}", risk_level="major"),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    return case


async def test_a_leader_instructs_from_an_alert_and_the_mediator_answers(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _major_case(console)
    case_id = case["case_id"]
    text = "请三日内约见双方当面化解，并报告结果"
    leader = await pages.open(390, 844)
    await pages.sign_in(leader, "liuqiang")
    row = leader.locator("tr", has_text=case_id).first
    await row.get_by_role("link", name="批示").click()
    form = leader.locator("#action-instructions")
    await expect(form).to_have_attribute("open", "")
    await form.get_by_label("批示内容").fill(text)
    await form.get_by_label("落实时限").fill(day(3))
    await shot(leader, "01-leader-instruction-390")
    assert await page_width(leader) <= 390
    await form.get_by_role("button", name="领导批示").click()
    await expect(leader.get_by_role("status")).to_have_text("已领导批示")
    section = leader.locator("#instructions")
    await expect(section).to_contain_text(text)
    await expect(section).to_contain_text("待落实")
    await expect(leader.locator("#timeline")).to_contain_text("领导批示第1号（针对预警")

    mediator = await pages.open(390, 844)
    await pages.sign_in(mediator, "wangfang")
    await mediator.goto(f"{console.url}/worklist?group=instruction_due")
    await expect(mediator.get_by_role("link", name=case_id).first).to_be_visible()
    await mediator.goto(f"{console.url}/cases/{case_id}")
    await expect(mediator.locator("#instructions")).to_contain_text(text)
    answer = mediator.locator("#action-instructions-answer")
    await answer.locator("summary").click()
    options = await answer.get_by_label("批示", exact=True).locator("option").all_inner_texts()
    assert [o for o in options if "第 1 号领导批示" in o and text[:10] in o], options
    await answer.get_by_label("批示", exact=True).select_option(value="1")
    await answer.get_by_label("落实情况").fill("已约见双方，达成分期支付意向")
    await answer.get_by_role("button", name="落实反馈").click()
    await expect(mediator.get_by_role("status")).to_have_text("已落实反馈")
    await expect(mediator.locator("#instructions")).to_contain_text("已约见双方")
    await shot(mediator, "02-mediator-answered-390")
    assert await page_width(mediator) <= 390

    wide = await pages.open(1366, 768)
    await pages.sign_in(wide, "liuqiang")
    board = wide.locator("#instructions")
    await expect(board.locator("li", has_text=case_id)).to_contain_text("已约见双方")
    await shot(wide, "03-leader-board-answered")
