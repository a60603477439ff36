"""领导接访 over HTTP (both stores): a leader records a reception (visitors checked on the way in,
masked on the way out), registers a case from it through intake — channel 领导接访, the leader
as 包案领导 by account — and the log lists the case; the case's timeline tells it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.samples import intake_body

VISITOR = {
    "name": "张伟",
    "id_number": "110101199003071233",
    "phone": "13812345678",
    "matter": "反映邻居堆放建材堵路，电话13812345678",
}


def reception_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "received_on": "2026-03-02",
        "place": "梅园新村街道综治中心接待室",
        "organisation": "xw-center",
        "visitors": [VISITOR],
        "note": "每周三领导接访日",
    }
    body.update(overrides)
    return body


async def test_a_leader_registers_a_case_from_a_reception_and_the_log_lists_it(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    leader = clients["town_leader"]
    recorded = await leader.post("/v1/receptions", json=reception_body())
    assert recorded.status_code == 201, recorded.text
    reception = recorded.json()
    assert (reception["leader_name"], reception["leader_user_id"]) == ("刘强", "liuqiang")
    # The receiving organisation as the registry names it now (other tests may rename it).
    registered = await leader.get("/v1/organisations/xw-center")
    assert reception["organisation_name"] == registered.json()["name"]
    (visitor,) = reception["visitors"]
    assert (visitor["id_number"], visitor["phone"]) == ("1101**********1233", "138****5678")
    assert "13812345678" not in recorded.text
    assert "110101199003071233" not in recorded.text

    rid = reception["reception_id"]
    title = f"接访登记{uuid.uuid4().hex[:6]}"
    # The visitor applies: their name and numbers as the reception recorded them.
    body = {
        **{k: v for k, v in intake_body(title=title).items() if k not in ("channel", "applicants")},
        "visitors": [0],
    }
    key = {"Idempotency-Key": f"reception-{uuid.uuid4()}"}
    registered = await leader.post(f"/v1/receptions/{rid}/cases", json=body, headers=key)
    assert registered.status_code == 201, registered.text
    case = registered.json()
    assert case["channel"] == "leader_reception"
    assert case["reception_id"] == rid
    (package,) = case["package_leaders"]
    assert (package["leader_name"], package["leader_id"]) == ("刘强", "liuqiang")
    assert case["center_id"] == "xw-center"  # registered as the receiving organisation would
    (applicant,) = case["applicants"]
    assert (applicant["name"], applicant["id_number"]) == ("张伟", "1101**********1233")
    nobody = await leader.post(f"/v1/receptions/{rid}/cases", json={**body, "visitors": [3]})
    assert (nobody.status_code, nobody.json()["field"]) == (422, "visitors")
    again = await leader.post(f"/v1/receptions/{rid}/cases", json=body, headers=key)
    assert again.json()["case_id"] == case["case_id"]  # a retry registers nothing new

    shown = (await leader.get(f"/v1/receptions/{rid}")).json()
    assert [(c["case_id"], c["title"], c["stage_label"]) for c in shown["cases"]] == [
        (case["case_id"], title, "已登记")
    ]
    listed = (await leader.get("/v1/receptions")).json()["items"]
    assert {(r["reception_id"], r["case_count"]) for r in listed} >= {(rid, 1)}

    # The mediator of the organisation handling it sees where it came from on its timeline.
    timeline = (await clients["mediator"].get(f"/v1/cases/{case['case_id']}/timeline")).json()
    first = timeline["entries"][0]["summary"]
    assert "来源：领导接访" in first
    assert "接访领导刘强（乡镇（街道）领导）包案" in first
    county = (await clients["county_leader"].get(f"/v1/receptions/{rid}")).json()
    assert county["case_count"] == 1  # the leader chain above sees the town's log


async def test_a_reception_is_refused_beside_the_field_and_stores_nothing(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    leader = clients["town_leader"]
    before = len((await leader.get("/v1/receptions", params={"limit": "200"})).json()["items"])
    bad_id = reception_body(visitors=[{**VISITOR, "id_number": "110101199003071234"}])
    refused = await leader.post("/v1/receptions", json=bad_id)
    assert refused.status_code == 422
    assert refused.json()["field"] == "visitors.0.id_number"
    assert "110101199003071234" not in refused.text
    future = await leader.post("/v1/receptions", json=reception_body(received_on="2098-01-01"))
    assert (future.status_code, future.json()["field"]) == (422, "received_on")
    elsewhere = await leader.post("/v1/receptions", json=reception_body(organisation="gl-center"))
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (422, "organisation")
    nobody = await leader.post("/v1/receptions", json=reception_body(visitors=[]))
    assert (nobody.status_code, nobody.json()["field"]) == (422, "visitors")
    after = len((await leader.get("/v1/receptions", params={"limit": "200"})).json()["items"])
    assert after == before


async def test_only_the_receiving_leader_registers_and_other_areas_see_nothing(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    leader = clients["town_leader"]
    rid = (await leader.post("/v1/receptions", json=reception_body())).json()["reception_id"]
    body = intake_body()
    other_town = clients["other_town_leader"]
    assert (await other_town.get(f"/v1/receptions/{rid}")).status_code == 404
    assert rid not in {
        r["reception_id"] for r in (await other_town.get("/v1/receptions")).json()["items"]
    }
    assert (await other_town.post(f"/v1/receptions/{rid}/cases", json=body)).status_code == 404
    county = clients["county_leader"]
    assert (await county.post(f"/v1/receptions/{rid}/cases", json=body)).status_code == 403
    for role in ("mediator", "grid_worker"):
        assert (await clients[role].get(f"/v1/receptions/{rid}")).status_code == 403
    # The channel is the reception's alone: an ordinary intake naming it is refused.
    direct = await clients["mediator"].post(
        "/v1/cases", json=intake_body(channel="leader_reception")
    )
    assert (direct.status_code, direct.json()["field"]) == (422, "channel")
    shown = (await leader.get(f"/v1/receptions/{rid}")).json()
    assert shown["cases"] == []


async def test_an_auditor_reads_the_receptions_only_stating_a_purpose_and_the_read_is_trailed(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    leader = clients["town_leader"]
    rid = (await leader.post("/v1/receptions", json=reception_body())).json()["reception_id"]
    auditor = clients["auditor"]
    for path in ("/v1/receptions", f"/v1/receptions/{rid}"):
        refused = await auditor.get(path)
        assert (refused.status_code, refused.json()["field"]) == (422, "purpose")
        blank = await auditor.get(path, params={"purpose": "   "})
        assert (blank.status_code, blank.json()["field"]) == (422, "query.purpose")
    purpose = f"接访抽查{uuid.uuid4().hex[:6]}"
    listed = await auditor.get("/v1/receptions", params={"purpose": purpose, "limit": 200})
    assert listed.status_code == 200, listed.text
    assert rid in {r["reception_id"] for r in listed.json()["items"]}
    shown = await auditor.get(f"/v1/receptions/{rid}", params={"purpose": purpose})
    (visitor,) = shown.json()["visitors"]
    assert (visitor["id_number"], visitor["phone"]) == ("1101**********1233", "138****5678")
    for answer in (listed, shown):
        assert "13812345678" not in answer.text
        assert "110101199003071233" not in answer.text
    trail = (await auditor.get("/v1/audit/access-trail", params={"purpose": "核对"})).json()
    read = {(e["case_id"], e["endpoint"]) for e in trail["items"] if e["purpose"] == purpose}
    assert {(rid, "GET /v1/receptions"), (rid, "GET /v1/receptions/{id}")} <= read
    # A leader's own log is not an audited read.
    await leader.get(f"/v1/receptions/{rid}")
    again = (await auditor.get("/v1/audit/access-trail", params={"purpose": "核对"})).json()
    assert not any(e["case_id"] == rid and e["principal_id"] == "liuqiang" for e in again["items"])


async def test_a_retried_reception_is_recorded_once(clients: dict[str, httpx.AsyncClient]) -> None:
    leader = clients["town_leader"]
    body = reception_body(note=f"重试的接访{uuid.uuid4().hex[:6]}")
    key = {"Idempotency-Key": f"reception-{uuid.uuid4()}"}
    first = await leader.post("/v1/receptions", json=body, headers=key)
    assert first.status_code == 201, first.text
    # The answer was lost: sent again, once alone and twice at the same moment.
    again = [await leader.post("/v1/receptions", json=body, headers=key)]
    again += await asyncio.gather(
        *(leader.post("/v1/receptions", json=body, headers=key) for _ in range(2))
    )
    assert [r.status_code for r in again] == [201, 201, 201], [r.text for r in again]
    assert all(r.json() == first.json() for r in again)
    log = (await leader.get("/v1/receptions", params={"limit": "200"})).json()["items"]
    assert [r["note"] for r in log].count(body["note"]) == 1
    assert "13812345678" not in first.text  # the answer to a retry is masked as the first
    # The same key with another body is refused and records nothing.
    other = await leader.post("/v1/receptions", json={**body, "place": "别处"}, headers=key)
    assert other.status_code == 422, other.text
    assert other.json()["field"] == "Idempotency-Key"
    log = (await leader.get("/v1/receptions", params={"limit": "200"})).json()["items"]
    assert [r["note"] for r in log].count(body["note"]) == 1


async def test_a_number_written_into_a_visitors_name_is_masked(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    leader = clients["town_leader"]
    visitor = {"name": "张伟 110101199003071233 13812345678", "matter": "反映噪音扰民"}
    recorded = await leader.post("/v1/receptions", json=reception_body(visitors=[visitor]))
    assert recorded.status_code == 201, recorded.text
    read = await leader.get(f"/v1/receptions/{recorded.json()['reception_id']}")
    for answer in (recorded, read):
        assert "110101199003071233" not in answer.text
        assert "13812345678" not in answer.text
        assert answer.json()["visitors"][0]["name"].startswith("张伟 ")
