"""Sign-in in the browser: past five wrong passwords every attempt waits (recorded, one message
whatever the name), sign-out ends the session, a user sets their own password through a link a
second security admin approved."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect
from sqlalchemy import text

from tests.console.conftest import PASSWORD, Console, Pages, Shot

pytestmark = pytest.mark.e2e


async def test_past_five_wrong_passwords_every_attempt_waits_and_says_so(
    console: Console, pages: Pages, shot: Shot
) -> None:
    """One message for a wrong password and a name nobody holds; past five failures any attempt
    (the right password too) waits, told how long, and an administrator's unlock ends the wait."""
    page = await pages.open()
    for _ in range(5):
        await pages.sign_in(page, "qianhao", "wrong-password")
        await expect(page.locator("#signin-error")).to_have_text("用户名或密码错误")
    await pages.sign_in(page, "no-such-user", "wrong-password")
    await expect(page.locator("#signin-error")).to_have_text("用户名或密码错误")
    await pages.sign_in(page, "qianhao", PASSWORD)
    await expect(page.locator("#signin-error")).to_have_text(
        re.compile(r"^登录尝试过于频繁，请于 \d+ 秒后再试$")
    )
    await expect(page.get_by_role("heading", name="登录枫桥工作台")).to_be_visible()
    await shot(page, "01-waiting")
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "qianhao", PASSWORD)
    await expect(phone.locator("#signin-error")).to_contain_text("登录尝试过于频繁")
    await shot(phone, "02-waiting-phone")
    async with console.sessionmaker() as session:
        outcomes = (
            await session.scalars(
                text("SELECT outcome FROM sign_in_events WHERE user_id = 'qianhao' ORDER BY id")
            )
        ).all()
        unknown = await session.scalar(
            text("SELECT count(*) FROM sign_in_events WHERE user_id LIKE '?no***#%'")
        )
    assert outcomes == ["bad_credentials"] * 5  # the waiting attempts were not checked
    assert unknown == 1  # a name nobody holds is recorded too, masked
    admin = await pages.open()
    await pages.sign_in(admin, "secadmin")
    await admin.goto(f"{console.url}/admin/users")
    await admin.locator("tr", has_text="qianhao").get_by_role("button", name="解除锁定").click()
    await expect(admin.get_by_role("status")).to_contain_text("已解除锁定")
    await pages.sign_in(page, "qianhao", PASSWORD)
    await expect(page.get_by_role("heading", name="登录枫桥工作台")).to_be_hidden()


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
