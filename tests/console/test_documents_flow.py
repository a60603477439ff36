"""文书 on the case page, in Chromium: a mediator issues the 协议书 of a case with an agreement,
sees its 文号 and version, downloads it as PDF and Word; a refused document names the field; the
section at phone width (390 px)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import today
from tests.principals import bearer
from tests.samples import ACTION_PATHS, action_bodies, intake_body

pytestmark = pytest.mark.e2e


async def _agreed_case(console: Console) -> dict[str, Any]:
    headers = bearer(console.keys["mediator"])
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        created = await api.post(
            "/v1/cases",
            json=intake_body(title=f"相邻通行纠纷 {uuid.uuid4().hex[:4]}"),
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        case: dict[str, Any] = created.json()
        for action in ("accept", "start_mediation", "record_session", "record_agreement"):
            response = await api.post(
                f"/v1/cases/{case['case_id']}/{ACTION_PATHS[action]}",
                json=action_bodies(today())[action],
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 200, response.text
    return case


async def test_a_mediator_issues_and_downloads_the_agreement(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _agreed_case(console)
    page = await pages.open()
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/cases/{case['case_id']}")
    section = page.locator("#papers")
    await expect(section.get_by_text("尚未出具文书")).to_be_visible()

    # The court is not recorded yet: the 司法确认申请书 is refused, the field named.
    await section.get_by_label("文书种类").select_option(label="司法确认申请书")
    await section.get_by_role("button", name="出具文书").click()
    await expect(page.locator("#doc-error")).to_contain_text("受理法院")
    await expect(section.get_by_label("文书种类")).to_have_value("confirmation_application")
    await shot(page, "01-refused")

    await section.get_by_label("文书种类").select_option(label="人民调解协议书")
    await section.get_by_role("button", name="出具文书").click()
    await expect(page.get_by_role("status")).to_have_text("已出具文书")
    paper = page.locator("#papers-list li", has_text="人民调解协议书")
    await expect(paper).to_contain_text("第 1 版")
    number = re.compile(rf"^（{today().year}）\S*调字第\d+号$")
    await expect(paper.locator(".doc-number")).to_have_text(number)
    await expect(page.locator(".timeline").get_by_text("出具文书").first).to_be_visible()
    await shot(page, "02-issued")

    async with page.expect_download() as pdf:
        await paper.get_by_role("link", name="下载PDF").click()
    downloaded = await (await pdf.value).path()
    assert downloaded is not None
    assert downloaded.read_bytes().startswith(b"%PDF")
    async with page.expect_download() as word:
        await paper.get_by_role("link", name="下载Word").click()
    assert (await word.value).suggested_filename.endswith("-v1.docx")

    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "wangfang")
    await phone.goto(f"{console.url}/cases/{case['case_id']}#papers")
    await expect(phone.locator("#papers-list")).to_be_visible()
    await shot(phone, "03-phone")
    # Nothing of the section spills out of its card (the page's width is the other sections').
    wide = await phone.evaluate(
        """() => { const edge = document.querySelector('#papers').getBoundingClientRect().right;
            return Array.from(document.querySelectorAll('#papers *'))
            .filter(e => e.getBoundingClientRect().right > edge + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right); }"""
    )
    assert wide == [], wide
