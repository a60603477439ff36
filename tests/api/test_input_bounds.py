"""Bounds at the door: a date outside the holiday calendar's years is refused beside its field
before anything is reserved, and a case's place names are the registry's, never the client's."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select

from activities.policy.routing import DEMO_REGISTRY, load_registry_file
from activities.store import registry as store
from activities.store.tables import CaseSeriesRow, IntakeKeyRow
from tests.api.helpers import act, create_case
from tests.conftest import Stack
from tests.samples import intake_body


async def _numbers_used(stack: Stack) -> tuple[int, int]:
    """Numbers issued over every series, and intake keys bound to a number."""
    async with stack.sessionmaker() as session:
        issued = await session.scalar(select(func.coalesce(func.sum(CaseSeriesRow.last_number), 0)))
        keys = await session.scalar(select(func.count()).select_from(IntakeKeyRow))
    return int(issued or 0), int(keys or 0)


@pytest.mark.parametrize("received_on", ["1900-01-01", "1900-12-31", "2100-01-01"])
async def test_an_intake_dated_outside_the_calendar_is_refused_before_a_number_is_used(
    api: httpx.AsyncClient, stack: Stack, received_on: str
) -> None:
    before = await _numbers_used(stack)
    response = await api.post(
        "/v1/cases",
        json=intake_body(received_on=received_on),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == "received_on"
    assert "节假日" in body["errors"][0]["reason"]
    assert await _numbers_used(stack) == before


async def test_an_acceptance_dated_before_1901_is_refused_beside_its_field(
    api: httpx.AsyncClient,
) -> None:
    case = await create_case(api)
    response = await act(api, case["case_id"], "accept", {"accepted_on": "1900-06-01"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["field"] == "accepted_on"
    stored = (await api.get(f"/v1/cases/{case['case_id']}")).json()
    assert (stored["stage"], stored["seq"]) == ("registered", case["seq"])


@pytest.fixture(scope="module")
async def demo_county(stack: Stack) -> None:
    async with stack.sessionmaker.begin() as session:
        await store.load_registry(load_registry_file(DEMO_REGISTRY), session=session)


@pytest.mark.usefixtures("demo_county")
async def test_place_names_come_from_the_registry_not_the_client(api: httpx.AsyncClient) -> None:
    lying = {
        "county_code": "320102",
        "town_code": "320102001",
        "county_name": "秦淮区",
        "town_name": "夫子庙街道",
    }
    case = await create_case(api, jurisdiction=lying)
    stored = (await api.get(f"/v1/cases/{case['case_id']}")).json()["jurisdiction"]
    assert (stored["county_name"], stored["town_name"]) == ("玄武区", "梅园新村街道")
    assert stored.get("village_name") is None
