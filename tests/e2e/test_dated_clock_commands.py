"""Clock commands carry their dates, over HTTP against real processes.

An office types an old paper file weeks after the facts (the API's clock is the real one, from
2026-12-06 on; the legal dates are fixed in autumn 2026): a pause dated within E4, an extension
approved within A6 after its holiday move, and a court president's extension of C4 approved
before its end are accepted and counted from their dates; each last day below is counted by hand.
An extension approved after the period ran is refused, naming its field. Holidays of 2026 (the
State Council notice): 中秋 Fri 09-25; 国庆 Thu 10-01 to Wed 10-07; 调休 working days Sun 09-20
and Sat 10-10.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tests.api.helpers import act, create_case, create_petition
from tests.e2e.conftest import Processes, wait_ready
from tests.samples import action_bodies

pytestmark = pytest.mark.e2e


async def _do(api: httpx.AsyncClient, case_id: str, action: str, **fields: Any) -> dict[str, Any]:
    body = {**action_bodies(date(2026, 12, 6))[action], **fields}
    response = await act(api, case_id, action, body)
    assert response.status_code == 200, response.text
    case: dict[str, Any] = response.json()
    return case


async def _clock(api: httpx.AsyncClient, case_id: str, clock_id: str) -> dict[str, Any]:
    response = await api.get(f"/v1/cases/{case_id}/clocks")
    assert response.status_code == 200, response.text
    for rule in response.json()["rules"]:
        for clock in rule["clocks"]:
            if clock["clock_id"] == clock_id:
                found: dict[str, Any] = clock
                return found
    raise AssertionError(f"no clock {clock_id}")


async def test_a_pause_dated_within_e4_entered_weeks_later_counts_from_its_dates(
    processes: Processes,
) -> None:
    await wait_ready(processes.api_url)
    async with processes.client() as api:
        case = await create_case(api, category="medical", received_on="2026-09-01")
        case_id = case["case_id"]
        await _do(api, case_id, "accept", accepted_on="2026-09-01")
        await _do(api, case_id, "start_mediation", started_on="2026-09-02")
        # 30 working days from the day after the acceptance (Tue 09-01): Sep 2-4 (3), 7-11 (8),
        # 14-18 (13), Sun 20 调休 (14), 21-24 (18; Fri 25 中秋), 28-30 (21), Oct 8-10 with
        # Sat 10 调休 (24), 12-16 (29), Mon 10-19 = 30. Long past as it is typed: no alert yet.
        assert (await _clock(api, case_id, "E4"))["last_day"] == "2026-10-19"

        # The appraisal commissioned Tue 09-15, its opinion received Tue 09-29.
        await _do(
            api, case_id, "pause_clock", clock_id="E4", reason="appraisal", paused_on="2026-09-15"
        )
        await _do(api, case_id, "resume_clock", clock_id="E4", resumed_on="2026-09-29")
        # Counted before the pause: Sep 2-4, 7-11, 14 = 9; 09-15 to 09-28 not counted; from
        # 09-29: 29-30 (11), Oct 8-10 (14), 12-16 (19), 19-23 (24), 26-30 (29), Mon 11-02 = 30.
        e4 = await _clock(api, case_id, "E4")
        assert e4["last_day"] == "2026-11-02"
        why = "\n".join(e4["why"])
        assert "2026-09-15" in why
        assert "2026-11-02" in why
        assert any(step["kind"] == "pause" for step in e4["why_steps"])

        # Signed Fri 10-30, within the period: met, and the mediation is not failed.
        case = await _do(api, case_id, "record_agreement", signed_on="2026-10-30", items=[])
        assert case["stage"] == "agreement_reached"
        assert (await _clock(api, case_id, "E4"))["status"] == "met"


async def test_an_extension_approved_within_a6_after_its_holiday_move_counts_from_its_end(
    processes: Processes,
) -> None:
    await wait_ready(processes.api_url)
    async with processes.client() as api:
        case = await create_petition(api, received_on="2026-08-03")
        case_id = case["case_id"]
        await _do(api, case_id, "accept", accepted_on="2026-08-03")
        # Accepted Mon 08-03: 60 days → Fri 10-02, inside 国庆 (10-01 to 10-07) → Thu 10-08.
        assert (await _clock(api, case_id, "A6"))["last_day"] == "2026-10-08"

        extension = {
            "clock_id": "A6",
            "length": 30,
            "approver": "县信访局局长",
            "reason": "情况复杂",
        }
        late = await act(api, case_id, "extend_clock", {**extension, "approved_on": "2026-10-09"})
        assert late.status_code == 422, late.text
        assert late.json()["field"] == "approved_on"
        assert late.json()["message_zh"].startswith("批准延期日期 2026-10-09 晚于")

        await _do(api, case_id, "extend_clock", **extension, approved_on="2026-09-30")
        # From the end after the holiday move (10-08) + 30 days = Sat 11-07 → Mon 11-09.
        a6 = await _clock(api, case_id, "A6")
        assert a6["last_day"] == "2026-11-09"
        why = "\n".join(a6["why"])
        assert "2026-10-08" in why
        assert "2026-09-30" in why  # the approval date
        assert "2026-11-09" in why

        await _do(api, case_id, "reply", answered_on="2026-11-06", served_on="2026-11-06")
        assert (await _clock(api, case_id, "A6"))["status"] == "met"


async def test_a_courts_extension_of_c4_approved_before_its_end_is_accepted_weeks_later(
    processes: Processes,
) -> None:
    await wait_ready(processes.api_url)
    async with processes.client() as api:
        case = await create_case(api, received_on="2026-10-08")
        case_id = case["case_id"]
        await _do(api, case_id, "accept", accepted_on="2026-10-08")
        await _do(api, case_id, "start_mediation", started_on="2026-10-09")
        await _do(api, case_id, "record_agreement", signed_on="2026-10-30", items=[])
        await _do(api, case_id, "apply_judicial_confirmation", applied_on="2026-11-03")
        await _do(api, case_id, "record_court_acceptance", accepted_on="2026-11-06")
        # Accepted Fri 11-06: 15 days → Sat 11-21 → Mon 11-23.
        assert (await _clock(api, case_id, "C4"))["last_day"] == "2026-11-23"

        # The president's extension approved 11-20, entered on 12-06 or later.
        await _do(
            api,
            case_id,
            "extend_clock",
            clock_id="C4",
            length=10,
            approver="法院院长",
            reason="案情复杂",
            approved_on="2026-11-20",
        )
        # From 11-23 + 10 days = Thu 12-03; the C5 cap (11-06 + 30 = Sun 12-06 → Mon 12-07)
        # does not bind.
        c4 = await _clock(api, case_id, "C4")
        assert c4["last_day"] == "2026-12-03"
        why = "\n".join(c4["why"])
        assert "2026-11-20" in why
        assert "2026-12-03" in why

        await _do(api, case_id, "record_court_decision", decided_on="2026-12-02")
        assert (await _clock(api, case_id, "C4"))["status"] == "met"
