"""Issue 11's acceptance flow over HTTP, and who may do what at each of its moments.

A labour dispute reported by a grid worker of 上坊社区 is routed to the county labour room,
transferred to 东山街道综治中心 by mistake and returned (退回), assigned to 人社局 which reports
back, mediated at the labour room without agreement, lifted to the county center (上提, the
labour room's parent), mediated there with roster mediators and closed.

At every moment each organisation's staff, a leader and the grid worker probe the case: read it,
take a transfer (签收), report back (反馈), act as the holder. The probes that pass the access
check are refused by the case itself (nothing awaits taking, a report dated tomorrow, removing an
organisation that does not co-handle), so probing changes nothing; the flow's own steps are taken
by whoever the table says may. Expected statuses are written by hand:
200 read · 404 the case does not exist for them · 403 they see it but it is not theirs to do ·
409/422 theirs to do, and the case refuses the probe.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from tests.handoff_county import SHANGFANG_PLACE
from tests.samples import action_bodies, china_today, intake_body

WHO = ("village", "labour", "town", "hrss", "county", "unrelated", "leader", "grid")
Row = tuple[int, int | None, int, int]  # read, take, report back, act (None: the flow's step)
_OUT: Row = (404, 404, 404, 404)
_ROLE_NEVER_ACTS: Row = (200, 403, 403, 403)  # the leader (jurisdiction) and the reporter
_READS_ONLY: Row = (200, 403, 403, 403)

EXPECTED: dict[str, dict[str, Row]] = {
    # Registered by the village's grid worker, routed to the labour room.
    "routed": {
        "village": _READS_ONLY,  # the registering organisation
        "labour": (200, 409, 422, 422),  # the holder: nothing to take, no assignment 1
        "town": _OUT,
        "hrss": _OUT,
        "county": _OUT,
        "unrelated": _OUT,
        "leader": _ROLE_NEVER_ACTS,
        "grid": _ROLE_NEVER_ACTS,
    },
    # 转办 to the town center, awaiting 签收 or 退回 there.
    "transferred": {
        "village": _READS_ONLY,
        "labour": (200, 403, 422, 422),  # still holds it; the transfer awaits the town
        "town": (200, None, 403, 403),  # sees it as incoming: takes or returns it
        "hrss": _OUT,
        "county": _OUT,
        "unrelated": _OUT,
        "leader": _ROLE_NEVER_ACTS,
        "grid": _ROLE_NEVER_ACTS,
    },
    # 退回: the town sent it back; it never held the case and no longer sees it.
    "returned": {
        "village": _READS_ONLY,
        "labour": (200, 409, 422, 422),
        "town": _OUT,
        "hrss": _OUT,
        "county": _OUT,
        "unrelated": _OUT,
        "leader": _ROLE_NEVER_ACTS,
        "grid": _ROLE_NEVER_ACTS,
    },
    # 交办 to 人社局: the department reports back on assignment 1, nothing else.
    "assigned": {
        "village": _READS_ONLY,
        "labour": (200, 409, 403, 422),
        "town": _OUT,
        "hrss": (200, 403, 422, 403),  # its report probe is dated tomorrow
        "county": _OUT,
        "unrelated": _OUT,
        "leader": _ROLE_NEVER_ACTS,
        "grid": _ROLE_NEVER_ACTS,
    },
    "reported": {
        "village": _READS_ONLY,
        "labour": (200, 409, 403, 422),
        "town": _OUT,
        "hrss": (200, 403, 409, 403),  # assignment 1 has its report
        "county": _OUT,
        "unrelated": _OUT,
        "leader": _ROLE_NEVER_ACTS,
        "grid": _ROLE_NEVER_ACTS,
    },
    # 上提 to the county center: the labour room held it before and reads it still.
    "lifted": {
        "village": _READS_ONLY,
        "labour": _READS_ONLY,
        "town": _OUT,
        "hrss": (200, 403, 409, 403),
        "county": (200, 409, 403, 422),
        "unrelated": _OUT,
        "leader": _ROLE_NEVER_ACTS,
        "grid": _ROLE_NEVER_ACTS,
    },
    # 销号: the holder's commands are refused by the stage now.
    "closed": {
        "village": _READS_ONLY,
        "labour": _READS_ONLY,
        "town": _OUT,
        "hrss": (200, 403, 409, 403),
        "county": (200, 409, 403, 409),
        "unrelated": _OUT,
        "leader": _ROLE_NEVER_ACTS,
        "grid": _ROLE_NEVER_ACTS,
    },
}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def post(
    client: httpx.AsyncClient, case_id: str, path: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"/v1/cases/{case_id}/{path}", json=body, headers=_key())


async def step(
    client: httpx.AsyncClient, case_id: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """One of the flow's own steps: it must succeed."""
    response = await post(client, case_id, path, body)
    assert response.status_code == 200, (path, response.text)
    answer: dict[str, Any] = response.json()
    return answer


async def probe(clients: dict[str, httpx.AsyncClient], case_id: str, moment: str) -> None:
    """Every row of ``EXPECTED[moment]``, probed; the case is unchanged afterwards."""
    tomorrow = (china_today() + timedelta(days=1)).isoformat()
    before = (await clients["village"].get(f"/v1/cases/{case_id}")).json()
    got: dict[str, Row] = {}
    for who in WHO:
        client = clients[who]
        expected_take = EXPECTED[moment][who][1]
        read = (await client.get(f"/v1/cases/{case_id}")).status_code
        take = (
            (await post(client, case_id, "take", {"note": "探测"})).status_code
            if expected_take is not None
            else None
        )
        report = await post(
            client,
            case_id,
            "report-back",
            {"assignment_no": 1, "result": "探测", "reported_on": tomorrow},
        )
        act = await post(client, case_id, "co-handlers/remove", {"organisation": "jn-ml-center"})
        got[who] = (read, take, report.status_code, act.status_code)
    assert got == EXPECTED[moment], moment
    after = (await clients["village"].get(f"/v1/cases/{case_id}")).json()
    assert after["seq"] == before["seq"], f"probing changed the case at {moment}"


async def run_flow(clients: dict[str, httpx.AsyncClient]) -> dict[str, Any]:
    """The whole flow with its probes; returns the closed case as the county center sees it."""
    today = china_today()
    bodies = action_bodies(today)
    reported = await clients["grid"].post(
        "/v1/cases",
        json=intake_body(
            title=f"上坊社区某物流公司拖欠12名员工工资{uuid.uuid4().hex[:4]}",
            category="labour",
            channel="walk_in",  # a grid worker's report comes through the grid whatever it says
            jurisdiction=SHANGFANG_PLACE,
        ),
        headers=_key(),
    )
    assert reported.status_code == 201, reported.text
    status = reported.json()
    assert status["channel"] == "grid_report"
    assert status["holder"] == "江宁区劳动争议调解室"
    assert "applicants" not in status  # the grid worker follows the status, not the record
    case_id = status["case_id"]
    seen = (await clients["village"].get(f"/v1/cases/{case_id}")).json()
    assert seen["routing"]["suggested"]["org_id"] == "jn-labour-room"
    assert seen["routing"]["chosen"]["org_id"] == "jn-labour-room"
    assert seen["routing"]["rule_id"] == "labour-to-county-room"
    assert seen["center_id"] == "jn-sf-committee"
    assert seen["grid_code"] == "320115001001001"
    await probe(clients, case_id, "routed")

    labour, town, hrss, county = (clients[w] for w in ("labour", "town", "hrss", "county"))
    await step(labour, case_id, "accept", bodies["accept"])
    transfer = {"to_organisation": "jn-ds-center", "reason": "误以为属街道管辖"}
    sent = await step(labour, case_id, "transfer", transfer)
    assert sent["pending_transfer"]["to_organisation"]["name"] == "东山街道综治中心"
    await probe(clients, case_id, "transferred")
    returned = await step(town, case_id, "return", {"reason": "劳动争议不属于本中心受理范围"})
    assert returned["pending_transfer"] is None
    await probe(clients, case_id, "returned")

    deadline = (today + timedelta(days=10)).isoformat()
    assign = {"department": "jn-hrss", "deadline": deadline, "instructions": "请核查欠薪情况并反馈"}
    await step(labour, case_id, "assign", assign)
    await probe(clients, case_id, "assigned")
    report = {"assignment_no": 1, "result": "已责令企业限期支付工资"}
    answered = await step(hrss, case_id, "report-back", report)
    assert answered["assignments"][0]["report"]["result"] == "已责令企业限期支付工资"
    await probe(clients, case_id, "reported")

    # Mediation at the labour room, its own roster; the county's roster is not its to choose.
    refused = await post(
        labour,
        case_id,
        "start-mediation",
        {"mediation_type": "peoples", "mediator_ids": ["jn-m-03"]},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "mediator_ids"
    started = await step(
        labour,
        case_id,
        "start-mediation",
        {"mediation_type": "peoples", "mediator_ids": ["jn-m-01", "jn-m-02"]},
    )
    assert started["mediation_rounds"][-1]["mediators"] == ["黄志刚", "马晓燕"]
    for _ in range(3):
        await step(
            labour, case_id, "sessions", {**bodies["record_session"], "mediators": ["黄志刚"]}
        )
    # With the policy's lift rules (issue11-domain) three sessions without agreement suggest
    # lifting (lift_suggestion); the lead adds that assertion at the merge.
    lifted = await step(labour, case_id, "lift", {"reason": "三次调解未果，上提县级"})
    assert lifted["holder"]["org_id"] == "jn-county-center"  # the labour room's parent
    assert lifted["stage"] == "accepted"  # handled afresh at the level above
    await probe(clients, case_id, "lifted")

    refused = await post(
        county,
        case_id,
        "start-mediation",
        {"mediation_type": "peoples", "mediator_ids": ["jn-m-01"]},
    )
    assert refused.status_code == 422, refused.text  # the labour room no longer handles it
    await step(
        county,
        case_id,
        "start-mediation",
        {"mediation_type": "peoples", "mediator_ids": ["jn-m-03", "jn-m-04"]},
    )
    await step(county, case_id, "sessions", {**bodies["record_session"], "mediators": ["陈建平"]})
    await step(county, case_id, "agreement", bodies["record_agreement"])
    await step(county, case_id, "follow-ups", bodies["record_follow_up"])
    closed = await step(county, case_id, "close", bodies["close"])
    assert closed["stage"] == "closed"
    await probe(clients, case_id, "closed")
    return closed


HAND_OFF_STEPS = [
    ("case_registered", "jn-labour-room", "王小明 (jn-wangxiaoming)"),
    ("case_transferred", "jn-ds-center", "黄志刚 (jn-huangzhigang)"),
    ("transfer_returned", "jn-ds-center", "周涛 (jn-zhoutao)"),
    ("case_assigned", "jn-hrss", "黄志刚 (jn-huangzhigang)"),
    ("report_back_recorded", "jn-hrss", "许立新 (jn-xulixin)"),
    ("case_lifted", "jn-county-center", "黄志刚 (jn-huangzhigang)"),
]


async def check_timeline(client: httpx.AsyncClient, case: dict[str, Any]) -> None:
    """The case's hand-off log and its timeline show every hand-off, by whom."""
    log = [(h["kind"], h["organisation"]["org_id"], h["recorded"]["by"]) for h in case["handoffs"]]
    assert log == HAND_OFF_STEPS
    timeline = (await client.get(f"/v1/cases/{case['case_id']}/timeline")).json()["entries"]
    handoff_types = {kind for kind, _, _ in HAND_OFF_STEPS}
    shown = [(e["type"], e["actor"]) for e in timeline if e["type"] in handoff_types]
    assert shown == [(kind, by) for kind, _, by in HAND_OFF_STEPS]
    labels = {e["type"]: e["label"] for e in timeline}
    assert labels["case_transferred"] == "转办"
    assert labels["transfer_returned"] == "退回"
    assert labels["case_lifted"] == "上提一级"
