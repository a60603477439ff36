"""Every query on the case tables; keyword-only sessions, explicit mapping to domain models."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Row, and_, bindparam, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from activities.store import case_search, read_model
from activities.store.sql import insert_for, insert_for_dialect, like_escape, utc
from activities.store.tables import (
    CaseEventRow,
    CaseOrganisationRow,
    CaseRow,
    CaseSeriesRow,
    IntakeKeyRow,
)
from domain.audit.chain import GENESIS_HASH, canonical_event, event_hash, event_payload
from domain.case.events import Event, EventBody
from domain.case.matters import matter_key
from domain.case.search import SearchPlan, case_terms
from domain.case.stages import TERMINAL_STAGES
from domain.case.state import CaseState
from domain.people.privacy import scrub_text

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


async def append_events(events: tuple[Event, ...], *, connection: AsyncConnection) -> int:
    """Append events to their case's hash chain, skipping any already stored (same case and seq);
    returns how many were new.

    Each new event is sealed after the case's last stored event, read in the same transaction
    (one indexed SELECT per case, normally one per batch). Then one statement for the whole batch
    (executemany with RETURNING is sent as one multi-row INSERT). A retried batch that is already
    stored inserts nothing; a partly stored one inserts the rest, chained after what is there.
    Raises (so the activity retries, in a fresh transaction) when the batch would leave a gap, or
    when a concurrent attempt stored some of the same events after the head was read.
    """
    if not events:
        return 0
    by_case: dict[str, list[Event]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    rows: list[dict[str, Any]] = []
    for case_id, case_events in by_case.items():
        head = (await connection.execute(_CHAIN_HEAD, {"case_id": case_id})).first()
        head_seq, head_hash = (0, GENESIS_HASH) if head is None else (head.seq, head.hash)
        for event in sorted(case_events, key=lambda event: event.seq):
            if event.seq <= head_seq:
                continue  # already stored: a retried or overlapping batch
            if event.seq != head_seq + 1:
                raise ChainGapError(
                    f"{case_id}: event {event.seq} would follow event {head_seq}; "
                    f"events {head_seq + 1}..{event.seq - 1} are not stored"
                )
            row = sealed_row(event_row(event), head_hash)
            rows.append(row)
            head_seq, head_hash = event.seq, row["hash"]
    if not rows:
        return 0
    statement = _append_statement(connection.dialect.name)
    inserted = len((await connection.execute(statement, rows)).all())
    if inserted != len(rows):
        raise ConcurrentAppendError(
            f"{inserted} of {len(rows)} events inserted: the case was appended to concurrently"
        )
    return inserted


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


def _case_columns(state: CaseState, search_key: bytes | None = None) -> dict[str, object]:
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
        "matter_key": matter_key(state),
        "center_id": state.center_id,
        "holder_id": state.holder_id,
        "incoming_id": state.incoming_id,
        "reporter_id": state.reporter_id,
        "grid_code": state.grid_code,
    }


def case_columns(state: CaseState) -> dict[str, object]:
    """The cases row ``state`` projects to (the audit compares the stored row with it; the
    search terms hold keyed hashes the audit cannot recompute without the key, so not those)."""
    columns = _case_columns(state)
    del columns["search_terms"]
    return columns


@cache
def _upsert_statement(dialect: str) -> Any:
    table = CaseRow.__table__
    statement = insert_for_dialect(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={
            column.name: statement.excluded[column.name]
            for column in table.c
            if column.name != "case_id"
        },
        where=table.c.seq < statement.excluded.seq,
    ).returning(table.c.case_id)


async def stored_case(case_id: str, *, connection: AsyncConnection) -> CaseState | None:
    """The read model's case (inside the caller's transaction), or None if it has none yet."""
    document = await connection.scalar(select(CaseRow.state).where(CaseRow.case_id == case_id))
    return None if document is None else CaseState.model_validate(document)


async def upsert_case(
    state: CaseState, *, connection: AsyncConnection, search_key: bytes | None = None
) -> bool:
    """Write the read model row, and the case's organisations, work items and party keys beside
    it (same transaction); a state older than the stored one never overwrites them. True when
    written. ``search_key``: the deployment's key of the search terms' hashes of whole personal
    numbers (without it a case is found by them only once written with it)."""
    statement = _upsert_statement(connection.dialect.name)
    columns = _case_columns(state, search_key)
    written = (await connection.execute(statement, columns)).first() is not None
    if written:
        await read_model.replace_case_rows(state, connection=connection)
    return written


async def case_document(case_id: str, *, session: AsyncSession) -> dict[str, Any] | None:
    """The stored case as the JSON the workflow produced (reads pass it through unvalidated)."""
    document: dict[str, Any] | None = await session.scalar(
        select(CaseRow.state).where(CaseRow.case_id == case_id)
    )
    return document


# A petition still open to a repeat of its matter (before 终结, 销号, 撤回, 不予受理).
_PENDING_PETITION_STAGES = (
    "registered",
    "accepted",
    "replied",
    "review_requested",
    "reviewed",
    "second_review_requested",
)


async def pending_petition(key: str, *, session: AsyncSession) -> str | None:
    """The pending petition on the same matter, if any (重复信访 is recorded there)."""
    found: str | None = await session.scalar(
        select(CaseRow.case_id)
        .where(CaseRow.matter_key == key, CaseRow.stage.in_(_PENDING_PETITION_STAGES))
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


@dataclass(frozen=True)
class CaseFilter:
    stage: str | None = None
    kind: str | None = None
    category: str | None = None
    jurisdiction: str | None = None
    responsible_unit: str | None = None
    package_leader: str | None = None
    # 检索 (the search box): what ``q`` asks for, rank by rank (``domain.case.search``).
    search: SearchPlan | None = None
    responsible_person: str | None = None
    holder: str | None = None  # 承办单位 (org id)
    incoming: str | None = None  # 待签收单位 (org id)
    reporter: str | None = None  # the registering user (a grid worker's own reports)
    # 积案: open (not withdrawn or closed) and registered before this instant.
    backlog_before: datetime | None = None
    # The caller's reach: a jurisdiction subtree and, for center roles, their organisation
    # (cases related to it in any way: case_organisations).
    within: str | None = None
    organisation: str | None = None


class CaseSummary(BaseModel):
    """One line of the case list (案件列表)."""

    case_id: str
    kind: str
    stage: str
    category: str
    channel: str
    title: str
    jurisdiction_code: str
    risk_level: str
    responsible_unit: str | None
    responsible_person: str | None
    package_leader: str | None
    registered_at: datetime
    updated_at: datetime


# The list's columns only: the whole row would fetch each case's stored document (out of line,
# ~5 KB) just to drop it.
SUMMARY_COLUMNS = (
    CaseRow.case_id,
    CaseRow.kind,
    CaseRow.stage,
    CaseRow.category,
    CaseRow.channel,
    CaseRow.title,
    CaseRow.jurisdiction_code,
    CaseRow.risk_level,
    CaseRow.responsible_unit,
    CaseRow.responsible_person,
    CaseRow.package_leader,
    CaseRow.registered_at,
    CaseRow.updated_at,
)


def summary_of(row: Row[Any]) -> CaseSummary:
    return CaseSummary(
        case_id=row.case_id,
        kind=row.kind,
        stage=row.stage,
        category=row.category,
        channel=row.channel,
        title=row.title,
        jurisdiction_code=row.jurisdiction_code,
        risk_level=row.risk_level,
        responsible_unit=row.responsible_unit,
        responsible_person=row.responsible_person,
        package_leader=row.package_leader,
        registered_at=utc(row.registered_at),
        updated_at=utc(row.updated_at),
    )


@dataclass(frozen=True)
class CasePage:
    items: list[CaseSummary]
    next_cursor: str | None


def encode_cursor(row: CaseRow | Row[Any]) -> str:
    raw = json.dumps([utc(row.registered_at).isoformat(), row.case_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """ValueError if the cursor was not made by encode_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        registered, case_id = json.loads(raw)
        return utc(datetime.fromisoformat(registered)), str(case_id)
    except Exception as error:
        raise ValueError("invalid cursor") from error


def _subtrees(*prefixes: str | None) -> list[str]:
    """The jurisdiction prefixes a case must start with: one when the caller's filter lies inside
    the reach (or the reverse), as the narrower implies the wider; both when they are disjoint."""
    given = sorted((prefix for prefix in prefixes if prefix is not None), key=len, reverse=True)
    if len(given) == 2 and given[0].startswith(given[1]):
        return given[:1]
    return given


# Withdrawn and closed cases are no longer open (积案 counts the others).
_ENDED_STAGES = tuple(sorted(stage.value for stage in TERMINAL_STAGES))


def _shared_conditions(where: CaseFilter, table: Any) -> list[Any]:
    """Conditions on the columns that ``cases`` and the reach rows of ``case_organisations``
    both hold (stage, kind, category, jurisdiction, registration)."""
    conditions = [
        getattr(table, name) == value
        for name in ("stage", "kind", "category")
        if (value := getattr(where, name)) is not None
    ]
    for prefix in _subtrees(where.within, where.jurisdiction or None):
        pattern = like_escape(prefix) + "%"
        conditions.append(table.jurisdiction_code.like(pattern, escape="\\"))
    if where.backlog_before is not None:
        conditions.append(table.registered_at < where.backlog_before)
        conditions.append(table.stage.not_in(_ENDED_STAGES))
    return conditions


def _case_conditions(where: CaseFilter) -> list[Any]:
    """Conditions only the cases table can answer."""
    exact = {
        CaseRow.responsible_unit: where.responsible_unit,
        CaseRow.package_leader: where.package_leader,
        CaseRow.responsible_person: where.responsible_person,
        CaseRow.holder_id: where.holder,
        CaseRow.incoming_id: where.incoming,
        CaseRow.reporter_id: where.reporter,
    }
    conditions = [column == value for column, value in exact.items() if value is not None]
    if where.search is not None:
        conditions.append(case_search.any_condition(where.search))
    return conditions


_REACH = CaseOrganisationRow


def _reach_row(where: CaseFilter) -> list[Any]:
    """The one reach row of each case related to the organisation (any relation)."""
    # The bare column, as the partial index says it (`reach IS true` does not match it).
    return [_REACH.org_id == where.organisation, _REACH.reach]


def filtered_query(query: Any, where: CaseFilter) -> Any:
    """``query`` (over ``cases``) narrowed by the filter. An organisation's reach joins its reach
    rows in ``case_organisations``, which carry the shared columns: the planner walks that
    organisation's rows (by registration) instead of hashing the whole cases table."""
    if where.organisation is None:
        return query.where(*_shared_conditions(where, CaseRow), *_case_conditions(where))
    joined = query.join(_REACH, and_(_REACH.case_id == CaseRow.case_id, *_reach_row(where)))
    return joined.where(*_shared_conditions(where, _REACH), *_case_conditions(where))


def order_columns(where: CaseFilter) -> tuple[Any, Any]:
    """(registered_at, case_id) of the rows a list walks: the reach rows for an organisation."""
    table: Any = _REACH if where.organisation is not None else CaseRow
    return table.registered_at, table.case_id


def counting_query(where: CaseFilter, columns: Any) -> tuple[Any, Any]:
    """A count over the filter, and the table whose columns it counts: an organisation's reach
    rows alone when the filter needs nothing else of the case (an index-only count)."""
    if where.organisation is not None and not _case_conditions(where):
        table: Any = _REACH
        query = select(*columns(table)).where(*_reach_row(where), *_shared_conditions(where, table))
        return query, table
    return filtered_query(select(*columns(CaseRow)).select_from(CaseRow), where), CaseRow


async def count_cases(where: CaseFilter, *, session: AsyncSession) -> dict[str, int]:
    """How many cases match, by stage (the same filter, hence the same reach, as the list)."""
    query, table = counting_query(where, lambda t: (t.stage, func.count()))
    rows = await session.execute(query.group_by(table.stage))
    return {stage: int(count) for stage, count in rows}


async def count_cases_and_backlog(
    where: CaseFilter, *, backlog_before: datetime, session: AsyncSession
) -> tuple[dict[str, int], int]:
    """How many cases match by stage, and how many of them are 积案 (open and registered before
    ``backlog_before``), in one pass over the same rows."""
    query, table = counting_query(
        where,
        lambda t: (t.stage, func.count(), func.count().filter(t.registered_at < backlog_before)),
    )
    by_stage: dict[str, int] = {}
    backlog = 0
    for stage, count, older in await session.execute(query.group_by(table.stage)):
        by_stage[stage] = int(count)
        backlog += int(older) if stage not in _ENDED_STAGES else 0
    return by_stage, backlog


async def list_cases(
    where: CaseFilter, *, cursor: str | None, limit: int, session: AsyncSession
) -> CasePage:
    """Newest first (a search: best rank first, then newest); the cursor continues after the
    last row of the previous page."""
    if where.search is not None:
        return await _search_cases(where, where.search, cursor=cursor, limit=limit, session=session)
    query = filtered_query(select(*SUMMARY_COLUMNS), where)
    registered_at, case_id = order_columns(where)
    if cursor is not None:
        after = decode_cursor(cursor)
        # The row-value form is one index condition on (registered_at, case_id), so a page deep
        # in the list starts where it begins; ``a < x OR (a = x AND b < y)`` was a filter.
        query = query.where(tuple_(registered_at, case_id) < tuple_(*after))
    query = query.order_by(registered_at.desc(), case_id.desc()).limit(limit + 1)
    rows = list(await session.execute(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return CasePage(
        items=[summary_of(row) for row in rows],
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
    )


def _search_cursor(rank_index: int, row: Row[Any]) -> str:
    raw = json.dumps([rank_index, utc(row.registered_at).isoformat(), row.case_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_search_cursor(cursor: str) -> tuple[int, datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank_index, registered, case_id = json.loads(raw)
        return int(rank_index), utc(datetime.fromisoformat(registered)), str(case_id)
    except Exception as error:
        raise ValueError("invalid cursor") from error


async def _search_cases(
    where: CaseFilter, plan: SearchPlan, *, cursor: str | None, limit: int, session: AsyncSession
) -> CasePage:
    """检索: rank by rank (each rank one index lookup excluding the earlier ranks' cases), newest
    first within a rank, until the page is full."""
    start, after = 0, None
    if cursor is not None:
        start, *position = _decode_search_cursor(cursor)
        after = tuple(position)
        if not 0 <= start < len(plan.classes):
            raise ValueError("invalid cursor")
    rows: list[tuple[int, Row[Any]]] = []
    registered_at, case_id = order_columns(where)
    others = replace(where, search=None)
    for index in range(start, len(plan.classes)):
        query = filtered_query(select(*SUMMARY_COLUMNS), others).where(
            case_search.rank_condition(plan, index)
        )
        if index == start and after is not None:
            query = query.where(tuple_(registered_at, case_id) < tuple_(*after))
        query = query.order_by(registered_at.desc(), case_id.desc()).limit(limit + 1 - len(rows))
        rows.extend((index, row) for row in await session.execute(query))
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    return CasePage(
        items=[summary_of(row) for _, row in rows],
        next_cursor=_search_cursor(*rows[-1]) if more and rows else None,
    )


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
