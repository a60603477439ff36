"""补录 on the time-skipping server: a fact recorded after its period ran breaches once the
policy's grace (30 minutes, for the facts typed next to answer it) has passed, and escalates as
any breach does; a window that ran out closes after the same grace."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.stages import Stage
from domain.values import china_date
from tests.samples import PETITION_INTAKE
from tests.workflows.clock_harness import calendar_with, clockwork

GRACE = timedelta(minutes=30)


async def test_a_petition_registered_late_breaches_after_the_grace_and_escalates() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        today = china_date(await cw.now())
        received = today - timedelta(days=40)
        handle = await cw.register(**PETITION_INTAKE, received_on=received.isoformat())

        # The breach waits for the grace (the acceptance could be typed next), then is recorded.
        state = await cw.state(handle)
        assert state.clock("A1").status is ClockStatus.RUNNING  # type: ignore[union-attr]
        await cw.env.sleep(GRACE + timedelta(minutes=1))
        state = await cw.state(handle)
        a1 = state.clock("A1")
        assert a1 is not None
        assert a1.start is not None
        assert a1.start.on == received
        assert a1.status is ClockStatus.BREACHED
        breach = next(a for a in state.alerts if a.kind is AlertKind.BREACH and a.clock_id == "A1")
        assert breach.level == 1
        assert GRACE <= breach.raised_at - state.registered.at < GRACE + timedelta(minutes=2)
        projected = [ev.type for ev in cw.recorder.events[state.case_id]]
        assert "clock_expired" in projected

        # …and it escalates as any breach does.
        await cw.sleep_until(breach.raised_at + timedelta(days=4, hours=1))
        walked = (await cw.state(handle)).alert(breach.alert_id)
        assert walked is not None
        assert walked.status is AlertStatus.OPEN
        assert walked.level >= 2
        assert len(walked.notifications) > 1
        sent = [d for d in cw.recorder.deliveries if d.alert_id == breach.alert_id]
        assert 1 <= len(sent) <= len(walked.notifications)


async def test_an_agreement_recorded_after_its_confirmation_window_closes_it_after_the_grace() -> (
    None
):
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        today = china_date(await cw.now())
        handle = await cw.register(received_on=(today - timedelta(days=50)).isoformat())
        await cw.act(handle, "accept", accepted_on=(today - timedelta(days=50)).isoformat())
        await cw.act(handle, "start_mediation", started_on=(today - timedelta(days=49)).isoformat())
        signed = today - timedelta(days=45)
        await cw.act(handle, "record_agreement", signed_on=signed.isoformat(), items=[])
        await cw.env.sleep(GRACE + timedelta(minutes=1))
        state = await cw.state(handle)
        b7 = state.clock("B7")
        assert b7 is not None
        assert b7.start is not None
        assert b7.start.on == signed
        assert b7.status is ClockStatus.LAPSED  # 30 days from the signing ran out long ago
        assert not [a for a in state.alerts if a.clock_id == "B7"]  # a window, not a breach
        assert state.stage is Stage.AGREEMENT_REACHED
