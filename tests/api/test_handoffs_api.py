"""Hand-offs over the API (both stores): routes resolving the registry, reach that follows the
case, routing at intake, mediators from the roster, grid workers."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.errors import ApiError
from api.gateway import send_command
from domain.case import commands as c
from tests import principals
from tests.conftest import Stack
from tests.handoff_county import SHANGFANG_PLACE, seed_county
from tests.handoff_flow import check_timeline, post, run_flow, step
from tests.samples import PETITION_INTAKE, china_today, intake_body
from worker import WORKFLOWS


@pytest.fixture(scope="module")
async def county(
    stack: Stack, app_transport: httpx.ASGITransport
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """One client per person of 江宁区 (tests.handoff_county.STAFF)."""
    keys = await seed_county(stack.sessionmaker)
    opened = {
        name: httpx.AsyncClient(
            transport=app_transport,
            base_url="http://fengqiao.test",
            headers=principals.bearer(key),
        )
        for name, key in keys.items()
    }
    yield opened
    for client in opened.values():
        await client.aclose()


async def _register(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    body = intake_body(
        title=f"上坊社区纠纷{uuid.uuid4().hex[:6]}", jurisdiction=SHANGFANG_PLACE, **overrides
    )
    return await client.post("/v1/cases", json=body)


async def _labour_case(county: dict[str, httpx.AsyncClient]) -> dict[str, Any]:
    """A labour dispute the village committee registers: routed to the county labour room."""
    response = await _register(county["village"], category="labour")
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    return case


async def test_the_acceptance_flow_with_who_may_do_what_at_each_moment(
    county: dict[str, httpx.AsyncClient],
) -> None:
    closed = await run_flow(county)
    await check_timeline(county["county"], closed)


async def test_intake_answers_with_the_routing_the_rules_suggest(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case = await _labour_case(county)
    assert case["routing"]["suggested"]["name"] == "江宁区劳动争议调解室"
    assert case["routing"]["chosen"] == case["routing"]["suggested"]
    assert case["holder"]["org_id"] == "jn-labour-room"
    assert case["reporter_id"] == "jn-zhangguilan"
    # The registrar reads the case but the labour room acts on it.
    accepted = await post(county["village"], case["case_id"], "accept", {"note": "受理"})
    assert accepted.status_code == 403
    assert accepted.json()["message_zh"]
    assert (await post(county["labour"], case["case_id"], "accept", {})).status_code == 200
    # A neighbourhood dispute at the village stays with its committee (village-stays-local).
    local = (await _register(county["village"])).json()
    assert local["holder"]["org_id"] == "jn-sf-committee"
    assert local["routing"]["rule_id"] == "village-stays-local"


async def test_the_registrar_may_override_the_suggestion_saying_why(
    county: dict[str, httpx.AsyncClient],
) -> None:
    village = county["village"]
    choice = {"organisation": "jn-sf-committee"}
    no_reason = await _register(village, category="labour", routing=choice)
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "routing.reason"
    unknown = await _register(village, routing={"organisation": "jn-nowhere", "reason": "x"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "routing.organisation")
    inactive = await _register(village, routing={"organisation": "jn-closed-room", "reason": "x"})
    assert (inactive.status_code, inactive.json()["field"]) == (422, "routing.organisation")
    kept = await _register(
        village, category="labour", routing={**choice, "reason": "双方均为本村村民，就地调解"}
    )
    assert kept.status_code == 201, kept.text
    case = kept.json()
    assert case["holder"]["org_id"] == "jn-sf-committee"
    assert case["routing"]["suggested"]["org_id"] == "jn-labour-room"
    assert case["routing"]["override_reason"] == "双方均为本村村民，就地调解"
    assert (await post(village, case["case_id"], "accept", {})).status_code == 200


async def test_organisations_are_resolved_in_the_registry(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case = await _labour_case(county)
    labour = county["labour"]
    case_id = case["case_id"]
    for path, body, field in [
        ("transfer", {"to_organisation": "jn-nowhere", "reason": "x"}, "to_organisation"),
        ("transfer", {"to_organisation": "jn-closed-room", "reason": "x"}, "to_organisation"),
        (
            "assign",
            {"department": "jn-nowhere", "deadline": "2026-12-31", "instructions": "x"},
            "department",
        ),
        ("lift", {"to_organisation": "jn-closed-room", "reason": "x"}, "to_organisation"),
        ("co-handlers", {"organisation": "jn-nowhere"}, "organisation"),
        ("co-handlers/remove", {"organisation": "jn-nowhere"}, "organisation"),
    ]:
        response = await post(labour, case_id, path, body)
        assert (response.status_code, response.json()["field"]) == (422, field), (path, body)
    # The organisation the case records is the registry's, not what a client might claim.
    added = await step(labour, case_id, "co-handlers", {"organisation": "jn-hrss", "note": "协助"})
    assert added["co_handlers"] == [
        {
            "org_id": "jn-hrss",
            "name": "江宁区人力资源和社会保障局",
            "level": "county",
            "type": "department",
        }
    ]


async def test_lift_goes_to_the_parent_and_needs_one(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case = await _labour_case(county)
    lifted = await step(county["labour"], case["case_id"], "lift", {"reason": "案情复杂"})
    assert lifted["holder"]["name"] == "江宁区矛盾纠纷多元化解中心"
    # The county center has no parent: it must name where to lift to.
    again = await post(county["county"], case["case_id"], "lift", {"reason": "上提"})
    assert (again.status_code, again.json()["field"]) == (422, "to_organisation")


async def test_a_taken_transfer_moves_the_case_and_retries_stay_no_ops(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case = await _labour_case(county)
    case_id = case["case_id"]
    labour, town = county["labour"], county["town"]
    await step(labour, case_id, "transfer", {"to_organisation": "jn-ds-center", "reason": "属地"})
    key = {"Idempotency-Key": f"take-{case_id}"}
    taken = await town.post(f"/v1/cases/{case_id}/take", json={"note": "签收"}, headers=key)
    assert taken.status_code == 200
    assert taken.json()["holder"]["org_id"] == "jn-ds-center"
    retried = await town.post(f"/v1/cases/{case_id}/take", json={"note": "签收"}, headers=key)
    assert retried.json() == taken.json()
    # The labour room held it: it reads the case, and acts on it no more.
    assert (await labour.get(f"/v1/cases/{case_id}")).status_code == 200
    assert (await post(labour, case_id, "accept", {})).status_code == 403
    # The town lifts it; a retry of that lift, by the same person, answers the same.
    key = {"Idempotency-Key": f"lift-{case_id}"}
    body = {"reason": "涉及多个街道"}
    lifted = await town.post(f"/v1/cases/{case_id}/lift", json=body, headers=key)
    assert lifted.json()["holder"]["org_id"] == "jn-county-center"
    again = await town.post(f"/v1/cases/{case_id}/lift", json=body, headers=key)
    assert again.status_code == 200
    assert again.json()["seq"] == lifted.json()["seq"]
    # Someone else replaying that key is not the one who sent it.
    stolen = await labour.post(f"/v1/cases/{case_id}/lift", json=body, headers=key)
    assert stolen.status_code == 403


async def test_co_handlers_read_and_lend_their_roster(
    county: dict[str, httpx.AsyncClient],
) -> None:
    local = (await _register(county["village"])).json()  # held by the village committee
    case_id = local["case_id"]
    village, county_center = county["village"], county["county"]
    assert (await county_center.get(f"/v1/cases/{case_id}")).status_code == 404
    refused = await post(
        village,
        case_id,
        "start-mediation",
        {"mediation_type": "peoples", "mediator_ids": ["jn-m-03"]},
    )
    assert (refused.status_code, refused.json()["field"]) == (422, "mediator_ids")
    await step(village, case_id, "co-handlers", {"organisation": "jn-county-center"})
    assert (await county_center.get(f"/v1/cases/{case_id}")).status_code == 200
    assert (await post(county_center, case_id, "accept", {})).status_code == 403
    await step(village, case_id, "accept", {})
    mixed = {"mediation_type": "peoples", "mediator_ids": ["jn-m-05", "jn-m-03"]}
    started = await step(village, case_id, "start-mediation", mixed)
    assert started["mediation_rounds"][-1]["mediators"] == ["张桂兰", "陈建平"]
    assert started["mediation_rounds"][-1]["mediator_ids"] == ["jn-m-05", "jn-m-03"]
    await step(village, case_id, "co-handlers/remove", {"organisation": "jn-county-center"})
    assert (await county_center.get(f"/v1/cases/{case_id}")).status_code == 404


async def test_roster_names_must_match_and_someone_must_mediate(
    county: dict[str, httpx.AsyncClient],
) -> None:
    local = (await _register(county["village"])).json()
    case_id = local["case_id"]
    village = county["village"]
    await step(village, case_id, "accept", {})
    nobody = await post(village, case_id, "start-mediation", {"mediation_type": "peoples"})
    assert (nobody.status_code, nobody.json()["field"]) == (422, "mediators")
    wrong = await post(
        village,
        case_id,
        "start-mediation",
        {"mediation_type": "peoples", "mediator_ids": ["jn-m-05"], "mediators": ["李四"]},
    )
    assert (wrong.status_code, wrong.json()["field"]) == (422, "mediators")
    retired = await post(
        village,
        case_id,
        "start-mediation",
        {"mediation_type": "peoples", "mediator_ids": ["jn-m-06"]},
    )
    assert (retired.status_code, retired.json()["field"]) == (422, "mediator_ids")


async def test_a_grid_worker_reports_from_their_grid_and_follows_only_that(
    county: dict[str, httpx.AsyncClient],
) -> None:
    grid = county["grid"]
    report = await _register(grid, channel="hotline")
    assert report.status_code == 201, report.text
    status = report.json()
    assert status["channel"] == "grid_report"
    assert status["grid_code"] == "320115001001001"
    assert status["labels"]["channel"]
    assert "applicants" not in status
    assert "110101199003071233" not in report.text
    case_id = status["case_id"]
    full = (await county["village"].get(f"/v1/cases/{case_id}")).json()
    assert full["reporter_id"] == "jn-wangxiaoming"
    assert full["grid_code"] == "320115001001001"

    read = await grid.get(f"/v1/cases/{case_id}")
    assert read.status_code == 200
    assert read.json()["stage"] == "registered"
    assert "respondents" not in read.json()
    assert (await grid.get(f"/v1/cases/{case_id}", params={"reveal": "true"})).status_code == 403
    for forbidden in (
        await grid.get(f"/v1/cases/{case_id}/timeline"),
        await grid.get(f"/v1/cases/{case_id}/clocks"),
        await grid.get("/v1/cases"),
        await grid.get("/v1/cases/stats"),
        await grid.get("/v1/alerts"),
        await post(grid, case_id, "accept", {}),
    ):
        assert forbidden.status_code == 403, forbidden.text
    # Another case of the same village (registered by the committee) is not theirs.
    other = (await _register(county["village"])).json()
    assert (await grid.get(f"/v1/cases/{other['case_id']}")).status_code == 404
    # Only from their grid's village, and routed by the rules.
    elsewhere = await grid.post(
        "/v1/cases",
        json=intake_body(jurisdiction={**SHANGFANG_PLACE, "village_code": "320115001002"}),
    )
    assert elsewhere.status_code == 403
    chosen = await _register(grid, routing={"organisation": "jn-ds-center", "reason": "x"})
    assert (chosen.status_code, chosen.json()["field"]) == (422, "routing")


async def test_a_grid_worker_cannot_probe_petitions_they_may_not_read(
    county: dict[str, httpx.AsyncClient],
) -> None:
    """A petition on the same matter as a pending one is recorded as a repeat on that petition
    and the answer names it: for a grid worker that would reveal (and write to) a case they may
    not read. Grid workers report disputes only; nothing is recorded on the petition."""
    petition = intake_body(
        **PETITION_INTAKE,
        jurisdiction=SHANGFANG_PLACE,
        applicants=[{"name": "王某", "id_number": "320115197001011235", "phone": "13800001111"}],
    )
    filed = await county["village"].post("/v1/cases", json=petition)
    assert filed.status_code == 201, filed.text
    pending = filed.json()
    probe = await county["grid"].post("/v1/cases", json=petition)
    assert (probe.status_code, probe.json()["field"]) == (422, "kind")
    assert pending["case_id"] not in probe.text
    after = (await county["village"].get(f"/v1/cases/{pending['case_id']}")).json()
    assert after["seq"] == pending["seq"]
    assert after["repeats"] == []


async def test_report_back_by_the_department_only_and_dated_sensibly(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case = await _labour_case(county)
    case_id = case["case_id"]
    labour, hrss = county["labour"], county["hrss"]
    deadline = (china_today() + timedelta(days=5)).isoformat()
    assert (await hrss.get(f"/v1/cases/{case_id}")).status_code == 404
    assign = {"department": "jn-hrss", "deadline": deadline, "instructions": "核查"}
    await step(labour, case_id, "assign", assign)
    assert (await hrss.get(f"/v1/cases/{case_id}")).status_code == 200
    report = {"assignment_no": 1, "result": "已核查"}
    assert (await post(labour, case_id, "report-back", report)).status_code == 403
    unknown = await post(hrss, case_id, "report-back", {**report, "assignment_no": 2})
    assert unknown.status_code == 403  # assignment 2 does not exist: the holder's to refuse
    done = await step(hrss, case_id, "report-back", report)
    assert done["assignments"][0]["report"]["recorded"]["by"] == "许立新 (jn-xulixin)"
    assert (await post(hrss, case_id, "report-back", report)).status_code == 409


async def test_a_deployments_routing_rules_decide_intake_as_they_decide_the_preview(
    stack: Stack, county: dict[str, httpx.AsyncClient], tmp_path: Path
) -> None:
    """FENGQIAO_ROUTING_RULES_FILE: the rules the preview shows are the rules intake records."""
    rules = {
        "version": "local-2026.1",
        "rules": [
            {
                "rule_id": "labour-to-town-center",
                "description": "本区劳动争议先由街道综治中心调处",
                "categories": ["labour"],
                "target": {"type": "center", "level": "town", "handles_category": False},
            }
        ],
    }
    path = tmp_path / "routing.json"
    path.write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    settings = stack.settings.model_copy(update={"routing_rules_file": path})
    app = create_app(settings, temporal=stack.client, workflows=WORKFLOWS)
    key = county["village"].headers["authorization"]
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://fengqiao.test",
            headers={"authorization": key},
        ) as village:
            body = intake_body(
                title=f"上坊社区欠薪{uuid.uuid4().hex[:6]}",
                jurisdiction=SHANGFANG_PLACE,
                category="labour",
            )
            preview = await village.post(
                "/v1/routing/suggestion",
                json={
                    "category": "labour",
                    "risk_level": "low",
                    "jurisdiction": SHANGFANG_PLACE,
                },
            )
            assert preview.status_code == 200, preview.text
            registered = await village.post("/v1/cases", json=body)
    assert registered.status_code == 201, registered.text
    routing = registered.json()["routing"]
    assert routing["rule_id"] == "labour-to-town-center"
    shown = preview.json()
    assert shown["rules_version"] == "local-2026.1"
    assert shown["suggestion"]["rule_id"] == "labour-to-town-center"
    assert routing["chosen"]["org_id"] == shown["suggestion"]["organisation"]["org_id"]
    assert routing["chosen"]["type"] == "center"
    assert routing["chosen"]["level"] == "town"


async def test_alerts_follow_the_case_to_the_organisation_that_holds_it(
    county: dict[str, httpx.AsyncClient],
) -> None:
    """A major labour dispute the village registers goes to the county labour room: the room's
    staff see its 重大矛盾纠纷直报 alert in their inbox, the village (registrar) too, an
    unrelated town center does not; after a transfer is taken, the new holder sees it."""
    response = await _register(county["village"], category="labour", risk_level="major")
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]

    async def inbox(name: str) -> list[str]:
        listed = await county[name].get("/v1/alerts", params={"case_id": case_id})
        assert listed.status_code == 200, listed.text
        return [alert["kind"] for alert in listed.json()["items"]]

    assert await inbox("labour") == ["major_report"]
    assert await inbox("village") == ["major_report"]
    assert await inbox("town") == []
    assert await inbox("unrelated") == []
    sent = await post(
        county["labour"], case_id, "transfer", {"to_organisation": "jn-ds-center", "reason": "属地"}
    )
    assert sent.status_code == 200, sent.text
    assert await inbox("town") == ["major_report"]  # awaiting it: it reads the case
    assert await inbox("unrelated") == []


async def test_a_command_the_store_let_through_is_refused_by_the_case_when_not_its_turn(
    stack: Stack, county: dict[str, httpx.AsyncClient]
) -> None:
    """The API checks whose turn it is against the stored case, which may lag the case (a 签收
    being projected, a store catching up after an outage). The case checks again: a command
    sent for an organisation that no longer holds it is refused as 403, and nothing changes."""
    case = await _labour_case(county)  # held by the county labour room
    case_id = case["case_id"]
    envelope = c.CommandEnvelope(
        command_id=f"race-{case_id}",
        actor="张桂兰 (jn-zhangguilan)",
        command=c.Accept(note="受理"),
        acting_organisation="jn-sf-committee",  # the registrar, as a stale store would allow
    )
    with pytest.raises(ApiError) as refused:
        await send_command(
            stack.client,
            stack.sessionmaker,
            stack.settings,
            case_id=case_id,
            envelope=envelope,
            now=datetime.now(UTC),
        )
    assert (refused.value.status, refused.value.body.code) == (403, "forbidden")
    assert "其他单位" in refused.value.body.message_zh
    after = (await county["labour"].get(f"/v1/cases/{case_id}")).json()
    assert (after["stage"], after["seq"]) == (case["stage"], case["seq"])


async def _incoming(client: httpx.AsyncClient, case_id: str) -> list[str]:
    listed = await client.get("/v1/worklist", params={"limit": 200})
    assert listed.status_code == 200, listed.text
    return [
        item["kind"]
        for item in listed.json()["items"]
        if item["case_id"] == case_id and item["kind"] == "incoming_transfer"
    ]


async def test_the_sender_recalls_a_transfer_awaiting_take_and_its_clock_stops(
    county: dict[str, httpx.AsyncClient],
) -> None:
    """撤回转办: the labour room sends the case to the town center, then takes it back before it
    is taken: the room still holds it, the town's 待签收 item is gone, the 签收时限 is stopped."""
    case = await _labour_case(county)
    case_id = case["case_id"]
    labour, town = county["labour"], county["town"]
    await step(labour, case_id, "transfer", {"to_organisation": "jn-ds-center", "reason": "属地"})
    assert await _incoming(town, case_id) == ["incoming_transfer"]
    # The organisation the transfer awaits, and one uninvolved, may not recall it.
    by_receiver = await post(town, case_id, "recall", {"reason": "不想办"})
    assert by_receiver.status_code == 403
    assert by_receiver.json()["message_zh"]
    assert (await post(county["unrelated"], case_id, "recall", {"reason": "x"})).status_code == 404
    empty = await post(labour, case_id, "recall", {"reason": ""})
    assert (empty.status_code, empty.json()["field"]) == (422, "reason")

    recalled = await step(labour, case_id, "recall", {"reason": "转错单位，撤回"})
    assert recalled["holder"]["org_id"] == "jn-labour-room"
    assert recalled["pending_transfer"] is None
    assert recalled["handoffs"][-1]["kind"] == "transfer_recalled"
    assert await _incoming(town, case_id) == []
    assert (await town.get(f"/v1/cases/{case_id}")).status_code == 404  # no longer involved
    report = (await labour.get(f"/v1/cases/{case_id}/clocks")).json()
    [take] = [rule for rule in report["rules"] if rule["rule_id"] == "TAKE"]
    assert [clock["status"] for clock in take["clocks"]] == ["cancelled"]
    # The room still acts on the case; a second recall finds nothing awaiting: 409.
    again = await post(labour, case_id, "recall", {"reason": "再撤回"})
    assert again.status_code == 409
    assert again.json()["message_zh"] == "本案没有待签收的转办，无可撤回"
    assert (await post(labour, case_id, "accept", {})).status_code == 200


async def test_a_transfer_once_taken_cannot_be_recalled(
    county: dict[str, httpx.AsyncClient],
) -> None:
    case = await _labour_case(county)
    case_id = case["case_id"]
    labour, town = county["labour"], county["town"]
    await step(labour, case_id, "transfer", {"to_organisation": "jn-ds-center", "reason": "属地"})
    await step(town, case_id, "take", {"note": "签收"})
    # The room no longer holds it (403); the town holds it, and nothing awaits taking (409).
    assert (await post(labour, case_id, "recall", {"reason": "撤回"})).status_code == 403
    refused = await post(town, case_id, "recall", {"reason": "撤回"})
    assert refused.status_code == 409
    after = (await town.get(f"/v1/cases/{case_id}")).json()
    assert after["holder"]["org_id"] == "jn-ds-center"
