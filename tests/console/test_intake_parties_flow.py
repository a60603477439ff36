"""A real dispute at intake, in the browser: a wage dispute of twelve workers entered as one
party with its 人数 and two 代表人, a company respondent with its 统一社会信用代码, and a lawyer
with 特别授权 acting for the workers; then a 信访事项 with its own heading and sides (信访人,
被反映人).

At a desk (1280, script on: rows are copied without reloading) and on a phone (390×844, script
off: every 增加一行 is a round trip to the server), no page wider than the screen and every input
named. Screenshots go to tests/console/screenshots/<test>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from domain.parties import credit_code_check
from tests.console.conftest import Pages, Shot
from tests.console.helpers import PHONE, expect_stage, fill, page_width, unlabelled_inputs

pytestmark = pytest.mark.e2e

DESK = (1280, 800)
FIRST17 = "91320102MA1W8K3L0"
CREDIT_CODE = FIRST17 + credit_code_check(FIRST17)


async def _fits(page: Page, width: int) -> None:
    assert await page_width(page) <= width, f"{page.url} is {await page_width(page)}px wide"
    assert await unlabelled_inputs(page) == [], page.url


async def _enter_wage_dispute(page: Page, shot: Shot, name: str, *, script: bool) -> None:
    """What the mediator types: the twelve workers, the company, the lawyer; 特别授权 sent first
    without its powers (refused beside 特别授权的事项), then with them."""
    origin = "/".join(page.url.split("/", 3)[:3])  # signed in: the worklist of this server
    await page.goto(f"{origin}/cases/new")
    await expect(page.get_by_role("heading", name="登记矛盾纠纷")).to_be_visible()
    await fill(
        page,
        {
            "标题": "李建国等12名工人追索劳动报酬纠纷",
            "纠纷简要情况": "12名工人在建筑工地务工，工程完工后三个月未领到工资，共计约36万元。",
            "申请人1/姓名或名称": "李建国等12名工人",
            "申请人1/人数": "12",
        },
        {"纠纷类别": "劳动争议"},
    )
    await page.get_by_role("button", name="增加一行代表人（申请人1）").click()
    await page.get_by_role("button", name="增加一行代表人（申请人1）").click()
    # An organisation: its 统一社会信用代码 and 法定代表人 (a person's inputs fold with script).
    company = page.get_by_role("group", name="被申请人1", exact=True)
    await fill(page, {}, {"被申请人1/当事人类型": "法人或其他组织"})
    await fill(
        page,
        {
            "申请人1代表人1/代表人姓名": "李建国",
            "申请人1代表人1/代表人联系电话": "13912345678",
            "申请人1代表人2/代表人姓名": "王德明",
            "申请人1代表人2/代表人联系电话": "13887654321",
            "被申请人1/姓名或名称": "南京恒达建筑劳务有限公司",
            "被申请人1/统一社会信用代码": CREDIT_CODE,
            "被申请人1/法定代表人": "赵恒达",
        },
        {},
    )
    await expect(company.get_by_label("统一社会信用代码")).to_be_visible()
    if script:  # a person's inputs are folded away for an organisation
        await expect(company.get_by_label("性别")).to_be_hidden()
        await expect(company.get_by_label("民族")).to_be_hidden()
    else:  # all shown, each saying whom it is for
        await expect(company.get_by_label("身份证号码")).to_be_visible()
    await page.get_by_role("button", name="增加一行代理人").click()
    await expect(page.get_by_role("group", name="代理人1", exact=True)).to_be_visible()
    # What was entered before the round trip is still there.
    workers = page.get_by_role("group", name="申请人1", exact=True)
    await expect(workers.get_by_label("人数", exact=True)).to_have_value("12")
    agent = page.get_by_role("group", name="代理人1", exact=True)
    await agent.get_by_label("代理人姓名").fill("陈律师")
    await agent.get_by_label("申请人1 李建国等12名工人").check()
    await agent.get_by_label("代理权限").select_option(label="特别授权")
    await agent.get_by_label("与被代理人的关系").select_option(label="律师")
    await agent.get_by_label("工作单位（律师事务所等）").fill("江苏金陵律师事务所")
    await page.get_by_role("button", name="登记").click()
    await expect(page.locator("#f-agents-0-powers-error")).to_contain_text("特别授权须写明代理权限")
    await _fits(page, (await page.evaluate("() => window.innerWidth")))
    await shot(page, f"{name}-refused")
    await agent.get_by_label("特别授权的事项").fill("代为承认、放弃、变更请求，代为达成调解协议")
    await shot(page, f"{name}-filled")
    await page.get_by_role("button", name="登记").click()
    await expect(page).to_have_url(re.compile(r"/cases/JF-\d{4}-\d{6}\?done=registered$"))
    await expect_stage(page, "已登记")


async def _check_registered(page: Page) -> None:
    parties = page.locator("section[aria-labelledby=h-parties]")
    await expect(parties).to_contain_text("李建国等12名工人（共 12 人）")
    await expect(parties).to_contain_text("代表人：李建国")
    await expect(parties).to_contain_text("139****5678")  # a representative's phone, masked
    await expect(parties).to_contain_text(f"统一社会信用代码 {CREDIT_CODE}")
    await expect(parties).to_contain_text("法定代表人 赵恒达")
    agents = page.locator("#agents")
    await expect(agents).to_contain_text("陈律师（律师，江苏金陵律师事务所）代理申请人")
    await expect(agents).to_contain_text("特别授权：代为承认、放弃、变更请求")


async def test_a_mediator_enters_a_twelve_worker_wage_dispute_at_a_desk(
    pages: Pages, shot: Shot
) -> None:
    page = await pages.open(*DESK)
    await pages.sign_in(page, "wangfang")
    await _enter_wage_dispute(page, shot, "desk", script=True)
    await _check_registered(page)
    await _fits(page, DESK[0])
    await shot(page, "desk-registered")


async def test_the_same_dispute_on_a_phone_without_script(pages: Pages, shot: Shot) -> None:
    page = await pages.open(*PHONE, javascript=False)
    await pages.sign_in(page, "wangfang")
    await _enter_wage_dispute(page, shot, "phone", script=False)
    await _check_registered(page)
    await _fits(page, PHONE[0])
    await shot(page, "phone-registered")


async def test_rows_are_added_without_reloading_where_script_runs(pages: Pages, shot: Shot) -> None:
    page = await pages.open(*PHONE)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{pages.console.url}/cases/new")
    await fill(page, {"申请人1/姓名或名称": "周建华"}, {})
    marker = await page.evaluate("() => (window.__kept = 'same page')")
    await page.get_by_role("button", name="增加一行申请人").click()
    await page.get_by_role("button", name="增加一行申请人").click()
    second = page.get_by_role("group", name="申请人3", exact=True)
    await expect(second.get_by_label("姓名或名称")).to_be_visible()
    await expect(second.get_by_label("姓名或名称")).to_have_value("")
    assert await page.evaluate("() => window.__kept") == marker  # no reload
    assert await second.get_by_label("姓名或名称").get_attribute("name") == "applicants.2.name"
    await second.get_by_label("姓名或名称").fill("吴秀英")
    await _fits(page, PHONE[0])
    await shot(page, "phone-rows-added")


async def test_a_petition_has_its_own_heading_and_sides(pages: Pages, shot: Shot) -> None:
    # Without script: the server draws the form for the kind chosen (?kind=petition).
    plain = await pages.open(*PHONE, javascript=False)
    await pages.sign_in(plain, "wangfang")
    await plain.goto(f"{pages.console.url}/cases/new")
    await plain.get_by_role("link", name="信访事项").click()
    await expect(plain.get_by_role("heading", name="登记信访事项")).to_be_visible()
    await expect(plain.get_by_role("group", name="信访人1", exact=True)).to_be_visible()
    await expect(plain.get_by_role("group", name="被反映人1", exact=True)).to_be_visible()
    await expect(plain.get_by_label("案件类型")).to_have_value("petition")
    await _fits(plain, PHONE[0])
    await shot(plain, "phone-petition")
    # With script: choosing 信访事项 relabels the form at once; 矛盾纠纷 again restores it.
    page = await pages.open(*DESK)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{pages.console.url}/cases/new")
    await page.get_by_label("案件类型").select_option(label="信访事项")
    await expect(page.get_by_role("heading", name="登记信访事项")).to_be_visible()
    await expect(page.get_by_role("group", name="信访人1", exact=True)).to_be_visible()
    await expect(page.get_by_role("group", name="被反映人1", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="增加一行信访人")).to_be_visible()
    switch = page.get_by_role("navigation", name="登记类别")
    await expect(switch.get_by_role("link", name="信访事项")).to_have_attribute(
        "aria-current", "page"
    )
    await shot(page, "desk-petition")
    await fill(
        page,
        {
            "标题": "反映小区违建长期未处理",
            "纠纷简要情况": "信访人反映邻居在楼顶加建，多次向街道反映未果。",
            "信访人1/姓名或名称": "孙丽",
            "被反映人1/姓名或名称": "钱某",
        },
        {"纠纷类别": "邻里纠纷"},
    )
    await page.get_by_role("button", name="登记").click()
    await expect(page).to_have_url(re.compile(r"/cases/\w+-\d{4}-\d{6}\?done=registered$"))
    parties = page.locator("section[aria-labelledby=h-parties]")
    await expect(parties).to_contain_text("信访人")
    await expect(parties).to_contain_text("被反映人")
    await page.goto(f"{pages.console.url}/cases/new")
    await page.get_by_label("案件类型").select_option(label="信访事项")
    await page.get_by_label("案件类型").select_option(label="矛盾纠纷")
    await expect(page.get_by_role("heading", name="登记矛盾纠纷")).to_be_visible()
    await expect(page.get_by_role("group", name="被申请人1", exact=True)).to_be_visible()
