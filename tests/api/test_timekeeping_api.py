"""Clocks and alerts through the API: why a clock is due when it is; leaders acknowledge."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.worker import Worker

from activities.policy.book import LEGACY_POLICY_2026_1, PolicyBook
from activities.tasks.calendar_push import CalendarPusher
from domain.case.stages import Stage
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.clock_rules import ClockRule, Confidence
from domain.deadlines.periods import PeriodUnit
from domain.values import CaseKind
from tests.api.helpers import STAY_WITH_CENTER, act, case_in_stage, create_case
from tests.conftest import Stack
from workflows.calendar_push import CalendarPushWorkflow
from workflows.screening_contract import (
    CALENDAR_PUSH_WORKFLOW,
    CalendarPushInput,
    CalendarPushResult,
)

# Tests taking the ``legacy_2026_1`` fixture open their cases under the 2026.1 rule set (the
# old snapshot path, which running cases keep); the others under the shipped set (2026.3: the
# 2026.2 counting rules and the hand-off clocks).
DISPUTE_RULES = {
    r.rule_id: r
    for r in PolicyBook.load(base_file=LEGACY_POLICY_2026_1).base.rules
    if CaseKind.DISPUTE in r.kinds
}
CURRENT_DISPUTE_RULES = {
    r.rule_id: r for r in PolicyBook.load().base.rules if CaseKind.DISPUTE in r.kinds
}


async def _clocks(api: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    response = await api.get(f"/v1/cases/{case_id}/clocks")
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


@pytest.mark.parametrize(
    ("intake", "expected"),
    [
        ({}, {"B2", "PLAN", "ITEM", "FU", "B7", "C3", "C4"}),
        ({"category": "labour"}, {"E1", "PLAN", "ITEM", "FU", "B7", "C3", "C4"}),
        ({"category": "medical"}, {"E4", "PLAN", "ITEM", "FU", "B7", "C3", "C4"}),
        ({"category": "traffic"}, {"E6", "PLAN", "ITEM", "FU", "B7", "C3", "C4"}),
        ({"channel": "court_commissioned"}, {"B2", "D1", "PLAN", "ITEM", "FU", "B7", "C3", "C4"}),
    ],
)
async def test_clocks_explain_every_rule_of_the_case_with_its_source(
    api: httpx.AsyncClient, intake: dict[str, str], expected: set[str], legacy_2026_1: None
) -> None:
    case = await create_case(api, **intake, routing=STAY_WITH_CENTER)
    report = await _clocks(api, case["case_id"])
    assert report["policy_version"] == "2026.1"
    assert report["calendar_version"].startswith("chinesecalendar-")
    rules = {rule["rule_id"]: rule for rule in report["rules"]}
    assert set(rules) == expected
    for rule_id, rule in rules.items():
        assert rule["source"] == DISPUTE_RULES[rule_id].source
        assert rule["confidence"] in {"V", "S", "R", "D"}
        assert rule["state"] == "not_started"

    await act(api, case["case_id"], "accept")
    await act(api, case["case_id"], "start_mediation")  # traffic (E6) counts from here
    report = await _clocks(api, case["case_id"])
    started = [r for r in report["rules"] if r["clocks"]]
    assert started, "the mediation period is running"
    for rule in started:
        clock = rule["clocks"][0]
        assert clock["status"] == "running"
        assert clock["status_label"] == "计时中"
        assert clock["due_at"] > clock["started_at"]
        assert any("不计入" in step for step in clock["why"])  # the starting day is not counted


def test_every_dispute_rule_is_covered_by_the_cases_above() -> None:
    covered = {"B2", "PLAN", "ITEM", "FU", "B7", "C3", "C4", "E1", "E4", "E6", "D1"}
    assert covered == set(DISPUTE_RULES)


# Since 2026.3 every case also has the hand-off clocks (签收 TAKE, 交办反馈 A4); since 2026.5
# the 批示落实时限 (I1).
COMMON_2026_2 = {"PLAN", "ITEM", "FU", "B7", "C3", "C4", "TAKE", "A4", "I1"}


@pytest.mark.parametrize(
    ("intake", "expected", "mediation"),
    [
        ({}, {"B2"} | COMMON_2026_2, "peoples"),
        ({"category": "labour"}, {"E1"} | COMMON_2026_2, "peoples"),
        ({"category": "medical"}, {"E4", "E5", "E5a"} | COMMON_2026_2, "peoples"),
        (
            {"category": "medical", "mediation_track": "administrative"},
            {"E4", "E5", "E5a"} | COMMON_2026_2,
            "administrative",
        ),
        ({"category": "traffic"}, {"E6"} | COMMON_2026_2, "peoples"),
        ({"channel": "court_commissioned"}, {"B2", "D1", "D3"} | COMMON_2026_2, "online"),
    ],
)
async def test_the_2026_2_clocks_explain_every_rule_from_its_legal_fact(
    api: httpx.AsyncClient, intake: dict[str, str], expected: set[str], mediation: str
) -> None:
    case = await create_case(api, **intake, routing=STAY_WITH_CENTER)
    report = await _clocks(api, case["case_id"])
    assert report["policy_version"] == "2026.5"
    assert report["counting"] == "2026.2"
    rules = {rule["rule_id"]: rule for rule in report["rules"]}
    assert set(rules) == expected
    for rule_id, rule in rules.items():
        assert rule["source"] == CURRENT_DISPUTE_RULES[rule_id].source

    await act(api, case["case_id"], "accept")
    body = {"mediation_type": mediation, "mediators": ["王芳"]}
    assert (await act(api, case["case_id"], "start_mediation", body)).status_code == 200
    report = await _clocks(api, case["case_id"])
    started = [r for r in report["rules"] if r["clocks"]]
    assert started, "the mediation period is running"
    for rule in started:
        clock = rule["clocks"][0]
        assert clock["start"]["on"] <= clock["due_at"][:10]
        assert clock["why"][0].startswith("起算事实：")
        assert clock["why_steps"][0]["kind"] == "start"
        assert any(step["kind"] == "end" for step in clock["why_steps"])


def test_every_2026_2_dispute_rule_is_covered_by_the_cases_above() -> None:
    covered = {"B2", "E1", "E4", "E5", "E5a", "E6", "D1", "D3"} | COMMON_2026_2
    assert covered == set(CURRENT_DISPUTE_RULES)


async def test_pause_resume_and_extend_through_the_api(api: httpx.AsyncClient) -> None:
    case = await case_in_stage(api, Stage.ACCEPTED)
    case_id = case["case_id"]
    wrong = await act(
        api, case_id, "pause_clock", {"clock_id": "B2", "reason": "hearing", "note": ""}
    )
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "reason"
    unknown = await act(api, case_id, "pause_clock", {"clock_id": "Z9", "reason": "appraisal"})
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "clock_id"

    paused = await act(api, case_id, "pause_clock")
    assert paused.status_code == 200
    assert next(c for c in paused.json()["clocks"] if c["clock_id"] == "B2")["status"] == "paused"
    resumed = await act(api, case_id, "resume_clock")
    assert resumed.status_code == 200
    extended = await act(api, case_id, "extend_clock")
    assert extended.status_code == 200
    again = await act(api, case_id, "extend_clock")
    assert again.status_code == 409
    assert again.json()["code"] == "forbidden_transition"
    too_long = await act(
        api,
        case_id,
        "extend_clock",
        {"clock_id": "B2", "length": 99, "approver": "主任", "reason": "复杂"},
    )
    assert too_long.status_code in {409, 422}


async def test_a_major_dispute_alerts_a_leader_who_acknowledges_it(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient]
) -> None:
    leader = clients["town_leader"]
    case = await create_case(api, risk_level="major")
    case_id = case["case_id"]
    listed = (await api.get("/v1/alerts", params={"case_id": case_id})).json()["items"]
    assert len(listed) == 1
    alert = listed[0]
    assert alert["kind"] == "major_report"
    assert alert["status"] == "open"
    assert alert["recipient"] == "town-leader:320102001"
    assert "重大矛盾纠纷直报" in alert["title"]
    by_recipient = (
        await api.get("/v1/alerts", params={"recipient": alert["recipient"], "status": "open"})
    ).json()["items"]
    assert alert["alert_id"] in {a["alert_id"] for a in by_recipient}

    for _ in range(100):  # the inbox delivery is recorded by the notifier, asynchronously
        detail = (await api.get(f"/v1/alerts/{alert['alert_id']}")).json()
        if detail["deliveries"]:
            break
        await asyncio.sleep(0.05)
    assert detail["deliveries"][0]["channel"] == "inbox"

    refused = await api.post(f"/v1/alerts/{alert['alert_id']}/ack", json={"note": "已阅"})
    assert refused.status_code == 403  # a mediator sees the alert but only a leader signs for it
    acked = await leader.post(f"/v1/alerts/{alert['alert_id']}/ack", json={"note": "已阅"})
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "刘强 (liuqiang)"
    listed = (await api.get("/v1/alerts", params={"case_id": case_id})).json()["items"]
    assert listed[0]["status"] == "acknowledged"
    twice = await leader.post(f"/v1/alerts/{alert['alert_id']}/ack", json={})
    assert twice.status_code == 409
    missing = await leader.post(f"/v1/alerts/{case_id}-A99/ack", json={})
    assert missing.status_code == 404


async def test_recipient_channels_are_validated(clients: dict[str, httpx.AsyncClient]) -> None:
    api = clients["system_admin"]
    bad = await api.put(
        "/v1/recipients/person:王芳",
        json={"display_name": "王芳", "channels": [{"kind": "webhook", "url": "ftp://x"}]},
    )
    assert bad.status_code == 422
    good = await api.put(
        "/v1/recipients/person:王芳",
        json={
            "display_name": "王芳",
            "channels": [
                {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
            ],
        },
    )
    assert good.status_code == 200


def _long_book(counting: str) -> PolicyBook:
    """The shipped rules and one test rule long enough to run, whenever the test runs, into a
    year whose holiday notice is not in the data: 20000 days from the acceptance."""
    base = PolicyBook.load(base_file=LEGACY_POLICY_2026_1 if counting == "2026.1" else None).base
    long = ClockRule.model_validate(
        {
            "rule_id": "LONG",
            "name": "测试长时限",
            "source": "测试规则 / test rule",
            "confidence": Confidence.DEFAULT,
            "start_on": ["case_accepted"],
            "stop_on": ["agreement_recorded"],
            "length": 20000,
            "unit": PeriodUnit.CALENDAR_DAYS,
            "warn_before_hours": 24,
            "counting": counting,
        }
    )
    return PolicyBook(base.model_copy(update={"rules": (*base.rules, long)}))


def _notice(year: int, *holidays: date) -> dict[str, Any]:
    """Test data, not a published notice: ``holidays`` off in ``year``."""
    return {
        "year": year,
        "source": "测试数据 / test data, not a published notice",
        "holidays": [d.isoformat() for d in holidays],
        "adjusted_workdays": [],
    }


async def _push(stack: Stack, published: HolidayCalendar) -> CalendarPushResult:
    """CalendarPushWorkflow (as its Schedule or ``fengqiao calendar push`` starts it) on a worker
    that loaded the newly published notice."""
    queue = f"calendar-push-{uuid.uuid4().hex[:8]}"
    pusher = CalendarPusher(stack.client, stack.sessionmaker, published)
    async with Worker(
        stack.client,
        task_queue=queue,
        workflows=[CalendarPushWorkflow],
        activities=[pusher.push_calendar_page],
    ):
        return await stack.client.execute_workflow(
            CALENDAR_PUSH_WORKFLOW,
            CalendarPushInput(),
            id=f"calendar-push-{queue}",
            task_queue=queue,
            result_type=CalendarPushResult,
        )


@pytest.mark.parametrize("counting", ["2026.1", "2026.2"])
async def test_newly_published_holiday_data_reschedules_provisional_clocks(
    api: httpx.AsyncClient, stack: Stack, tmp_path: Path, counting: str
) -> None:
    from tests.workflows.clock_harness import calendar_with

    with stack.policy.using(_long_book(counting)):
        case = await create_case(api, received_on="2026-11-02", routing=STAY_WITH_CENTER)
    accepted = (await act(api, case["case_id"], "accept", {"accepted_on": "2026-11-02"})).json()
    clock = next(c for c in accepted["clocks"] if c["rule_id"] == "LONG")
    assert clock["schedule"]["due"]["provisional"]
    last_day = date.fromisoformat(clock["schedule"]["due"]["last_day"])
    if counting == "2026.2":
        # From the legal date, Mon 2 Nov 2026 + 20000 days: 54 years to 2 Nov 2080 (54 × 365
        # + 14 leap days = 19724), then 276 days = Tue 5 Aug 2081, in an unpublished year.
        assert last_day == date(2081, 8, 5)
    # 2026.1 counts from the recording instant (today), so its year is read from the clock.
    published = calendar_with(
        tmp_path, _notice(last_day.year, last_day, last_day + timedelta(days=1))
    )
    pushed = await _push(stack, published)
    assert case["case_id"] in pushed.case_ids
    after = (await api.get(f"/v1/cases/{case['case_id']}")).json()
    clock = next(c for c in after["clocks"] if c["rule_id"] == "LONG")
    assert not clock["schedule"]["due"]["provisional"]
    # Both days off under the (test) notice: the last day moves past them to a working day.
    moved = date.fromisoformat(clock["schedule"]["due"]["last_day"])
    assert moved >= last_day + timedelta(days=2)
    if counting == "2026.2":
        assert moved == date(2081, 8, 7)  # Thu 7 Aug
    timeline = (await api.get(f"/v1/cases/{case['case_id']}/timeline")).json()["entries"]
    assert timeline[-1]["type"] == "clocks_rescheduled"
    # Pushed again (other clocks of the case may still wait for a later year): nothing changes.
    await _push(stack, published)
    again = (await api.get(f"/v1/cases/{case['case_id']}/timeline")).json()["entries"]
    assert len(again) == len(timeline)


async def test_a_paused_clock_says_it_is_paused_instead_of_its_old_due_date(
    api: httpx.AsyncClient,
) -> None:
    from tests.samples import china_today

    today = china_today()
    accepted, paused = today - timedelta(days=5), today - timedelta(days=2)
    case = await create_case(api, received_on=str(accepted), routing=STAY_WITH_CENTER)
    case_id = case["case_id"]
    await act(api, case_id, "accept", {"accepted_on": str(accepted)})
    pause = {"clock_id": "B2", "reason": "appraisal", "note": "伤情鉴定", "paused_on": str(paused)}
    assert (await act(api, case_id, "pause_clock", pause)).status_code == 200
    report = await _clocks(api, case_id)
    b2 = next(r for r in report["rules"] if r["rule_id"] == "B2")["clocks"][-1]
    assert b2["status"] == "paused"
    # Counted before the pause: the two days after the acceptance (B2 counts calendar days).
    assert (b2["paused"]["since"], b2["paused"]["used"]) == (str(paused), 2)
    assert b2["paused"]["zh"].startswith(f"因鉴定自 {paused} 起中止计时，此前已计 2 日，尚余 ")
    assert "原定期限暂不适用" in b2["paused"]["zh"]
    running = next(r for r in report["rules"] if r["rule_id"] == "FU")
    assert all(c["paused"] is None for c in running["clocks"])


async def test_the_calendar_push_command_runs_the_push_workflow_on_the_workers(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    """``fengqiao calendar push`` starts CalendarPushWorkflow on the deployment's task queue and
    prints what the workers did (their holiday data is the one they started with)."""
    from api.cli.calendar import run_calendar_push

    assert await run_calendar_push(stack.settings) == 0
    printed = capsys.readouterr().out
    assert re.search(r"节假日数据：\d+ 件案件重算临时期限", printed)
