"""风险研判 and 领导批示 on the time-skipping server: a case reassessed to major mid-mediation
alerts the county at once (重大矛盾纠纷直报); an instruction's deadline runs as a clock that
escalates towards the instructing leader; its 落实反馈 stops it. Both behind ``leader-acts-v1``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType

from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from tests.samples import ORGS
from tests.workflows.clock_harness import calendar_with, clockwork
from workflows.patches import LEADER_ACTS_PATCH

ROUTED = {"routing": {"chosen": ORGS["xw-labour-room"], "rule_id": "R-labour"}}


def _calendar() -> Any:
    return calendar_with(Path("/nonexistent"), None)


async def test_a_case_reassessed_to_major_mid_mediation_alerts_the_county_at_once() -> None:
    async with clockwork(_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        await cw.act(handle, "accept")
        await cw.act(handle, "plan")
        state = await cw.act(handle, "start_mediation")
        assert state.stage.value == "mediating"
        assert not state.alerts
        state = await cw.act(
            handle,
            "reassess_risk",
            risk_level="major",
            flags={},
            reasons="双方发生肢体冲突，一方扬言报复",
        )
        (alert,) = state.alerts
        assert alert.kind is AlertKind.MAJOR_REPORT
        assert alert.recipient == "county-leader:320102"
        # Delivered at once, to the county, before any time passes.
        sent = [d for d in cw.recorder.deliveries if d.alert_id == alert.alert_id]
        assert [d.recipient for d in sent] == ["county-leader:320102"]
        # Unacknowledged, the county is told again on the fast chain (2 h).
        await cw.sleep_until(alert.raised_at + timedelta(hours=2, minutes=1))
        state = await cw.state(handle)
        again = state.alert(alert.alert_id)
        assert again is not None
        assert len(again.notifications) == 2
        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        # A case started today has the patch built in (patch baseline): no marker in its history.
        assert not any(
            LEADER_ACTS_PATCH.encode() in e.SerializeToString()
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        )


async def test_an_instruction_deadline_escalates_to_the_instructing_leader() -> None:
    async with clockwork(_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        await cw.act(handle, "accept")
        today = (await cw.now()).date()
        state = await cw.act(
            handle,
            "issue_instruction",
            actor="李县长",
            text="请三日内当面化解并报告结果",
            deadline=(today + timedelta(days=3)).isoformat(),
        )
        clock = state.clock("I1-1")
        assert clock is not None
        assert clock.status is ClockStatus.RUNNING
        await cw.sleep_until(clock.due_at + timedelta(hours=49))
        state = await cw.state(handle)
        assert state.clock("I1-1").status is ClockStatus.BREACHED  # type: ignore[union-attr]
        breach = next(a for a in state.alerts if a.kind is AlertKind.BREACH)
        assert breach.clock_id == "I1-1"
        recipients = [n.recipient for n in breach.notifications]
        assert recipients[-1] == "instructor:李县长"
        sent = {d.recipient for d in cw.recorder.deliveries if d.alert_id == breach.alert_id}
        assert "instructor:李县长" in sent
        # The handling unit answers: the alert closes, nothing escalates further.
        state = await cw.act(handle, "answer_instruction", instruction_no=1, result="已化解")
        assert state.alert(breach.alert_id).status is AlertStatus.CLOSED  # type: ignore[union-attr]
        assert state.instructions[0].answer is not None


async def test_answering_in_time_stops_the_instruction_clock() -> None:
    async with clockwork(_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        await cw.act(handle, "accept")
        today = (await cw.now()).date()
        await cw.act(
            handle,
            "issue_instruction",
            actor="李县长",
            text="请核实情况",
            deadline=(today + timedelta(days=5)).isoformat(),
        )
        state = await cw.act(handle, "answer_instruction", instruction_no=1, result="已核实")
        assert state.clock("I1-1").status is ClockStatus.MET  # type: ignore[union-attr]
        await cw.env.sleep(timedelta(days=10))
        assert not (await cw.state(handle)).alerts
