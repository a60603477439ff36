"""重点人员 over HTTP (both stores): a leader enters a person by ID number — never answered in
clear — with type, grade and 包保责任人; the register finds their cases by the same-party key;
only the roles the policy data names read it (mediators of any unit see none of it); every read
is in the access trail."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import update

from activities.policy.routing import load_watch_policy
from activities.store.register_tables import WatchedPersonRow
from domain.case.worklist import party_key
from domain.registers.watched import WatchPolicy
from tests.api.helpers import create_case
from tests.conftest import Stack

# A valid resident ID of its own per test run, so entries never collide across tests.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fresh_id() -> str:
    first17 = f"320102{19800101 + uuid.uuid4().int % 200:08d}{uuid.uuid4().int % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def person_body(id_number: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_number": id_number,
        "name": "赵某",
        "person_type": "repeat_petitioner",
        "grade": "high",
        "jurisdiction_code": "320102001",
        "minder_user_id": "wangfang",
        "note": "多次越级上访，联系电话13812345678",
    }
    body.update(overrides)
    return body


async def _trail(clients: dict[str, httpx.AsyncClient]) -> list[dict[str, Any]]:
    response = await clients["auditor"].get(
        "/v1/audit/access-trail", params={"purpose": "核对", "limit": "500"}
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_person_is_entered_found_with_their_cases_and_every_read_is_recorded(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    number = fresh_id()
    applicant = {"name": "赵某", "id_number": number}
    case = await create_case(clients["mediator"], applicants=[applicant])
    leader = clients["town_leader"]
    entered = await leader.post("/v1/watched", json=person_body(number))
    assert entered.status_code == 201, entered.text
    person = entered.json()
    assert number not in entered.text
    assert "13812345678" not in entered.text
    assert person["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert (person["type_label"], person["grade_label"], person["minder_name"]) == (
        "重复信访人员",
        "一级（高度关注）",
        "王芳",
    )
    again = await leader.post("/v1/watched", json=person_body(number))
    assert (again.status_code, again.json()["field"]) == (409, "id_number")

    wid = person["watched_id"]
    detail = await clients["county_leader"].get(f"/v1/watched/{wid}")
    assert [c["case_id"] for c in detail.json()["cases"]] == [case["case_id"]]
    assert number not in detail.text
    found = await leader.post("/v1/watched/lookup", json={"id_number": number})
    assert found.json()["watched_id"] == wid
    listed = (await leader.get("/v1/watched", params={"limit": "200"})).json()["items"]
    assert wid in {p["watched_id"] for p in listed}
    auditor = clients["auditor"]
    assert (await auditor.get(f"/v1/watched/{wid}")).status_code == 422  # a purpose first
    purpose = f"名册检查{uuid.uuid4().hex[:6]}"
    assert (await auditor.get(f"/v1/watched/{wid}", params={"purpose": purpose})).is_success

    reads = [e for e in await _trail(clients) if e["case_id"] == wid]
    endpoints = {(e["principal_id"], e["endpoint"]) for e in reads}
    assert {
        ("liuqiang", "POST /v1/watched"),
        ("zhoujun", "GET /v1/watched/{id}"),
        ("liuqiang", "POST /v1/watched/lookup"),
        ("liuqiang", "GET /v1/watched"),
        ("wuming", "GET /v1/watched/{id}"),
    } <= endpoints
    assert any(e["purpose"] == purpose for e in reads)


async def test_no_mediator_sees_any_of_the_register_and_other_areas_see_nothing(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    number = fresh_id()
    person = (await clients["town_leader"].post("/v1/watched", json=person_body(number))).json()
    wid = person["watched_id"]
    for role in ("mediator", "other_mediator", "center_admin", "grid_worker", "system_admin"):
        client = clients[role]
        assert (await client.get("/v1/watched")).status_code == 403
        assert (await client.get(f"/v1/watched/{wid}")).status_code == 403
        lookup = await client.post("/v1/watched/lookup", json={"id_number": number})
        assert lookup.status_code == 403
        assert (await client.post("/v1/watched", json=person_body(fresh_id()))).status_code == 403
    other = clients["other_town_leader"]
    assert (await other.get(f"/v1/watched/{wid}")).status_code == 404
    assert wid not in {p["watched_id"] for p in (await other.get("/v1/watched")).json()["items"]}
    # A mediator's own case page shows no 重点人员 flag either (the flag is the register's).
    case = await create_case(
        clients["mediator"], applicants=[{"name": "赵某", "id_number": number, "watched": True}]
    )
    page = await clients["other_mediator"].get(f"/v1/cases/{case['case_id']}")
    assert page.status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110101199003071234"}, "id_number"),
        ({"person_type": "unknown"}, "person_type"),
        ({"grade": "top"}, "grade"),
        ({"jurisdiction_code": "320102002"}, "jurisdiction_code"),
        ({"minder_user_id": "nobody"}, "minder_user_id"),
    ],
)
async def test_bad_entries_are_refused_beside_the_field(
    clients: dict[str, httpx.AsyncClient], overrides: dict[str, Any], field: str
) -> None:
    refused = await clients["town_leader"].post(
        "/v1/watched", json={**person_body(fresh_id()), **overrides}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == field
    assert "110101199003071234" not in refused.text


def test_the_policy_data_never_opens_the_register_to_mediators() -> None:
    shipped = load_watch_policy()
    assert set(shipped.read_roles) == {"leader", "auditor"}
    data = shipped.model_dump()
    for role in ("mediator", "center_admin", "grid_worker"):
        with pytest.raises(ValidationError):
            WatchPolicy.model_validate({**data, "read_roles": [*data["read_roles"], role]})


async def test_an_entry_no_re_key_could_carry_over_is_carried_over_at_a_lookup_by_number(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    """An entry still keyed under an earlier party key (no case named the person when the keys
    were re-keyed): the lookup by number finds the person's cases under the current key and
    stores that key, so reads by id find them too."""
    number = fresh_id()
    case = await create_case(
        clients["mediator"], applicants=[{"name": "赵某", "id_number": number}]
    )
    leader = clients["town_leader"]
    wid = (await leader.post("/v1/watched", json=person_body(number))).json()["watched_id"]
    stale = party_key(key=b"an earlier party key, now gone!!", id_number=number)
    async with stack.engine.begin() as connection:
        await connection.execute(
            update(WatchedPersonRow)
            .where(WatchedPersonRow.watched_id == wid)
            .values(party_key=stale)
        )
    assert (await leader.get(f"/v1/watched/{wid}")).json()["cases"] == []

    found = await leader.post("/v1/watched/lookup", json={"id_number": number})

    assert [c["case_id"] for c in found.json()["cases"]] == [case["case_id"]]
    again = await leader.get(f"/v1/watched/{wid}")
    assert [c["case_id"] for c in again.json()["cases"]] == [case["case_id"]]
