"""The case API against the real worker and store (both backends)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from domain.case.stages import Action, Stage, allowed
from tests.api.helpers import act, case_in_stage, create_case
from tests.conftest import Stack
from tests.samples import (
    ACTION_PATHS,
    CASE_EVENT_TYPES,
    LIFECYCLE,
    PATH_TO_STAGE,
    PETITION_PATH_TO_STAGE,
    case_steps,
    intake_body,
)


async def test_full_lifecycle_over_http(api: httpx.AsyncClient) -> None:
    case = await create_case(api)
    case_id = case["case_id"]
    assert case["stage"] == "registered"
    assert case["labels"]["stage"] == "已登记"
    for action in LIFECYCLE:
        response = await act(api, case_id, action)
        assert response.status_code == 200, response.text
    assert response.json()["stage"] == "closed"

    timeline = (await api.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
    assert [entry["seq"] for entry in timeline] == list(range(1, response.json()["seq"] + 1))
    assert case_steps([entry["type"] for entry in timeline]) == [
        "case_registered",
        "case_accepted",
        "plan_revised",
        "package_leader_assigned",
        "mediation_started",
        "session_recorded",
        "session_recorded",
        "agreement_recorded",
        "judicial_confirmation_applied",
        "court_acceptance_recorded",
        "court_decision_recorded",
        "follow_up_recorded",
        "case_closed",
    ]
    # The actor is whoever authenticated (the mediator 王芳's key), never a name from the body.
    steps = [entry for entry in timeline if entry["type"] in CASE_EVENT_TYPES]
    assert all(entry["actor"] == "王芳 (wangfang)" for entry in steps)
    assert timeline[-1]["label"] == "销号"
    stored = (await api.get(f"/v1/cases/{case_id}")).json()
    assert stored["stage"] == "closed"
    assert stored["closure"]["outcome"] == "resolved"


async def test_read_model_matches_the_workflow_state(api: httpx.AsyncClient) -> None:
    case = await case_in_stage(api, Stage.FOLLOWING_UP)
    projected = (await api.get(f"/v1/cases/{case['case_id']}")).json()
    live = (await api.get(f"/v1/cases/{case['case_id']}", params={"consistent": "true"})).json()
    assert projected == live == case


STAGES_BY_KIND = [("dispute", stage) for stage in PATH_TO_STAGE] + [
    ("petition", stage) for stage in PETITION_PATH_TO_STAGE
]


def test_the_matrix_covers_every_stage() -> None:
    assert {stage for _, stage in STAGES_BY_KIND} == set(Stage)


@pytest.mark.parametrize(("kind", "stage"), STAGES_BY_KIND)
async def test_every_forbidden_command_is_409_and_changes_nothing(
    api: httpx.AsyncClient, kind: str, stage: Stage
) -> None:
    case = await case_in_stage(api, stage, kind)
    case_id = case["case_id"]
    # 批示, 挂牌 and 摘牌 are a leader's: this mediator is refused them by role (403, the access
    # matrix) first.
    leaders = {Action.ISSUE_INSTRUCTION, Action.LIST_CASE, Action.DELIST_CASE}
    forbidden = [
        action for action in Action if not allowed(action, stage, kind) and action not in leaders
    ]
    if stage in (Stage.AGREEMENT_REACHED, Stage.FOLLOWING_UP) and case["agreements"]:
        item_open = any(i["status"] != "performed" for i in case["agreements"][-1]["items"])
        if item_open:
            forbidden.append(Action.CLOSE)
    assert forbidden, stage
    for action in forbidden:
        response = await act(api, case_id, action.value)
        assert response.status_code == 409, (stage, action, response.text)
        body = response.json()
        assert body["code"] == "forbidden_transition"
        assert body["message_zh"]
        assert body["message_en"]
    after = (await api.get(f"/v1/cases/{case_id}")).json()
    assert after == case
    timeline = (await api.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
    assert len(timeline) == case["seq"]


async def test_unknown_case_is_404(api: httpx.AsyncClient) -> None:
    for response in (
        await api.get("/v1/cases/JF-2026-999999"),
        await api.get("/v1/cases/JF-2026-999999/timeline"),
        await act(api, "JF-2026-999999", "accept"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "case_not_found"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "plan",
            {"responsible_unit": "调委会", "measures": ["走访"], "deadline": "2030-01-01"},
            "responsible_person",
        ),
        (
            "plan",
            {
                "responsible_unit": "调委会",
                "responsible_person": "王芳",
                "measures": [],
                "deadline": "2030-01-01",
            },
            "measures",
        ),
        ("sessions", {"held_on": "not-a-date", "mediators": ["王芳"], "summary": "x"}, "held_on"),
        ("accept", {"note": "ok", "unexpected": 1}, "unexpected"),
        ("follow-ups", {"visited_on": "2026-01-01", "satisfaction": "很好"}, "satisfaction"),
    ],
)
async def test_invalid_body_is_422_naming_the_field(
    api: httpx.AsyncClient, path: str, body: dict[str, Any], field: str
) -> None:
    case = await create_case(api)
    response = await api.post(f"/v1/cases/{case['case_id']}/{path}", json=body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["code"] == "invalid_input"
    assert field in {e["field"].split(".")[0] for e in error["errors"]}
    assert (await api.get(f"/v1/cases/{case['case_id']}")).json() == case


async def test_a_court_decision_before_the_court_acceptance_is_409_and_changes_nothing(
    api: httpx.AsyncClient,
) -> None:
    """司法确认中 with no 法院受理 recorded: the decision is refused in Chinese, nothing changes;
    once the acceptance is recorded the decision is taken."""
    case = await case_in_stage(api, Stage.CONFIRMATION_PENDING)
    case_id = case["case_id"]
    refused = await act(api, case_id, "record_court_decision")
    assert refused.status_code == 409, refused.text
    assert "请先记录法院受理" in refused.json()["message_zh"]
    assert (await api.get(f"/v1/cases/{case_id}")).json() == case
    assert (await act(api, case_id, "record_court_acceptance")).status_code == 200
    decided = await act(api, case_id, "record_court_decision")
    assert decided.status_code == 200, decided.text
    assert decided.json()["stage"] == "following_up"


async def test_domain_validation_is_422_and_changes_nothing(api: httpx.AsyncClient) -> None:
    case = await case_in_stage(api, Stage.MEDIATING)
    response = await act(
        api,
        case["case_id"],
        "record_session",
        {"held_on": "2099-01-01", "mediators": ["王芳"], "summary": "未来的调解会"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "held_on"
    assert (await api.get(f"/v1/cases/{case['case_id']}")).json() == case


async def test_invalid_intake_is_422(api: httpx.AsyncClient) -> None:
    bad_id = intake_body(applicants=[{"name": "张伟", "id_number": "110101199003071234"}])
    response = await api.post("/v1/cases", json=bad_id)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("applicants.0.id_number")
    bad_tree = intake_body(jurisdiction={"county_code": "320102", "town_code": "330106001"})
    response = await api.post("/v1/cases", json=bad_tree)
    assert response.status_code == 422


async def test_retried_intake_returns_the_same_case(api: httpx.AsyncClient, stack: Stack) -> None:
    first, second = await asyncio.gather(
        create_case(api, key=f"intake-{stack.backend}-retry"),
        create_case(api, key=f"intake-{stack.backend}-retry"),
    )
    third = await create_case(api, key=f"intake-{stack.backend}-retry")
    assert first["case_id"] == second["case_id"] == third["case_id"]
    timeline = (await api.get(f"/v1/cases/{first['case_id']}/timeline")).json()["entries"]
    assert case_steps([entry["type"] for entry in timeline]) == ["case_registered"]
    assert first == second == third


async def test_retried_command_applies_once(api: httpx.AsyncClient) -> None:
    case = await create_case(api)
    responses = await asyncio.gather(
        *(act(api, case["case_id"], "accept", key="accept-retry") for _ in range(3))
    )
    assert {r.status_code for r in responses} == {200}
    again = await act(api, case["case_id"], "accept", key="accept-retry")
    assert again.status_code == 200
    timeline = (await api.get(f"/v1/cases/{case['case_id']}/timeline")).json()["entries"]
    assert case_steps([entry["type"] for entry in timeline]) == ["case_registered", "case_accepted"]


async def test_a_retry_after_the_case_ended_is_answered_from_the_store(
    api: httpx.AsyncClient,
) -> None:
    case = await case_in_stage(api, Stage.DECLINED)
    closed = await act(api, case["case_id"], "close", key="close-once")
    assert closed.status_code == 200
    again = await act(api, case["case_id"], "close", key="close-once")
    assert again.status_code == 200
    assert again.json()["seq"] == closed.json()["seq"]


async def test_chinese_text_round_trips(api: httpx.AsyncClient) -> None:
    title = "王某与「某某」公司——劳务纠纷（𠀀）"
    case = await create_case(api, title=title, description="拖欠工资￥12,000元；多次讨要未果。")
    stored = (await api.get(f"/v1/cases/{case['case_id']}")).json()
    assert stored["title"] == title
    assert stored["description"] == "拖欠工资￥12,000元；多次讨要未果。"


async def test_list_filters_by_stage_jurisdiction_text_unit_and_leader(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    api = clients["fz_mediator"]  # alone in its district: the lists below are exact
    county = "350102"
    jurisdiction = {"county_code": county, "town_code": f"{county}007"}
    marker = f"列表测试{stack.backend}"
    planned = await create_case(
        api, jurisdiction=jurisdiction, title=f"{marker}甲", category="labour"
    )
    await act(api, planned["case_id"], "accept")
    await act(api, planned["case_id"], "plan")
    await act(api, planned["case_id"], "assign_package_leader")
    other = await create_case(api, jurisdiction={"county_code": county}, title=f"{marker}乙")

    async def ids(**params: Any) -> list[str]:
        response = await api.get("/v1/cases", params={"jurisdiction": county, **params})
        assert response.status_code == 200, response.text
        return [item["case_id"] for item in response.json()["items"]]

    assert await ids() == [other["case_id"], planned["case_id"]]
    assert await ids(jurisdiction=f"{county}007") == [planned["case_id"]]
    assert await ids(stage="accepted") == [planned["case_id"]]
    assert await ids(category="labour") == [planned["case_id"]]
    assert await ids(q=f"{marker}乙") == [other["case_id"]]
    assert await ids(responsible_unit="梅园新村街道人民调解委员会") == [planned["case_id"]]
    assert await ids(package_leader="陈建国") == [planned["case_id"]]
    page = (await api.get("/v1/cases", params={"jurisdiction": county, "limit": 1})).json()
    assert [i["case_id"] for i in page["items"]] == [other["case_id"]]
    rest = (
        await api.get("/v1/cases", params={"jurisdiction": county, "cursor": page["next_cursor"]})
    ).json()
    assert [i["case_id"] for i in rest["items"]] == [planned["case_id"]]
    assert rest["next_cursor"] is None
    assert (await api.get("/v1/cases", params={"cursor": "garbage"})).status_code == 422
    assert (await api.get("/v1/cases", params={"limit": 1000})).status_code == 422


async def test_health_and_readiness(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    ready = await api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "temporal": "ok"}


def test_every_action_has_a_route() -> None:
    from api.handoff_schemas import HANDOFF_ROUTES
    from api.leader_schemas import LEADER_ROUTES
    from api.schemas import ACTION_ROUTES
    from api.session_schemas import SESSION_ROUTES

    every = (*ACTION_ROUTES, *HANDOFF_ROUTES, *SESSION_ROUTES, *LEADER_ROUTES)
    routes = {route.path for route in every}
    # Diversion has its own route: it opens the linked dispute case first; documents (文书)
    # theirs (api/routes/documents.py): an issue answers the document, not the case; files
    # (api/routes/attachments.py) are multipart uploads; 挂牌督办 and 摘牌 theirs
    # (api/routes/listing.py): the case records who lists and who approves.
    own = {"diversion", "documents", "attachments", "listing", "delisting"}
    assert routes | own == set(ACTION_PATHS.values())
    assert set(ACTION_PATHS) == {action.value for action in Action}


async def test_retried_intake_after_the_case_closed_returns_the_case_as_it_ended(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    key = f"intake-{stack.backend}-after-close"
    case = await create_case(api, key=key)
    assert (await act(api, case["case_id"], "decline")).status_code == 200
    closed = await act(api, case["case_id"], "close")
    assert await create_case(api, key=key) == closed.json()
    timeline = (await api.get(f"/v1/cases/{case['case_id']}/timeline")).json()["entries"]
    assert case_steps([entry["type"] for entry in timeline]) == [
        "case_registered",
        "case_declined",
        "case_closed",
    ]


async def test_retried_intake_of_a_case_whose_history_is_gone_starts_nothing(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    """After the namespace retention period only the store knows a closed case."""
    from temporalio.service import RPCError, RPCStatusCode
    from temporalio.testing import ActivityEnvironment

    from activities.store.case_numbers import reserve_case_number
    from activities.tasks.projection import CaseStore
    from api.idempotency import scoped_key
    from domain.case import commands as c
    from domain.case.decide import decide
    from domain.case.evolve import fold
    from domain.values import CaseKind
    from tests.principals import CENTER, USERS
    from tests.samples import T0, command, register
    from workflows.contract import ProjectionBatch

    key = f"intake-{stack.backend}-retention"
    # The number reserved under the key as the caller's own (api/idempotency.py).
    case_id, _ = await reserve_case_number(
        stack.sessionmaker,
        kind=CaseKind.DISPUTE,
        year=2026,
        key=scoped_key(USERS["mediator"], key),
    )
    events = decide(
        None,
        c.CommandEnvelope(
            command_id="r", actor="登记员", command=register(case_id, center_id=CENTER)
        ),
        now=T0,
    )
    for n, action in enumerate(("decline", "close")):
        envelope = c.CommandEnvelope(command_id=f"c{n}", actor="王芳", command=command(action))
        events += decide(fold(events), envelope, now=T0)
    state = fold(events)
    assert state is not None
    batch = ProjectionBatch(case_id=case_id, events=tuple(events), state=state)
    await ActivityEnvironment().run(CaseStore(stack.engine).project_case_events, batch)

    again = await create_case(api, key=key)
    assert again["case_id"] == case_id
    assert again["stage"] == "closed"
    with pytest.raises(RPCError) as raised:
        await stack.client.get_workflow_handle(case_id).describe()
    assert raised.value.status == RPCStatusCode.NOT_FOUND
