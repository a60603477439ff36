"""The lists people work from, in Chromium: the case list shows the next deadline and whose it
is, the holder and the parties; sorts by deadline; filters by town and village chosen by name
without script; 我的在办 beside 我的待办; the notice counts beside the menu entries. Screenshots
at 1280 and 390 go to tests/console/screenshots/<test>/."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.api.helpers import act, create_case, create_petition
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import PHONE, open_menu, page_width
from tests.principals import OTHER_TOWN_PLACE, bearer
from tests.samples import action_bodies, china_today

pytestmark = pytest.mark.e2e

CENTER_NAME = "玄武区矛盾纠纷调解中心"


async def _cases(console: Console, token: str) -> dict[str, str]:
    """王芳's: a dispute only registered (no clock), a letter (acceptance due within 15 days), a
    dispute planned for 王芳 (30 days), and a dispute in another town (新街口街道)."""
    async with httpx.AsyncClient(
        base_url=console.url, timeout=60, headers=bearer(console.keys["mediator"])
    ) as api:
        waiting = await create_case(api, title=f"{token} 未受理的纠纷")
        letter = await create_petition(api, title=f"{token} 来信反映")
        planned = await create_case(api, title=f"{token} 已制定方案")
        response = await act(api, planned["case_id"], "accept")
        assert response.status_code == 200, response.text
        # 责任人 王芳 chosen by her user id (我的在办 finds her cases by id).
        plan = {**action_bodies(china_today())["plan"], "responsible_person_id": "wangfang"}
        response = await act(api, planned["case_id"], "plan", plan)
        assert response.status_code == 200, response.text
        elsewhere = await create_case(api, title=f"{token} 别的街道", jurisdiction=OTHER_TOWN_PLACE)
    return {
        "waiting": waiting["case_id"],
        "letter": letter["case_id"],
        "planned": planned["case_id"],
        "elsewhere": elsewhere["case_id"],
    }


async def _listed(page: Page) -> list[str]:
    found: list[str] = await page.eval_on_selector_all(
        "table.cases tbody td[data-label='案件编号'] a", "els => els.map(e => e.textContent.trim())"
    )
    return found


def _row(page: Page, case_id: str) -> Any:
    return page.locator("table.cases tbody tr", has_text=case_id)


async def test_the_case_list_by_deadline_with_pickers_and_my_open_cases(
    console: Console, pages: Pages, shot: Shot
) -> None:
    token = f"L{uuid.uuid4().hex[:6]}"
    ids = await _cases(console, token)
    page = await pages.open(1280, 800)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/cases?q={token}")
    # Newest first by default; 下一期限 sorts nearest first, cases with no clock last.
    assert await _listed(page) == [ids["elsewhere"], ids["planned"], ids["letter"], ids["waiting"]]
    await page.get_by_label("排序").select_option(label="下一期限")
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_load_state()
    assert await _listed(page) == [ids["letter"], ids["planned"], ids["waiting"], ids["elsewhere"]]
    letter = _row(page, ids["letter"])
    due = letter.locator("td[data-label='下一期限']")
    await expect(due).to_contain_text("24:00")
    await expect(due).to_contain_text(f"由{CENTER_NAME}办理")
    await expect(letter.locator("td[data-label='承办单位']")).to_have_text(CENTER_NAME)
    await expect(_row(page, ids["planned"]).locator("td[data-label='当事人']")).to_have_text(
        "张伟 等2人"
    )
    await expect(_row(page, ids["waiting"]).locator("td[data-label='下一期限']")).to_have_text(
        "无计时"
    )
    await shot(page, "01-by-deadline-1280")
    # 我的在办 in the menu: the open cases naming 王芳 (the planned one), nearest first.
    await page.get_by_role("link", name="我的在办", exact=True).click()
    await expect(page.get_by_role("heading", name="我的在办")).to_be_visible()
    await page.get_by_label("检索", exact=True).fill(token)
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_load_state()
    assert await _listed(page) == [ids["planned"]]
    await page.get_by_role("link", name="本单位在办").click()
    await page.get_by_label("检索", exact=True).fill(token)
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_load_state()
    assert await _listed(page) == [ids["letter"], ids["planned"], ids["waiting"], ids["elsewhere"]]
    await shot(page, "02-holding-1280")


async def test_the_worklist_shows_the_holder_and_the_parties_as_cards_on_a_phone(
    console: Console, pages: Pages, shot: Shot
) -> None:
    token = f"W{uuid.uuid4().hex[:6]}"
    ids = await _cases(console, token)
    for width, height in ((1280, 800), PHONE):
        page = await pages.open(width, height)
        await pages.sign_in(page, "wangfang")
        await page.goto(f"{console.url}/worklist?group=new_intake")
        row = page.locator("table.worklist tbody tr", has_text=ids["letter"])
        await expect(row.locator("td[data-label='承办单位']")).to_have_text(CENTER_NAME)
        await expect(row.locator("td[data-label='当事人']")).to_contain_text("等")
        assert "138" not in await row.locator("td[data-label='当事人']").inner_text()
        assert await page_width(page) <= width
        if width == PHONE[0]:  # a card: the cells stacked, each headed by its label
            header = page.locator("table.worklist thead")
            assert await header.evaluate("h => getComputedStyle(h).position") == "absolute"
        await shot(page, f"worklist-{width}")


async def test_place_and_holder_chosen_by_name_without_script(
    console: Console, pages: Pages, shot: Shot
) -> None:
    token = f"P{uuid.uuid4().hex[:6]}"
    ids = await _cases(console, token)
    page = await pages.open(*PHONE, javascript=False)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/cases?q={token}&sort=deadline")
    assert len(await _listed(page)) == 4
    # No village to choose until a town is chosen and the form sent (a GET round trip).
    assert await page.get_by_label("村（社区）").locator("option").all_text_contents() == ["全部"]
    await page.get_by_label("乡镇（街道）").select_option(label="梅园新村街道")
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_load_state()
    assert ids["elsewhere"] not in await _listed(page)
    assert await _listed(page) == [ids["letter"], ids["planned"], ids["waiting"]]
    await page.get_by_label("村（社区）").select_option(label="大行宫社区")
    await page.get_by_label("承办单位").select_option(label=CENTER_NAME)
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_load_state()
    assert await _listed(page) == [ids["letter"], ids["planned"], ids["waiting"]]
    await expect(page.get_by_label("村（社区）")).to_have_value("320102001002")
    assert await page_width(page) <= PHONE[0]
    # A card: each cell says what it is.
    await expect(_row(page, ids["letter"]).locator("td[data-label='下一期限']")).to_be_visible()
    await shot(page, "01-filtered-390")


async def test_the_menu_counts_new_alerts_and_due_items(
    console: Console, pages: Pages, shot: Shot
) -> None:
    async with httpx.AsyncClient(
        base_url=console.url, timeout=60, headers=bearer(console.keys["mediator"])
    ) as api:
        await create_case(api, title="重大纠纷直报", risk_level="major")  # an alert at once
        expected = (await api.get("/v1/notices")).json()
    assert expected["alerts"] >= 1
    for width, height in ((1280, 800), PHONE):
        page = await pages.open(width, height)
        await pages.sign_in(page, "wangfang")
        await open_menu(page)
        alerts = page.locator("[data-notice='alerts']")
        await expect(alerts).to_be_visible()
        shown = await alerts.evaluate("badge => badge.firstChild.textContent")
        assert int(shown) >= expected["alerts"]
        await expect(alerts.locator(".sr")).to_have_text("条新提醒")
        # The same counts the script polls (same origin, the session cookie).
        polled = await (await page.request.get(f"{console.url}/notices.json")).json()
        assert set(polled) == {"alerts", "incoming", "due"}
        assert polled["alerts"] >= expected["alerts"]
        # The entry keeps its name; the count is its description.
        link = page.get_by_role("link", name="督办提醒", exact=True)
        await expect(link).to_have_attribute("aria-describedby", "notice-alerts")
        assert await page_width(page) <= width
        await shot(page, f"menu-counts-{width}")
