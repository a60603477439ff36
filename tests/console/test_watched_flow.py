"""重点人员 in the console: a town leader enters a person on a phone (390×844) and finds their
case on the person's page, the number masked everywhere; a mediator has no such page. At a desk
too."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import expect

from tests.api.test_watched_api import fresh_id
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import menu_entries, page_width
from tests.principals import bearer
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def test_a_leader_enters_a_watched_person_and_sees_their_cases(
    console: Console, pages: Pages, shot: Shot
) -> None:
    number = fresh_id()
    name = f"赵{uuid.uuid4().hex[:3]}"
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        response = await api.post(
            "/v1/cases",
            json=intake_body(applicants=[{"name": name, "id_number": number}]),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]

    leader = await pages.open(390, 844)
    await pages.sign_in(leader, "liuqiang")
    assert ("重点人员", "/watched") in await menu_entries(leader)
    await leader.goto(f"{console.url}/watched")
    form = leader.locator("#watched-form")
    await form.get_by_label("身份证号码").fill(number)
    await form.get_by_label("姓名").fill(name)
    await form.get_by_label("人员类别").select_option(value="repeat_petitioner")
    await form.get_by_label("关注等级").select_option(value="high")
    await form.get_by_label("居住地").select_option(value="320102001002")
    await form.get_by_label("包保责任人（用户名）").fill("wangfang")
    await shot(leader, "01-watched-form-390")
    assert await page_width(leader) <= 390
    await form.get_by_role("button", name="登记").click()

    await expect(leader.get_by_role("status")).to_have_text("已登记")
    await expect(leader.locator("#watched-person")).to_contain_text("王芳")
    await expect(leader.locator("#watched-cases")).to_contain_text(case_id)
    assert number not in await leader.content()
    await expect(leader.locator("#watched-person")).to_contain_text(number[:4] + "*" * 10)
    await shot(leader, "02-watched-person-390")
    assert await page_width(leader) <= 390

    wide = await pages.open(1366, 768)
    await pages.sign_in(wide, "zhoujun")
    await wide.goto(f"{console.url}/watched")
    await expect(wide.locator("#watched")).to_contain_text(name)
    assert number not in await wide.content()
    await shot(wide, "03-watched-desk")

    mediator = await pages.open(390, 844)
    await pages.sign_in(mediator, "zhaolei")
    assert ("重点人员", "/watched") not in await menu_entries(mediator)
    response_page = await mediator.goto(f"{console.url}/watched")
    assert response_page is not None
    assert response_page.status == 403
    assert name not in await mediator.content()
