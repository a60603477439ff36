"""网格员上报照片: a grid worker's report takes photos from the phone's camera (the file input asks
for the rear camera); the photos are kept as files of the report step of the case it registered,
shown as thumbnails on the report in the worker's list and on the case page; a file that is not
a photo refuses the report beside the photo field, and nothing is registered. At 390×844 and at
desktop width."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Locator, Page, expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import page_width, unlabelled_inputs
from tests.files import jpeg_with_gps, pdf

pytestmark = pytest.mark.e2e

PHOTO_LABEL = "现场照片（可用手机拍照，最多 6 张）"


async def _fill_report(page: Page, title: str) -> Locator:
    form = page.locator("#report-form")
    await form.get_by_label("标题", exact=True).fill(title)
    await form.get_by_label("纠纷类别", exact=True).select_option(label="邻里纠纷")
    await form.get_by_label("纠纷简要情况", exact=True).fill("楼道堆放杂物，邻居出入不便。")
    await (
        form.get_by_role("group", name="申请人1", exact=True)
        .get_by_label("姓名或名称", exact=True)
        .fill("蒋文")
    )
    return form


async def _images_decoded(page: Page, selector: str, count: int) -> None:
    """Wait until ``count`` images under ``selector`` are decoded (not broken links)."""
    await page.wait_for_function(
        """([selector, count]) => [...document.querySelectorAll(selector + " img")]
            .filter(i => i.complete && i.naturalWidth > 0).length === count""",
        arg=[selector, count],
        timeout=15_000,
    )


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
async def test_a_report_takes_photos_shown_on_the_report_and_on_its_case(
    console: Console, pages: Pages, shot: Shot, width: int, height: int
) -> None:
    page = await pages.open(width, height)
    await pages.sign_in(page, "wangxiaoming")
    await expect(page).to_have_url(re.compile(r"/reports$"))
    camera = page.get_by_label(PHOTO_LABEL)
    await expect(camera).to_have_attribute("accept", "image/*")
    await expect(camera).to_have_attribute("capture", "environment")
    await expect(camera).to_have_attribute("multiple", "")
    assert await unlabelled_inputs(page) == []

    # A file that is not a photo: refused beside the photo field, the report not registered.
    title = f"楼道堆物 {uuid.uuid4().hex[:4]}"
    form = await _fill_report(page, title)
    await camera.set_input_files([{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": pdf()}])
    await form.get_by_role("button", name="上报").click()
    await page.wait_for_load_state()
    await expect(page.locator("#report-photos-error")).to_contain_text("文件内容与声明的类型不符")
    await expect(page.get_by_label("标题", exact=True)).to_have_value(title)
    await expect(page.locator("#reports")).not_to_contain_text(title)
    await shot(page, f"01-photo-refused-{width}")

    # Two photos from the camera go with the report.
    photos = [
        {"name": "楼道.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps((800, 600))},
        {"name": "杂物.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps((600, 800))},
    ]
    await page.get_by_label(PHOTO_LABEL).set_input_files(photos)  # type: ignore[arg-type]
    await page.locator("#report-form").get_by_role("button", name="上报").click()
    await expect(page).to_have_url(re.compile(r"/reports\?reported=JF-\d{4}-\d{6}$"))
    case_id = page.url.rsplit("=", 1)[1]
    row = page.locator("#reports tr", has_text=case_id)
    shown = row.locator("td[data-label='照片'] img")
    await expect(shown).to_have_count(2)
    await expect(row.locator("td[data-label='照片'] img").first).to_have_attribute(
        "alt", "楼道.jpg"
    )
    await _images_decoded(page, f"#r-{case_id} td[data-label='照片']", 2)
    assert await page_width(page) <= width
    await row.scroll_into_view_if_needed()
    await shot(page, f"02-report-with-photos-{width}")
    # The photo itself opens for its reporter; another case's files do not.
    opened = await page.request.get(
        f"{console.url}/cases/{case_id}/attachments/"
        + (await row.locator("td[data-label='照片'] a").first.get_attribute("href") or "").rsplit(
            "/", 1
        )[1]
    )
    assert opened.status == 200
    assert opened.headers["content-type"] == "image/jpeg"

    # The case registered from the report shows the photos to those who read it.
    staff = await pages.open(width, height)
    await pages.sign_in(staff, "zhoujun")  # 周军, county leader
    await staff.goto(f"{console.url}/cases/{case_id}")
    gallery = staff.locator("#report-photos")
    await expect(gallery.locator("img")).to_have_count(2)
    await _images_decoded(staff, "#report-photos", 2)
    files = staff.locator("#file-list")
    await expect(files.get_by_text("网格员上报", exact=True)).to_have_count(2)
    assert await page_width(staff) <= width
    await shot(staff, f"03-case-with-report-photos-{width}")
