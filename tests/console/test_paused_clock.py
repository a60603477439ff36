"""The case page shows a paused clock as paused (since when, days used and left), not its old
due date, at desktop and phone width."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import today
from tests.principals import bearer
from tests.samples import ACTION_PATHS, intake_body

pytestmark = pytest.mark.e2e


async def _paused_case(console: Console) -> dict[str, Any]:
    accepted, paused = today() - timedelta(days=5), today() - timedelta(days=2)
    headers = bearer(console.keys["mediator"])
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        created = await api.post(
            "/v1/cases",
            json=intake_body(
                title=f"鉴定中的相邻纠纷 {uuid.uuid4().hex[:4]}", received_on=str(accepted)
            ),
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        case: dict[str, Any] = created.json()
        for action, body in (
            ("accept", {"accepted_on": str(accepted)}),
            ("pause_clock", {"clock_id": "B2", "reason": "appraisal", "paused_on": str(paused)}),
        ):
            response = await api.post(
                f"/v1/cases/{case['case_id']}/{ACTION_PATHS[action]}",
                json=body,
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 200, response.text
    return case


async def test_the_case_page_says_a_clock_is_paused(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _paused_case(console)
    paused = today() - timedelta(days=2)
    for width, height, name in ((1366, 768, "desktop"), (390, 844, "phone")):
        page = await pages.open(width, height)
        await pages.sign_in(page, "wangfang")
        await page.goto(f"{console.url}/cases/{case['case_id']}")
        clock = page.locator(".clock", has_text="人民调解期限")
        await expect(clock.locator(".paused")).to_contain_text(f"因鉴定自 {paused} 起中止计时")
        await expect(clock.locator(".paused")).to_contain_text("此前已计 2 日")
        await expect(clock).not_to_contain_text("期限：")
        await clock.scroll_into_view_if_needed()
        await shot(page, f"paused-clock-{name}")
