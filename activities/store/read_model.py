"""The rows beside a case: its organisations, work items and party keys, rewritten with the case.

The row builders are plain functions of the state (the projection and migration 0010's backfill
both use them); ``replace_case_rows`` writes them in the caller's transaction, after the case's
own row was written.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Delete, Insert, Table, bindparam, delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from activities.store.agenda_table import SessionAgendaRow
from activities.store.indicator_facts import fact_tables
from activities.store.people_tables import CasePersonRow
from activities.store.sql import utc
from activities.store.tables import NO_DUE, CaseOrganisationRow, CasePartyRow, WorkItemRow
from domain.case.agenda import SessionStatus
from domain.case.list_columns import next_deadline, person_keys
from domain.case.state import CaseState
from domain.case.worklist import Relation, organisation_relations, party_keys, work_items

_TABLES = (
    CaseOrganisationRow.__table__,
    WorkItemRow.__table__,
    CasePartyRow.__table__,
    SessionAgendaRow.__table__,
    CasePersonRow.__table__,
)

# The rules the projection derives a case's rows by: raise it with every change to what they
# derive, and ``fengqiao migrate`` rebuilds every stored case by the new rules
# (``read_model_rebuild``).
# 2: case_people (我的在办 by id, 0022); indicator_facts and accountability_items (0028).
# 3: party and matter keys are HMACs under the party key (they were plain SHA-256).
READ_MODEL_VERSION = 3


def list_columns(state: CaseState) -> dict[str, Any]:
    """The case's columns a reach row repeats (so an organisation's list and counts read its
    own rows)."""
    return {
        "registered_at": utc(state.registered.at),
        "stage": state.stage.value,
        "kind": state.kind.value,
        "category": state.category.value,
        "jurisdiction_code": state.jurisdiction.code,
        "due_rank": due_rank(state),
    }


def due_rank(state: CaseState) -> datetime:
    """The nearest running clock's due time, or NO_DUE (a list by deadline puts it last)."""
    nearest = next_deadline(state)
    return utc(nearest.due_at) if nearest is not None else NO_DUE


def relation_rows(state: CaseState) -> list[dict[str, Any]]:
    """Each (organisation, relation) of the case; the first row of each organisation (in the
    order of ``Relation``: holder first) is its reach row."""
    order = list(Relation)
    pairs = sorted(organisation_relations(state), key=lambda p: (p[0], order.index(p[1])))
    columns = list_columns(state)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for org_id, relation in pairs:
        rows.append(
            {
                "case_id": state.case_id,
                "org_id": org_id,
                "relation": relation.value,
                "reach": org_id not in seen,
                **columns,
            }
        )
        seen.add(org_id)
    return rows


def persons_column(persons: tuple[str, ...]) -> str | None:
    """``|王芳|李四|``: a name matches as ``LIKE '%|王芳|%'`` (names hold no ``|``)."""
    names = [name.replace("|", "") for name in persons]
    return "|" + "|".join(names) + "|" if names else None


def work_item_rows(state: CaseState) -> list[dict[str, Any]]:
    case = {
        "case_id": state.case_id,
        "jurisdiction_code": state.jurisdiction.code,
        "case_kind": state.kind.value,
        "title": state.title,
        "stage": state.stage.value,
        "category": state.category.value,
        "registered_at": utc(state.registered.at),
    }
    return [
        {
            **case,
            "item_key": item.item_key,
            "org_id": item.org_id,
            "kind": item.kind.value,
            "due_at": utc(item.due_at) if item.due_at else None,
            "rank_at": utc(item.due_at) if item.due_at else NO_DUE,
            "since": utc(item.since),
            "summary": item.summary[:500],
            "assignment_no": item.assignment_no,
            "clock_id": item.clock_id,
            "person": persons_column(item.persons),
        }
        for item in work_items(state)
    ]


def party_rows(state: CaseState, *, party_hash_key: bytes) -> list[dict[str, Any]]:
    keys = party_keys(state, key=party_hash_key)
    return [{"case_id": state.case_id, "party_key": key} for key in sorted(keys)]


def agenda_rows(state: CaseState) -> list[dict[str, Any]]:
    """调解日程: each session booked on the case; one still to be held drops off once the case
    ends (it will not be held)."""
    return [
        {
            "case_id": state.case_id,
            "schedule_no": s.schedule_no,
            "org_id": state.holder_id,
            "starts_at": utc(s.starts_at),
            "place": s.place[:200],
            "status": s.status.value,
            "mediators": persons_column(s.mediators) or "",
            "mediator_ids": persons_column(s.mediator_ids),
            "parties": len(s.party_notices),
            "postponed": len(s.postponements),
            "title": state.title,
            "stage": state.stage.value,
            "category": state.category.value,
            "jurisdiction_code": state.jurisdiction.code,
        }
        for s in state.scheduled_sessions
        if not (state.is_terminal and s.status is SessionStatus.SCHEDULED)
    ]


def person_rows(state: CaseState) -> list[dict[str, Any]]:
    """我的在办: who works the case, by id, while it is open."""
    if state.is_terminal:
        return []
    return [{"case_id": state.case_id, "person_key": key} for key in person_keys(state)]


def case_rows(state: CaseState, *, party_hash_key: bytes) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Each side table and the rows ``state`` gives it (party keys under ``party_hash_key``)."""
    built = (
        relation_rows(state),
        work_item_rows(state),
        party_rows(state, party_hash_key=party_hash_key),
        agenda_rows(state),
        person_rows(state),
    )
    return list(zip(_TABLES, built, strict=True))


# The rows of each side table one projection wrote: ``case_rows`` and then ``fact_tables``.
SideRows = tuple[list[dict[str, Any]], ...]


async def replace_case_rows(
    state: CaseState,
    *,
    connection: AsyncConnection,
    party_hash_key: bytes,
    previous: SideRows | None = None,
) -> SideRows:
    """Replace the case's rows in every side table by those of ``state``; returns them.

    ``previous``: the rows the case's last projection wrote, which the caller knows are still the
    stored ones (the stored seq is theirs, the case row locked): a table whose rows are the same
    is left alone (most commands change two or three of the seven tables)."""
    written = []
    tables = [
        *case_rows(state, party_hash_key=party_hash_key),
        *fact_tables(state, party_hash_key=party_hash_key),
    ]
    for index, (table, rows) in enumerate(tables):
        written.append(rows)
        if previous is not None and previous[index] == rows:
            continue
        removal, addition = _statements(table)
        await connection.execute(removal, {"case_id": state.case_id})
        if rows:
            await connection.execute(addition, rows)
    return tuple(written)


@cache
def _statements(table: Table) -> tuple[Delete, Insert]:
    """A side table's DELETE of one case's rows and its INSERT, built once (per command, two or
    three tables are written: building the statements each time cost as much as sending them)."""
    return delete(table).where(table.c.case_id == bindparam("case_id")), insert(table)
