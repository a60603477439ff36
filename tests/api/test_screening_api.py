"""排查 over HTTP on the dev server with the real worker: a unit files its report (the cases it
registered, or 零报告), leaders launch 专项排查 in their area, the system administrator pauses the
Schedules, and missed reports per unit per period are there for accountability."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import httpx
import pytest

from activities.policy.screening import load_screening_policy
from activities.tasks.schedules import ensure_schedules
from api.idempotency import scoped_key
from api.services.screening import missed_screening_reports, sweep_ids
from domain.screening.duties import Sweep
from tests import principals
from tests.api.helpers import STAY_WITH_CENTER, create_case
from tests.conftest import Stack
from tests.samples import china_today
from workflows.screening_contract import (
    SCREENING_PERIOD_WORKFLOW,
    OpenedDuties,
    PeriodInput,
    screening_schedule_id,
    sweep_workflow_id,
)


async def _open(stack: Stack, rule_id: str, day: date) -> OpenedDuties:
    """A period opened as its Schedule opens it (the same workflow, started by hand)."""
    return await stack.client.execute_workflow(
        SCREENING_PERIOD_WORKFLOW,
        PeriodInput(rule_id=rule_id, day=day),
        id=f"period-{uuid.uuid4().hex[:8]}",
        task_queue=stack.settings.task_queue,
        result_type=OpenedDuties,
    )


def _own(opened: OpenedDuties, listing: httpx.Response) -> dict[str, object]:
    assert listing.status_code == 200, listing.text
    mine = [d for d in listing.json()["items"] if d["duty_id"] in opened.duty_ids]
    assert len(mine) == 1
    return mine[0]


async def test_a_unit_files_its_disputes_and_another_its_zero_report(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    opened = await _open(stack, "county-monthly", china_today())
    mediator, other = clients["mediator"], clients["other_mediator"]
    duty = _own(opened, await mediator.get("/v1/screening/duties"))
    assert duty["org_id"] == "xw-center"
    assert duty["status"] == "open"
    assert duty["status_label"] == "待报送"
    # Another center's staff do not see it, and cannot file it.
    other_ids = {d["duty_id"] for d in (await other.get("/v1/screening/duties")).json()["items"]}
    assert duty["duty_id"] not in other_ids
    url = f"/v1/screening/duties/{duty['duty_id']}/report"
    assert (await other.post(url, json={"zero": True})).status_code == 404

    # Refused, nothing changes: a 零报告 listing cases; a case another unit registered.
    refused = await mediator.post(url, json={"zero": True, "case_ids": ["JF-2026-000001"]})
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "case_ids"
    foreign = await create_case(other)
    refused = await mediator.post(url, json={"case_ids": [foreign["case_id"]]})
    assert refused.status_code == 422, refused.text
    assert "本单位登记" in refused.json()["message_zh"]

    found = await create_case(mediator, routing=STAY_WITH_CENTER)  # 登记 through intake
    filed = await mediator.post(url, json={"case_ids": [found["case_id"]], "note": "排查发现一起"})
    assert filed.status_code == 200, filed.text
    assert filed.json()["status"] == "filed"
    assert filed.json()["zero_report"] is False
    assert filed.json()["case_ids"] == [found["case_id"]]
    again = await mediator.post(url, json={"zero": True})
    assert again.status_code == 409, again.text

    # A leader of the county sees the unit's duty filed.
    county = await clients["county_leader"].get(f"/v1/screening/duties/{duty['duty_id']}")
    assert county.status_code == 200
    assert county.json()["status"] == "filed"


async def test_a_zero_report_closes_the_duty(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    opened = await _open(stack, "county-monthly", china_today() + timedelta(days=40))
    duty = _own(opened, await clients["center_admin"].get("/v1/screening/duties"))
    filed = await clients["center_admin"].post(
        f"/v1/screening/duties/{duty['duty_id']}/report", json={"zero": True}
    )
    assert filed.status_code == 200, filed.text
    assert (filed.json()["status"], filed.json()["zero_report"]) == ("filed", True)


async def test_a_leader_sweeps_their_area_only(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    today = china_today()
    body = {
        "area": "320102002",  # 新街口街道: not 刘强's town
        "theme": "节前专项排查",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=5)),
    }
    refused = await clients["town_leader"].post("/v1/screening/sweeps", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "area"
    backwards = {**body, "area": "320102001", "ends_on": str(today - timedelta(days=1))}
    assert (
        await clients["town_leader"].post("/v1/screening/sweeps", json=backwards)
    ).status_code == 422
    launched = await clients["county_leader"].post("/v1/screening/sweeps", json=body)
    assert launched.status_code == 201, launched.text
    sweep = launched.json()
    assert sweep["period_key"] == f"ZX{sweep['sweep_id']}"
    listing = (await clients["county_leader"].get("/v1/screening/duties")).json()["items"]
    swept = [d for d in listing if d["source"] == f"sweep-{sweep['sweep_id']}"]
    assert len(swept) == sweep["duties"]
    assert all(d["jurisdiction_code"].startswith("320102002") for d in swept)
    assert all(d["theme"] == "节前专项排查" for d in swept)


def _swept(listing: httpx.Response, sweep_id: str) -> list[dict[str, object]]:
    assert listing.status_code == 200, listing.text
    return [d for d in listing.json()["items"] if d["source"] == f"sweep-{sweep_id}"]


async def test_a_retried_sweep_opens_its_duties_once(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    leader = clients["county_leader"]
    today = china_today()
    body = {
        "area": "320102001",
        "theme": "重试的专项排查",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=3)),
    }
    key = {"Idempotency-Key": f"sweep-{uuid.uuid4()}"}
    first = await leader.post("/v1/screening/sweeps", json=body, headers=key)
    assert first.status_code == 201, first.text
    sweep = first.json()
    assert sweep["sweep_id"].startswith(f"{today:%y%m%d}")
    # The answer was lost; the leader's client sends the launch again, twice.
    for _ in range(2):
        again = await leader.post("/v1/screening/sweeps", json=body, headers=key)
        assert again.status_code == 201, again.text
        assert again.json() == sweep
    duties = _swept(await leader.get("/v1/screening/duties"), sweep["sweep_id"])
    assert len(duties) == sweep["duties"] > 0
    assert len({d["org_id"] for d in duties}) == len(duties)  # one duty per unit

    # The same key with another theme is refused, and launches nothing.
    before = {d["source"] for d in (await leader.get("/v1/screening/duties")).json()["items"]}
    reused = await leader.post(
        "/v1/screening/sweeps", json={**body, "theme": "另一次排查"}, headers=key
    )
    assert reused.status_code == 422, reused.text
    assert reused.json()["field"] == "Idempotency-Key"
    after = {d["source"] for d in (await leader.get("/v1/screening/duties")).json()["items"]}
    assert after == before

    # Without a key, each request is a launch of its own.
    plain = [await leader.post("/v1/screening/sweeps", json=body) for _ in range(2)]
    assert [r.status_code for r in plain] == [201, 201], [r.text for r in plain]
    assert plain[0].json()["sweep_id"] != plain[1].json()["sweep_id"]


async def test_a_sweep_id_another_launch_holds_is_passed_over(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    leader = clients["county_leader"]
    today = china_today()
    body = {
        "area": "320102001",
        "theme": "编号相撞的专项排查",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=2)),
    }
    key = f"clash-{uuid.uuid4()}"
    mark = scoped_key(principals.USERS["county_leader"], key)
    taken, second = list(sweep_ids(today, mark))[:2]
    # Another launch already holds the first id this one would take.
    other = Sweep(
        sweep_id=taken,
        area="320102002",
        theme="另一单位的排查",
        starts_on=today,
        ends_on=today + timedelta(days=2),
        launched_by=principals.USERS["county_leader"].actor,
    )
    held = await stack.client.execute_workflow(
        SCREENING_PERIOD_WORKFLOW,
        PeriodInput(sweep=other),
        id=sweep_workflow_id(taken),
        task_queue=stack.settings.task_queue,
        result_type=OpenedDuties,
        memo={"launch": "auto-another-launch"},
    )
    launched = await leader.post(
        "/v1/screening/sweeps", json=body, headers={"Idempotency-Key": key}
    )
    assert launched.status_code == 201, launched.text
    assert launched.json()["sweep_id"] == second
    duties = _swept(await leader.get("/v1/screening/duties"), second)
    assert len(duties) == launched.json()["duties"]
    assert all(d["theme"] == "编号相撞的专项排查" for d in duties)
    # The other launch's duties are its own, untouched.
    theirs = _swept(await leader.get("/v1/screening/duties"), taken)
    assert len(theirs) == len(held.duty_ids)
    assert all(d["theme"] == "另一单位的排查" for d in theirs)


async def test_an_administrator_pauses_and_resumes_a_schedule(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    await ensure_schedules(stack.client, load_screening_policy(), stack.settings.task_queue)
    admin = clients["system_admin"]
    weekly = screening_schedule_id("village-weekly")
    paused = await admin.post(f"/v1/screening/schedules/{weekly}/pause", json={"note": "春节"})
    assert paused.status_code == 200, paused.text
    states = {s["schedule_id"]: s for s in paused.json()["items"]}
    assert states[weekly]["paused"]
    assert states[weekly]["note"] == "春节"
    # A worker starting again leaves the pause as it is.
    await ensure_schedules(stack.client, load_screening_policy(), stack.settings.task_queue)
    listed = {
        s["schedule_id"]: s for s in (await admin.get("/v1/screening/schedules")).json()["items"]
    }
    assert listed[weekly]["paused"]
    resumed = await admin.post(f"/v1/screening/schedules/{weekly}/resume")
    assert not {s["schedule_id"]: s for s in resumed.json()["items"]}[weekly]["paused"]
    assert (await admin.post("/v1/screening/schedules/nope/pause")).status_code == 404
    assert (
        await clients["county_leader"].post(f"/v1/screening/schedules/{weekly}/pause")
    ).status_code == 403


async def test_missed_reports_per_unit_per_period(stack: Stack) -> None:
    """A period already over when it opens: the duty escalates at once and counts as missed."""
    past = date(2026, 1, 12)
    opened = await _open(stack, "county-monthly", past)
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        async with stack.sessionmaker() as session:
            missed = await missed_screening_reports(
                session, within="320102", ends_from=date(2026, 1, 1), ends_to=date(2026, 1, 31)
            )
        ours = [m for m in missed if m.duty_id in opened.duty_ids]
        if len(ours) == 2 or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.2)
    # 玄武区's two county centers, one row each for the period; not 秦淮区's center.
    by_unit = {m.org_id: m for m in ours}
    assert set(by_unit) == {"xw-center", "xw-petition"}
    assert len(ours) == 2
    assert by_unit["xw-center"].period_key == "2026-01"
    assert by_unit["xw-center"].status == "overdue"
    assert by_unit["xw-center"].escalated_to == "org:xw-center"
    # Outside the range asked for: nothing.
    async with stack.sessionmaker() as session:
        later = await missed_screening_reports(
            session, within="320102", ends_from=date(2026, 2, 1), ends_to=date(2026, 2, 28)
        )
    assert not [m for m in later if m.duty_id in opened.duty_ids]


pytestmark = pytest.mark.usefixtures("clients")
