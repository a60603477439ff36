"""Where a request's time goes: the API's own times against its case's Temporal history.

Each request through the API is one update of its case's workflow. Its history says when the
workflow task that took the update was scheduled, when a worker picked it up and when the task
that completed the update ended; the load generator knows when it sent the request and when the
answer came. One machine, one clock: the four hops of a request are

- ``to task``: sent → the task scheduled (the API's own work before Temporal, Temporal taking
  the update or the update-with-start);
- ``queued``: scheduled → picked up by the worker;
- ``task``: picked up → the task that completed the update ended (the case deciding, the local
  activities: the policy at intake, the projection);
- ``back``: that task's end → the answer received (Temporal completing the update, the API
  reading the stored case and answering).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

HOPS = ("to task", "queued", "task", "back")


@dataclass(frozen=True)
class Sent:
    """One request as the load generator saw it (wall-clock seconds)."""

    case_id: str
    label: str  # ``cases`` for the intake, else the command's path
    sent: float
    received: float

    @property
    def kind(self) -> str:
        return "intake" if self.label == "cases" else "command"


@dataclass(frozen=True)
class UpdateTimes:
    """One update as its case's history tells it (wall-clock seconds)."""

    scheduled: float
    started: float
    completed: float


def update_times(events: Iterable[HistoryEvent]) -> list[UpdateTimes]:
    """The updates of one history in the order they were accepted: the accepting task's
    scheduled and started times, and the end of the task that completed the update."""
    scheduled = started = completed = 0.0
    accepted: dict[str, tuple[float, float]] = {}
    order: list[str] = []
    done: dict[str, float] = {}
    for event in events:
        # Aware: a naive ToDatetime() would be read as local time on a machine not kept in UTC.
        at = event.event_time.ToDatetime(tzinfo=UTC).timestamp()
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            scheduled = at
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            started = at
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            completed = at
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            update_id = request.meta.update_id
            accepted[update_id] = (scheduled, started)
            order.append(update_id)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            update_id = event.workflow_execution_update_completed_event_attributes.meta.update_id
            done[update_id] = completed
    return [
        UpdateTimes(*accepted[update_id], done[update_id])
        for update_id in order
        if update_id in done
    ]


def hops(
    sent: Sequence[Sent], histories: dict[str, list[UpdateTimes]]
) -> dict[str, dict[str, list[float]]]:
    """Each request's four hops in seconds, by kind (``intake`` or ``command``). A case's
    requests go one after the other, so its n-th request is its history's n-th update; a case
    whose history does not hold one update per request is left out."""
    by_case: dict[str, list[Sent]] = {}
    for request in sent:
        by_case.setdefault(request.case_id, []).append(request)
    found: dict[str, dict[str, list[float]]] = {}
    for case_id, requests in by_case.items():
        updates = histories.get(case_id, [])
        if len(updates) != len(requests):
            continue
        for request, update in zip(sorted(requests, key=lambda r: r.sent), updates, strict=True):
            values = (
                update.scheduled - request.sent,
                update.started - update.scheduled,
                update.completed - update.started,
                request.received - update.completed,
            )
            into = found.setdefault(request.kind, {hop: [] for hop in HOPS})
            for hop, value in zip(HOPS, values, strict=True):
                into[hop].append(value)
    return found
