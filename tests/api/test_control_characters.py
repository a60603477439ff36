"""Every string field of every request model refuses NUL and \\x01: 422 naming the field, and
nothing stored (PostgreSQL refuses NUL in text, so one let through poisons the case)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.api.helpers import create_case
from tests.api.request_fields import PATH_VALUES, StringField, body_with, request_string_fields

FIELDS = request_string_fields()
HOSTILE = {"nul": "甲\x00乙", "soh": "甲\x01乙"}
# Tried in this order until one may call the route at all (a refusal for the role comes first).
CALLERS = (
    "mediator",
    "county_leader",
    "auditor",
    "center_admin",
    "system_admin",
    "security_admin",
)


@pytest.fixture(scope="module")
async def probe_case(api: httpx.AsyncClient) -> str:
    case_id: str = (await create_case(api))["case_id"]
    return case_id


async def _stored(api: httpx.AsyncClient, case_id: str) -> tuple[int, int]:
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    stats = (await api.get("/v1/cases/stats")).json()
    return case["seq"], stats["total"]


async def _send(
    clients: dict[str, httpx.AsyncClient], field: StringField, url: str, value: str
) -> httpx.Response:
    response: httpx.Response | None = None
    for who in CALLERS:
        request: dict[str, Any] = (
            {"json": body_with(field.path, value)}
            if field.where == "body"
            else {"params": {field.name: value}}
        )
        response = await clients[who].request(field.method, url, **request)
        if response.status_code not in (401, 403):
            break
    assert response is not None
    return response


def test_the_walk_finds_the_fields_that_once_let_control_characters_through() -> None:
    names = {(f.route, f.name) for f in FIELDS}
    assert ("/v1/cases", "applicants.0.address") in names
    assert ("/v1/cases", "jurisdiction.town_name") in names
    assert ("/v1/cases/{case_id}/court-decision", "ruling_number") in names
    assert ("/v1/recipients/{recipient_id}", "display_name") in names


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("field", FIELDS, ids=[f.case_id for f in FIELDS])
async def test_control_characters_are_refused_beside_the_field(
    clients: dict[str, httpx.AsyncClient],
    api: httpx.AsyncClient,
    probe_case: str,
    field: StringField,
    value: str,
) -> None:
    known = {**PATH_VALUES, "case_id": probe_case}
    # Any other path parameter: a value of an ordinary shape (refused before the route runs).
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: known.get(m.group(1), "probe-1"), field.route)
    before = await _stored(api, probe_case)
    response = await _send(clients, field, url, value)
    assert response.status_code == 422, response.text
    expected = field.name if field.where == "body" else f"query.{field.name}"
    named = [error["field"] for error in response.json()["errors"]]
    assert any(name == expected or name.startswith(f"{expected}.") for name in named), named
    assert await _stored(api, probe_case) == before
