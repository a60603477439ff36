"""The event chain (案件记录): events appended hash-chained to ``case_events``, and read back.

A batch decided inside a workflow task (a local activity, patch baseline 2) carries the task's
history length: stored events that differ from it at the same seqs are those of an attempt whose
task was lost, and move to ``case_events_superseded`` before the batch is appended (0031).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Row, bindparam, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from activities.store.sql import insert_for_dialect, utc
from activities.store.tables import CaseEventRow, SupersededEventRow
from domain.audit.chain import GENESIS_HASH, canonical_event, event_hash, event_payload
from domain.case.events import Event, EventBody

_EVENT_BODY: TypeAdapter[EventBody] = TypeAdapter(EventBody)


def event_row(event: Event) -> dict[str, Any]:
    """The case_events row of ``event``, before its seal."""
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "type": event.type,
        "occurred_at": utc(event.at),
        "actor": event.actor,
        "command_id": event.command_id,
        "payload": event_payload(event),
    }


def sealed_row(row: dict[str, Any], prev_hash: str) -> dict[str, Any]:
    """``row`` (an ``event_row``) sealed after ``prev_hash`` in its case's chain."""
    digest = event_hash(prev_hash, canonical_event(**row))
    return {**row, "prev_hash": prev_hash, "hash": digest}


@cache
def _append_statement(dialect: str) -> Any:
    # Built once per dialect, parameters passed at execution: the compiled form is reused.
    return (
        insert_for_dialect(dialect, CaseEventRow.__table__)
        .on_conflict_do_nothing(index_elements=["case_id", "seq"])
        .returning(CaseEventRow.__table__.c.seq)
    )


_CHAIN_HEAD = (
    select(CaseEventRow.seq, CaseEventRow.hash)
    .where(CaseEventRow.case_id == bindparam("case_id"))
    .order_by(CaseEventRow.seq.desc())
    .limit(1)
)


class ChainGapError(RuntimeError):
    """A batch that would leave a hole in a case's seq; retried, as the missing events may land."""


class ConcurrentAppendError(RuntimeError):
    """Another transaction appended to the case after its chain head was read; retried."""


class StaleAttemptError(RuntimeError):
    """A batch decided by a workflow-task attempt older than the one whose events the store holds
    at the same seqs: that attempt's task was lost; it must not displace the later one."""


@dataclass(frozen=True)
class Appended:
    """What a batch did to its case's chain: the head (seq, hash) before and after it, and the
    first seq of an earlier attempt's events it set aside (None: none)."""

    inserted: int
    prior: tuple[int, str]
    head: tuple[int, str]
    superseded_from: int | None = None


_STORED_FROM = (
    select(CaseEventRow.seq, CaseEventRow.hash, CaseEventRow.history_length)
    .where(CaseEventRow.case_id == bindparam("case_id"), CaseEventRow.seq >= bindparam("seq"))
    .order_by(CaseEventRow.seq)
)


async def _set_aside(case_id: str, from_seq: int, by: int, *, connection: AsyncConnection) -> None:
    """Move the case's events from ``from_seq`` on into case_events_superseded (as they were),
    then out of the chain (the database lets only such rows go)."""
    events = CaseEventRow.__table__
    columns = [
        "case_id", "seq", "type", "occurred_at", "actor", "command_id", "payload",
        "recorded_at", "prev_hash", "hash", "history_length",
    ]  # fmt: skip
    chosen = (
        select(*(events.c[name] for name in columns), literal(by))
        .where(events.c.case_id == case_id, events.c.seq >= from_seq)
        .order_by(events.c.seq)
    )
    await connection.execute(
        insert(SupersededEventRow).from_select([*columns, "superseded_by"], chosen)
    )
    await connection.execute(
        delete(CaseEventRow).where(CaseEventRow.case_id == case_id, CaseEventRow.seq >= from_seq)
    )


async def _overlap(
    case_id: str,
    events: list[Event],
    head: tuple[int, str],
    history_length: int,
    *,
    connection: AsyncConnection,
) -> tuple[tuple[int, str], int | None]:
    """A batch of a workflow-task attempt that reaches into the stored chain: events equal to the
    stored ones are skipped; from the first that differs, the stored events were decided by an
    attempt that never became history (this one decides after it), so they are set aside. The
    head to append after, and the seq set aside from (None: nothing differed)."""
    first = events[0].seq
    stored = {
        row.seq: row
        for row in await connection.execute(
            _STORED_FROM, {"case_id": case_id, "seq": max(first - 1, 1)}
        )
    }
    prev = (0, GENESIS_HASH) if first == 1 else (first - 1, stored[first - 1].hash)
    for event in events:
        if event.seq > head[0]:
            break
        sealed = sealed_row(event_row(event), prev[1])
        if sealed["hash"] != stored[event.seq].hash:
            later = [row.history_length for seq, row in stored.items() if seq >= event.seq]
            if any(length is None or length > history_length for length in later):
                raise StaleAttemptError(
                    f"{case_id}: events from {event.seq} were decided by a later attempt"
                )
            await _set_aside(case_id, event.seq, history_length, connection=connection)
            return prev, event.seq
        prev = (event.seq, sealed["hash"])
    return head, None


async def append_events(
    events: tuple[Event, ...], *, connection: AsyncConnection, history_length: int | None = None
) -> int:
    """Append events to their case's hash chain, skipping any already stored (same case and seq);
    returns how many were new. See ``append_batch``."""
    inserted = 0
    by_case: dict[str, list[Event]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    for case_events in by_case.values():
        appended = await append_batch(
            tuple(case_events), connection=connection, history_length=history_length
        )
        inserted += appended.inserted
    return inserted


async def append_batch(
    events: tuple[Event, ...], *, connection: AsyncConnection, history_length: int | None = None
) -> Appended:
    """Append one case's events to its hash chain.

    Each new event is sealed after the case's last stored event, read in the same transaction
    (one indexed SELECT). Then one statement for the batch (executemany with RETURNING is sent as
    one multi-row INSERT). A retried batch that is already stored inserts nothing; a partly
    stored one inserts the rest, chained after what is there. ``history_length``: the batch was
    decided inside a workflow task of that history length (a local activity), so stored events
    that differ from it at the same seqs are an earlier attempt's, set aside (``_overlap``).
    Raises (so the activity retries, in a fresh transaction) when the batch would leave a gap, or
    when a concurrent attempt stored some of the same events after the head was read.
    """
    ordered = sorted(events, key=lambda event: event.seq)
    if not ordered:
        return Appended(0, (0, GENESIS_HASH), (0, GENESIS_HASH))
    case_id = ordered[0].case_id
    found = (await connection.execute(_CHAIN_HEAD, {"case_id": case_id})).first()
    prior = (0, GENESIS_HASH) if found is None else (found.seq, found.hash)
    head, superseded_from = prior, None
    if history_length is not None and ordered[0].seq <= prior[0]:
        head, superseded_from = await _overlap(
            case_id, ordered, prior, history_length, connection=connection
        )
    rows: list[dict[str, Any]] = []
    for event in ordered:
        if event.seq <= head[0]:
            continue  # already stored: a retried or overlapping batch
        if event.seq != head[0] + 1:
            raise ChainGapError(
                f"{case_id}: event {event.seq} would follow event {head[0]}; "
                f"events {head[0] + 1}..{event.seq - 1} are not stored"
            )
        row = sealed_row(event_row(event), head[1])
        row["history_length"] = history_length
        rows.append(row)
        head = (event.seq, row["hash"])
    if not rows:
        return Appended(0, prior, head, superseded_from)
    statement = _append_statement(connection.dialect.name)
    inserted = len((await connection.execute(statement, rows)).all())
    if inserted != len(rows):
        raise ConcurrentAppendError(
            f"{inserted} of {len(rows)} events inserted: the case was appended to concurrently"
        )
    return Appended(inserted, prior, head, superseded_from)


def event_from_row(row: CaseEventRow | Row[Any]) -> Event:
    return Event(
        case_id=row.case_id,
        seq=row.seq,
        at=utc(row.occurred_at),
        actor=row.actor,
        command_id=row.command_id,
        body=_EVENT_BODY.validate_python(row.payload),
    )


async def case_events(case_id: str, *, session: AsyncSession) -> list[Event]:
    rows = await session.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.seq)
    )
    return [event_from_row(row) for row in rows]


async def events_after(case_id: str, seq: int, *, connection: AsyncConnection) -> list[Event]:
    """The case's stored events after ``seq``, in order (inside the caller's transaction)."""
    rows = await connection.execute(
        select(CaseEventRow.__table__)
        .where(CaseEventRow.case_id == case_id, CaseEventRow.seq > seq)
        .order_by(CaseEventRow.seq)
    )
    return [event_from_row(row) for row in rows]


async def count_events(case_id: str, *, session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(CaseEventRow).where(CaseEventRow.case_id == case_id)
    )
    return int(count or 0)
