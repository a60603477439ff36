"""Sign-in in the browser: five wrong passwords lock the account (recorded), sign-out ends the
session, an administrator sets a password and issues a key shown once."""

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


async def test_sign_out_ends_the_session_and_an_admin_manages_passwords_and_keys(
    console: Console, pages: Pages, shot: Shot
) -> None:
    page = await pages.open()
    await pages.sign_in(page, "sysadmin")
    await expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    row = page.locator("tr", has_text="linfeng")
    await row.get_by_label("linfeng 的新密码").fill("short")
    await row.get_by_role("button", name="设置密码").click()
    await expect(page.locator("#pw-linfeng-error")).to_contain_text("密码至少 10 位")
    await (
        page.locator("tr", has_text="linfeng")
        .get_by_label("linfeng 的新密码")
        .fill("Linfeng-new-2026")
    )
    await page.locator("tr", has_text="linfeng").get_by_role("button", name="设置密码").click()
    await expect(page.get_by_role("status")).to_contain_text("已设置密码")
    await page.locator("tr", has_text="linfeng").get_by_role("button", name="发放密钥").click()
    await expect(page.locator("#issued-key")).to_contain_text("fq_")
    await shot(page, "01-key-issued")

    await page.get_by_role("button", name="退出").click()
    await expect(page.get_by_role("heading", name="登录枫桥工作台")).to_be_visible()
    response = await page.goto(f"{console.url}/admin/users")
    assert response is not None
    await expect(page.get_by_role("heading", name="登录枫桥工作台")).to_be_visible()

    user = await pages.open()
    await pages.sign_in(user, "linfeng", "Linfeng-new-2026")
    await expect(user.get_by_role("heading", name="我的待办")).to_be_visible()
