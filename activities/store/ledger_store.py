"""台账导入的记录: imports and the outcome of each row (the work itself is the workflow's)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.ledger_tables import LedgerImportLineRow, LedgerImportRow
from activities.store.sql import insert_for, utc
from activities.store.tables import CaseRow

REGISTERED = "registered"
REJECTED = "rejected"


@dataclass(frozen=True)
class LedgerImport:
    import_id: str
    file_sha256: str
    file_name: str
    center_id: str
    user_id: str
    total_rows: int
    status: str
    created_at: datetime
    finished_at: datetime | None
    registered: int = 0
    rejected: int = 0

    @property
    def done(self) -> int:
        return self.registered + self.rejected


@dataclass(frozen=True)
class RowOutcome:
    row_no: int
    outcome: str
    case_id: str | None = None
    reason: str | None = None


async def create_import(entry: LedgerImport, *, session: AsyncSession) -> bool:
    """Record the import once (an import of the same file for the same organisation is the same
    import); True when it is new."""
    values = {
        name: getattr(entry, name)
        for name in (
            "import_id",
            "file_sha256",
            "file_name",
            "center_id",
            "user_id",
            "total_rows",
            "status",
            "created_at",
            "finished_at",
        )
    }
    statement = (
        insert_for(session, LedgerImportRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["import_id"])
    )
    result: Any = await session.execute(statement)
    return bool(result.rowcount)


async def _counts(import_ids: list[str], *, session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(LedgerImportLineRow.import_id, LedgerImportLineRow.outcome, func.count())
        .where(LedgerImportLineRow.import_id.in_(import_ids))
        .group_by(LedgerImportLineRow.import_id, LedgerImportLineRow.outcome)
    )
    return {(row[0], row[1]): int(row[2]) for row in rows}


def _entry(row: LedgerImportRow, counts: dict[tuple[str, str], int]) -> LedgerImport:
    return LedgerImport(
        import_id=row.import_id,
        file_sha256=row.file_sha256,
        file_name=row.file_name,
        center_id=row.center_id,
        user_id=row.user_id,
        total_rows=row.total_rows,
        status=row.status,
        created_at=utc(row.created_at),
        finished_at=utc(row.finished_at) if row.finished_at else None,
        registered=counts.get((row.import_id, REGISTERED), 0),
        rejected=counts.get((row.import_id, REJECTED), 0),
    )


async def get_import(import_id: str, *, session: AsyncSession) -> LedgerImport | None:
    row = await session.get(LedgerImportRow, import_id)
    if row is None:
        return None
    return _entry(row, await _counts([import_id], session=session))


async def list_imports(
    center_id: str, *, session: AsyncSession, limit: int = 20
) -> list[LedgerImport]:
    """An organisation's imports, newest first."""
    rows = list(
        await session.scalars(
            select(LedgerImportRow)
            .where(LedgerImportRow.center_id == center_id)
            .order_by(LedgerImportRow.created_at.desc())
            .limit(limit)
        )
    )
    counts = await _counts([row.import_id for row in rows], session=session)
    return [_entry(row, counts) for row in rows]


async def done_rows(import_id: str, first: int, last: int, *, session: AsyncSession) -> set[int]:
    """The rows from ``first`` to ``last`` already registered or rejected."""
    found = await session.scalars(
        select(LedgerImportLineRow.row_no).where(
            LedgerImportLineRow.import_id == import_id,
            LedgerImportLineRow.row_no.between(first, last),
        )
    )
    return set(found)


async def record_rows(
    import_id: str, outcomes: Iterable[RowOutcome], *, session: AsyncSession
) -> None:
    """Each row's outcome, once (a row recorded before keeps its first outcome)."""
    values = [
        {
            "import_id": import_id,
            "row_no": o.row_no,
            "outcome": o.outcome,
            "case_id": o.case_id,
            "reason": o.reason,
        }
        for o in outcomes
    ]
    if not values:
        return
    statement = (
        insert_for(session, LedgerImportLineRow)
        .values(values)
        .on_conflict_do_nothing(index_elements=["import_id", "row_no"])
    )
    await session.execute(statement)


async def finish_import(import_id: str, at: datetime, *, session: AsyncSession) -> None:
    await session.execute(
        update(LedgerImportRow)
        .where(LedgerImportRow.import_id == import_id, LedgerImportRow.status != "finished")
        .values(status="finished", finished_at=at)
    )


async def rejected_rows(import_id: str, *, session: AsyncSession) -> dict[int, str]:
    """The rejected rows of an import and why, by row number."""
    rows = await session.execute(
        select(LedgerImportLineRow.row_no, LedgerImportLineRow.reason)
        .where(
            LedgerImportLineRow.import_id == import_id,
            LedgerImportLineRow.outcome == REJECTED,
        )
        .order_by(LedgerImportLineRow.row_no)
    )
    return {int(row[0]): row[1] or "" for row in rows}


async def existing_cases(case_ids: Iterable[str], *, session: AsyncSession) -> set[str]:
    """Which of ``case_ids`` are cases already (a ledger row naming its 案件编号)."""
    wanted = list(case_ids)
    if not wanted:
        return set()
    return set(await session.scalars(select(CaseRow.case_id).where(CaseRow.case_id.in_(wanted))))


async def case_documents(case_ids: list[str], *, session: AsyncSession) -> dict[str, Any]:
    """The stored cases ``case_ids`` as the workflow serialised them, by case id."""
    if not case_ids:
        return {}
    rows = await session.execute(
        select(CaseRow.case_id, CaseRow.state).where(CaseRow.case_id.in_(case_ids))
    )
    return {row[0]: row[1] for row in rows}
