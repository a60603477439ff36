"""三员分立 in the browser, at desktop and phone width (390×844): a password someone else set is
changed at first sign-in; the auditor reads the administration trail (the read itself recorded);
requests, approvals and the one-time link page fit a phone."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from activities.identity import passwords
from activities.store.tables import UserRow
from api.services import users
from tests import principals
from tests.console.conftest import PASSWORD, Console, Pages, Shot
from tests.console.helpers import open_menu

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


async def _no_sideways_scroll(page: object) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    view = await page.evaluate("window.innerWidth")  # type: ignore[attr-defined]
    assert width <= view, f"the page scrolls sideways: {width} > {view}"


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_a_password_set_by_someone_else_is_changed_first(
    console: Console, pages: Pages, shot: Shot, width: str
) -> None:
    user_id = "zhoujun" if width == "desktop" else "sunli"
    async with console.sessionmaker.begin() as session:
        await passwords.set_password(user_id, PASSWORD, session=session)
        row = await session.get(UserRow, user_id)
        assert row is not None
        row.must_change_password = True
    page = await pages.open(*WIDTHS[width])
    await pages.sign_in(page, user_id)
    await expect(page.locator("#must-change")).to_contain_text("请先修改密码")
    await page.goto(f"{console.url}/leader")
    await expect(page.locator("#must-change")).to_be_visible()  # nothing else opens
    await _no_sideways_scroll(page)
    await shot(page, f"01-must-change-{width}")
    await page.get_by_label("当前密码").fill(PASSWORD)
    await page.get_by_label("新密码（至少 10 位）").fill("Zhoujun-own-2026")
    await page.get_by_label("再输入一次新密码").fill("Zhoujun-own-2026")
    await page.get_by_role("button", name="修改密码").click()
    await expect(page.locator("#password-done")).to_contain_text("请使用新密码重新登录")
    await pages.sign_in(page, user_id, "Zhoujun-own-2026")
    await expect(page.get_by_role("heading", name="领导看板")).to_be_visible()
    # The other browser tests sign this leader in with the shared test password.
    async with console.sessionmaker.begin() as session:
        await passwords.set_password(user_id, PASSWORD, session=session)


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_requests_approval_and_the_link_fit_the_width(
    console: Console, pages: Pages, shot: Shot, width: str
) -> None:
    target = "wangfang" if width == "desktop" else "zhaolei"
    asked = await users.request_password_link(
        target, admin=principals.USERS["security_admin"], sessionmaker=console.sessionmaker
    )
    page = await pages.open(*WIDTHS[width])
    await pages.sign_in(page, "secadmin2")
    await page.goto(f"{console.url}/admin/requests")
    await expect(page.get_by_role("heading", name="申请与审批")).to_be_visible()
    await shot(page, f"01-requests-{width}")
    await page.goto(f"{console.url}/admin/users")
    await shot(page, f"02-users-{width}")
    await page.goto(f"{console.url}/admin/requests")
    row = page.locator("tr", has_text=asked)
    await row.get_by_role("button", name="批准").click()
    await expect(page.locator("#one-time-link")).to_contain_text("/welcome/")
    await _no_sideways_scroll(page)
    await shot(page, f"03-link-{width}")
    link = await page.locator("#one-time-link").inner_text()
    welcome = await pages.open(*WIDTHS[width])
    await welcome.goto(link)
    await expect(welcome.get_by_role("heading", name="设置您的密码")).to_be_visible()
    await _no_sideways_scroll(welcome)
    await shot(welcome, f"04-welcome-{width}")


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_the_auditor_reads_the_administration_trail_and_the_read_is_in_it(
    console: Console, pages: Pages, shot: Shot, width: str
) -> None:
    page = await pages.open(*WIDTHS[width])
    await pages.sign_in(page, "wuming")
    await open_menu(page)  # folded behind 菜单 on a phone
    await page.get_by_role("link", name="管理留痕").click()
    await page.get_by_label("查阅用途（必填，记入管理留痕）").fill(f"例行检查{width}")
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#chain-status")).to_contain_text("哈希链完整")
    first = page.locator("tbody tr").first
    await expect(first).to_contain_text("查阅留痕")
    await expect(first).to_contain_text(f"例行检查{width}")
    await shot(page, f"01-admin-trail-{width}")
