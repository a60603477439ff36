"""挂牌督办 and 摘牌 over HTTP (both stores): only a county leader lists (policy data), the case is
marked in the lists and on the case, an unresolved case is not delisted (409, nothing changes),
only the lister approves the delisting of a resolved case, bad bodies are refused beside the field.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from domain.case.stages import Stage
from tests.api.helpers import act, case_in_stage, create_case
from tests.samples import china_today

DEADLINE = (china_today() + timedelta(days=20)).isoformat()
LISTING = {"deadline": DEADLINE, "supervising_unit": "xw-county-center", "reason": "久调未决"}


async def _listed(client: httpx.AsyncClient) -> set[str]:
    page = (await client.get("/v1/cases", params={"listed": "true", "limit": "200"})).json()
    return {item["case_id"] for item in page["items"]}


async def test_a_county_leader_lists_and_the_case_is_marked_in_lists(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    case = await create_case(clients["mediator"])
    case_id = case["case_id"]
    town = await clients["town_leader"].post(f"/v1/cases/{case_id}/listing", json=LISTING)
    assert town.status_code == 403, town.text  # the policy lets county leaders list only
    assert town.json()["message_zh"] == "挂牌督办须由县级领导决定"
    listed = await clients["county_leader"].post(f"/v1/cases/{case_id}/listing", json=LISTING)
    assert listed.status_code == 200, listed.text
    (listing,) = listed.json()["listings"]
    assert listing["lister"] == "周军 (zhoujun)"
    assert listing["supervising_unit"] == "xw-county-center"
    assert listing["supervising_unit_name"]
    assert listing["deadline"] == DEADLINE
    clock = next(c for c in listed.json()["clocks"] if c["clock_id"] == "L1-1")
    assert clock["status"] == "running"
    for who in ("mediator", "county_leader", "town_leader"):
        assert case_id in await _listed(clients[who]), who
    rows = (await clients["mediator"].get("/v1/cases", params={"limit": "200"})).json()["items"]
    (row,) = [r for r in rows if r["case_id"] == case_id]
    assert row["listed_until"] == DEADLINE
    again = await clients["county_leader"].post(f"/v1/cases/{case_id}/listing", json=LISTING)
    assert again.status_code == 409


async def test_an_unresolved_case_is_not_delisted_and_nothing_changes(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    leader = clients["county_leader"]
    case = await case_in_stage(clients["mediator"], Stage.MEDIATING)
    case_id = case["case_id"]
    before = (await leader.post(f"/v1/cases/{case_id}/listing", json=LISTING)).json()
    refused = await leader.post(f"/v1/cases/{case_id}/delisting", json={"note": "同意摘牌"})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["message_zh"].startswith("案件尚未化解，不能摘牌")
    assert "not resolved" in body["message_en"]
    after = (await leader.get(f"/v1/cases/{case_id}")).json()
    assert after["seq"] == before["seq"]
    assert after["listings"] == before["listings"]
    assert case_id in await _listed(leader)


async def test_a_resolved_case_is_delisted_with_the_listers_approval(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator, leader = clients["mediator"], clients["county_leader"]
    case = await case_in_stage(mediator, Stage.MEDIATING)
    case_id = case["case_id"]
    listed = await leader.post(f"/v1/cases/{case_id}/listing", json=LISTING)
    assert listed.status_code == 200, listed.text
    agreed = await act(mediator, case_id, "record_agreement")
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["stage"] == "agreement_reached"
    # A mediator may not delist; nor may a leader who did not list the case.
    by_mediator = await mediator.post(f"/v1/cases/{case_id}/delisting", json={"note": "x"})
    assert by_mediator.status_code == 403
    other = await clients["town_leader"].post(f"/v1/cases/{case_id}/delisting", json={"note": "x"})
    assert other.status_code == 403
    assert "挂牌领导" in other.json()["message_zh"]
    done = await leader.post(f"/v1/cases/{case_id}/delisting", json={"note": "已化解，同意摘牌"})
    assert done.status_code == 200, done.text
    (listing,) = done.json()["listings"]
    assert listing["delisted_by"] == "周军 (zhoujun)"
    assert listing["delist_note"] == "已化解，同意摘牌"
    assert case_id not in await _listed(leader)
    timeline = await _timeline(mediator, case_id)
    assert {"挂牌督办", "摘牌"} <= timeline


async def _timeline(client: httpx.AsyncClient, case_id: str) -> set[str]:
    response = await client.get(f"/v1/cases/{case_id}/timeline", params={"purpose": "核对"})
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return {entry["label"] for entry in entries}


async def test_bad_listings_are_refused_beside_the_field(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    case = await create_case(clients["mediator"])
    url = f"/v1/cases/{case['case_id']}/listing"
    leader = clients["county_leader"]
    past = await leader.post(url, json={**LISTING, "deadline": "2020-01-01"})
    assert (past.status_code, past.json()["field"]) == (422, "deadline")
    unknown = await leader.post(url, json={**LISTING, "supervising_unit": "no-such-unit"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "supervising_unit")
    empty = await leader.post(url, json={**LISTING, "reason": ""})
    assert empty.status_code == 422
    after = (await leader.get(f"/v1/cases/{case['case_id']}")).json()
    assert after["listings"] == []
