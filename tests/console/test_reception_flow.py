"""领导接访 in the console: a town leader records a reception on a phone (390×844), registers
the visitor's case from it — channel 领导接访, the leader as 包案领导 — and finds the case listed
under the reception; the log at a desk shows the visitors masked and the count of cases."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import day, menu_entries, page_width

pytestmark = pytest.mark.e2e


async def test_a_leader_receives_a_visitor_and_registers_the_case_from_the_reception(
    console: Console, pages: Pages, shot: Shot
) -> None:
    leader = await pages.open(390, 844)
    await pages.sign_in(leader, "liuqiang")
    assert ("领导接访", "/receptions") in await menu_entries(leader)
    await leader.goto(f"{console.url}/receptions")
    await expect(leader.get_by_role("heading", name="领导接访", exact=True)).to_be_visible()
    form = leader.locator("#reception-form")
    await form.get_by_label("接访日期").fill(day(0))
    place = f"梅园新村街道综治中心接待室{uuid.uuid4().hex[:4]}"
    await form.get_by_label("接访地点").fill(place)
    await form.get_by_label("接访单位").select_option(value="xw-center")
    first = form.get_by_role("group", name="来访人员 1", exact=True)
    await first.get_by_label("姓名").fill("张伟")
    await first.get_by_label("身份证号码").fill("110101199003071233")
    await first.get_by_label("联系电话").fill("13812345678")
    await first.get_by_label("反映事项").fill("邻居堆放建材堵住通道")
    await shot(leader, "01-reception-form-390")
    assert await page_width(leader) <= 390
    await form.get_by_role("button", name="保存接访记录").click()

    await expect(leader.locator("#reception")).to_contain_text(place)
    visitors = leader.locator("#visitors")
    await expect(visitors).to_contain_text("1101**********1233")
    await expect(visitors).to_contain_text("138****5678")
    assert "110101199003071233" not in await leader.content()
    await expect(leader.locator("#reception-cases")).to_contain_text("尚未登记案件")
    reception_url = leader.url

    register = leader.locator("#reception-case-form")
    await register.get_by_label("张伟").check()
    title = f"张某与李某相邻通行纠纷{uuid.uuid4().hex[:4]}"
    await register.get_by_label("标题").fill(title)
    await register.get_by_label("纠纷类别").select_option(value="neighbourhood")
    await register.get_by_label("属地").select_option(value="320102001002")
    await register.get_by_label("纠纷简要情况").fill("李某在通道堆放建材，张某出入受阻。")
    await register.get_by_label("被申请人姓名或名称").fill("李娜")
    await shot(leader, "02-reception-register-390")
    assert await page_width(leader) <= 390
    await register.get_by_role("button", name="登记案件").click()

    await expect(leader.get_by_role("heading", name=title)).to_be_visible()
    case_id = leader.url.rsplit("/", 1)[-1]
    timeline = leader.locator("#timeline")
    await expect(timeline).to_contain_text("来源：领导接访")
    await expect(timeline).to_contain_text("接访领导刘强（乡镇（街道）领导）包案")
    await shot(leader, "03-case-from-reception-390")
    assert await page_width(leader) <= 390

    await leader.goto(reception_url)
    await expect(leader.locator("#reception-cases")).to_contain_text(case_id)
    await expect(leader.locator("#reception-cases")).to_contain_text(title)

    wide = await pages.open(1366, 768)
    await pages.sign_in(wide, "liuqiang")
    await wide.goto(f"{console.url}/receptions")
    row = wide.locator("#receptions tr", has_text=place)
    await expect(row).to_contain_text("张伟")
    await expect(row.locator("td[data-label=登记案件]")).to_have_text("1")
    await shot(wide, "04-reception-log-desk")
    await wide.goto(reception_url)
    await shot(wide, "05-reception-desk")


async def test_a_bad_visitor_number_is_refused_beside_it_and_nothing_is_recorded(
    console: Console, pages: Pages, shot: Shot
) -> None:
    leader = await pages.open(1366, 768)
    await pages.sign_in(leader, "liuqiang")
    await leader.goto(f"{console.url}/receptions")
    form = leader.locator("#reception-form")
    place = f"接待室{uuid.uuid4().hex[:6]}"
    await form.get_by_label("接访日期").fill(day(0))
    await form.get_by_label("接访地点").fill(place)
    await form.get_by_label("接访单位").select_option(value="xw-center")
    first = form.get_by_role("group", name="来访人员 1", exact=True)
    await first.get_by_label("姓名").fill("张伟")
    await first.get_by_label("身份证号码").fill("110101199003071234")
    await form.get_by_role("button", name="保存接访记录").click()
    field = leader.locator("#f-visitors-0-id_number-error")
    await expect(field).to_contain_text("校验位")
    await expect(leader.locator("#receptions")).not_to_contain_text(place)
    # A mediator has no reception log.
    mediator = await pages.open(390, 844)
    await pages.sign_in(mediator, "wangfang")
    response = await mediator.goto(f"{console.url}/receptions")
    assert response is not None
    assert response.status == 403
