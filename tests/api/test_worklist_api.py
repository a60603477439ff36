"""GET /v1/worklist, 积案 on lists and stats, and same-party lookups over HTTP (both stores).

The stack's database is shared by the session's tests: counts are compared before and after.
"""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from tests.api.helpers import create_case, create_petition

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _new_id_number() -> str:
    """A valid resident ID no other test uses."""
    body = "320102" + "1985" + f"{random.randrange(10**7):07d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


async def _all_items(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 20, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/worklist", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("mediator", 200),
        ("center_admin", 200),
        ("town_leader", 200),
        ("county_leader", 200),
        ("auditor", 403),
        ("system_admin", 403),
        ("anonymous", 401),
    ],
)
async def test_who_has_a_worklist(
    clients: dict[str, httpx.AsyncClient], role: str, status: int
) -> None:
    assert (await clients[role].get("/v1/worklist")).status_code == status
    lookup = await clients[role].post("/v1/parties/cases", json={"id_number": _new_id_number()})
    assert lookup.status_code == status


async def test_new_intakes_wait_in_the_centers_worklist_nearest_due_first(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    before = (await mediator.get("/v1/worklist")).json()["counts"]
    dispute = await create_case(mediator)  # no acceptance clock: no due time
    petition = await create_petition(mediator)  # a letter: acceptance decided within 15 days
    after = (await mediator.get("/v1/worklist")).json()
    assert after["scope"] == "organisation"
    assert after["counts"]["new_intake"] == before["new_intake"] + 2
    assert after["group_labels"]["new_intake"] == "待受理"
    intakes = await _all_items(mediator, group="new_intake")
    order = [item["case_id"] for item in intakes]
    assert order.index(petition["case_id"]) < order.index(dispute["case_id"])
    line = intakes[order.index(petition["case_id"])]
    assert (line["kind_label"], line["organisation"], line["overdue"]) == (
        "待受理",
        "xw-center",
        False,
    )
    assert line["due_at"] is not None
    assert intakes[order.index(dispute["case_id"])]["due_at"] is None
    # Each line names its case's 承办单位 and parties (names only, as the case list shows them).
    waiting = intakes[order.index(dispute["case_id"])]
    assert waiting["holder_id"] == "xw-center"
    assert waiting["parties_label"] == "张伟 等2人"
    # Another center's staff never see them; a leader's worklist has no intake group.
    other = await _all_items(clients["other_mediator"])
    assert dispute["case_id"] not in {item["case_id"] for item in other}
    leader = await clients["county_leader"].get("/v1/worklist", params={"group": "new_intake"})
    assert leader.status_code == 422
    assert leader.json()["field"] == "group"
    view = (await clients["county_leader"].get("/v1/worklist")).json()
    assert view["scope"] == "jurisdiction"
    assert set(view["counts"]) == {"clock_warning", "clock_overdue", "lift_suggested", "backlog"}


async def test_backlog_on_lists_and_stats(clients: dict[str, httpx.AsyncClient]) -> None:
    mediator = clients["mediator"]
    fresh = await create_case(mediator)
    stats = (await mediator.get("/v1/cases/stats")).json()
    assert stats["backlog_days"] == 90
    assert 0 <= stats["backlog"] <= stats["total"]
    listed = (await mediator.get("/v1/cases", params={"backlog": "true", "limit": 200})).json()
    assert fresh["case_id"] not in {item["case_id"] for item in listed["items"]}
    held = (await mediator.get("/v1/cases", params={"holder": "xw-center", "limit": 5})).json()
    assert fresh["case_id"] in {item["case_id"] for item in held["items"]}
    bad = await mediator.get("/v1/cases", params={"holder": "not an id"})
    assert bad.status_code == 422


async def test_same_party_cases_within_reach_and_masked(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    id_number = _new_id_number()
    person = [{"name": "钱多多", "id_number": id_number, "phone": "13911112222"}]
    someone = [{"name": "孙某", "id_number": _new_id_number()}]
    first = await create_case(mediator, applicants=person, respondents=[])
    second = await create_case(mediator, applicants=someone, respondents=person)
    elsewhere = await create_case(clients["other_mediator"], applicants=person, respondents=[])

    found = await mediator.post("/v1/parties/cases", json={"id_number": id_number})
    assert found.status_code == 200, found.text
    body = found.json()
    assert sorted(item["case_id"] for item in body["items"]) == sorted(
        [first["case_id"], second["case_id"]]
    )
    assert (body["open"], body["past"]) == (2, 0)
    assert id_number not in found.text
    assert "13911112222" not in found.text
    by_phone = await mediator.post(
        "/v1/parties/cases", json={"name": "钱多多", "phone": "13911112222"}
    )
    # The ID number is the key when known: name and phone find nobody registered with it.
    assert by_phone.json()["items"] == []
    missing = await mediator.post("/v1/parties/cases", json={"name": "钱多多"})
    assert (missing.status_code, missing.json()["field"]) == (422, "id_number")

    related = await mediator.get(f"/v1/cases/{first['case_id']}/related")
    assert [item["case_id"] for item in related.json()["items"]] == [second["case_id"]]
    # The county leader reaches all three; another center's staff not the mediator's case.
    county = await clients["county_leader"].get(f"/v1/cases/{first['case_id']}/related")
    assert {item["case_id"] for item in county.json()["items"]} == {
        second["case_id"],
        elsewhere["case_id"],
    }
    outside = await clients["other_mediator"].get(f"/v1/cases/{first['case_id']}/related")
    assert outside.status_code == 404
