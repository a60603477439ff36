"""Legal dates over HTTP (issue 10): clocks count from the facts, however late they are recorded.

Both stores, the shipped 2026.2 rule set. Dates are relative to today; each expected last day is
counted with the plain rule (the Nth day, moved off a rest day) against the case's own holiday
data, independently of the engine's counting.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from activities.policy.calendar_data import load_calendar
from activities.tasks.policy import YEARS_SNAPSHOTTED, calendar_slice
from domain.deadlines.daybook import DayBook
from tests.api.helpers import act, create_case, create_petition
from tests.samples import china_today


def _book() -> DayBook:
    today = china_today()
    return DayBook(calendar_slice(load_calendar(), today.year, YEARS_SNAPSHOTTED))


def _moved(day: date, book: DayBook) -> date:
    """民法典 Art.203: a last day that is not a working day moves to the next working day."""
    while not book.is_working_day(day):
        day += timedelta(days=1)
    return day


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _clock(api: httpx.AsyncClient, case_id: str, rule_id: str) -> dict[str, Any]:
    report = await _ok(await api.get(f"/v1/cases/{case_id}/clocks"))
    rule = next(r for r in report["rules"] if r["rule_id"] == rule_id)
    assert rule["clocks"], f"{rule_id} has not started"
    clock: dict[str, Any] = rule["clocks"][-1]
    return clock


async def _timeline(api: httpx.AsyncClient, case_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (await _ok(await api.get(f"/v1/cases/{case_id}/timeline")))[
        "entries"
    ]
    return entries


def _kinds(clock: dict[str, Any]) -> list[str]:
    return [step["kind"] for step in clock["why_steps"]]


async def test_an_agreement_recorded_ten_days_after_signing_opens_b7_from_the_signing(
    api: httpx.AsyncClient,
) -> None:
    today = china_today()
    signed = today - timedelta(days=10)
    case = await create_case(api, received_on=(today - timedelta(days=12)).isoformat())
    case_id = case["case_id"]
    await _ok(await act(api, case_id, "accept", {"accepted_on": str(today - timedelta(days=12))}))
    await _ok(
        await act(
            api,
            case_id,
            "start_mediation",
            {
                "mediation_type": "peoples",
                "mediators": ["王芳"],
                "started_on": str(today - timedelta(days=11)),
            },
        )
    )
    await _ok(
        await act(
            api,
            case_id,
            "record_agreement",
            {"terms": "李某于十日内清理通道建材。", "signed_on": str(signed), "items": []},
        )
    )

    b7 = await _clock(api, case_id, "B7")
    assert b7["start"]["fact"] == "agreement_recorded"
    assert b7["start"]["on"] == str(signed)
    assert b7["start"]["late_days"] == 10
    assert "补录" in b7["start"]["note"]
    expected = _moved(signed + timedelta(days=30), _book())
    assert b7["last_day"] == str(expected)
    assert expected < today + timedelta(days=30)  # counted from the recording it would be later
    assert b7["why"][0] == (
        f"起算事实：调解协议生效（各方签字），日期 {signed} / "
        f"the period starts from the agreement taking effect (signed) on {signed}"
    )
    assert _kinds(b7)[:3] == ["start", "late_entry", "not_counted"]
    late = b7["why_steps"][1]
    assert late["count"] == 10
    assert f"晚于事实发生 10 日；期间仍自 {signed} 起算" in late["zh"]

    entry = next(e for e in await _timeline(api, case_id) if e["type"] == "agreement_recorded")
    assert entry["fact_on"] == str(signed)
    assert entry["late_days"] == 10
    assert f"（补录：事实日期 {signed}，{today} 录入，晚 10 日）" in entry["summary"]


async def test_a_reply_served_and_recorded_late_starts_the_review_window_from_service(
    api: httpx.AsyncClient,
) -> None:
    today = china_today()
    received = today - timedelta(days=20)
    served = today - timedelta(days=6)
    case = await create_petition(api, received_on=str(received))
    case_id = case["case_id"]
    await _ok(await act(api, case_id, "accept", {"accepted_on": str(received)}))
    reply = {
        "answer": "经调查核实，对信访人诉求依法予以支持。",
        "answered_on": str(today - timedelta(days=8)),
        "served_on": str(served),
    }
    await _ok(await act(api, case_id, "reply", reply))

    a7 = await _clock(api, case_id, "A7")
    assert a7["status"] == "running"
    assert a7["start"]["fact"] == "petition_replied"
    assert a7["start"]["on"] == str(served)
    assert a7["start"]["late_days"] == 6
    assert a7["last_day"] == str(_moved(served + timedelta(days=30), _book()))
    assert a7["why"][0].startswith(f"起算事实：书面答复送达信访人，日期 {served}")
    assert "late_entry" in _kinds(a7)

    entry = next(e for e in await _timeline(api, case_id) if e["type"] == "petition_replied")
    assert entry["fact_on"] == str(served)
    assert entry["late_days"] == 6
    assert f"{served}送达信访人" in entry["summary"]


async def test_a_paused_and_extended_clock_tells_every_step(api: httpx.AsyncClient) -> None:
    # An old paper file entered now, every date in 2026, counted by hand against the 2026
    # notice (劳动节 Fri 1 – Tue 5 May). The pause and the extension are dated within B2's
    # period, so they count although B2 had run when they were entered.
    case = await create_case(api, received_on="2026-03-02")
    case_id = case["case_id"]
    await _ok(await act(api, case_id, "accept", {"accepted_on": "2026-03-02"}))
    pause = {"clock_id": "B2", "reason": "appraisal", "note": "伤情鉴定", "paused_on": "2026-03-10"}
    await _ok(await act(api, case_id, "pause_clock", pause))
    resume = {"clock_id": "B2", "resumed_on": "2026-03-20"}
    await _ok(await act(api, case_id, "resume_clock", resume))
    extension = {
        "clock_id": "B2",
        "length": 18,
        "approver": "调委会主任李明",
        "reason": "复杂",
        "approved_on": "2026-04-10",
    }
    await _ok(await act(api, case_id, "extend_clock", extension))

    b2 = await _clock(api, case_id, "B2")
    steps = {step["kind"]: step for step in reversed(b2["why_steps"])}  # first of each kind
    assert steps["start"]["day"] == "2026-03-02"
    pause_step = steps["pause"]
    assert pause_step["name"] == "appraisal"
    # Paused Tue 10 Mar, counting again on Fri 20 Mar: 10–19 Mar, every day of it (calendar days).
    assert (pause_step["day"], pause_step["until"], pause_step["count"]) == (
        "2026-03-10",
        "2026-03-19",
        10,
    )
    assert "因鉴定（伤情鉴定）中止计时" in pause_step["zh"]
    assert "10 日不计入" in pause_step["zh"]
    # One month from 2 Mar is 31 days to the corresponding day 2 Apr; 10 paused days push the
    # last day to Sun 12 Apr, a rest day: the original period ends on Mon 13 Apr.
    assert steps["period"]["count"] == 1
    assert steps["period"]["day"] == "2026-04-12"
    ext = steps["extension"]
    # 18 days from the end after its move (13 Apr) = Fri 1 May, 劳动节 (1–5 May).
    assert (ext["count"], ext["name"], ext["until"], ext["day"]) == (
        18,
        "调委会主任李明",
        "2026-04-13",
        "2026-05-01",
    )
    assert "自原期间届满之日" in ext["zh"]
    last_move = [s for s in b2["why_steps"] if s["kind"] == "holiday_move"][-1]
    assert (last_move["until"], last_move["name"], last_move["day"]) == (
        "2026-05-01",
        "劳动节",
        "2026-05-06",
    )
    assert b2["last_day"] == "2026-05-06"  # Wed 6 May, the first working day after 劳动节
    assert not b2["provisional"]
    kinds = _kinds(b2)
    assert kinds.index("pause") < kinds.index("period") < kinds.index("extension")
    assert kinds[-2:] == ["end", "calendar"]
    assert b2["pauses"][0]["paused_on"] == "2026-03-10"
    assert b2["pauses"][0]["resumed_on"] == "2026-03-20"
    assert b2["extensions"][0]["approver"] == "调委会主任李明"


async def test_the_court_decision_clock_tells_its_cap_from_the_courts_acceptance(
    api: httpx.AsyncClient,
) -> None:
    # An old paper file entered now: every fact dated in March 2026, counted by hand against
    # the 2026 notice (清明 Sat 4 – Mon 6 Apr).
    case = await create_case(api, received_on="2026-03-02")
    case_id = case["case_id"]
    for action, body in (
        ("accept", {"accepted_on": "2026-03-02"}),
        (
            "start_mediation",
            {"mediation_type": "peoples", "mediators": ["王芳"], "started_on": "2026-03-02"},
        ),
        ("record_agreement", {"terms": "当场履行完毕。", "signed_on": "2026-03-03", "items": []}),
        ("apply_judicial_confirmation", {"court": "玄武区人民法院", "applied_on": "2026-03-04"}),
        ("record_court_acceptance", {"accepted_on": "2026-03-06"}),
    ):
        await _ok(await act(api, case_id, action, body))
    c4 = await _clock(api, case_id, "C4")
    assert c4["cap_start"]["fact"] == "court_acceptance_recorded"
    assert c4["cap_start"]["on"] == "2026-03-06"
    # C4: Fri 6 Mar + 15 days = Sat 21 Mar, a rest day: the period ends on Mon 23 Mar.
    assert c4["last_day"] == "2026-03-23"
    cap = next(s for s in c4["why_steps"] if s["kind"] == "cap")
    assert cap["name"] == "C5"
    assert cap["count"] == 30
    # C5: 6 Mar + 30 days = Sun 5 Apr, inside 清明 (4–6 Apr): its last day is Tue 7 Apr, later
    # than C4's, so the cap does not bind.
    assert cap["day"] == "2026-04-07"
    assert "上限不约束本期间" in cap["zh"]
    assert "2026-04-05 为清明节，顺延" in cap["zh"]
    assert c4["cap_at"] is not None
    assert not c4["provisional"]


async def test_a_date_in_the_future_or_before_its_fact_is_refused_and_nothing_changes(
    api: httpx.AsyncClient,
) -> None:
    today = china_today()
    case = await create_case(api, received_on=str(today - timedelta(days=3)))
    case_id = case["case_id"]
    before = await _timeline(api, case_id)
    for accepted_on in (today + timedelta(days=1), today - timedelta(days=4)):
        refused = await act(api, case_id, "accept", {"accepted_on": str(accepted_on)})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "accepted_on"
    assert await _timeline(api, case_id) == before
    case_now = await _ok(await api.get(f"/v1/cases/{case_id}"))
    assert case_now["stage"] == "registered"


async def test_the_openapi_description_says_what_an_omitted_date_means(
    api: httpx.AsyncClient,
) -> None:
    schemas = (await _ok(await api.get("/openapi.json")))["components"]["schemas"]
    for model, field in (
        ("AcceptRequest", "accepted_on"),
        ("StartMediationRequest", "started_on"),
        ("ReplyRequest", "served_on"),
        ("PauseRequest", "paused_on"),
        ("ResumeRequest", "resumed_on"),
        ("IntakeRequest", "received_on"),
    ):
        description = schemas[model]["properties"][field]["description"]
        assert "省略则为" in description
        assert "China time" in description
    assert "new_end" in schemas["ExtendRequest"]["properties"]


async def test_a_case_opened_under_2026_1_keeps_counting_from_the_recording(
    api: httpx.AsyncClient, legacy_2026_1: None
) -> None:
    from datetime import datetime

    from domain.deadlines.periods import PeriodUnit, due_after

    today = china_today()
    case = await create_case(api, received_on=str(today - timedelta(days=5)))
    case_id = case["case_id"]
    await _ok(await act(api, case_id, "accept", {"accepted_on": str(today - timedelta(days=5))}))
    report = await _ok(await api.get(f"/v1/cases/{case_id}/clocks"))
    assert (report["policy_version"], report["counting"]) == ("2026.1", "2026.1")
    b2 = await _clock(api, case_id, "B2")
    assert b2["start"] is None  # 2026.1: from the recording instant, as it always counted
    calendar = calendar_slice(load_calendar(), today.year, YEARS_SNAPSHOTTED)
    expected = due_after(
        datetime.fromisoformat(b2["started_at"]), 30, PeriodUnit.CALENDAR_DAYS, calendar
    )
    assert b2["last_day"] == str(expected.last_day)
    assert b2["why"] == list(expected.steps)
    entry = next(e for e in await _timeline(api, case_id) if e["type"] == "case_accepted")
    assert entry["fact_on"] == str(today - timedelta(days=5))  # the legal date is kept all the same
