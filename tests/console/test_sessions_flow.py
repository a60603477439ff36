"""调解会排期 in Chromium: a mediator whose account is linked to her roster entry books a session
for next week (she is ticked for herself), sees it on her 调解日程, at desktop and at 390 px."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import update

from activities.store import registry as registry_store
from activities.store.tables import RosterMediatorRow, UserRow
from domain.organisation.registry import Employment, RosterMediator
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import act, day, expect_stage, fill, open_menu, unlabelled_inputs
from tests.principals import CENTER

pytestmark = pytest.mark.e2e

ENTRY = "xw-center-m-wangfang"


@pytest.fixture
async def linked(console: Console) -> AsyncIterator[None]:
    """王芳 on her center's roster, her console account linked to the entry; both undone after
    (other flows name their mediators by hand)."""
    async with console.sessionmaker.begin() as session:
        if await registry_store.get_mediator(ENTRY, session=session) is None:
            await registry_store.create_mediator(
                RosterMediator(
                    mediator_id=ENTRY, name="王芳", org_id=CENTER, employment=Employment.FULL_TIME
                ),
                session=session,
            )
        await session.execute(
            update(RosterMediatorRow)
            .where(RosterMediatorRow.mediator_id == ENTRY)
            .values(active=True)
        )
        await session.execute(
            update(UserRow).where(UserRow.user_id == "wangfang").values(mediator_id=ENTRY)
        )
    yield
    async with console.sessionmaker.begin() as session:
        await session.execute(
            update(RosterMediatorRow)
            .where(RosterMediatorRow.mediator_id == ENTRY)
            .values(active=False)
        )
        await session.execute(
            update(UserRow).where(UserRow.user_id == "wangfang").values(mediator_id=None)
        )


async def _register(page: Page, title: str) -> None:
    await open_menu(page)  # folded behind 菜单 on a phone
    await page.get_by_role("link", name="登记", exact=True).click()
    await fill(
        page,
        {
            "标题": title,
            "纠纷简要情况": "两户之间通道被堆放建材，出入受阻，双方多次争吵。",
            "申请人1/姓名或名称": "张伟",
            "申请人1/联系电话": "13812345678",
            "被申请人1/姓名或名称": "李娜",
        },
        {"纠纷类别": "邻里纠纷", "乡镇（街道）": "梅园新村街道"},
    )
    await page.get_by_role("button", name="登记").click()
    await expect(page).to_have_url(re.compile(r"/cases/JF-\d{4}-\d{6}\?done=registered$"))


@pytest.mark.usefixtures("linked")
@pytest.mark.parametrize("width", [1366, 390])
async def test_a_mediator_books_a_session_for_next_week_and_sees_it_on_her_agenda(
    pages: Pages, shot: Shot, width: int
) -> None:
    page = await pages.open(width=width, height=844 if width == 390 else 768)
    await pages.sign_in(page, "wangfang")
    title = f"相邻通行纠纷（排期{width}）"
    await _register(page, title)
    await act(page, "accept", {"受理意见": "符合受理条件"})
    await expect_stage(page, "已受理")

    # 安排调解会: her own roster entry is ticked already.
    form = page.locator("#action-sessions-schedule")
    await form.locator("summary").click()
    mine = form.get_by_label("王芳（玄武区矛盾纠纷调解中心", exact=False)
    await expect(mine).to_be_checked()
    assert await unlabelled_inputs(page) == []
    # A time already past is refused beside the field, in Chinese.
    await fill(form, {"调解会时间": f"{day(-1)} 09:30", "地点": "长江路社区调解室"}, {})
    await form.get_by_label("张伟", exact=True).check()
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    form = page.locator("#action-sessions-schedule")
    await expect(form.locator(".field-error, .error-text").first).to_contain_text("须晚于现在")
    await shot(page, f"{width}-01-booking-refused")
    await fill(form, {"调解会时间": f"{day(7)} 09:30"}, {})
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    await expect(page.get_by_text(f"安排第1次调解会：{day(7)} 09:30")).to_be_visible()
    booking = page.locator("section[aria-labelledby=h-schedule]")
    await expect(booking).to_contain_text("待召开")
    await expect(booking).to_contain_text("申请人 张伟（138****5678）")
    await shot(page, f"{width}-02-booked")
    case_url = page.url.split("?")[0]
    case_id = case_url.rsplit("/", 1)[1]

    # 调解日程: the session on its day, under her own sessions.
    await open_menu(page)
    await page.get_by_role("link", name="调解日程").click()
    await expect(page.get_by_role("heading", name="调解日程", exact=True)).to_be_visible()
    assert await unlabelled_inputs(page) == []
    item = page.locator(".agenda-item", has=page.get_by_text(case_id))
    await expect(item).to_contain_text("09:30")
    await expect(item).to_contain_text("待召开")
    await expect(item).to_contain_text("长江路社区调解室")
    await expect(item).to_contain_text("通知当事人 1 人")
    day_heading = page.locator(".agenda-day", has=item).get_by_role("heading")
    month, date_ = int(day(7)[5:7]), int(day(7)[8:10])
    await expect(day_heading).to_contain_text(f"{month}月{date_}日")
    # Nothing wider than the screen at a phone's width.
    scroll = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, scroll
    await shot(page, f"{width}-03-agenda")

    # The case withdrawn (撤回) before the day: its booking is no longer shown as pending.
    await page.goto(case_url)
    await act(page, "withdraw", {"撤回原因": "双方已自行和解，申请人撤回申请"})
    await expect_stage(page, "已撤回")
    booking = page.locator("section[aria-labelledby=h-schedule]")
    await expect(booking).to_contain_text("未召开（案件已结束）")
    await expect(booking).not_to_contain_text("待召开")
    scroll = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, scroll
    await shot(page, f"{width}-04-withdrawn-booking-not-held")
