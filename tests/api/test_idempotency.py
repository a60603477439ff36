"""Idempotency keys (finding 10): a key is the caller's own and names one request.

The same key with another body or another command is refused (422 naming Idempotency-Key) and
nothing is applied; two users' equal keys never meet, inside one organisation or across two,
and nobody learns that another's key exists."""

from __future__ import annotations

from typing import Any

import httpx

from api.idempotency import scoped_key
from domain.case.stages import Stage
from tests.api.helpers import act, case_in_stage, create_case
from tests.principals import USERS
from tests.samples import action_bodies, china_today, intake_body


def _plan(person: str) -> dict[str, Any]:
    return {**action_bodies(china_today())["plan"], "responsible_person": person}


async def _case(api: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (
        await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})
    ).json()
    return found


def _refused_for_the_key(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["field"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert "Idempotency-Key" in body["message_zh"]
    assert "Idempotency-Key" in body["message_en"]


async def test_the_same_key_with_another_body_or_command_is_refused_and_nothing_applied(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    api = clients["mediator"]
    case = await case_in_stage(api, Stage.ACCEPTED)
    case_id = case["case_id"]
    key = f"{case_id}-plan"
    first = await act(api, case_id, "plan", _plan("调解员甲"), key=key)
    assert first.status_code == 200, first.text
    _refused_for_the_key(await act(api, case_id, "plan", _plan("调解员乙"), key=key))
    _refused_for_the_key(await act(api, case_id, "start_mediation", key=key))
    after = await _case(api, case_id)
    assert (after["seq"], after["stage"]) == (first.json()["seq"], "accepted")
    assert [p["responsible_person"] for p in after["plans"]] == ["调解员甲"]
    # The same request again is a retry: answered as the first time, applied once.
    again = await act(api, case_id, "plan", _plan("调解员甲"), key=key)
    assert (again.status_code, again.json()["seq"]) == (200, first.json()["seq"])


async def test_two_users_of_one_organisation_with_one_key_are_two_commands(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    """The key was the organisation's: the second user's command was dropped in silence."""
    case = await case_in_stage(clients["mediator"], Stage.ACCEPTED)
    case_id = case["case_id"]
    key = f"{case_id}-shared"
    mine = await act(clients["mediator"], case_id, "plan", _plan("王芳"), key=key)
    theirs = await act(clients["center_admin"], case_id, "plan", _plan("陈静"), key=key)
    assert (mine.status_code, theirs.status_code) == (200, 200)
    after = await _case(clients["mediator"], case_id)
    assert [p["responsible_person"] for p in after["plans"]] == ["王芳", "陈静"]
    # The case records each user's own key (never the bare key two users could share).
    timeline = (await clients["mediator"].get(f"/v1/cases/{case_id}/timeline")).json()
    sent = {e["command_id"] for e in timeline["entries"] if e["type"] == "plan_revised"}
    assert sent == {
        scoped_key(USERS["mediator"], key),
        scoped_key(USERS["center_admin"], key),
    }


async def test_another_organisation_cannot_learn_that_a_key_exists(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    """The key was looked up across organisations: another center got 409 "used elsewhere"."""
    key = "intake-key-everyone-uses"
    body = intake_body(title="同一键登记")
    mine = await clients["mediator"].post("/v1/cases", json=body, headers={"Idempotency-Key": key})
    theirs = await clients["other_mediator"].post(
        "/v1/cases", json=body, headers={"Idempotency-Key": key}
    )
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert mine.json()["case_id"] != theirs.json()["case_id"]
    # Within the caller's own scope: a retry answers with the same case, another body is refused
    # before any case number is taken.
    retry = await clients["mediator"].post("/v1/cases", json=body, headers={"Idempotency-Key": key})
    assert (retry.status_code, retry.json()["case_id"]) == (201, mine.json()["case_id"])
    other = intake_body(title="换了内容")
    _refused_for_the_key(
        await clients["mediator"].post("/v1/cases", json=other, headers={"Idempotency-Key": key})
    )
    fresh = await create_case(clients["mediator"])
    number = int(fresh["case_id"].rsplit("-", 1)[1])
    assert number == int(mine.json()["case_id"].rsplit("-", 1)[1]) + 2  # none taken meanwhile


async def test_an_acknowledgement_key_with_another_note_is_refused(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    case = await create_case(clients["mediator"], risk_level="major")  # raises an alert
    alert_id = f"{case['case_id']}-A1"
    leader = clients["town_leader"]
    key = {"Idempotency-Key": f"{alert_id}-ack"}
    first = await leader.post(f"/v1/alerts/{alert_id}/ack", json={"note": "已阅"}, headers=key)
    assert first.status_code == 200, first.text
    seq = (await _case(clients["mediator"], case["case_id"]))["seq"]
    _refused_for_the_key(
        await leader.post(f"/v1/alerts/{alert_id}/ack", json={"note": "另一意见"}, headers=key)
    )
    assert (await _case(clients["mediator"], case["case_id"]))["seq"] == seq
