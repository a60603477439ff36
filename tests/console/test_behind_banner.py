"""A case whose records the store could not take shows a clear banner on its page and in the
case list, at desktop and phone width (the mark is written as the projection writes it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import expect

from activities.store import behind
from tests.console.conftest import Console, Pages, Shot
from tests.principals import bearer
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def test_a_case_behind_is_shown_as_such_on_its_page_and_in_the_list(
    console: Console, pages: Pages, shot: Shot
) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        response = await api.post(
            "/v1/cases",
            json=intake_body(title=f"同步滞后演示 {uuid.uuid4().hex[:4]}"),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    case = response.json()
    async with console.sessionmaker.begin() as session:
        connection = await session.connection()
        await behind.mark_behind(
            case["case_id"],
            failed_seq=case["seq"] + 1,
            workflow_seq=case["seq"] + 2,
            jurisdiction_code=None,
            reason="DBAPIError: Error (SQLSTATE 22021)",
            at=datetime.now(UTC),
            connection=connection,
        )
    for width, height, name in ((1366, 768, "desktop"), (390, 844, "phone")):
        page = await pages.open(width, height)
        await pages.sign_in(page, "wangfang")
        await page.goto(f"{console.url}/cases/{case['case_id']}")
        banner = page.locator("#case-behind")
        await expect(banner).to_contain_text("本案记录同步滞后，已通知运维")
        await expect(banner).to_contain_text("之后已办理的 2 项记录待同步后显示")
        await shot(page, f"case-{name}")
        await page.goto(f"{console.url}/cases")
        await expect(page.locator("#cases-behind")).to_contain_text(case["case_id"])
        await shot(page, f"list-{name}")
