"""案件检索 never rebuilds masked personal data (issue 16, finding 6).

A leader sees a phone as ``139****5678``. Searching the clear text let them find its hidden
digits one query at a time; now their ``q`` searches what they are shown. A mediator (who may
reveal personal data) still finds a case by the number, and each such search is in the access
trail.
"""

from __future__ import annotations

import secrets

import httpx
from sqlalchemy import select

from activities.store.tables import AccessTrailRow
from api.services.cases import SEARCH_ENDPOINT
from tests.api.helpers import create_case
from tests.conftest import Stack

DIGITS = "0123456789"


async def _found(client: httpx.AsyncClient, q: str) -> set[str]:
    response = await client.get("/v1/cases", params={"q": q, "limit": 200})
    assert response.status_code == 200, response.text
    return {item["case_id"] for item in response.json()["items"]}


async def _trail(stack: Stack, case_id: str) -> list[AccessTrailRow]:
    async with stack.sessionmaker() as session:
        return list(
            await session.scalars(
                select(AccessTrailRow)
                .where(AccessTrailRow.case_id == case_id)
                .where(AccessTrailRow.endpoint == SEARCH_ENDPOINT)
            )
        )


async def test_a_leader_cannot_rebuild_a_masked_phone_by_searching(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    middle = f"{secrets.randbelow(10**4):04d}"
    last = f"{secrets.randbelow(10**4):04d}"
    phone = f"139{middle}{last}"
    case = await create_case(api, description=f"申请人联系电话 {phone}，晚上可联系。")
    case_id = case["case_id"]
    leader = clients["town_leader"]

    # What the mask shows is found: the head, the last four, the masked form itself.
    assert case_id in await _found(leader, f"139****{last}")
    assert case_id in await _found(leader, last)
    # Guessing the hidden digits one at a time (the attack took 15 queries) finds nothing.
    rebuilt = ""
    for _ in range(4):
        for digit in DIGITS:
            if case_id in await _found(leader, f"139{rebuilt}{digit}"):
                rebuilt += digit
                break
        else:
            break
    assert rebuilt == ""
    assert case_id not in await _found(leader, phone)
    assert case_id not in await _found(leader, f"{middle}{last}")
    assert await _trail(stack, case_id) == []


async def test_a_mediator_finds_a_case_by_its_number_and_the_search_is_recorded(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    phone = f"139{secrets.randbelow(10**8):08d}"
    marker = f"检索标记{secrets.token_hex(3)}"
    case = await create_case(api, description=f"{marker}：电话 {phone}")
    case_id = case["case_id"]

    assert case_id in await _found(api, marker)  # not on personal data: nothing recorded
    assert await _trail(stack, case_id) == []

    found = await api.get("/v1/cases", params={"q": phone})
    [line] = [item for item in found.json()["items"] if item["case_id"] == case_id]
    assert phone not in found.text  # the list itself stays masked
    [recorded] = await _trail(stack, case_id)
    assert recorded.principal_id == "wangfang"
    assert recorded.fields == ["description"]
    assert line["title"] == case["title"]


async def test_a_number_written_into_a_name_is_masked_in_the_search_hit(
    api: httpx.AsyncClient,
) -> None:
    """A 第三人 whose name field holds their ID number and phone as well (typed in the wrong box):
    the case view masks them, and so does the line a search finds the case by."""
    digits = f"{secrets.randbelow(10**4):04d}"
    phone = f"137{digits}{digits}"
    case = await create_case(
        api,
        applicants=[{"name": "王五"}],
        respondents=[{"name": "赵六"}],
        third_parties=[{"name": f"张伟 110101199003071233 {phone}"}],
    )
    listed = await api.get("/v1/cases", params={"q": phone, "limit": 200})
    assert listed.status_code == 200, listed.text
    (line,) = [i for i in listed.json()["items"] if i["case_id"] == case["case_id"]]
    assert line["hit"], line
    assert phone not in listed.text
    assert "110101199003071233" not in listed.text
    assert digits in line["hit"]  # masked, still telling which party matched
