"""台账 in the console: a mediator uploads a ledger, watches the progress move in place (no page
load), downloads the rejected rows with their reasons and the list as a 登记台账; without script
the progress page refreshes itself; on a phone (390×844) both pages fit."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import expect

from domain.case.ledger import LEDGER_COLUMNS, REJECTION_COLUMN
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import PHONE, page_width
from tests.ledger_files import ledger_file

pytestmark = pytest.mark.e2e


async def test_a_mediator_imports_a_ledger_and_gets_the_rejected_rows_back(
    console: Console, pages: Pages, shot: Shot, tmp_path: Path
) -> None:
    ledger = ledger_file(30, 5, seed=2101)
    page = await pages.open(1280, 900)
    await pages.sign_in(page, "wangfang")
    await page.get_by_role("link", name="台账", exact=True).click()
    await expect(page.get_by_role("heading", name="矛盾纠纷排查化解登记台账")).to_be_visible()
    await shot(page, "01-ledger-1280")
    await page.get_by_label("台账文件（.xlsx）").set_input_files(
        {
            "name": "东街村台账.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": ledger.data,
        }
    )
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page).to_have_url(re.compile(r"/ledger/imports/[0-9a-f]{32}$"))
    # The page is not loaded again while the import runs: a mark set now survives to the end.
    await page.evaluate("() => { window.__stayed = true; }")
    await expect(page.locator("#ledger-status")).to_have_text("已完成", timeout=120_000)
    assert await page.evaluate("() => window.__stayed === true")
    await expect(page.locator("#ledger-registered")).to_have_text("25")
    await expect(page.locator("#ledger-rejected")).to_have_text("5")
    assert await page.locator("#ledger-bar").get_attribute("max") == "30"
    await shot(page, "02-import-done-1280")
    import_url = page.url

    async with page.expect_download() as waiting:
        await page.locator("#ledger-rejected-link").click()
    rejected = Path(await (await waiting.value).path()).read_bytes()
    sheet = load_workbook(io.BytesIO(rejected)).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[1][-1] == REJECTION_COLUMN
    reasons = {int(str(line[-2])): str(line[-1]) for line in lines[2:]}
    assert set(reasons) == set(ledger.bad)
    assert all(ledger.bad[n] in reason for n, reason in reasons.items())

    # The list shown, as the 登记台账.
    await page.goto(f"{console.url}/cases?q=%E7%BA%B8%E8%B4%A8%E5%8F%B0%E8%B4%A6")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="登记台账（xlsx）").click()
    exported = load_workbook(io.BytesIO(Path(await (await waiting.value).path()).read_bytes()))
    rows = list(exported.worksheets[0].iter_rows(values_only=True))
    assert tuple(rows[1]) == LEDGER_COLUMNS
    assert len(rows) - 2 >= 25

    # A phone: the ledger page and the import's page fit 390 px.
    phone = await pages.open(*PHONE)
    await pages.sign_in(phone, "wangfang")
    for url, name in ((f"{console.url}/ledger", "03-ledger-390"), (import_url, "04-import-390")):
        await phone.goto(url)
        assert await page_width(phone) <= PHONE[0], url
        await shot(phone, name)
    await expect(phone.get_by_role("heading", name="台账导入：东街村台账.xlsx")).to_be_visible()


async def test_without_script_the_progress_page_refreshes_itself(
    console: Console, pages: Pages, shot: Shot
) -> None:
    ledger = ledger_file(40, 0, seed=2102)
    page = await pages.open(*PHONE, javascript=False)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/ledger")
    await page.get_by_label("台账文件（.xlsx）").set_input_files(
        {
            "name": "西街村台账.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": ledger.data,
        }
    )
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page).to_have_url(re.compile(r"/ledger/imports/[0-9a-f]{32}$"))
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    # Each refresh is a new page load (the meta refresh inside <noscript>).
    await expect(page.locator("#ledger-status")).to_have_text("已完成", timeout=120_000)
    assert loads, "the page never refreshed itself"
    await expect(page.locator("#ledger-registered")).to_have_text("40")
    assert await page_width(page) <= PHONE[0]
    await shot(page, "01-import-noscript-390")
