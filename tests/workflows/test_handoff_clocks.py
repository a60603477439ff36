"""Hand-off clocks on the time-skipping server: a transfer not taken (签收时限) and a report-back
overdue (交办反馈时限) escalate to the organisation that must answer, then up the chain; taking
in time stops the clock; a case registered before the hand-off rules gets them on its first
hand-off (patch ``handoffs-v1``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType

from activities.policy.book import PolicyBook
from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.values import china_date
from tests.samples import ORGS
from tests.workflows.clock_harness import calendar_with, clockwork, policy_before_handoffs
from workflows.patches import HANDOFFS_PATCH

LABOUR_ROOM = ORGS["xw-labour-room"]
HRSS = ORGS["xw-hrss"]
VILLAGE = {
    "org_id": "xw-cjl-committee",
    "name": "长江路社区人民调解委员会",
    "level": "village",
    "type": "mediation_committee",
}
ROUTED = {"routing": {"chosen": VILLAGE, "rule_id": "R-village"}}


def _no_data_calendar() -> Any:
    return calendar_with(Path("/nonexistent"), None)


async def test_a_transfer_not_taken_in_time_escalates_to_the_receiving_organisation() -> None:
    async with clockwork(_no_data_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        state = await cw.act(handle, "transfer", to_organisation=LABOUR_ROOM)
        take = state.clock("TAKE")
        assert take is not None
        assert take.organisation is not None
        assert take.organisation.org_id == LABOUR_ROOM["org_id"]

        # Default chain: level 1 waits 24 h and re-notifies once, then level 2.
        await cw.sleep_until(take.due_at + timedelta(hours=49))
        state = await cw.state(handle)
        assert state.clock("TAKE").status is ClockStatus.BREACHED  # type: ignore[union-attr]
        warning = next(a for a in state.alerts if a.kind is AlertKind.WARNING)
        breach = next(a for a in state.alerts if a.kind is AlertKind.BREACH)
        assert warning.recipient == "org:xw-labour-room"
        assert warning.status is AlertStatus.CLOSED  # superseded by the breach
        assert breach.title.startswith("【转办逾期未签收】")
        assert [(n.level, n.recipient) for n in breach.notifications] == [
            (1, "org:xw-labour-room"),
            (1, "org:xw-labour-room"),
            (2, "org-head:xw-labour-room"),
        ]
        sent = [
            (d.recipient, d.level) for d in cw.recorder.deliveries if d.alert_id == breach.alert_id
        ]
        assert sent == [
            ("org:xw-labour-room", 1),
            ("org:xw-labour-room", 1),
            ("org-head:xw-labour-room", 2),
        ]

        # Taken late: the transfer is done; the breach stays until a leader signs for it.
        state = await cw.act(handle, "take")
        assert state.holder_id == "xw-labour-room"
        assert state.alert(breach.alert_id).status is AlertStatus.OPEN  # type: ignore[union-attr]


async def test_a_report_back_overdue_escalates_to_the_assigned_department() -> None:
    async with clockwork(_no_data_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        today = china_date(await cw.now())
        deadline = (today + timedelta(days=3)).isoformat()
        await cw.act(handle, "assign", department=HRSS, deadline=deadline)
        await cw.act(handle, "assign", department=LABOUR_ROOM, deadline=deadline)
        state = await cw.act(handle, "report_back", assignment_no=2)  # the second one answers
        first = state.clock("A4-1")
        assert first is not None
        assert state.clock("A4-2").status is ClockStatus.MET  # type: ignore[union-attr]

        await cw.sleep_until(first.due_at + timedelta(hours=1))
        state = await cw.state(handle)
        assert state.clock("A4-1").status is ClockStatus.BREACHED  # type: ignore[union-attr]
        breaches = [a for a in state.alerts if a.kind is AlertKind.BREACH]
        assert [(a.clock_id, a.recipient) for a in breaches] == [("A4-1", "org:xw-hrss")]
        assert breaches[0].title.startswith("【交办逾期未反馈】")
        assert "第1次交办" in breaches[0].title
        assert any(d.recipient == "org:xw-hrss" for d in cw.recorder.deliveries)


async def test_taking_in_time_stops_the_clock_and_nobody_is_alerted() -> None:
    async with clockwork(_no_data_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        await cw.act(handle, "transfer", to_organisation=LABOUR_ROOM)
        await cw.env.sleep(timedelta(hours=2))
        state = await cw.act(handle, "take")
        take = state.clock("TAKE")
        assert take is not None
        assert take.status is ClockStatus.MET
        await cw.sleep_until(take.due_at + timedelta(days=5))
        state = await cw.state(handle)
        assert [a for a in state.alerts if a.clock_id == "TAKE"] == []
        assert not [d for d in cw.recorder.deliveries if d.recipient.startswith("org")]


async def test_an_older_case_gets_the_hand_off_rules_on_its_first_transfer() -> None:
    async with clockwork(_no_data_calendar(), policy_before_handoffs()) as cw:
        # Registered before patch baselines, as every case of policy 2026.2 was.
        handle = await cw.register(patch_baseline=0, **ROUTED)
        state = await cw.act(handle, "accept")
        assert state.policy is not None
        assert not state.policy.knows_handoffs
        cw.policy.use(PolicyBook.load())  # the deployment now ships 2026.3

        state = await cw.act(handle, "transfer", to_organisation=LABOUR_ROOM)
        assert state.policy is not None
        assert state.policy.version == "2026.2"
        assert [a.version for a in state.policy.amendments] == ["2026.6"]
        take = state.clock("TAKE")
        assert take is not None
        events = cw.recorder.events[handle.id]
        order = [e.type for e in events]
        assert order.index("policy_amended") < order.index("case_transferred")
        # The next hand-off fetches nothing more.
        await cw.act(handle, "return")
        await cw.act(handle, "assign", department=HRSS)
        assert [e.type for e in cw.recorder.events[handle.id]].count("policy_amended") == 1

        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        markers = [
            e for e in history.events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        ]
        patches = [m for m in markers if HANDOFFS_PATCH.encode() in m.SerializeToString()]
        assert len(patches) == 1

        state = await cw.state(handle)
        a4 = state.clock("A4-1")
        assert a4 is not None
        await cw.sleep_until(a4.due_at + timedelta(hours=1))
        state = await cw.state(handle)
        breach = next(a for a in state.alerts if a.kind is AlertKind.BREACH)
        assert breach.recipient == "org:xw-hrss"


async def test_a_case_registered_under_the_hand_off_rules_records_no_patch_marker() -> None:
    async with clockwork(_no_data_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        await cw.act(handle, "transfer", to_organisation=LABOUR_ROOM)
        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        assert all(
            HANDOFFS_PATCH.encode() not in e.SerializeToString()
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        )
        assert "policy_amended" not in [e.type for e in cw.recorder.events[handle.id]]
