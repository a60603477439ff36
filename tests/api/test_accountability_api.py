"""约谈 / 通报 over HTTP (both stores): a leader records them against an organisation or a
person, about a case or a period; the leader chain above the organisation and auditors (stating a
purpose, recorded) read them; a mediator — of another organisation or not — reads none; a
correction is a new record; the database refuses to change one."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.api.helpers import create_case
from tests.conftest import Stack


def summon_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "summon",
        "subject_kind": "organisation",
        "organisation": "xw-dxg-committee",
        "held_on": "2026-03-02",
        "facts": "调解协议履行回访逾期两次，当事人电话13812345678多次反映无人回复",
        "decisions": "限期十日内整改并书面报告",
    }
    body.update(overrides)
    return body


async def test_a_summons_about_a_case_is_read_by_the_leader_chain_and_auditors_only(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    case = await create_case(clients["mediator"])
    case_id = case["case_id"]
    facts = f"回访逾期{uuid.uuid4().hex[:6]}，当事人电话13812345678无人回复"
    recorded = await clients["town_leader"].post(
        "/v1/accountability", json=summon_body(case_id=case_id, facts=facts)
    )
    assert recorded.status_code == 201, recorded.text
    entry = recorded.json()
    assert (entry["kind_label"], entry["organisation_name"]) == ("约谈", "大行宫社区人民调解委员会")
    assert "13812345678" not in recorded.text

    for leader in ("town_leader", "county_leader"):
        seen = (await clients[leader].get("/v1/accountability", params={"case_id": case_id})).json()
        assert [i["record_id"] for i in seen["items"]] == [entry["record_id"]]
    # The town next door is not above the committee: it sees nothing.
    other = (await clients["other_town_leader"].get("/v1/accountability")).json()["items"]
    assert entry["record_id"] not in {i["record_id"] for i in other}
    # Mediators never read the register (their own organisation's case or another's).
    for mediator in ("mediator", "other_mediator", "center_admin", "grid_worker"):
        assert (await clients[mediator].get("/v1/accountability")).status_code == 403
    # An auditor states a purpose, and the read is in the access trail.
    auditor = clients["auditor"]
    assert (await auditor.get("/v1/accountability")).status_code == 422
    purpose = f"专项检查{uuid.uuid4().hex[:6]}"
    read = await auditor.get("/v1/accountability", params={"case_id": case_id, "purpose": purpose})
    assert [i["record_id"] for i in read.json()["items"]] == [entry["record_id"]]
    dossier = await auditor.get(
        f"/v1/cases/{case_id}/dossier", params={"format": "json", "purpose": purpose}
    )
    (held,) = dossier.json()["accountability"]
    assert (held["record_id"], held["kind_label"]) == (entry["record_id"], "约谈")
    assert "13812345678" not in dossier.text
    pdf = await auditor.get(
        f"/v1/cases/{case_id}/dossier", params={"format": "pdf", "purpose": purpose}
    )
    assert pdf.status_code == 200
    trail = (await auditor.get("/v1/audit/access-trail", params={"purpose": "核对"})).json()
    assert any(
        e["purpose"] == purpose and e["case_id"] == case_id and "accountability" in e["endpoint"]
        for e in trail["items"]
    )


async def test_a_correction_is_a_new_record_and_the_database_refuses_edits(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    leader = clients["county_leader"]
    first = (
        await leader.post(
            "/v1/accountability",
            json=summon_body(
                kind="notice",
                subject_kind="person",
                person_name="王某",
                organisation="xw-center",
                period_from="2026-01-01",
                period_to="2026-02-28",
            ),
        )
    ).json()
    correction = await leader.post(
        "/v1/accountability",
        json=summon_body(
            kind="notice",
            subject_kind="person",
            person_name="王某某",
            organisation="xw-center",
            period_from="2026-01-01",
            period_to="2026-02-28",
            corrects=first["record_id"],
        ),
    )
    assert correction.status_code == 201, correction.text
    items = (await leader.get("/v1/accountability", params={"limit": "200"})).json()["items"]
    ids = {i["record_id"]: i for i in items}
    assert ids[first["record_id"]]["person_name"] == "王某"  # the first stands as it was
    assert ids[correction.json()["record_id"]]["corrects"] == first["record_id"]
    async with stack.engine.connect() as connection:
        with pytest.raises(Exception, match="append-only"):
            await connection.execute(
                text("UPDATE accountability_records SET facts = 'x' WHERE record_id = :r"),
                {"r": first["record_id"]},
            )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject_kind": "person"}, "person_name"),
        ({}, "period_from"),  # neither a case nor a period
        ({"period_from": "2026-03-01", "period_to": "2026-02-01"}, "period_to"),
        ({"case_id": "JF-2026-000001", "period_from": "2026-01-01"}, "case_id"),
        ({"case_id": "JF-1999-000001"}, "case_id"),  # unknown
        ({"organisation": "gl-center", "case_id": None}, "organisation"),
        ({"held_on": "2098-01-01"}, "held_on"),
        ({"corrects": "YT-00000000000000000000"}, "corrects"),
        ({"kind": "warning"}, "kind"),
    ],
)
async def test_bad_records_are_refused_beside_the_field(
    clients: dict[str, httpx.AsyncClient], overrides: dict[str, Any], field: str
) -> None:
    leader = clients["town_leader"]
    period = {"period_from": "2026-01-01", "period_to": "2026-02-28"}
    body = summon_body(**({**period, **overrides} if field not in ("period_from",) else {}))
    body = {k: v for k, v in body.items() if v is not None}
    if field == "case_id" and "period_from" not in overrides:
        body.pop("period_from"), body.pop("period_to")
    before = len((await leader.get("/v1/accountability", params={"limit": "200"})).json()["items"])
    refused = await leader.post("/v1/accountability", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == field
    after = len((await leader.get("/v1/accountability", params={"limit": "200"})).json()["items"])
    assert after == before


async def test_a_retried_record_is_recorded_once(clients: dict[str, httpx.AsyncClient]) -> None:
    leader = clients["town_leader"]
    case = await create_case(clients["mediator"])
    body = summon_body(case_id=case["case_id"], facts=f"重试的约谈{uuid.uuid4().hex[:6]}")
    key = {"Idempotency-Key": f"summon-{uuid.uuid4()}"}
    first = await leader.post("/v1/accountability", json=body, headers=key)
    assert first.status_code == 201, first.text
    # The answer was lost: the client sends it again, twice, one at the same moment as another.
    again = [await leader.post("/v1/accountability", json=body, headers=key)]
    again += await asyncio.gather(
        *(leader.post("/v1/accountability", json=body, headers=key) for _ in range(2))
    )
    assert [r.status_code for r in again] == [201, 201, 201], [r.text for r in again]
    assert {r.json()["record_id"] for r in again} == {first.json()["record_id"]}
    assert all(r.json() == first.json() for r in again)
    listed = await leader.get("/v1/accountability", params={"case_id": case["case_id"]})
    assert [i["record_id"] for i in listed.json()["items"]] == [first.json()["record_id"]]

    # The same key with other facts is refused, and records nothing.
    other = await leader.post(
        "/v1/accountability", json={**body, "facts": "另一次约谈"}, headers=key
    )
    assert other.status_code == 422, other.text
    assert other.json()["field"] == "Idempotency-Key"
    # Without a key, each request is a record of its own (as before).
    plain = [await leader.post("/v1/accountability", json=body) for _ in range(2)]
    assert [r.status_code for r in plain] == [201, 201]
    listed = await leader.get("/v1/accountability", params={"case_id": case["case_id"]})
    assert len(listed.json()["items"]) == 3
