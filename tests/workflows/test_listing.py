"""挂牌督办 on the time-skipping server: the 督办时限 runs as a clock of the case and, overdue,
escalates through the handling unit and the lister to the level ABOVE the lister; 摘牌 of a case
not yet resolved is refused (409) and changes nothing; a resolved case is delisted with the
lister's approval. Behind ``listing-v1``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from domain.case.alerts import AlertKind
from domain.case.clocks import ClockStatus
from tests.samples import ORGS
from tests.workflows.clock_harness import calendar_with, clockwork
from workflows.patches import LISTING_PATCH

ROUTED = {"routing": {"chosen": ORGS["xw-labour-room"], "rule_id": "R-labour"}}
LISTER = "李县长 (lixianzhang)"


def _calendar() -> Any:
    return calendar_with(Path("/nonexistent"), None)


async def test_a_listed_case_overdue_escalates_to_the_level_above_the_lister() -> None:
    async with clockwork(_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        await cw.act(handle, "accept")
        await cw.act(handle, "plan")
        today = (await cw.now()).date()
        state = await cw.act(
            handle, "list_case", actor=LISTER, deadline=(today + timedelta(days=5)).isoformat()
        )
        listing = state.open_listing
        assert listing is not None
        assert listing.lister == LISTER
        clock = state.clock("L1-1")
        assert clock is not None
        assert clock.status is ClockStatus.RUNNING
        # Overdue: the handling unit, a day later the lister, a day later the city above.
        await cw.sleep_until(clock.due_at + timedelta(hours=49))
        state = await cw.state(handle)
        assert state.clock("L1-1").status is ClockStatus.BREACHED  # type: ignore[union-attr]
        breach = next(
            a for a in state.alerts if a.clock_id == "L1-1" and a.kind is AlertKind.BREACH
        )
        recipients = [n.recipient for n in breach.notifications]
        assert recipients[-1] == "city-leader:320100"  # above the county leader who listed
        assert f"lister:{LISTER}" in recipients
        sent = {d.recipient for d in cw.recorder.deliveries if d.alert_id == breach.alert_id}
        assert {"city-leader:320100", f"lister:{LISTER}"} <= sent
        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        # A case started today has the patch built in (patch baseline): no marker in its history.
        assert not any(
            LISTING_PATCH.encode() in e.SerializeToString()
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        )


async def test_delisting_an_unresolved_case_is_refused_and_changes_nothing() -> None:
    async with clockwork(_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        await cw.act(handle, "accept")
        await cw.act(handle, "plan")
        await cw.act(handle, "start_mediation")
        before = await cw.act(handle, "list_case", actor=LISTER)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await cw.act(handle, "delist_case", actor=LISTER)
        assert "案件尚未化解，不能摘牌" in str(refused.value.cause)
        assert "not resolved" in str(refused.value.cause)
        after = await cw.state(handle)
        assert after.seq == before.seq
        assert after.open_listing == before.open_listing
        assert after.clock("L1-1").status is ClockStatus.RUNNING  # type: ignore[union-attr]


async def test_a_resolved_case_is_delisted_with_the_listers_approval_only() -> None:
    async with clockwork(_calendar()) as cw:
        handle = await cw.register(**ROUTED)
        for action in ("accept", "plan", "start_mediation"):
            await cw.act(handle, action)
        await cw.act(handle, "list_case", actor=LISTER, delegate="zhangmishu")
        state = await cw.act(handle, "record_agreement")
        assert state.stage.value == "agreement_reached"
        assert state.clock("L1-1").status is ClockStatus.MET  # type: ignore[union-attr]
        # Someone who is neither the lister nor their delegate: refused, nothing recorded.
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await cw.act(handle, "delist_case", actor="王芳", approver_user_id="wangfang")
        assert "挂牌领导" in str(refused.value.cause)
        assert (await cw.state(handle)).open_listing is not None
        state = await cw.act(
            handle, "delist_case", actor="张秘书 (zhangmishu)", approver_user_id="zhangmishu"
        )
        assert state.open_listing is None
        (listing,) = state.listings
        assert listing.delisted_by == "张秘书 (zhangmishu)"
        assert listing.delist_note
