"""The timer burst of ``bench.scale``: a thousand clocks falling due within one minute.

A holiday's end brings every clock counted over it due at the same 24:00. The bench cannot wait
for a real midnight, so it builds the same moment from the policy: the burst's cases are
registered at major risk (a 重大矛盾纠纷直报 raised at once, on the ``major-risk`` chain), in
``groups``, each group at its own village with an override whose first escalation step waits so
long that every group's step falls due inside ``window`` seconds of one instant, whatever the
group's place in the registration. Groups are paced (one every ``pace`` seconds) so that the waits
written before the worker started hold; a group that starts late lands late, and the due times
measured from the histories say how tight the burst really was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from workflows.contract import PROJECT_ACTIVITY

COUNTY = "320102"
TOWN = "320102001"


@dataclass(frozen=True)
class BurstPlan:
    cases: int
    groups: int
    pace: float  # seconds between the starts of two groups' registrations
    window: float  # the due times spread evenly over this many seconds
    margin: float = 30.0  # seconds between the last registration and the first due time

    def size(self, group: int) -> int:
        return self.cases // self.groups + (1 if group < self.cases % self.groups else 0)

    def village(self, group: int) -> str:
        return f"{TOWN}{100 + group:03d}"

    def wait_seconds(self, group: int) -> float:
        """Registered at ``group * pace`` after the start, due at ``first_due + offset``."""
        offset = self.window * group / max(1, self.groups - 1) if self.groups > 1 else 0.0
        return self.first_due - group * self.pace + offset

    @property
    def first_due(self) -> float:
        """Seconds from the burst's start to the first due time."""
        return self.groups * self.pace + self.margin

    @property
    def last_due(self) -> float:
        return self.first_due + self.window


def write_policies(directory: Path, plan: BurstPlan) -> None:
    """One override per group's village: the major-risk chain's first step after its wait,
    straight on to the next level (one timer per case in the burst), then a day's wait."""
    directory.mkdir(parents=True, exist_ok=True)
    for group in range(plan.groups):
        override = {
            "jurisdiction": plan.village(group),
            "version": f"scale-burst-{group}",
            "chains": [
                {
                    "chain_id": "major-risk",
                    "risk_levels": ["major", "critical"],
                    "levels": [
                        {
                            "level": 1,
                            "role": "responsible_person",
                            "wait_hours": plan.wait_seconds(group) / 3600,
                            "renotify": 0,
                        },
                        {
                            "level": 2,
                            "role": "unit_head_or_leader",
                            "wait_hours": 24,
                            "renotify": 0,
                        },
                    ],
                }
            ],
        }
        path = directory / f"burst-{group:03d}.json"
        path.write_text(json.dumps(override), encoding="utf-8")


@dataclass(frozen=True)
class TimerFiring:
    """One timer of a case, as its history tells it (epoch seconds)."""

    due: float  # when the case meant it to fire (its task's time + the timeout)
    fired: float  # when the server fired it
    handled: float | None  # the case's next workflow task completed (the escalation recorded)
    projected: float | None  # the projection after it completed (the alert in the store)
    queued: float | None = None  # that workflow task's wait for a worker (scheduled → started)


def _projected(open_firings: list[dict[str, float | None]], at: float) -> None:
    for firing in open_firings:
        if firing["handled"] is not None and firing["projected"] is None:
            firing["projected"] = at


def _projection_marker(event: HistoryEvent) -> bool:
    """A local activity's marker for the projection (its data names the activity type)."""
    attributes = event.marker_recorded_event_attributes
    if attributes.marker_name != "core_local_activity" or "data" not in attributes.details:
        return False
    try:
        data = json.loads(attributes.details["data"].payloads[0].data)
    except (ValueError, IndexError):
        return False
    return bool(data.get("activity_type") == PROJECT_ACTIVITY)


async def firings(client: Client, case_id: str, since: float) -> list[TimerFiring]:
    """The case's timers due at or after ``since`` that fired."""
    task_started = task_scheduled = 0.0
    due_by_timer: dict[int, float] = {}
    activity_types: dict[int, str] = {}
    found: list[TimerFiring] = []
    open_firings: list[dict[str, float | None]] = []
    async for event in client.get_workflow_handle(case_id).fetch_history_events():
        at = event.event_time.ToDatetime().timestamp()
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            task_scheduled = at
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            task_started = at
            for firing in open_firings:
                if firing["queued"] is None:
                    firing["queued"] = at - task_scheduled
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            for firing in open_firings:
                if firing["handled"] is None:
                    firing["handled"] = at
        elif kind == EventType.EVENT_TYPE_TIMER_STARTED:
            timeout = event.timer_started_event_attributes.start_to_fire_timeout
            due_by_timer[event.event_id] = task_started + timeout.ToTimedelta().total_seconds()
        elif kind == EventType.EVENT_TYPE_TIMER_FIRED:
            due = due_by_timer.get(event.timer_fired_event_attributes.started_event_id)
            if due is not None and due >= since:
                open_firings.append(
                    {"due": due, "fired": at, "handled": None, "projected": None, "queued": None}
                )
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            activity_types[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            scheduled = event.activity_task_completed_event_attributes.scheduled_event_id
            if activity_types.get(scheduled) == PROJECT_ACTIVITY:
                _projected(open_firings, at)
        elif kind == EventType.EVENT_TYPE_MARKER_RECORDED and _projection_marker(event):
            # Since patch baseline 2 the projection runs inside the workflow task (a local
            # activity): in the store before the task completed, recorded with it.
            _projected(open_firings, at)
    for firing in open_firings:
        found.append(
            TimerFiring(
                due=float(firing["due"] or 0.0),
                fired=float(firing["fired"] or 0.0),
                handled=firing["handled"],
                projected=firing["projected"],
                queued=firing["queued"],
            )
        )
    return found
