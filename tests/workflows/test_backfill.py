"""Back-filling an old file on the time-skipping server: the facts decide, not the order of typing.

Each case is typed in one go on 2026-12-06 or later (the server's clock), fact by fact, from
fixed legal dates in autumn 2026. A clock already run when its starting fact is entered waits
for the policy's grace (30 minutes) before it warns or breaches, so the facts typed next answer
it first; a breach already notified is withdrawn when a fact dated within its period arrives,
and each recipient it reached is told once; a true breach stays one and escalates on time.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.stages import Stage
from domain.case.state import CaseState
from tests.samples import PETITION_INTAKE
from tests.workflows.clock_harness import Clockwork, calendar_with, clockwork

# 补录宽限 in the shipped policy (2026.4), and a wait safely past it.
GRACE = timedelta(minutes=30)
PAST_GRACE = timedelta(hours=2)


def _clock_status(state: CaseState, clock_id: str) -> ClockStatus:
    clock = state.clock(clock_id)
    assert clock is not None, f"no clock {clock_id}"
    return clock.status


def _alerts_of(state: CaseState, *clock_ids: str) -> list[Any]:
    return [a for a in state.alerts if a.clock_id in clock_ids]


def _sent(cw: Clockwork, alert_id: str, notice: str = "alert") -> list[Any]:
    return [d for d in cw.recorder.deliveries if d.alert_id == alert_id and d.notice == notice]


async def _petition_answered_in_time(cw: Clockwork) -> WorkflowHandle[Any, Any]:
    """Received Mon 09-21, accepted the next day, answered 11-20 (served 11-23): A1/A2 end
    10-06 → 国庆 moves to Thu 10-08; A6 09-22 + 60 days = Sat 11-21 → Mon 11-23."""
    handle = await cw.register(**PETITION_INTAKE, received_on="2026-09-21")
    await cw.act(handle, "accept", accepted_on="2026-09-22")
    await cw.act(handle, "reply", answered_on="2026-11-20", served_on="2026-11-23")
    return handle


async def test_a_petition_entered_fact_by_fact_weeks_late_raises_no_alert() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await _petition_answered_in_time(cw)
        await cw.env.sleep(PAST_GRACE)
        state = await cw.state(handle)
        for clock_id in ("A1", "A2", "A6"):
            assert _clock_status(state, clock_id) is ClockStatus.MET
        assert state.alerts == ()
        assert cw.recorder.deliveries == []
        a6 = state.clock("A6")
        assert a6 is not None
        assert a6.schedule.due.last_day == date(2026, 11, 23)


async def test_a_breach_already_notified_is_withdrawn_and_each_recipient_told_once() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(**PETITION_INTAKE, received_on="2026-09-21")
        # Nothing typed for days: after the grace A1/A2 are breached, notified and escalate
        # (no plan, no package leader: the town leader, then the county leader).
        await cw.env.sleep(GRACE)
        for _ in range(30):  # a day at a time until the county leader was told
            await cw.env.sleep(timedelta(days=1))
            state = await cw.state(handle)
            [a1_alert] = [a for a in _alerts_of(state, "A1") if a.kind is AlertKind.BREACH]
            if any(n.recipient.startswith("county-leader:") for n in a1_alert.notifications):
                break
        recipients = {n.recipient for n in a1_alert.notifications}
        assert len(recipients) == 2, recipients
        assert len(_sent(cw, a1_alert.alert_id)) > len(recipients)  # re-notified on the way

        # The acceptance of 09-22 is found in the paper file and entered.
        state = await cw.act(handle, "accept", accepted_on="2026-09-22")
        assert _clock_status(state, "A1") is ClockStatus.MET
        withdrawn = state.alert(a1_alert.alert_id)
        assert withdrawn is not None
        assert withdrawn.status is AlertStatus.CLOSED
        assert withdrawn.next_step_at is None
        assert withdrawn.closed_reason is not None
        assert "逾期撤销" in withdrawn.closed_reason
        assert "2026-09-22" in withdrawn.closed_reason
        projected = [ev.body for ev in cw.recorder.events[state.case_id]]
        [correction] = [b for b in projected if b.type == "breach_withdrawn" and b.clock_id == "A1"]
        assert correction.answered_on == date(2026, 9, 22)
        assert correction.withdrawn is ClockStatus.BREACHED

        escalations = len(_sent(cw, a1_alert.alert_id))
        await cw.env.sleep(timedelta(days=10))  # nothing escalates any more
        assert len(_sent(cw, a1_alert.alert_id)) == escalations
        notices = _sent(cw, a1_alert.alert_id, "withdrawn")
        assert sorted(d.recipient for d in notices) == sorted(recipients)  # each one, once
        assert all("逾期撤销" in d.title for d in notices)


async def test_a_true_breach_entered_late_stays_and_escalates_on_time() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(**PETITION_INTAKE, received_on="2026-09-21")
        # Accepted 10-20, after A1's last day (10-08): a true breach, raised as it is entered.
        state = await cw.act(handle, "accept", accepted_on="2026-10-20")
        assert _clock_status(state, "A1") is ClockStatus.BREACHED
        [breach] = [a for a in _alerts_of(state, "A1") if a.kind is AlertKind.BREACH]
        assert breach.raised_at - state.registered.at < GRACE
        assert breach.next_step_at is not None
        await cw.sleep_until(breach.next_step_at + timedelta(minutes=5))
        walked = (await cw.state(handle)).alert(breach.alert_id)
        assert walked is not None
        assert walked.status is AlertStatus.OPEN
        assert len(walked.notifications) >= 2
        assert not _sent(cw, breach.alert_id, "withdrawn")


async def test_a_mediation_with_its_agreement_signed_in_time_raises_no_alert() -> None:
    """B2: accepted 10-20, one month → 11-20; signed 11-16."""
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(received_on="2026-10-19")
        await cw.act(handle, "accept", accepted_on="2026-10-20")
        await cw.act(handle, "start_mediation", started_on="2026-10-20")
        await cw.act(handle, "record_agreement", signed_on="2026-11-16", items=[])
        await cw.env.sleep(PAST_GRACE)
        state = await cw.state(handle)
        assert _clock_status(state, "B2") is ClockStatus.MET
        assert state.alerts == ()
        assert cw.recorder.deliveries == []


async def test_a_court_that_accepted_and_decided_in_time_raises_no_alert() -> None:
    """C3: applied 11-17, 3 days → 11-20, accepted 11-19; C4: 11-19 + 15 days → Fri 12-04,
    decided 12-01."""
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(received_on="2026-10-19")
        await cw.act(handle, "accept", accepted_on="2026-10-20")
        await cw.act(handle, "start_mediation", started_on="2026-10-20")
        await cw.act(handle, "record_agreement", signed_on="2026-11-16", items=[])
        await cw.act(handle, "apply_judicial_confirmation", applied_on="2026-11-17")
        await cw.act(handle, "record_court_acceptance", accepted_on="2026-11-19")
        await cw.act(handle, "record_court_decision", decided_on="2026-12-01")
        await cw.env.sleep(PAST_GRACE)
        state = await cw.state(handle)
        assert _clock_status(state, "C3") is ClockStatus.MET
        assert _clock_status(state, "C4") is ClockStatus.MET
        c4 = state.clock("C4")
        assert c4 is not None
        assert c4.schedule.due.last_day == date(2026, 12, 4)
        assert state.alerts == ()
        assert cw.recorder.deliveries == []


async def test_a_medical_mediation_entered_late_is_not_failed_by_its_clock() -> None:
    """E4: accepted Mon 10-12, 30 working days from the next day: Tue 10-13 to Fri 10-16 = 4,
    five full weeks 10-19 to 11-20 = 25 (29), Mon 11-23 = 30. Signed 11-19."""
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(category="medical", received_on="2026-10-12")
        await cw.act(handle, "accept", accepted_on="2026-10-12")
        await cw.act(handle, "start_mediation", started_on="2026-10-13")
        await cw.act(handle, "record_agreement", signed_on="2026-11-19", items=[])
        await cw.env.sleep(PAST_GRACE)
        state = await cw.state(handle)
        assert state.stage is Stage.AGREEMENT_REACHED
        assert state.failure is None
        assert _clock_status(state, "E4") is ClockStatus.MET
        e4 = state.clock("E4")
        assert e4 is not None
        assert e4.schedule.due.last_day == date(2026, 11, 23)
        assert state.alerts == ()


async def test_a_review_request_within_the_window_reopens_a_finalised_petition() -> None:
    """A7: served 10-20, 30 days → Thu 11-19. The reply is entered; the petition is final after
    the grace; the request of 11-10 is found later and entered."""
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(**PETITION_INTAKE, received_on="2026-09-01")
        await cw.act(handle, "accept", accepted_on="2026-09-02")
        await cw.act(handle, "reply", answered_on="2026-10-15", served_on="2026-10-20")
        await cw.env.sleep(PAST_GRACE)
        state = await cw.state(handle)
        assert state.stage is Stage.FINAL
        assert _clock_status(state, "A7") is ClockStatus.LAPSED

        # A request dated after the window is still refused, naming the field.
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await cw.act(handle, "request_review", requested_on="2026-11-25")
        assert "requested_on" in str(refused.value.cause)

        state = await cw.act(handle, "request_review", requested_on="2026-11-10")
        assert state.stage is Stage.REVIEW_REQUESTED
        assert state.finalized is None
        assert _clock_status(state, "A7") is ClockStatus.MET
        assert state.clock("A7b") is not None
        types = [ev.type for ev in cw.recorder.events[state.case_id]]
        assert types.index("petition_finalized") < types.index("finalization_withdrawn")
        assert state.alerts == ()


async def test_an_application_within_the_window_withdraws_a_lapsed_confirmation_window() -> None:
    """B7: signed 09-10, 30 days → Sat 10-10 (a 调休 working day in 2026: it stays); applied
    09-15, entered after the lapse was recorded."""
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(received_on="2026-09-01")
        await cw.act(handle, "accept", accepted_on="2026-09-01")
        await cw.act(handle, "start_mediation", started_on="2026-09-02")
        await cw.act(handle, "record_agreement", signed_on="2026-09-10", items=[])
        await cw.env.sleep(PAST_GRACE)
        assert _clock_status(await cw.state(handle), "B7") is ClockStatus.LAPSED

        state = await cw.act(handle, "apply_judicial_confirmation", applied_on="2026-09-15")
        assert _clock_status(state, "B7") is ClockStatus.MET
        b7 = state.clock("B7")
        assert b7 is not None
        assert b7.schedule.due.last_day == date(2026, 10, 10)
        projected = [ev.body for ev in cw.recorder.events[state.case_id]]
        [correction] = [b for b in projected if b.type == "breach_withdrawn"]
        assert correction.withdrawn is ClockStatus.LAPSED
        assert correction.answered_on == date(2026, 9, 15)
        assert not _alerts_of(state, "B7")
