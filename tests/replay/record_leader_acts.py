"""Recordings of 风险研判 and 领导批示 (patch ``leader-acts-v1``) for the replay tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from activities.policy.calendar_data import load_calendar
from tests.samples import ORGS
from tests.workflows.clock_harness import clockwork

HISTORIES = Path(__file__).parent / "histories"


async def record_leader_acts(tag: str) -> None:
    """A dispute reassessed to major mid-mediation (直报 to the county, acknowledged with a note
    that reaches the handling unit), an instruction whose deadline ran out and escalated to the
    instructing leader, answered (落实反馈); withdrawn."""
    async with clockwork(load_calendar()) as cw:
        handle = await cw.register(routing={"chosen": ORGS["xw-labour-room"]})
        await cw.act(handle, "accept")
        await cw.act(handle, "plan")
        await cw.act(handle, "start_mediation")
        state = await cw.act(
            handle, "reassess_risk", risk_level="major", flags={"collective": True}, reasons="聚集"
        )
        report = state.alerts[0]
        await cw.act(
            handle,
            "acknowledge_alert",
            actor="李县长",
            alert_id=report.alert_id,
            note="请派出所介入",
        )
        today = (await cw.now()).date()
        state = await cw.act(
            handle,
            "issue_instruction",
            actor="李县长",
            text="请三日内化解",
            deadline=(today + timedelta(days=3)).isoformat(),
        )
        clock = state.clock("I1-2")
        assert clock is not None
        await cw.sleep_until(clock.due_at + timedelta(hours=49))
        await cw.act(handle, "answer_instruction", instruction_no=2, result="已化解")
        await cw.act(handle, "answer_instruction", instruction_no=1, result="派出所已介入")
        await cw.act(handle, "reassess_risk", risk_level="low", flags={}, reasons="情绪平稳")
        await cw.act(handle, "withdraw")
        await cw.client.get_workflow_handle(handle.id).result()
        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        path = HISTORIES / f"{tag}_reassessed_instructed_answered.json"
        path.write_text(json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1))
        print(f"recorded {path.name}")  # noqa: T201
