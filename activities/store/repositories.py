"""Every query on the case tables; keyword-only sessions, explicit mapping to domain models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, exists, select
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
from activities.store.event_chain import (
    Appended,
    ChainGapError,
    ConcurrentAppendError,
    StaleAttemptError,
    append_batch,
    append_events,
    case_events,
    count_events,
    event_from_row,
    event_row,
    events_after,
    sealed_row,
)
from activities.store.sql import insert_for, insert_for_dialect, utc
from activities.store.table_base import SerializedJson
from activities.store.tables import (
    CaseBehindRow,
    CaseOrganisationRow,
    CaseRow,
    CaseSeriesRow,
    IntakeKeyRow,
)
from domain.case.list_columns import case_persons, next_deadline, parties_label
from domain.case.matters import matter_key
from domain.case.search import case_terms
from domain.case.state import CaseState
from domain.people.privacy import scrub_text

# The case list lives in ``case_list``, the event chain in ``event_chain``; their names stay
# importable from here.
__all__ = [
    "Appended",
    "ChainGapError",
    "ConcurrentAppendError",
    "StaleAttemptError",
    "append_batch",
    "append_events",
    "case_events",
    "count_events",
    "event_from_row",
    "event_row",
    "events_after",
    "sealed_row",
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

# -- cases read model ---------------------------------------------------------------------------


def _case_columns(
    state: CaseState,
    search_key: bytes | None,
    party_hash_key: bytes | None,
    *,
    as_written: bool = True,
) -> dict[str, object]:
    """``as_written``: the document as JSON text, as the projection writes it; otherwise as the
    row reads back (a dict)."""
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
        "state": (
            SerializedJson(state.model_dump_json()) if as_written else state.model_dump(mode="json")
        ),
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
    columns = _case_columns(state, None, party_hash_key, as_written=False)
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
    """The stored case's seq and search terms, its row locked until the transaction ends;
    ``behind``: the case is marked behind (``cases_behind``)."""

    seq: int
    terms: tuple[str | None, datetime, str]
    behind: bool = False


_HEAD = select(
    CaseRow.seq,
    CaseRow.search_terms,
    CaseRow.registered_at,
    CaseRow.jurisdiction_code,
    exists().where(CaseBehindRow.case_id == CaseRow.case_id),
).where(CaseRow.case_id == bindparam("case_id"))


async def case_head(case_id: str, *, connection: AsyncConnection) -> CaseHead | None:
    """The stored case's seq and terms (row locked), None when it has no row yet."""
    row = (await connection.execute(_HEAD.with_for_update(), {"case_id": case_id})).one_or_none()
    if row is None:
        return None
    return CaseHead(row[0], (row[1], utc(row[2]), row[3]), bool(row[4]))


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
        .returning(IntakeKeyRow.case_id)
    )
    claimed: str | None = (await session.execute(statement)).scalar_one_or_none()
    if claimed is not None:
        return claimed  # bound now (the common case: one statement)
    bound = await case_for_key(key, session=session)
    assert bound is not None
    return bound
