"""月报 in Chromium, at a desk and at 390×844: a leader asks for a past month's report, finds it
listed and downloads it as Excel; a bad month is refused beside the field, nothing started."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import open_menu, page_width

pytestmark = pytest.mark.e2e


async def _rows(page: Page) -> int:
    return await page.locator("table.list tbody tr:not(:has(td.empty))").count()


@pytest.mark.parametrize(("width", "month"), [(1366, "2026-01"), (390, "2025-12")])
async def test_a_leader_makes_and_downloads_a_past_months_report(
    console: Console, pages: Pages, shot: Shot, width: int, month: str
) -> None:
    page = await pages.open(width, 844 if width == 390 else 768)
    await pages.sign_in(page, "liuqiang")  # 刘强, town leader
    await open_menu(page)
    await page.get_by_role("link", name="月报").click()
    await expect(page.get_by_role("heading", name="月报")).to_be_visible()
    before = await _rows(page)

    await page.get_by_label("月份").fill("2026-13")
    await page.get_by_role("button", name="生成月报").click()
    await expect(page.locator("#month-error")).to_contain_text("2026-03")
    assert await _rows(page) == before  # refused: nothing made

    await page.get_by_label("月份").fill(month)
    await page.get_by_role("button", name="生成月报").click()
    await expect(page.get_by_role("status")).to_contain_text("已提交生成")
    line = page.locator("table.list tbody tr", has_text=month)
    for _ in range(120):  # the workflow makes it within seconds; reload until it is listed
        if await line.count():
            break
        await page.wait_for_timeout(500)
        await page.reload()
    await expect(line.first).to_be_visible()
    assert await page_width(page) <= width
    await shot(page, f"reports-{width}")

    async with page.expect_download() as waiting:
        await line.first.get_by_role("link", name="Excel").click()
    download = await waiting.value
    path = await download.path()
    workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    text = " ".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert month.replace("-", "年", 1).rstrip("0") in text or month in text


async def test_a_mediator_has_no_monthly_reports(console: Console, pages: Pages) -> None:
    page = await pages.open()
    await pages.sign_in(page, "wangfang")  # 王芳, mediator
    response = await page.goto(f"{console.url}/reports/monthly")
    assert response is not None
    assert response.status == 403
