"""The console's pages mask personal data written in any common form (issue 16, finding 7)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.console.conftest import PASSWORD, Console
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
