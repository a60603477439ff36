"""The console's pages mask personal data written in any common form (issue 16, finding 7)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.console.conftest import PASSWORD, Console, Pages, Shot
from tests.principals import bearer
from tests.privacy_samples import DESCRIPTION, TITLE, clear_personal_data
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def _signed_in(console: Console, user_id: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=console.url, timeout=30, trust_env=False)
    form = await client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = await client.post(
        "/signin",
        data={"csrf_token": token.group(1), "user_id": user_id, "password": PASSWORD},
        headers={"Origin": console.url},
    )
    assert answer.status_code == 303, answer.text
    return client


async def test_console_pages_show_no_number_in_clear(console: Console) -> None:
    async with httpx.AsyncClient(
        base_url=console.url, timeout=60, trust_env=False, headers=bearer(console.keys["mediator"])
    ) as api:
        registered = await api.post(
            "/v1/cases",
            json=intake_body(title=TITLE, description=DESCRIPTION, risk_level="major"),
        )
    assert registered.status_code == 201, registered.text
    case_id = registered.json()["case_id"]

    pages: dict[str, str] = {}
    mediator = await _signed_in(console, "wangfang")
    leader = await _signed_in(console, "liuqiang")
    try:
        pages["case page"] = (await mediator.get(f"/cases/{case_id}")).text
        pages["case list"] = (await mediator.get("/cases", params={"q": "相邻通行"})).text
        pages["search by head"] = (await leader.get("/cases", params={"q": "138"})).text
        pages["leader's case page"] = (await leader.get(f"/cases/{case_id}")).text
        pages["alerts"] = (await leader.get("/alerts")).text
        pages["leader board"] = (await leader.get("/leader")).text
    finally:
        await mediator.aclose()
        await leader.aclose()

    assert "相邻通行纠纷" in pages["case page"]
    assert case_id in pages["case list"]
    assert case_id in pages["search by head"]
    assert "138-****-5678" in pages["case page"]
    leaks = {name: found for name, page in pages.items() if (found := clear_personal_data(page))}
    assert leaks == {}


async def test_the_recipients_form_refuses_an_internal_address_and_says_why(
    console: Console,
) -> None:
    """Issue 16, finding 8, in the console: the administrator's form refuses a channel at
    127.0.0.1 (422, the reason beside the form) and saves nothing; an official robot host is
    saved."""
    admin = await _signed_in(console, "sysadmin")
    try:
        page = await admin.get("/admin/recipients")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        form = {
            "csrf_token": token.group(1),
            "recipient_id": "person:内网测试",
            "display_name": "内网测试",
            "kind": "wecom",
            "url": "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k",
        }
        refused = await admin.post("/admin/recipients", data=form, headers={"Origin": console.url})
        assert refused.status_code == 422
        assert "通道地址不允许" in refused.text
        assert "不在外发白名单内" in refused.text
        assert "person:内网测试</td>" not in refused.text
        official = {**form, "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
        saved = await admin.post(
            "/admin/recipients", data=official, headers={"Origin": console.url}
        )
        assert saved.status_code == 303
    finally:
        await admin.aclose()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
async def test_the_refusal_of_an_internal_address_reads_well_in_the_browser(
    pages: Pages, shot: Shot, width: int, height: int
) -> None:
    page = await pages.open(width, height)
    await pages.sign_in(page, "sysadmin")
    await page.goto(f"{pages.console.url}/admin/recipients")
    await page.get_by_label("接收人标识（如 town-leader:320102001）").fill("person:metadata")
    await page.get_by_label("名称", exact=True).fill("元数据测试")
    await page.get_by_label("通道", exact=True).select_option(label="Webhook（HMAC 签名）")
    await page.get_by_label("地址（留空则只在督办提醒中查看）").fill(
        "http://169.254.169.254/latest/meta-data/"
    )
    await page.get_by_label("签名密钥").fill("s")
    await page.locator("form button[type=submit]").last.click()
    await page.wait_for_load_state()
    await expect(page.get_by_text("通道地址不允许", exact=False)).to_be_visible()
    await shot(page, f"refused-{width}")
