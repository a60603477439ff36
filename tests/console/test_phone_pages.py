"""Every console page on a phone (390×844) and at a desk (1280), for every role: no page wider
than the screen, the menu folded behind one 菜单 button that reaches every entry (without script
too), tables read as cards, the buttons people press (签收, an action's submit) on screen, and no
input a screen reader cannot name. Screenshots of each page at both widths go to
tests/console/screenshots/<test>/.

The case page folds 开始计时/停止计时 into the clock they belong to; names are shown without the
login id (王芳, not 王芳 (wangfang)) except where the id tells users apart (用户管理).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from activities.identity import passwords
from tests import handoff_county as county
from tests.api.helpers import act, create_case
from tests.console.conftest import PASSWORD, Console, Pages, Shot
from tests.console.conftest import SCREENSHOTS as SCREENSHOT_ROOT
from tests.console.helpers import (
    PHONE,
    day,
    menu_entries,
    open_menu,
    page_width,
    unlabelled_inputs,
    within_screen,
)
from tests.principals import bearer

pytestmark = pytest.mark.e2e

DESK = (1280, 800)
SCREENSHOTS = SCREENSHOT_ROOT / "test_every_page_fits_a_phone_for_every_role"

# Each role's user and the pages its menu does not list (a case, an audit read, an organisation).
ROLES: dict[str, str] = {
    "mediator": "wangfang",  # 王芳, county centre
    "town_mediator": county.STAFF["town"].user_id,  # 周涛, 东山街道综治中心
    "leader": "liuqiang",  # 刘强, town leader
    "auditor": "wuming",  # 吴明
    "grid_worker": "wangxiaoming",  # 王小明
    "center_admin": "chenjing",  # 陈静
    "admin": "sysadmin",  # 系统管理员: recipients, the registry
    "security_admin": "secadmin",  # 安全管理员: users, requests and approvals
}


@asynccontextmanager
async def _api(console: Console, who: str) -> Any:
    async with httpx.AsyncClient(
        base_url=console.url, timeout=60, headers=bearer(console.keys[who])
    ) as api:
        yield api


async def _steps(api: httpx.AsyncClient, case_id: str, steps: list[str]) -> dict[str, Any]:
    case: dict[str, Any] = {}
    for step in steps:
        response = await act(api, case_id, step)
        assert response.status_code == 200, (step, response.text)
        case = response.json()
    return case


@pytest.fixture
async def cases(console: Console) -> dict[str, str]:
    """王芳's cases: one in mediation with a session held, one closed after its whole course, and
    one recorded 60 days late whose breach alerts 刘强 (an open 签收 on his board)."""
    await county.seed_county(console.sessionmaker)
    async with console.sessionmaker.begin() as session:
        for person in county.STAFF.values():
            await passwords.set_password(person.user_id, PASSWORD, session=session)
    tag = uuid.uuid4().hex[:4]
    async with _api(console, "mediator") as api:
        mediating = await create_case(api, title=f"相邻通行纠纷调解中 {tag}")
        await _steps(api, mediating["case_id"], ["accept", "start_mediation", "record_session"])
        closed = await create_case(api, title=f"已办结的相邻纠纷 {tag}")
        await _steps(
            api,
            closed["case_id"],
            [
                "accept",
                "start_mediation",
                "record_session",
                "record_agreement",
                "apply_judicial_confirmation",
                "record_court_acceptance",
                "record_court_decision",
                "record_follow_up",
                "close",
            ],
        )
        late = await create_case(
            api,
            title=f"逾期未受理的劳动争议 {tag}",
            category="labour",
            received_on=day(-60),
        )
    assert any(a["kind"] == "breach" for a in late["alerts"]), late["alerts"]
    return {"mediating": mediating["case_id"], "closed": closed["case_id"], "late": late["case_id"]}


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


async def _check(page: Page, width: int) -> None:
    """The page fits the screen and every input has a name."""
    assert await page_width(page) <= width, f"{page.url} is {await page_width(page)}px wide"
    assert await unlabelled_inputs(page) == [], page.url


def _extra_pages(role: str, ids: dict[str, str]) -> Iterator[str]:
    if role in ("mediator", "center_admin"):
        yield f"/cases/{ids['mediating']}"
        yield f"/cases/{ids['closed']}"
        yield "/cases/JF-2099-999999"  # the error page: no such case
    if role == "leader":
        yield f"/cases/{ids['late']}"
    if role == "admin":
        yield "/admin/organisations/jn-ds-center"  # a unit with its roster


async def _audit_reads(page: Page, console: Console, case_id: str) -> None:
    """The auditor's pages with results: the case's timeline read and the access trail."""
    await page.goto(f"{console.url}/audit/cases/{case_id}")
    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill("手机端抽查")
    await page.get_by_role("button", name="时间线").click()
    await page.wait_for_load_state()
    await expect(page.locator("#h-result")).to_be_visible()


async def test_every_page_fits_a_phone_for_every_role(
    console: Console, pages: Pages, shot: Shot, cases: dict[str, str]
) -> None:
    # Signed out: the sign-in page.
    for width, height in (PHONE, DESK):
        page = await pages.open(width, height)
        await page.goto(f"{console.url}/signin")
        await _check(page, width)
        await shot(page, f"signin-{width}")
    for role, user_id in ROLES.items():
        phone = await pages.open(*PHONE)
        desk = await pages.open(*DESK)
        await pages.sign_in(phone, user_id)
        await pages.sign_in(desk, user_id)
        entries = await menu_entries(phone)
        assert entries, f"{role} has no menu"
        # Folded: the entries are hidden until 菜单 is pressed; then each is on screen.
        for name, _ in entries:
            await expect(phone.get_by_role("link", name=name, exact=True)).to_be_hidden()
        paths = [href for _, href in entries] + list(_extra_pages(role, cases))
        for n, path in enumerate(paths):
            name = _slug(
                path.replace(f"/cases/{cases['closed']}", "/case-closed")
                .replace(f"/cases/{cases['mediating']}", "/case-mediating")
                .replace(f"/cases/{cases['late']}", "/case-overdue")
            )
            for page, (width, _) in ((phone, PHONE), (desk, DESK)):
                await page.goto(f"{console.url}{path}")
                await _check(page, width)
                await shot(page, f"{role}-{name}-{width}")
            await open_menu(phone)
            if n == 0:
                await phone.screenshot(path=str(SCREENSHOTS / f"{role}-menu-open-390.png"))
            for name, _ in entries:
                assert await within_screen(phone.get_by_role("link", name=name, exact=True)), (
                    f"{role}: menu entry {name} off screen on {path}"
                )
            await expect(phone.get_by_role("button", name="退出")).to_be_visible()
        if role == "auditor":
            for page, (width, _) in ((phone, PHONE), (desk, DESK)):
                await _audit_reads(page, console, cases["closed"])
                await _check(page, width)
                await shot(page, f"{role}-audit-timeline-{width}")
                await page.goto(
                    f"{console.url}/audit/trail?purpose=手机端抽查&case_id={cases['closed']}"
                )
                await _check(page, width)
                await shot(page, f"{role}-audit-trail-results-{width}")


async def test_a_leader_signs_for_an_alert_on_a_phone_without_script(
    console: Console, pages: Pages, shot: Shot, cases: dict[str, str]
) -> None:
    page = await pages.open(*PHONE, javascript=False)
    await pages.sign_in(page, "liuqiang")
    await expect(page.get_by_role("heading", name="领导看板")).to_be_visible()
    await _check(page, PHONE[0])
    # The menu opens without script and reaches every entry.
    await open_menu(page)
    for name, _ in await menu_entries(page):
        assert await within_screen(page.get_by_role("link", name=name, exact=True)), name
    row = page.locator("#h-inbox ~ table tr", has_text=cases["late"]).first
    sign = row.get_by_role("button", name="签收")
    assert await within_screen(sign), "签收 is off screen"
    assert await within_screen(row.get_by_placeholder("签收意见（可选）"))
    # Read as a card: each cell says what it is.
    await expect(row.locator("td[data-label='级别']")).to_be_visible()
    await shot(page, "01-leader-board-390")
    await row.get_by_placeholder("签收意见（可选）").fill("已责成街道三日内受理")
    await sign.click()
    await page.wait_for_load_state()
    await expect(page.get_by_role("status")).to_have_text("已签收")
    await page.goto(f"{console.url}/cases/{cases['late']}")
    # The name alone: 刘强, not 刘强 (liuqiang).
    await expect(page.locator("#h-alerts + ul .ack-by")).to_contain_text(
        re.compile("^刘强 于 .+ 签收$")
    )
    await expect(page.locator("#h-alerts + ul .ack-note")).to_have_text(
        "签收意见：已责成街道三日内受理"
    )
    await expect(page.locator("main")).not_to_contain_text("(liuqiang)")
    await expect(page.locator("main")).not_to_contain_text("(wangfang)")
    # A leader's actions on the case (风险研判, 领导批示) are one tap away.
    await expect(page.get_by_role("link", name="去办理 ↓")).to_have_count(1)
    await _check(page, PHONE[0])


async def test_a_mediator_acts_on_a_case_on_a_phone(
    console: Console, pages: Pages, shot: Shot, cases: dict[str, str]
) -> None:
    page = await pages.open(*PHONE)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/cases/{cases['mediating']}")
    # The parties read as cards, each value with its heading.
    await expect(page.locator("td[data-label='联系电话']", has_text="138****5678")).to_be_visible()
    # 去办理 takes the phone past the case's record to the actions.
    await page.get_by_role("link", name="去办理 ↓").click()
    await expect(page.locator("#h-actions")).to_be_in_viewport()
    form = page.locator("#action-sessions")
    await form.locator("summary").click()
    submit = form.locator("button[type=submit]")
    await submit.scroll_into_view_if_needed()
    assert await within_screen(submit), "the action's button is off screen"
    await _check(page, PHONE[0])
    await shot(page, "01-action-open-390")
    # The user list keeps the login id: it tells two 王小明 apart.
    admin = await pages.open(*PHONE)
    await pages.sign_in(admin, "secadmin")
    await admin.goto(f"{console.url}/admin/users")
    await expect(
        admin.locator("td[data-label='用户名']", has_text=re.compile("^wangxiaoming$"))
    ).to_be_visible()


async def test_the_timeline_folds_clock_starts_and_stops_into_their_clock(
    console: Console, pages: Pages, shot: Shot, cases: dict[str, str]
) -> None:
    page = await pages.open(javascript=False)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/cases/{cases['closed']}")
    timeline = page.locator("#timeline")
    await expect(timeline.locator("li", has_text="销号").first).to_be_visible()
    # Folded by default: no 开始计时 or 停止计时 among the visible entries …
    await expect(timeline.locator("li:visible", has_text="开始计时")).to_have_count(0)
    await expect(timeline.locator("li:visible", has_text="停止计时")).to_have_count(0)
    # … but each clock lists its own start and stop.
    logs = page.locator(".clock .clock-log")
    assert await logs.count() >= 2
    for n in range(await logs.count()):
        await logs.nth(n).locator("summary", has_text="计时记录").click()
        await expect(logs.nth(n).locator("li", has_text="开始计时")).to_be_visible()
    await shot(page, "01-folded")
    # One box to tick (no script) shows every entry.
    await page.get_by_label(re.compile("^显示全部记录")).check()
    await expect(timeline.locator("li:visible", has_text="开始计时").first).to_be_visible()
    # Who did what, by name: 王芳, not 王芳 (wangfang).
    await expect(timeline.locator("li", has_text="销号").first).to_contain_text("王芳")
    await expect(page.locator("main")).not_to_contain_text("(wangfang)")
    await shot(page, "02-all-entries")


async def test_a_grid_worker_reports_a_dispute_from_a_phone(
    console: Console, pages: Pages, shot: Shot, cases: dict[str, str]
) -> None:
    """王小明 walks his grid with a phone: the report form and his reports fit the screen."""
    page = await pages.open(*PHONE)
    await pages.sign_in(page, "wangxiaoming")
    form = page.locator("#report-form")
    title = f"楼道堆物邻里纠纷 {uuid.uuid4().hex[:4]}"
    await form.get_by_label("标题", exact=True).fill(title)
    await form.get_by_label("纠纷类别", exact=True).select_option(label="邻里纠纷")
    await form.get_by_label("纠纷简要情况", exact=True).fill("楼道堆放杂物，邻居出入不便。")
    await (
        form.get_by_role("group", name="申请人1", exact=True)
        .get_by_label("姓名或名称", exact=True)
        .fill("蒋文")
    )
    send = form.get_by_role("button", name="上报")
    await send.scroll_into_view_if_needed()
    assert await within_screen(send), "上报 is off screen"
    await send.click()
    await page.wait_for_load_state()
    await expect(page.locator(".flash")).to_contain_text("已上报")
    card = page.locator("#reports tr", has_text=title)
    await expect(card.locator("td[data-label='办理阶段']")).to_be_visible()
    assert await within_screen(card)
    await _check(page, PHONE[0])
    await shot(page, "01-reported-390")
