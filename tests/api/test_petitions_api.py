"""The petition track (信访) over HTTP: repeats of a pending matter, diversion to mediation."""

from __future__ import annotations

import httpx

from domain.case.stages import Stage
from tests.api.helpers import act, case_in_stage, create_petition


async def test_the_same_matter_while_pending_is_a_repeat_not_a_new_case(
    api: httpx.AsyncClient,
) -> None:
    petitioner = [{"name": "王建华", "id_number": "320102198506123454", "phone": "13851110000"}]
    first = await create_petition(api, applicants=petitioner)
    assert first["case_id"].startswith("XF-")
    again = await api.post(
        "/v1/cases",
        json={
            **{k: first[k] for k in ("kind", "category", "jurisdiction")},
            "title": "王建华再次来信反映征地补偿问题",
            "description": "同一事项再次反映。",
            "channel": "online",
            "applicants": petitioner,
        },
    )
    assert again.status_code == 200, again.text
    repeat = again.json()
    assert repeat["case_id"] == first["case_id"]
    assert [r["channel"] for r in repeat["repeats"]] == ["online"]
    listed = (
        await api.get("/v1/cases", params={"kind": "petition", "q": "王建华再次来信"})
    ).json()["items"]
    assert listed == []  # no second case

    other_matter = await create_petition(
        api, applicants=petitioner, category="labour", title="王建华反映欠薪"
    )
    assert other_matter["case_id"] != first["case_id"]


async def test_a_petition_diverted_to_mediation_opens_a_linked_dispute(
    api: httpx.AsyncClient,
) -> None:
    petition = await case_in_stage(api, Stage.ACCEPTED, "petition")
    response = await act(api, petition["case_id"], "divert_to_mediation")
    assert response.status_code == 200, response.text
    diverted = response.json()
    dispute_id = diverted["diverted_to"]
    assert dispute_id.startswith("JF-")
    dispute = (await api.get(f"/v1/cases/{dispute_id}")).json()
    assert dispute["kind"] == "dispute"
    assert dispute["channel"] == "petition_referral"
    assert dispute["title"] == petition["title"]
    assert dispute["applicants"] == petition["applicants"]
    # A retry opens nothing new.
    again = await act(api, petition["case_id"], "divert_to_mediation")
    assert again.json()["diverted_to"] == dispute_id


async def test_diversion_is_refused_before_anything_is_opened(api: httpx.AsyncClient) -> None:
    registered = await case_in_stage(api, Stage.REGISTERED, "petition")
    response = await act(api, registered["case_id"], "divert_to_mediation")
    assert response.status_code == 409
    after = (await api.get(f"/v1/cases/{registered['case_id']}")).json()
    assert after == registered
    assert after["diverted_to"] is None


async def test_a_petition_runs_to_its_final_answer_and_closes(api: httpx.AsyncClient) -> None:
    final = await case_in_stage(api, Stage.FINAL, "petition")
    assert final["finalized"]["reason"].startswith("复核意见已作出")
    assert [a["level"] for a in final["answers"]] == [1, 2, 3]
    clocks = (await api.get(f"/v1/cases/{final['case_id']}/clocks")).json()
    rules = {rule["rule_id"]: rule for rule in clocks["rules"]}
    assert set(rules) >= {"A1", "A6", "A7", "A7b", "A8", "A8b"}
    assert rules["A6"]["state"] == "met"
    assert rules["A8b"]["state"] == "met"
    closed = await act(api, final["case_id"], "close")
    assert closed.status_code == 200
    assert closed.json()["closure"]["outcome"] == "finalized"


async def test_clocks_explain_every_petition_rule_with_its_source(api: httpx.AsyncClient) -> None:
    from activities.policy.book import PolicyBook
    from domain.values import CaseKind

    petition_rules = {
        r.rule_id: r for r in PolicyBook.load().base.rules if CaseKind.PETITION in r.kinds
    }
    seen: set[str] = set()
    for channel in ("letter", "petition_referral"):
        case = await create_petition(api, channel=channel)
        rules = (await api.get(f"/v1/cases/{case['case_id']}/clocks")).json()["rules"]
        for rule in rules:
            assert rule["source"] == petition_rules[rule["rule_id"]].source
            seen.add(rule["rule_id"])
        running = {r["rule_id"] for r in rules if r["state"] == "running"}
        assert {"A1", "A2"} <= running  # from registration
        assert ("A3" in running) == (channel == "petition_referral")
    assert seen == set(petition_rules)
