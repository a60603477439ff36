"""Recording of a case registered from a leader's reception (领导接访) for the replay tests: the
registration names the reception and the receiving leader as 包案领导 (fields of the intake
command and event, no patch: older histories never carry them)."""

from __future__ import annotations

import json
from pathlib import Path

from activities.policy.calendar_data import load_calendar
from tests.samples import ORGS
from tests.workflows.clock_harness import clockwork

HISTORIES = Path(__file__).parent / "histories"

LEADER = {
    "leader_name": "刘强",
    "leader_title": "乡镇（街道）领导",
    "reason": "领导接访（2026-03-02，梅园新村街道综治中心）",
    "leader_id": "liuqiang",
}


async def record_reception(tag: str) -> None:
    """Registered from a reception (channel 领导接访, the leader in charge), taken through
    mediation to an agreement, then withdrawn."""
    async with clockwork(load_calendar()) as cw:
        handle = await cw.register(
            routing={"chosen": ORGS["xw-labour-room"]},
            channel="leader_reception",
            reception_id="JD-0123456789abcdef0123",
            package_leader=LEADER,
        )
        await cw.act(handle, "accept")
        state = await cw.act(handle, "start_mediation")
        assert state.package_leader is not None
        assert state.package_leader.leader_id == "liuqiang"
        await cw.act(handle, "withdraw")
        await cw.client.get_workflow_handle(handle.id).result()
        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        path = HISTORIES / f"{tag}_registered_from_reception.json"
        path.write_text(json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1))
        print(f"recorded {path.name}")  # noqa: T201
