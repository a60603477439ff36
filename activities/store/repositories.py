"""Every query on the case tables; keyword-only sessions, explicit mapping to domain models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Row, bindparam, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from activities.runtime.settings import DEVELOPMENT_PARTY_KEY
from activities.store import read_model, search_postings
from activities.store.alert_store import AlertRows, upsert_alerts
from activities.store.case_list import (
    SUMMARY_COLUMNS,
    CaseFilter,
    CasePage,
    CaseSummary,
    count_cases,
    count_cases_and_backlog,
    counting_query,
    decode_cursor,
    encode_cursor,
    filtered_query,
    list_cases,
    order_columns,
    summary_of,
)
from activities.store.sql import insert_for, insert_for_dialect, utc
from activities.store.tables import (
    CaseEventRow,
    CaseOrganisationRow,
    CaseRow,
    CaseSeriesRow,
    IntakeKeyRow,
    SupersededEventRow,
)
from domain.audit.chain import GENESIS_HASH, canonical_event, event_hash, event_payload
from domain.case.events import Event, EventBody
from domain.case.list_columns import case_persons, next_deadline, parties_label
from domain.case.matters import matter_key
from domain.case.search import case_terms
from domain.case.state import CaseState
from domain.people.privacy import scrub_text

# The case list lives in ``case_list``; its names stay importable from here.
__all__ = [
    "SUMMARY_COLUMNS",
    "CaseFilter",
    "CasePage",
    "CaseSummary",
    "count_cases",
    "count_cases_and_backlog",
    "counting_query",
    "decode_cursor",
    "encode_cursor",
    "filtered_query",
    "list_cases",
    "order_columns",
    "summary_of",
]

_EVENT_BODY: TypeAdapter[EventBody] = TypeAdapter(EventBody)


# -- events -------------------------------------------------------------------------------------


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


# -- cases read model ---------------------------------------------------------------------------


def _case_columns(
    state: CaseState, search_key: bytes | None, party_hash_key: bytes | None
) -> dict[str, object]:
    plan = state.plan
    leader = state.package_leader
    return {
        "case_id": state.case_id,
        "kind": state.kind.value,
        "stage": state.stage.value,
        "category": state.category.value,
        "channel": state.channel.value,
        "title": state.title,
        "description": state.description,
        "masked_title": scrub_text(state.title),
        "masked_description": scrub_text(state.description),
        "search_terms": case_terms(state, key=search_key),
        "jurisdiction_code": state.jurisdiction.code,
        "risk_level": state.risk_level.value,
        "responsible_unit": plan.responsible_unit if plan else None,
        "responsible_person": plan.responsible_person if plan else None,
        "package_leader": leader.leader_name if leader else None,
        "registered_at": utc(state.registered.at),
        "updated_at": utc(state.updated_at),
        "seq": state.seq,
        "state": state.model_dump(mode="json"),
        "matter_key": None if party_hash_key is None else matter_key(state, key=party_hash_key),
        "center_id": state.center_id,
        "holder_id": state.holder_id,
        "incoming_id": state.incoming_id,
        "reporter_id": state.reporter_id,
        "grid_code": state.grid_code,
        "read_model_version": read_model.READ_MODEL_VERSION,
        **_list_columns(state),
    }


def _list_columns(state: CaseState) -> dict[str, object]:
    """The columns a list line shows beyond the case's own (``domain.case.list_columns``)."""
    nearest = next_deadline(state)
    return {
        "due_rank": read_model.due_rank(state),
        "next_due_at": utc(nearest.due_at) if nearest else None,
        "next_due_name": nearest.clock_name[:200] if nearest else None,
        "next_due_org": nearest.org_id if nearest else None,
        "next_due_org_name": nearest.org_name if nearest else None,
        "holder_name": state.holder.name if state.holder is not None else None,
        "persons": read_model.persons_column(case_persons(state)),
        "parties_label": scrub_text(parties_label(state))[:300],
        "listed_until": state.open_listing.deadline if state.open_listing else None,
    }


def case_columns(state: CaseState, *, party_hash_key: bytes | None = None) -> dict[str, object]:
    """The cases row ``state`` projects to (the audit compares the stored row with it; the
    search terms hold keyed hashes the audit cannot recompute without the key, so not those, and
    the same-matter key only when ``party_hash_key`` is given)."""
    columns = _case_columns(state, None, party_hash_key)
    del columns["search_terms"], columns["read_model_version"]
    if party_hash_key is None:
        del columns["matter_key"]
    return columns


@cache
def _upsert_statement(dialect: str, rebuild: bool = False, overwrite: bool = False) -> Any:
    """Insert or overwrite the row of an older seq; a rebuild also rewrites the same seq;
    ``overwrite`` any seq (the stored one is an attempt that never became history)."""
    table = CaseRow.__table__
    statement = insert_for_dialect(dialect, table)
    newer = (
        table.c.seq <= statement.excluded.seq if rebuild else table.c.seq < statement.excluded.seq
    )
    return statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={
            column.name: statement.excluded[column.name]
            for column in table.c
            if column.name != "case_id"
        },
        where=None if overwrite else newer,
    ).returning(table.c.case_id)


async def stored_case(case_id: str, *, connection: AsyncConnection) -> CaseState | None:
    """The read model's case (inside the caller's transaction), or None if it has none yet."""
    document = await connection.scalar(select(CaseRow.state).where(CaseRow.case_id == case_id))
    return None if document is None else CaseState.model_validate(document)


@dataclass(frozen=True)
class Projected:
    """What one projection wrote for a case. The case's next batch, finding the stored seq still
    ``seq`` (its row locked), folds onto ``state`` instead of reading and validating the stored
    document, and writes only the side rows, alerts and search postings that changed."""

    seq: int
    state: CaseState
    side_rows: read_model.SideRows
    alerts: AlertRows
    terms: tuple[str | None, datetime, str]
    # The case's chain head (seq, hash) it was written with: a later attempt's events set aside
    # and replaced by another worker leave the seq as it was, never the hash.
    chain: tuple[int, str] | None = None


@dataclass(frozen=True)
class CaseHead:
    """The stored case's seq and search terms, its row locked until the transaction ends."""

    seq: int
    terms: tuple[str | None, datetime, str]


_HEAD = select(
    CaseRow.seq, CaseRow.search_terms, CaseRow.registered_at, CaseRow.jurisdiction_code
).where(CaseRow.case_id == bindparam("case_id"))


async def case_head(case_id: str, *, connection: AsyncConnection) -> CaseHead | None:
    """The stored case's seq and terms (row locked), None when it has no row yet."""
    row = (await connection.execute(_HEAD.with_for_update(), {"case_id": case_id})).one_or_none()
    return None if row is None else CaseHead(row[0], (row[1], utc(row[2]), row[3]))


async def project_state(
    state: CaseState,
    *,
    connection: AsyncConnection,
    search_key: bytes | None = None,
    party_hash_key: bytes = DEVELOPMENT_PARTY_KEY,
    head: CaseHead | None,
    previous: Projected | None = None,
    chain: tuple[int, str] | None = None,
    overwrite: bool = False,
) -> Projected | None:
    """Write the case's row over ``head`` (the stored one, locked), then its side rows, alerts
    and postings (those that changed since ``previous``, when it is what ``head`` holds). None
    when the stored case is newer (nothing written). Party and matter keys are keyed with
    ``party_hash_key`` (the worker passes the configured key; the default is development's).
    ``overwrite``: the stored case is an attempt that never became history; ``state`` replaces
    it and its alerts whatever their seq. ``chain``: the chain head ``state`` stands on."""
    if previous is not None and (head is None or previous.seq != head.seq):
        previous = None
    written = await _write_case(
        state,
        connection=connection,
        search_key=search_key,
        party_hash_key=party_hash_key,
        rebuild=False,
        head=head,
        previous_side=previous.side_rows if previous else None,
        overwrite=overwrite,
    )
    if written is None:
        return None
    alerts = await upsert_alerts(
        state,
        connection=connection,
        previous=previous.alerts if previous else None,
        overwrite=overwrite,
    )
    side, terms = written
    return Projected(state.seq, state, side, alerts, terms, chain)


async def upsert_case(
    state: CaseState,
    *,
    connection: AsyncConnection,
    search_key: bytes | None = None,
    party_hash_key: bytes = DEVELOPMENT_PARTY_KEY,
    rebuild: bool = False,
) -> bool:
    """Write the read model row, and the case's organisations, work items, party keys and (on
    PostgreSQL) search postings beside it (same transaction); a state older than the stored one
    never overwrites them (``rebuild``: one of the same seq does, with today's rules). True when
    written. Party and matter keys are keyed with ``party_hash_key`` (every deployment path passes
    the configured key; the default is development's, for tests and tools)."""
    head = (
        await case_head(state.case_id, connection=connection)
        if connection.dialect.name == "postgresql"
        else None
    )
    written = await _write_case(
        state,
        connection=connection,
        search_key=search_key,
        party_hash_key=party_hash_key,
        rebuild=rebuild,
        head=head,
        previous_side=None,
    )
    return written is not None


async def _write_case(
    state: CaseState,
    *,
    connection: AsyncConnection,
    search_key: bytes | None,
    party_hash_key: bytes,
    rebuild: bool,
    head: CaseHead | None,
    previous_side: read_model.SideRows | None,
    overwrite: bool = False,
) -> tuple[read_model.SideRows, tuple[str | None, datetime, str]] | None:
    """The case row, its side rows (those that differ from ``previous_side``) and, on
    PostgreSQL, its search postings over ``head``'s; None when the stored case is newer (unless
    ``overwrite``)."""
    columns = _case_columns(state, search_key, party_hash_key)
    statement = _upsert_statement(connection.dialect.name, rebuild, overwrite)
    if (await connection.execute(statement, columns)).first() is None:
        return None
    side = await read_model.replace_case_rows(
        state, connection=connection, party_hash_key=party_hash_key, previous=previous_side
    )
    terms = columns["search_terms"]
    new = (
        terms if isinstance(terms, str) else None,
        utc(state.registered.at),
        state.jurisdiction.code,
    )
    if connection.dialect.name == "postgresql":
        old = head.terms if head is not None else None
        await search_postings.rewrite_postings(state.case_id, old, new, connection=connection)
    return side, new


async def case_document(case_id: str, *, session: AsyncSession) -> dict[str, Any] | None:
    """The stored case as the JSON the workflow produced (reads pass it through unvalidated)."""
    document: dict[str, Any] | None = await session.scalar(
        select(CaseRow.state).where(CaseRow.case_id == case_id)
    )
    return document


_REACH = (
    select(
        CaseRow.jurisdiction_code,
        CaseRow.reporter_id,
        CaseRow.holder_id,
        CaseRow.incoming_id,
        CaseOrganisationRow.org_id,
        CaseOrganisationRow.relation,
    )
    .outerjoin(CaseOrganisationRow, CaseOrganisationRow.case_id == CaseRow.case_id)
    .where(CaseRow.case_id == bindparam("case_id"))
)


async def case_reach_rows(case_id: str, *, session: AsyncSession) -> list[tuple[Any, ...]]:
    """The columns who reaches a case is decided by: its place, reporter, holder and incoming
    organisation, one row per (organisation, relation) of ``case_organisations`` (one row with
    no organisation when it has none); empty when the store has no such case."""
    return [tuple(row) for row in await session.execute(_REACH, {"case_id": case_id})]


# A petition still open to a repeat of its matter (before 终结, 销号, 撤回, 不予受理).
_PENDING_PETITION_STAGES = (
    "registered",
    "accepted",
    "replied",
    "review_requested",
    "reviewed",
    "second_review_requested",
)


async def pending_petition(keys: Sequence[str], *, session: AsyncSession) -> str | None:
    """The pending petition on the same matter (its key under any key of the party keyring),
    if any (重复信访 is recorded there)."""
    found: str | None = await session.scalar(
        select(CaseRow.case_id)
        .where(CaseRow.matter_key.in_(list(keys)), CaseRow.stage.in_(_PENDING_PETITION_STAGES))
        .order_by(CaseRow.registered_at)
        .limit(1)
    )
    return found


async def get_case(case_id: str, *, session: AsyncSession) -> CaseState | None:
    document = await case_document(case_id, session=session)
    return None if document is None else CaseState.model_validate(document)


# Built once: every command's answer runs it, and building a statement costs more than running it.
_DOCUMENT_WITH_SEQ = select(CaseRow.seq, CaseRow.state).where(
    CaseRow.case_id == bindparam("case_id")
)


async def document_with_seq(
    case_id: str, *, session: AsyncSession
) -> tuple[int, dict[str, Any]] | None:
    """The stored case's seq and its document, exactly as the workflow serialised it."""
    row = (await session.execute(_DOCUMENT_WITH_SEQ, {"case_id": case_id})).one_or_none()
    return None if row is None else (row.seq, row.state)


# -- intake: case numbers and idempotency keys --------------------------------------------------


async def next_number(series: str, *, session: AsyncSession) -> int:
    """Issue the next number of a series atomically (row-locked upsert)."""
    statement = insert_for(session, CaseSeriesRow).values(series=series, last_number=1)
    statement = statement.on_conflict_do_update(
        index_elements=["series"], set_={"last_number": CaseSeriesRow.last_number + 1}
    ).returning(CaseSeriesRow.last_number)
    return int((await session.execute(statement)).scalar_one())


async def case_for_key(key: str, *, session: AsyncSession) -> str | None:
    found: str | None = await session.scalar(
        select(IntakeKeyRow.case_id).where(IntakeKeyRow.idempotency_key == key)
    )
    return found


async def claim_key(key: str, case_id: str, *, session: AsyncSession) -> str:
    """Bind ``key`` to ``case_id`` unless another request bound it first; returns the bound case."""
    statement = (
        insert_for(session, IntakeKeyRow)
        .values(idempotency_key=key, case_id=case_id)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    await session.execute(statement)
    bound = await case_for_key(key, session=session)
    assert bound is not None
    return bound
