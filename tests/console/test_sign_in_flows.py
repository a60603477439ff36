"""Sign-in in the browser: five wrong passwords lock the account (recorded), sign-out ends the
session, a user sets their own password through a link a second security admin approved."""

from __future__ import annotations

import pytest
from playwright.async_api import expect
from sqlalchemy import text

from tests.console.conftest import PASSWORD, Console, Pages, Shot

pytestmark = pytest.mark.e2e


async def test_five_wrong_passwords_lock_the_account(
    console: Console, pages: Pages, shot: Shot
) -> None:
    page = await pages.open()
    for attempt in range(1, 6):
        await pages.sign_in(page, "qianhao", "wrong-password")
        message = page.locator("#signin-error")
        if attempt < 5:
            await expect(message).to_have_text("用户名或密码错误")
    await expect(message).to_contain_text("密码连续错误 5 次，账户已锁定至")
    await shot(page, "01-locked")
    # The right password no longer opens it while the lock-out lasts.
    await pages.sign_in(page, "qianhao", PASSWORD)
    await expect(page.locator("#signin-error")).to_contain_text("账户已锁定，请于")
    await expect(page.get_by_role("heading", name="登录枫桥工作台")).to_be_visible()
    async with console.sessionmaker() as session:
        outcomes = (
            await session.scalars(
                text("SELECT outcome FROM sign_in_events WHERE user_id = 'qianhao' ORDER BY id")
            )
        ).all()
    assert outcomes == ["bad_credentials"] * 4 + ["locked_now", "locked"]


async def test_sign_out_ends_the_session_and_an_approved_link_lets_the_user_set_a_password(
    console: Console, pages: Pages, shot: Shot
) -> None:
    """三员分立: one security admin asks, a second approves, only the user chooses the password."""
    page = await pages.open()
    await pages.sign_in(page, "secadmin")
    await expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    row = page.locator("tr", has_text="linfeng")
    await expect(row.get_by_role("button", name="设置密码")).to_have_count(0)
    await expect(row.get_by_role("button", name="发放密钥")).to_have_count(0)
    await row.get_by_role("button", name="申请一次性链接").click()
    await expect(page.get_by_role("status")).to_contain_text("待另一名安全管理员批准")
    await page.get_by_role("link", name="申请与审批").first.click()
    mine = page.locator("tr", has_text="linfeng").first
    await expect(mine).to_contain_text("待另一名安全管理员批准")
    await expect(mine.get_by_role("button", name="批准")).to_have_count(0)
    await shot(page, "01-request-pending")

    await page.get_by_role("button", name="退出").click()
    await expect(page.get_by_role("heading", name="登录枫桥工作台")).to_be_visible()
    response = await page.goto(f"{console.url}/admin/users")
    assert response is not None
    await expect(page.get_by_role("heading", name="登录枫桥工作台")).to_be_visible()

    await pages.sign_in(page, "secadmin2")
    await page.goto(f"{console.url}/admin/requests")
    await page.locator("tr", has_text="linfeng").first.get_by_role("button", name="批准").click()
    link = await page.locator("#one-time-link").inner_text()
    assert "/welcome/" in link
    await shot(page, "02-link-shown-once")

    user = await pages.open()
    await user.goto(link)
    await user.get_by_label("新密码").fill("Linfeng-new-2026")
    await user.get_by_label("再输入一次").fill("Linfeng-new-2026")
    await user.get_by_role("button", name="设置密码").click()
    await expect(user.locator("#password-done")).to_contain_text("只有您本人知道这个密码")
    await pages.sign_in(user, "linfeng", "Linfeng-new-2026")
    await expect(user.get_by_role("heading", name="我的待办")).to_be_visible()
    await user.goto(link)
    await expect(user.get_by_role("heading", name="链接已失效")).to_be_visible()
