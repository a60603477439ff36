"""Recording of 挂牌督办 and 摘牌 (patch ``listing-v1``) for the replay tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from activities.policy.calendar_data import load_calendar
from tests.samples import ORGS
from tests.workflows.clock_harness import clockwork

HISTORIES = Path(__file__).parent / "histories"
LISTER = "李县长 (lixianzhang)"


async def record_listing(tag: str) -> None:
    """A dispute listed by the county leader, overdue (escalated through the lister to the city
    above), a delisting refused while unresolved, the agreement, delisted with approval, closed."""
    async with clockwork(load_calendar()) as cw:
        handle = await cw.register(routing={"chosen": ORGS["xw-labour-room"]})
        for action in ("accept", "plan", "start_mediation"):
            await cw.act(handle, action)
        today = (await cw.now()).date()
        state = await cw.act(
            handle, "list_case", actor=LISTER, deadline=(today + timedelta(days=5)).isoformat()
        )
        clock = state.clock("L1-1")
        assert clock is not None
        await cw.sleep_until(clock.due_at + timedelta(hours=49))
        try:
            await cw.act(handle, "delist_case", actor=LISTER)
        except Exception:  # noqa: BLE001 - refused (409): the case is not resolved
            pass
        else:
            raise AssertionError("an unresolved case was delisted")
        await cw.act(handle, "record_agreement")
        await cw.act(handle, "delist_case", actor=LISTER)
        await cw.act(handle, "withdraw")
        await cw.client.get_workflow_handle(handle.id).result()
        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        path = HISTORIES / f"{tag}_listed_overdue_refused_delisted.json"
        path.write_text(json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1))
        print(f"recorded {path.name}")  # noqa: T201
