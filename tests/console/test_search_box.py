"""The search box (issue 18, "Finding a case"): a mediator finds a case in 案件 by its number,
by a party's surname and by a phone's last four digits, at a desk and on a phone (390×844); the
words found are marked, the phone stays masked, and the page is no wider than the screen.
Screenshots go to tests/console/screenshots/<test>/.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.api.helpers import create_case
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import PHONE, page_width
from tests.principals import bearer

pytestmark = pytest.mark.e2e

DESK = (1280, 800)
# An uncommon surname: the test's case is the only one of its name in the console's database.
_SURNAMES = "鼋鼍鳜鲥蘅芷茝蕙"


@pytest.fixture
async def searched_case(console: Console) -> dict[str, Any]:
    surname = secrets.choice(_SURNAMES) + secrets.choice(_SURNAMES)  # a two-character surname
    phone = f"139{secrets.randbelow(10**8):08d}"
    async with httpx.AsyncClient(
        base_url=console.url, timeout=60, headers=bearer(console.keys["mediator"])
    ) as api:
        case = await create_case(
            api,
            title="承包鱼塘放水纠纷",
            applicants=[{"name": f"{surname}建华", "phone": phone}],
        )
    return {"case_id": case["case_id"], "surname": surname, "phone": phone}


async def _search(page: Page, console: Console, q: str) -> None:
    await page.goto(f"{console.url}/cases")
    await page.get_by_label("检索").fill(q)
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_load_state()


@pytest.mark.parametrize(("width", "height"), [DESK, PHONE], ids=["desk", "phone"])
async def test_a_mediator_finds_a_case_by_number_surname_and_a_phones_last_four(
    pages: Pages,
    console: Console,
    shot: Shot,
    searched_case: dict[str, Any],
    width: int,
    height: int,
) -> None:
    case_id, surname, phone = (searched_case[k] for k in ("case_id", "surname", "phone"))
    page = await pages.open(width, height)
    await pages.sign_in(page, "wangfang")
    rows = page.locator("table.list tbody tr")

    for name, q, marked, hit in (
        ("number", case_id, case_id, None),
        ("tail", case_id.rsplit("-", 1)[1], case_id.rsplit("-", 1)[1], None),
        ("surname", surname, surname, f"申请人：{surname}建华，139****{phone[-4:]}"),
        ("last_four", phone[-4:], phone[-4:], f"申请人：{surname}建华，139****{phone[-4:]}"),
    ):
        await _search(page, console, q)
        first = rows.first
        await expect(first.get_by_role("link", name=case_id)).to_be_visible()
        await expect(first.locator("mark").first).to_have_text(marked)
        if hit is not None:
            await expect(first.locator(".hit")).to_have_text(hit)
        assert phone not in await page.content()  # the whole number is never on the page
        assert await page_width(page) <= width, name
        await shot(page, f"{name}-{width}")

    # Nothing found says so; the query stays in the box.
    await _search(page, console, "查无此词")
    await expect(page.get_by_text("没有符合条件的案件")).to_be_visible()
    await expect(page.get_by_label("检索")).to_have_value("查无此词")
