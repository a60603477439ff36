"""风险研判, 领导批示 and 落实反馈 over HTTP (both stores): the alert a reassessment raises, the
instruction in the handling unit's worklist and the leader's list, the answer, the refusals."""

from __future__ import annotations

import uuid

import httpx

from tests.api.helpers import create_case


async def test_a_reassessment_to_major_reports_to_the_county_on_the_case(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    case = await create_case(clients["mediator"])
    assert case["alerts"] == []
    response = await clients["mediator"].post(
        f"/v1/cases/{case['case_id']}/risk-assessments",
        json={"risk_level": "major", "flags": {}, "reasons": "双方发生肢体冲突"},
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["risk_level"] == "major"
    (alert,) = after["alerts"]
    assert (alert["kind"], alert["recipient"]) == ("major_report", "county-leader:320102")
    assert after["risk_assessments"][0]["previous_level"] == "low"
    listed = (await clients["county_leader"].get("/v1/alerts", params={"limit": "200"})).json()
    assert alert["alert_id"] in {a["alert_id"] for a in listed["items"]}


async def test_an_instruction_is_answered_and_the_leader_sees_the_answer_masked(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator, leader = clients["mediator"], clients["town_leader"]
    case = await create_case(mediator)
    case_id = case["case_id"]
    text = f"请联系当事人13812345678当面化解{uuid.uuid4().hex[:6]}"
    issued = await leader.post(
        f"/v1/cases/{case_id}/instructions", json={"text": text, "deadline": "2098-01-01"}
    )
    assert issued.status_code == 200, issued.text
    shown = issued.json()["instructions"][0]["text"]
    assert "13812345678" not in shown  # masked on the way out
    assert "138****5678" in shown
    pending = (await leader.get("/v1/instructions")).json()["items"]
    mine = [i for i in pending if i["case_id"] == case_id]
    assert [(i["instruction_no"], i["answered"], i["source_label"]) for i in mine] == [
        (1, False, "领导批示")
    ]
    assert mine[0]["due_at"] is not None
    assert "13812345678" not in mine[0]["text"]
    worklist = (await mediator.get("/v1/worklist", params={"group": "instruction_due"})).json()
    assert case_id in {item["case_id"] for item in worklist["items"]}

    answered = await mediator.post(
        f"/v1/cases/{case_id}/instructions/answer",
        json={"instruction_no": 1, "result": "已当面化解"},
    )
    assert answered.status_code == 200, answered.text
    still_open = (await leader.get("/v1/instructions")).json()["items"]
    assert case_id not in {i["case_id"] for i in still_open}
    every = (await leader.get("/v1/instructions", params={"open": "false"})).json()["items"]
    (done,) = [i for i in every if i["case_id"] == case_id]
    assert (done["answered"], done["answer"]) == (True, "已当面化解")
    worklist = (await mediator.get("/v1/worklist", params={"group": "instruction_due"})).json()
    assert case_id not in {item["case_id"] for item in worklist["items"]}

    again = await mediator.post(
        f"/v1/cases/{case_id}/instructions/answer",
        json={"instruction_no": 1, "result": "再次反馈"},
    )
    assert again.status_code == 409
    assert again.json()["message_zh"] == "第 1 号批示已反馈落实情况"


async def test_bad_instructions_are_refused_beside_the_field(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    case = await create_case(clients["mediator"])
    leader = clients["town_leader"]
    past = await leader.post(
        f"/v1/cases/{case['case_id']}/instructions",
        json={"text": "请化解", "deadline": "2020-01-01"},
    )
    assert past.status_code == 422
    assert past.json()["field"] == "deadline"
    empty = await leader.post(f"/v1/cases/{case['case_id']}/instructions", json={"text": ""})
    assert empty.status_code == 422
    bad_level = await clients["mediator"].post(
        f"/v1/cases/{case['case_id']}/risk-assessments",
        json={"risk_level": "huge", "reasons": "探测"},
    )
    assert bad_level.status_code == 422
    after = (await clients["mediator"].get(f"/v1/cases/{case['case_id']}")).json()
    assert (after["instructions"], after["risk_assessments"]) == ([], [])
