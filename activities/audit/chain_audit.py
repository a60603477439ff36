"""审计核验: check a case's event chain and that its read model is the fold of its events.

``fengqiao audit verify CASE…|--all`` prints one line per case and exits 1 if any case fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from activities.audit.file_audit import FileProblem, check_files
from activities.files.store import FileStore
from activities.store import behind, repositories
from activities.store.sql import utc
from activities.store.tables import CaseEventRow, CaseRow, SupersededEventRow
from domain.audit.chain import ChainBreak, ChainLink, normalize_json, verify_chain
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.state import CaseState
from domain.errors import UnknownCase

# More differences than this are summarised: one is enough to fail, a few help to see why.
MAX_DIFFERENCES = 20
# A projection commits events and the read model together; reading both again this many times
# rules out one that landed between the two reads.
CONSISTENT_READ_ATTEMPTS = 3


class SupersededEvent(BaseModel):
    """An event of a workflow-task attempt that never became history, kept as it was in
    case_events_superseded; ``intact``: its seal still matches its content."""

    model_config = ConfigDict(frozen=True)

    seq: int
    type: str
    occurred_at: datetime
    command_id: str
    superseded_by: int | None  # the history length of the attempt that decided again
    superseded_at: datetime
    intact: bool


class VerificationReport(BaseModel):
    """One case's audit: ``ok`` when the chain is intact and the read model matches it."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    ok: bool
    chain_ok: bool
    events: int
    head_hash: str | None
    first_broken: ChainBreak | None
    read_model_matches: bool
    read_model_differences: list[str]
    # The trail against the case's workflow: the last seq the workflow recorded (None: not
    # known, e.g. the workflow is gone after retention), and whether the store holds it all.
    workflow_seq: int | None = None
    trail_complete: bool = True
    behind_since: datetime | None = None  # the store refused the case's events since then
    # 证据材料: files the chain records, hashed again from the file store (when one is given).
    files_checked: int = 0
    file_problems: list[FileProblem] = []
    # Events taken out of the chain when a lost attempt was superseded (kept, never deleted).
    superseded: list[SupersededEvent] = []


def unknown_case(case_id: str) -> UnknownCase:
    return UnknownCase(f"案件 {case_id} 不存在", f"unknown case {case_id}", field="case_id")


# -- queries ------------------------------------------------------------------------------------


async def _event_rows(case_id: str, *, session: AsyncSession) -> list[CaseEventRow]:
    rows = await session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.seq, CaseEventRow.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def _superseded(case_id: str, *, session: AsyncSession) -> list[SupersededEvent]:
    rows = await session.scalars(
        select(SupersededEventRow)
        .where(SupersededEventRow.case_id == case_id)
        .order_by(SupersededEventRow.seq, SupersededEventRow.id)
    )
    return [
        SupersededEvent(
            seq=row.seq,
            type=row.type,
            occurred_at=utc(row.occurred_at),
            command_id=row.command_id,
            superseded_by=row.superseded_by,
            superseded_at=utc(row.superseded_at),
            intact=chain_link(row).sealed(),
        )
        for row in rows
    ]


async def _case_row(case_id: str, *, session: AsyncSession) -> CaseRow | None:
    # populate_existing: a second read in the same session must see the row as it is now.
    row: CaseRow | None = await session.scalar(
        select(CaseRow).where(CaseRow.case_id == case_id).execution_options(populate_existing=True)
    )
    return row


async def all_case_ids(*, session: AsyncSession) -> list[str]:
    """Every case the store knows: with a read model row, or with events only."""
    query = union(select(CaseRow.case_id), select(CaseEventRow.case_id).distinct())
    return sorted(str(case_id) for case_id in await session.scalars(query))


# -- checks -------------------------------------------------------------------------------------


def chain_link(row: CaseEventRow | SupersededEventRow) -> ChainLink:
    """A stored event as a link of its case's chain (or of the chain it was set aside from)."""
    return ChainLink(
        case_id=row.case_id,
        seq=row.seq,
        type=row.type,
        occurred_at=utc(row.occurred_at),
        actor=row.actor,
        command_id=row.command_id,
        payload=row.payload,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _events(rows: list[CaseEventRow], differences: list[str]) -> list[Event]:
    events: list[Event] = []
    for row in rows:
        try:
            events.append(repositories.event_from_row(row))
        except ValidationError as error:
            differences.append(f"event {row.seq}: not a valid event ({error.error_count()} errors)")
    return events


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _compare(
    path: str, stored: Any, expected: Any, filled: Any, legacy: bool, out: list[str]
) -> None:
    """Differences between the stored document and the fold, as ``path: what`` lines.

    ``filled`` is the stored document validated as a ``CaseState`` and dumped again: where it
    equals the fold, the stored JSON only says the same thing differently. That is the case for a
    field added to the model after the document was written (the key is absent, the default
    applies) and for equivalent spellings (``+00:00`` for ``Z``); it is not a difference.
    """
    if filled is not None and normalize_json(filled) == normalize_json(expected):
        return
    if legacy and path == "state.milestones" and _legacy_milestones(stored, expected):
        return
    if isinstance(stored, dict) and isinstance(expected, dict):
        filled_dict = filled if isinstance(filled, dict) else {}
        for key in sorted(stored.keys() | expected.keys()):
            inner = f"{path}.{key}"
            if key not in expected:
                out.append(f"{inner}: only in the read model")
            elif key in stored:
                _compare(inner, stored[key], expected[key], filled_dict.get(key), legacy, out)
            elif legacy and inner == "state.milestones":
                _compare(inner, {}, expected[key], None, legacy, out)
            elif key not in filled_dict or normalize_json(filled_dict[key]) != normalize_json(
                expected[key]
            ):
                out.append(f"{inner}: missing from the read model")
        return
    if isinstance(stored, list) and isinstance(expected, list) and len(stored) == len(expected):
        for index, (mine, theirs) in enumerate(zip(stored, expected, strict=True)):
            filled_inner = filled[index] if isinstance(filled, list) else None
            _compare(f"{path}[{index}]", mine, theirs, filled_inner, legacy, out)
        return
    if normalize_json(stored) != normalize_json(expected):
        out.append(f"{path}: read model {_short(stored)}, events give {_short(expected)}")


def _legacy_milestones(stored: Any, expected: Any) -> bool:
    """A case registered before clocks (no ``policy_snapshotted``) may miss milestones.

    Before clocks the state had no ``milestones``; a case that continued-as-new under that code
    handed its next run a state without them, so the workflow (and the read model it writes)
    only knows the milestones of events recorded in later runs, while the fold of every stored
    event knows them all. Each milestone the read model does have must still match the fold.
    """
    stored = {} if stored is None else stored
    if not isinstance(stored, dict) or not isinstance(expected, dict):
        return False
    return all(key in expected and expected[key] == value for key, value in stored.items())


def _read_model_differences(rows: list[CaseEventRow], case_row: CaseRow | None) -> list[str]:
    differences: list[str] = []
    events = _events(rows, differences)
    folded = fold(events)
    if case_row is None:
        differences.append("the read model has no row for this case")
        return differences
    if folded is None:
        differences.append("the stored events do not register the case")
        return differences
    expected = folded.model_dump(mode="json")
    try:
        filled: Any = CaseState.model_validate(case_row.state).model_dump(mode="json")
    except ValidationError as error:
        differences.append(f"state: not a valid case document ({error.error_count()} errors)")
        filled = None
    legacy = not any(row.type == "policy_snapshotted" for row in rows)
    _compare("state", case_row.state, expected, filled, legacy, differences)
    for column, value in repositories.case_columns(folded).items():
        if column == "state":
            continue
        stored = getattr(case_row, column)
        if isinstance(stored, datetime) and isinstance(value, datetime):
            stored, value = utc(stored), utc(value)
        if stored != value:
            differences.append(
                f"cases.{column}: read model {_short(stored)}, events give {_short(value)}"
            )
    if len(differences) > MAX_DIFFERENCES:
        more = len(differences) - MAX_DIFFERENCES
        differences = [*differences[:MAX_DIFFERENCES], f"... and {more} more"]
    return differences


async def verify_case(
    session: AsyncSession,
    case_id: str,
    files: FileStore | None = None,
    *,
    workflow_seq: int | None = None,
) -> VerificationReport:
    """Check ``case_id``'s chain and read model, that the trail holds every event the
    workflow recorded (``workflow_seq``, asked of the workflow by the caller; a case the store
    marked behind fails too), and with ``files`` every file the chain records (hashed again).
    Raises ``UnknownCase`` if neither the store nor the workflow knows the case.

    Reads only; the caller's session may be a read-only one.
    """
    for _ in range(CONSISTENT_READ_ATTEMPTS):
        rows = await _event_rows(case_id, session=session)
        case_row = await _case_row(case_id, session=session)
        # Events and read model are committed together: a read model ahead of the events read
        # just before it means a projection landed in between, so read both again.
        if case_row is None or not rows or case_row.seq <= rows[-1].seq:
            break
    lag = await behind.behind(case_id, session=session)
    superseded = await _superseded(case_id, session=session)
    if not rows and case_row is None and workflow_seq is None and lag is None:
        raise unknown_case(case_id)
    chain = verify_chain([chain_link(row) for row in rows])
    differences = _read_model_differences(rows, case_row)
    matches = not differences
    checked, problems = (
        await check_files(_events(rows, []), files) if files is not None else (0, [])
    )
    stored_last = rows[-1].seq if rows else 0
    expected = workflow_seq if workflow_seq is not None else (lag.workflow_seq if lag else None)
    complete = lag is None and (expected is None or stored_last == expected)
    return VerificationReport(
        case_id=case_id,
        ok=chain.ok and matches and complete and not problems and all(e.intact for e in superseded),
        files_checked=checked,
        file_problems=problems,
        chain_ok=chain.ok,
        events=chain.events,
        head_hash=chain.head_hash,
        first_broken=chain.first_broken,
        read_model_matches=matches,
        read_model_differences=differences,
        workflow_seq=expected,
        trail_complete=complete,
        behind_since=utc(lag.since) if lag is not None else None,
        superseded=superseded,
    )
