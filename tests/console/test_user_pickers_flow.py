"""用户管理: a security administrator adds a user choosing the 辖区 and the 所属单位 by name from
the registry (no typed codes, a plain select that needs no script), at a desk and at 390×844; the
user list names them; a code the pickers do not offer, posted anyway, is refused beside its
field and adds no one."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from activities.identity import principals
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import PHONE, page_width, unlabelled_inputs

pytestmark = pytest.mark.e2e

PLACE = "玄武区 / 梅园新村街道"
CENTER = "玄武区矛盾纠纷调解中心"


@pytest.mark.parametrize("size", [(1366, 768), PHONE])
async def test_a_user_is_given_a_place_and_an_organisation_by_name(
    console: Console, pages: Pages, shot: Shot, size: tuple[int, int]
) -> None:
    page = await pages.open(*size, javascript=False)
    await pages.sign_in(page, "secadmin")
    await page.goto(f"{console.url}/admin/users")
    form = page.locator("form[action='/admin/users']")
    assert await unlabelled_inputs(page) == []
    # No code to type: both are choices named as the registry names them.
    await expect(form.locator("input[name=jurisdiction], input[name=center_id]")).to_have_count(0)
    user_id = f"picked-{uuid.uuid4().hex[:6]}"
    await form.get_by_label("用户名").fill(user_id)
    await form.get_by_label("姓名").fill("许文静")
    await form.get_by_label("角色").select_option(label="调解员")
    await form.get_by_label("辖区").select_option(label=PLACE)
    await form.get_by_label("所属单位（调解员、中心管理员）").select_option(
        label=f"{CENTER}（玄武区）"
    )
    await form.get_by_role("button", name="添加").click()
    await page.wait_for_load_state()
    await expect(page.get_by_role("status")).to_contain_text("已添加用户")
    row = page.locator("tr", has_text=user_id)
    await expect(row.locator("td[data-label='辖区']")).to_have_text(PLACE)
    await expect(row.locator("td[data-label='单位']")).to_have_text(CENTER)
    assert await page_width(page) <= size[0]
    await row.scroll_into_view_if_needed()
    await shot(page, f"01-user-added-{size[0]}")
    async with console.sessionmaker() as session:
        added = await principals.get_user(user_id, session=session)
    assert added is not None
    assert (added.jurisdiction_code, added.center_id) == ("320102001", "xw-center")

    # An organisation the pickers do not offer, posted anyway: refused beside the field.
    token = await page.locator("input[name=csrf_token]").first.input_value()
    forged = f"forged-{uuid.uuid4().hex[:6]}"
    refused = await page.request.post(
        f"{console.url}/admin/users",
        form={
            "csrf_token": token,
            "user_id": forged,
            "display_name": "冒名",
            "role": "mediator",
            "jurisdiction": "320102001",
            "center_id": "no-such-center",
        },
        headers={"Origin": console.url},
    )
    assert refused.status == 422
    assert "单位名录中没有此在用单位" in await refused.text()
    async with console.sessionmaker() as session:
        assert await principals.get_user(forged, session=session) is None
