"""A mediator works one dispute from intake to 销号 on a phone (390×844), in Chromium: 登记, 受理,
一案一策, 开始调解, 安排调解会 for next week, 记录调解会, 调解协议 with an item, 文书 (the 协议书),
司法确认, 法院受理, 法院裁定, 回访, 销号. Every page fits the screen (no sideways scrolling) and
every button she presses is within its width. Screenshots of each step at 390 and the closed case
at 1280 go to tests/console/screenshots/<test>/.

The steps are those of the desktop flow (test_mediator_flow.py) through the same helpers; the
session is booked as in test_sessions_flow.py, her account linked to her roster entry."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from tests.console.conftest import SCREENSHOTS, Pages, Shot
from tests.console.helpers import (
    PHONE,
    act,
    day,
    expect_stage,
    fill,
    open_menu,
    page_width,
    unlabelled_inputs,
    within_screen,
)
from tests.console.test_sessions_flow import linked  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

WIDTH = PHONE[0]
FOLDER = SCREENSHOTS / "test_a_mediator_works_a_case_from_intake_to_close_on_a_phone"


async def _fits(page: Page) -> None:
    """No sideways scrolling, and every input named."""
    width = await page_width(page)
    assert width <= WIDTH, f"{page.url} is {width}px wide on a {WIDTH}px phone"
    assert await unlabelled_inputs(page) == [], page.url


async def _reachable(button: Locator) -> None:
    """The button she is about to press: on the screen, all of it, without scrolling sideways
    (what she sees then is kept as <test>/form-<button>-<n>.png)."""
    await button.scroll_into_view_if_needed()
    assert await within_screen(button), f"{await button.inner_text()} is off screen"
    await _fits(button.page)
    n = len(list(FOLDER.glob("form-*.png")))
    await button.page.screenshot(path=str(FOLDER / f"form-{n:02d}.png"))


@pytest.mark.usefixtures("linked")
async def test_a_mediator_works_a_case_from_intake_to_close_on_a_phone(
    pages: Pages, shot: Shot
) -> None:
    for old in FOLDER.glob("form-*.png"):
        old.unlink()  # of an earlier run
    page = await pages.open(*PHONE)
    await pages.sign_in(page, "wangfang")
    await expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    await _fits(page)
    await shot(page, "00-worklist")

    steps = 0

    async def done(name: str) -> None:
        nonlocal steps
        steps += 1
        await _fits(page)
        await shot(page, f"{steps:02d}-{name}")

    # 登记, from the folded menu.
    await open_menu(page)
    await page.get_by_role("link", name="登记", exact=True).click()
    await expect(page.get_by_role("heading", name="登记矛盾纠纷")).to_be_visible()
    await done("intake")
    await fill(
        page,
        {
            "标题": "张某与李某相邻通行纠纷",
            "纠纷简要情况": "两户之间通道被堆放建材，出入受阻，双方多次争吵。",
            "申请人1/姓名或名称": "张伟",
            "申请人1/身份证号码": "110101199003071233",
            "申请人1/联系电话": "13812345678",
            "申请人1/住址": "南京市玄武区梅园新村街道长江路社区12幢3单元402室",
            "被申请人1/姓名或名称": "李娜",
            "被申请人1/住址": "南京市玄武区梅园新村街道长江路社区12幢3单元401室",
        },
        {"纠纷类别": "邻里纠纷", "乡镇（街道）": "梅园新村街道"},
    )
    register = page.get_by_role("button", name="登记")
    await _reachable(register)
    await register.click()
    await expect(page).to_have_url(re.compile(r"/cases/JF-\d{4}-\d{6}\?done=registered$"))
    await expect_stage(page, "已登记")
    # The parties read as cards, each value headed by its column.
    await expect(page.locator("td[data-label='联系电话']", has_text="138****5678")).to_be_visible()
    await done("registered")
    case_url = page.url.split("?")[0]

    await act(page, "accept", {"受理意见": "符合受理条件"}, before_submit=_reachable)
    await expect_stage(page, "已受理")
    await done("accepted")
    await act(
        page,
        "plan",
        {
            # 责任单位 and 责任人 left as offered: the case's own unit, 王芳 herself.
            "化解措施（每行一项）": "实地查看通道\n分别约谈双方\n组织面对面调解",
            "化解时限": day(30),
        },
        before_submit=_reachable,
    )
    await expect(page.get_by_role("heading", name="一案一策")).to_be_visible()
    await done("plan")
    # 开始调解: 调解类型 preset at the centre, 王芳 ticked for herself from the roster.
    await act(page, "start-mediation", {}, before_submit=_reachable)
    await expect_stage(page, "调解中")
    await done("mediating")

    # 安排调解会 for next week, 张伟 notified.
    form = page.locator("#action-sessions-schedule")
    await form.locator("summary").click()
    await fill(form, {"调解会时间": f"{day(7)} 09:30", "地点": "长江路社区调解室"}, {})
    await form.get_by_label("张伟", exact=True).check()
    await _reachable(form.locator("button[type=submit]"))
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    await expect(page.get_by_text(f"安排第1次调解会：{day(7)} 09:30")).to_be_visible()
    await expect(page.locator("section[aria-labelledby=h-schedule]")).to_contain_text("待召开")
    await done("session-booked")

    await act(
        page,
        "sessions",
        {
            "调解会日期": day(),
            "调解员（每行一人）": "王芳",
            "调解笔录摘要": "双方同意三日内清理建材，保持通道畅通。",
        },
        before_submit=_reachable,
    )
    await expect(page.get_by_text("第 1 次调解会")).to_be_visible()
    await done("session-held")

    await act(
        page,
        "agreement",
        {
            "协议内容": "李某于十日内清理通道建材，双方互不干扰通行。",
            "签订日期": day(),
            "履行事项 1": "李某清理通道建材",
            "履行事项 1 的履行期限": day(10),
        },
        before_submit=_reachable,
    )
    await expect_stage(page, "已达成调解协议")
    await done("agreement")

    # 文书: the 人民调解协议书 issued, its 文号 shown.
    papers = page.locator("#papers")
    await papers.get_by_label("文书种类").select_option(label="人民调解协议书")
    issue = papers.get_by_role("button", name="出具文书")
    await _reachable(issue)
    await issue.click()
    await expect(page.get_by_role("status")).to_have_text("已出具文书")
    paper = page.locator("#papers-list li", has_text="人民调解协议书")
    await expect(paper.locator(".doc-number")).to_have_text(re.compile(r"调字第\d+号$"))
    # Read on a phone: the 文号 on one line (not split mid-number), the issuer by name (no
    # login id), the downloads large enough to press, and no brackets doubled on the timeline.
    number = paper.locator(".doc-number")
    assert await within_screen(number)
    assert await number.evaluate(
        "e => e.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(e).fontSize)"
    ), "the 文号 is split over two lines"
    await expect(paper).to_contain_text("王芳")
    await expect(paper).not_to_contain_text("(wangfang)")
    for link in await paper.locator(".paper-links a").all():
        box = await link.bounding_box()
        assert box is not None
        assert box["height"] >= 32, f"{await link.inner_text()} is {box['height']}px tall"
        assert await within_screen(link)
    await expect(page.locator("#timeline")).to_contain_text("出具人民调解协议书，（")
    assert "（（" not in await page.locator("main").inner_text()
    await done("agreement-issued")

    await act(
        page,
        "judicial-confirmation",
        {"其他人民法院名称（手填）": "玄武区人民法院", "共同申请日期": day()},
        selects={"人民法院": "其他（手填）"},
        before_submit=_reachable,
    )
    await expect_stage(page, "司法确认中")
    await done("judicial-confirmation")
    await act(page, "court-acceptance", {"法院受理日期": day()}, before_submit=_reachable)
    await expect(page.locator("#action-court-decision")).to_have_count(1)
    await done("court-accepted")
    await act(
        page,
        "court-decision",
        {"裁定日期": day(), "裁定书文号": "（2026）苏0102民特1号"},
        selects={"法院裁定": "确认有效"},
        before_submit=_reachable,
    )
    await expect_stage(page, "履行回访中")
    await done("court-decided")
    await act(
        page,
        "follow-ups",
        {"回访日期": day(), "回访情况": "通道已清理，双方满意。"},
        selects={"当事人满意度": "满意", "履行情况：李某清理通道建材": "已履行"},
        before_submit=_reachable,
    )
    await expect(page.locator("#action-close")).to_have_count(1)
    await done("followed-up")
    await act(page, "close", {"销号说明": "协议已履行完毕"}, before_submit=_reachable)
    await expect_stage(page, "已销号")
    await expect(page.get_by_text("当前阶段没有可办理的操作。")).to_be_visible()
    await done("closed")

    desk = await pages.open(1280, 800)
    await pages.sign_in(desk, "wangfang")
    await desk.goto(case_url)
    await expect_stage(desk, "已销号")
    assert await page_width(desk) <= 1280
    await shot(desk, f"{steps + 1:02d}-closed-1280")
