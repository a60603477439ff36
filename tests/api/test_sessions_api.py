"""调解会排期 and 调解日程 over HTTP (both stores): book, move, hold, cancel; 待记录调解会.

The stack's database is shared by the session's tests: each test finds its own cases.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from temporalio.testing import ActivityEnvironment

from activities.store import alert_store
from activities.store.case_numbers import reserve_case_number
from activities.tasks.projection import CaseStore
from domain.values import CaseKind
from tests.api.helpers import STAY_WITH_CENTER, act, create_case
from tests.conftest import Stack
from tests.principals import CENTER
from tests.samples import action_bodies, china_today
from tests.worklist_support import CaseAt
from workflows.contract import ProjectionBatch


async def _mediating(api: httpx.AsyncClient) -> dict[str, Any]:
    case = await create_case(api, routing=STAY_WITH_CENTER)
    for action in ("accept", "start_mediation"):
        response = await act(api, case["case_id"], action)
        assert response.status_code == 200, response.text
    return case


def _week_ahead(hour: int = 9, days: int = 7) -> str:
    return f"{(china_today() + timedelta(days=days)).isoformat()}T{hour:02d}:30:00+08:00"


async def _agenda(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/sessions", params=params)
    assert response.status_code == 200, response.text
    agenda: dict[str, Any] = response.json()
    return agenda


def _on(agenda: dict[str, Any], case_id: str) -> list[dict[str, Any]]:
    return [item for item in agenda["items"] if item["case_id"] == case_id]


async def test_a_booked_session_is_on_the_mediators_agenda_and_the_organisations(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    case = await _mediating(mediator)
    case_id = case["case_id"]
    body = {**action_bodies(china_today())["schedule_session"], "starts_at": _week_ahead()}
    response = await act(mediator, case_id, "schedule_session", body)
    assert response.status_code == 200, response.text

    mine = _on(await _agenda(mediator, mine="true"), case_id)
    assert [(i["schedule_no"], i["status_label"], i["place"]) for i in mine] == [
        (1, "待召开", "长江路社区调解室")
    ]
    assert mine[0]["time_label"] == f"{china_today() + timedelta(days=7)} 09:30"
    assert (mine[0]["mediators"], mine[0]["parties"], mine[0]["unrecorded"]) == (
        "王芳、赵强",
        2,
        False,
    )
    # The center's other staff see it on the organisation's agenda, not as theirs.
    assert _on(await _agenda(clients["center_admin"]), case_id)
    assert not _on(await _agenda(clients["center_admin"], mine="true"), case_id)
    # Another organisation's mediator sees nothing of it; the town's leader does.
    assert not _on(await _agenda(clients["other_mediator"]), case_id)
    assert _on(await _agenda(clients["town_leader"]), case_id)
    # Outside the asked days it is not listed.
    tomorrow = (china_today() + timedelta(days=1)).isoformat()
    assert not _on(await _agenda(mediator, **{"from": tomorrow, "to": tomorrow}), case_id)

    timeline = (await mediator.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
    texts = [entry["summary"] for entry in timeline]
    assert any(text.startswith("安排第1次调解会：") for text in texts), texts
    assert not any("13812345678" in text for text in texts)


async def test_a_session_moved_then_held_is_linked_to_its_booking(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    case_id = (await _mediating(mediator))["case_id"]
    today = action_bodies(china_today())
    booked = {**today["schedule_session"], "starts_at": _week_ahead()}
    assert (await act(mediator, case_id, "schedule_session", booked)).status_code == 200
    moved = {**today["postpone_session"], "starts_at": _week_ahead(14, 8), "place": "街道调解室"}
    response = await act(mediator, case_id, "postpone_session", moved)
    assert response.status_code == 200, response.text
    [line] = _on(await _agenda(mediator, mine="true"), case_id)
    assert (line["time_label"][-5:], line["place"], line["postponed"]) == ("14:30", "街道调解室", 1)

    held = {**today["record_session"], "schedule_no": 1}
    response = await act(mediator, case_id, "record_session", held)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["scheduled_sessions"][0]["status"] == "held"
    assert after["scheduled_sessions"][0]["session_no"] == 1
    [line] = _on(await _agenda(mediator, mine="true"), case_id)
    assert line["status_label"] == "已召开"


async def test_refusals_name_the_field_and_change_nothing(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    case_id = (await _mediating(mediator))["case_id"]
    before = (await mediator.get(f"/v1/cases/{case_id}")).json()
    today = action_bodies(china_today())
    past = {**today["schedule_session"], "starts_at": _week_ahead(days=-1)}
    response = await act(mediator, case_id, "schedule_session", past)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "starts_at"
    assert response.json()["message_zh"].startswith("调解会时间：")
    response = await act(mediator, case_id, "cancel_session", today["cancel_session"])
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "schedule_no"
    assert (await mediator.get(f"/v1/cases/{case_id}")).json()["seq"] == before["seq"]

    booked = {**today["schedule_session"], "starts_at": _week_ahead()}
    assert (await act(mediator, case_id, "schedule_session", booked)).status_code == 200
    assert (
        await act(mediator, case_id, "cancel_session", today["cancel_session"])
    ).status_code == 200
    again = await act(mediator, case_id, "cancel_session", today["cancel_session"])
    assert again.status_code == 409, again.text
    assert "第1次排期的调解会已取消" in again.json()["message_zh"]
    assert not [
        line
        for line in _on(await _agenda(mediator, mine="true"), case_id)
        if line["status"] == "scheduled"
    ]


async def test_the_agenda_refuses_a_reversed_or_too_long_range(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    today = china_today()
    reversed_ = await mediator.get(
        "/v1/sessions", params={"from": today.isoformat(), "to": str(today - timedelta(days=1))}
    )
    assert reversed_.status_code == 422
    assert reversed_.json()["field"] == "to"
    too_long = await mediator.get("/v1/sessions", params={"to": str(today + timedelta(days=90))})
    assert too_long.status_code == 422


async def test_a_session_whose_day_passed_unrecorded_is_in_the_worklist(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    """Booked in March 2026 for a week later, never recorded: 待记录调解会 for the holder and
    the mediators it names, not for another organisation."""
    case_id, _ = await reserve_case_number(
        stack.sessionmaker, kind=CaseKind.DISPUTE, year=2026, key=f"unrecorded-{stack.backend}"
    )
    built = CaseAt(case_id, center=CENTER)
    built.do("accept").do("start_mediation").do("schedule_session")
    batch = ProjectionBatch(case_id=case_id, events=tuple(built.events))
    await ActivityEnvironment().run(CaseStore(stack.engine).project_case_events, batch)

    mediator = clients["mediator"]
    mine = (await mediator.get("/v1/worklist", params={"mine": "true"})).json()
    assert mine["group_labels"]["session_unrecorded"] == "待记录调解会"
    assert mine["counts"]["session_unrecorded"] >= 1
    grouped = await mediator.get(
        "/v1/worklist", params={"mine": "true", "group": "session_unrecorded", "limit": 200}
    )
    lines = [i for i in grouped.json()["items"] if i["case_id"] == case_id]
    assert [(i["kind_label"], i["overdue"]) for i in lines] == [("待记录调解会", True)]
    assert lines[0]["summary"].startswith("第1次排期的调解会（2026-03-09 09:30，")
    # Also at the top of the whole worklist's first page.
    assert any(i["case_id"] == case_id for i in mine["items"])
    # The center's organisation worklist has it; another organisation's does not.
    center = (await clients["center_admin"].get("/v1/worklist")).json()
    assert any(i["case_id"] == case_id for i in center["items"])
    other = (await clients["other_mediator"].get("/v1/worklist")).json()
    assert not any(i["case_id"] == case_id for i in other["items"])
    # Recorded as held (here: folded and projected), it leaves the worklist.
    built.do("record_session", schedule_no=1)
    batch = ProjectionBatch(case_id=case_id, events=tuple(built.events))
    await ActivityEnvironment().run(CaseStore(stack.engine).project_case_events, batch)
    after = await mediator.get(
        "/v1/worklist", params={"mine": "true", "group": "session_unrecorded"}
    )
    assert not [i for i in after.json()["items"] if i["case_id"] == case_id]


async def test_the_mediators_of_a_booked_session_are_told_in_their_inbox(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    """调解会通知: one notice per mediator (none has a channel: it waits in the inbox), never
    an alert of the case."""
    mediator = clients["mediator"]
    case_id = (await _mediating(mediator))["case_id"]
    body = {**action_bodies(china_today())["schedule_session"], "starts_at": _week_ahead()}
    booked = (await act(mediator, case_id, "schedule_session", body)).json()
    notice = f"{case_id}-S1-E{booked['seq']}"
    deadline = asyncio.get_running_loop().time() + 20
    found: list[dict[str, Any]] = []
    while asyncio.get_running_loop().time() < deadline:
        async with stack.sessionmaker() as session:
            found = await alert_store.deliveries(notice, session=session)
        if len(found) == 2:
            break
        await asyncio.sleep(0.2)
    assert sorted((d["recipient"], d["channel"], d["succeeded"]) for d in found) == [
        ("person:王芳", "inbox", True),
        ("person:赵强", "inbox", True),
    ]
    assert not [a for a in booked["alerts"] if a["alert_id"].startswith(notice)]
