"""责任单位 and 人民法院 chosen from the registry (单位名录): the API records the organisation's
name as the registry has it, beside its id; a name typed by hand (其他) is kept where nothing fits;
an unknown id, or neither, is refused beside the field and nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests import principals
from tests.conftest import Stack
from tests.handoff_county import SHANGFANG_PLACE, seed_county
from tests.handoff_flow import post, step
from tests.samples import china_today, intake_body


@pytest.fixture(scope="module")
async def county(
    stack: Stack, app_transport: httpx.ASGITransport
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    keys = await seed_county(stack.sessionmaker)
    opened = {
        name: httpx.AsyncClient(
            transport=app_transport,
            base_url="http://fengqiao.test",
            headers=principals.bearer(key),
        )
        for name, key in keys.items()
    }
    yield opened
    for client in opened.values():
        await client.aclose()


def _plan(**chosen: Any) -> dict[str, Any]:
    return {
        "responsible_person": "黄志刚",
        "measures": ["约谈用工单位", "核对工资表"],
        "deadline": (china_today() + timedelta(days=20)).isoformat(),
        **chosen,
    }


async def _accepted(county: dict[str, httpx.AsyncClient]) -> str:
    """A labour dispute the labour room (黄志刚) holds and has accepted."""
    body = intake_body(
        title=f"拖欠工资纠纷{uuid.uuid4().hex[:6]}",
        jurisdiction=SHANGFANG_PLACE,
        category="labour",
    )
    created = await county["village"].post("/v1/cases", json=body)
    assert created.status_code == 201, created.text
    case_id = str(created.json()["case_id"])
    await step(county["labour"], case_id, "accept", {"note": "受理"})
    return case_id


async def test_a_plan_names_the_unit_chosen_from_the_registry(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case_id = await _accepted(county)
    case = await step(county["labour"], case_id, "plan", _plan(unit_id="jn-hrss"))
    plan = case["plans"][-1]
    assert plan["unit_id"] == "jn-hrss"
    assert plan["responsible_unit"] == "江宁区人力资源和社会保障局"
    # Typed by hand where the registry has no such unit: kept as typed, with no id.
    case = await step(county["labour"], case_id, "plan", _plan(responsible_unit="某建筑公司项目部"))
    assert case["plans"][-1]["responsible_unit"] == "某建筑公司项目部"
    assert case["plans"][-1]["unit_id"] is None


async def test_an_unknown_unit_or_none_at_all_is_refused_and_nothing_changes(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case_id = await _accepted(county)
    before = (await county["labour"].get(f"/v1/cases/{case_id}")).json()
    unknown = await post(county["labour"], case_id, "plan", _plan(unit_id="jn-nowhere"))
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["field"] == "unit_id"
    neither = await post(county["labour"], case_id, "plan", _plan())
    assert neither.status_code == 422, neither.text
    assert "请选择责任单位" in neither.text
    after = (await county["labour"].get(f"/v1/cases/{case_id}")).json()
    assert after["plans"] == before["plans"] == []
