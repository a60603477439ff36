"""台账: the list as a 登记台账 (.xlsx), and ledger files imported as cases by a workflow.

An import is the file (kept in the file store by its hash) and a LedgerImportWorkflow that
registers its rows through intake; the same file imported again by the same organisation is the
same import, and its rows are keyed by file and row, so it registers nothing new. Who imports:
the staff of an organisation (mediators, center admins); the cases belong to their organisation
unless a row names a 责任单位 within their area. An import is seen by its organisation's staff.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.files.spool import Spool
from activities.files.store import FileStore
from activities.identity.access_trail import Access
from activities.reports.ledger_book import (
    XLSX,
    LedgerFileError,
    ledger_workbook,
    read_ledger,
    rejected_workbook,
)
from activities.runtime.settings import Settings
from activities.store import ledger_store, repositories
from activities.store.ledger_store import LedgerImport
from api.access import record_access
from api.errors import ApiError, database_errors, forbidden, invalid_input, unavailable
from api.uploads import receive, spool_dir
from domain.case.ledger import REQUIRED_COLUMNS, ledger_row
from domain.case.state import CaseState
from domain.people.access import Permission, Principal
from workflows.contract import (
    LEDGER_IMPORT_WORKFLOW,
    LedgerImportInput,
    ledger_import_workflow_id,
)

MAX_ROWS = 10_000  # of an export, as the list's own export
MAX_IMPORT_ROWS = 50_000
EXPORT_ENDPOINT = "GET /v1/cases/ledger"


@dataclass(frozen=True)
class ImportStarted:
    entry: LedgerImport
    new: bool  # False: this organisation imported this very file before (nothing new)


def _importer(principal: Principal) -> tuple[str, str]:
    """The importer's organisation and area (403 for a role that registers no case)."""
    if not principal.may(Permission.ACT) or principal.center_id is None:
        raise forbidden("当前角色无权导入台账", "this role may not import a ledger")
    if principal.jurisdiction is None:
        raise forbidden("当前用户没有辖区，无法导入台账", "the caller has no area to import into")
    return principal.center_id, principal.jurisdiction


def import_id_of(file_sha256: str, center_id: str) -> str:
    return hashlib.sha256(f"{file_sha256}:{center_id}".encode()).hexdigest()[:32]


def import_view(entry: LedgerImport) -> dict[str, Any]:
    """An import as the API shows it: counts from the rows recorded, never estimated."""
    return {
        "import_id": entry.import_id,
        "file_name": entry.file_name,
        "status": entry.status,
        "total_rows": entry.total_rows,
        "registered": entry.registered,
        "rejected": entry.rejected,
        "done": entry.done,
        "created_at": entry.created_at.isoformat(),
        "finished_at": entry.finished_at.isoformat() if entry.finished_at else None,
        "rejected_file": f"/v1/ledger/imports/{entry.import_id}/rejected",
    }


async def start_import(
    content_type: str,
    body: AsyncIterator[bytes],
    *,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
    files: FileStore,
    check_fields: Callable[[dict[str, str]], None] | None = None,
) -> ImportStarted:
    """Keep the uploaded ledger, record the import and start its workflow (or find the one this
    organisation started for the same file); ``check_fields`` checks the console's form token
    before anything is kept."""
    center_id, area = _importer(principal)
    with Spool(spool_dir(settings.data_dir), settings.max_upload_bytes) as spool:
        received = await receive(content_type, body, spool)
        if check_fields is not None:
            check_fields(received.fields)
        data = await asyncio.to_thread(spool.path.read_bytes)
        try:
            sheet = await asyncio.to_thread(read_ledger, data)
        except LedgerFileError as error:
            raise invalid_input(str(error), "not a ledger workbook (.xlsx)", field="file") from None
        missing = [name for name in REQUIRED_COLUMNS if name not in sheet.headers]
        if missing:
            raise invalid_input(
                f"台账缺少必填列：{'、'.join(missing)}",
                f"the ledger lacks required columns: {len(missing)}",
                field="file",
            )
        if not sheet.lines:
            raise invalid_input("台账中没有数据行", "the ledger has no data rows", field="file")
        if len(sheet.lines) > MAX_IMPORT_ROWS:
            raise invalid_input(
                f"一次最多导入{MAX_IMPORT_ROWS}行，请拆分文件",
                f"at most {MAX_IMPORT_ROWS} rows per file",
                field="file",
            )
        sha256 = received.sha256 or hashlib.sha256(data).hexdigest()
        await files.put_file(spool.path, sha256)
    entry = LedgerImport(
        import_id=import_id_of(sha256, center_id),
        file_sha256=sha256,
        file_name=(received.filename or "台账.xlsx")[:200],
        center_id=center_id,
        user_id=principal.user_id,
        total_rows=len(sheet.lines),
        status="running",
        created_at=datetime.now(UTC),
        finished_at=None,
    )
    with database_errors():
        async with sessionmaker.begin() as session:
            new = await ledger_store.create_import(entry, session=session)
    request = LedgerImportInput(
        import_id=entry.import_id,
        file_sha256=sha256,
        total_rows=entry.total_rows,
        actor=principal.actor,
        user_id=principal.user_id,
        center_id=center_id,
        jurisdiction=area,
    )
    try:
        await temporal.start_workflow(
            LEDGER_IMPORT_WORKFLOW,
            request,
            id=ledger_import_workflow_id(entry.import_id),
            task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        )
    except WorkflowAlreadyStartedError:
        pass  # this organisation's import of this file ran to its end before: nothing new
    except RPCError as error:
        raise unavailable("工作流引擎", "workflow engine") from error
    return ImportStarted(await import_status(entry.import_id, principal, sessionmaker), new)


async def import_status(
    import_id: str, principal: Principal, sessionmaker: async_sessionmaker[AsyncSession]
) -> LedgerImport:
    """An import of the caller's organisation (404 for any other)."""
    center_id, _ = _importer(principal)
    with database_errors():
        async with sessionmaker() as session:
            entry = await ledger_store.get_import(import_id, session=session)
    if entry is None or entry.center_id != center_id:
        raise ApiError(404, "import_not_found", "没有这次导入", "no such import", field="import_id")
    return entry


async def list_imports(
    principal: Principal, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[LedgerImport]:
    center_id, _ = _importer(principal)
    with database_errors():
        async with sessionmaker() as session:
            return await ledger_store.list_imports(center_id, session=session)


async def rejected_file(
    import_id: str,
    principal: Principal,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    files: FileStore,
) -> Response:
    """The rejected rows as they were in the file, with 拒收原因 (the importer's own file)."""
    entry = await import_status(import_id, principal, sessionmaker)
    with database_errors():
        async with sessionmaker() as session:
            reasons = await ledger_store.rejected_rows(import_id, session=session)
    data = await asyncio.to_thread(lambda: b"".join(files.chunks(entry.file_sha256)))
    sheet = await asyncio.to_thread(read_ledger, data)
    content = await asyncio.to_thread(rejected_workbook, sheet, reasons)
    name = f"rejected-{import_id[:12]}.xlsx"
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def export_ledger(
    where: repositories.CaseFilter,
    *,
    by_deadline: bool,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Response:
    """The list ``where`` selects (the caller's reach in it) as the 登记台账, recorded in the
    access trail; more than ``MAX_ROWS`` is refused (narrow the filters), never cut."""
    with database_errors():
        async with sessionmaker() as session:
            page = await repositories.list_cases(
                where, cursor=None, limit=MAX_ROWS, session=session, by_deadline=by_deadline
            )
            ids = [item.case_id for item in page.items]
            documents = await ledger_store.case_documents(ids, session=session)
    if page.next_cursor is not None:
        raise invalid_input(
            f"导出超过{MAX_ROWS}行，请缩小筛选范围后再导出",
            f"more than {MAX_ROWS} rows: narrow the filters",
            field="limit",
        )
    states = [CaseState.model_validate(documents[i]) for i in ids if i in documents]
    rows = [ledger_row(number, state) for number, state in enumerate(states, start=1)]
    purpose = f"导出登记台账（{len(rows)}行）"
    access = Access("", principal.jurisdiction or "", EXPORT_ENDPOINT, (), purpose)
    await record_access(sessionmaker, principal, [access])
    content = await asyncio.to_thread(ledger_workbook, rows)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M")
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="ledger-{stamp}.xlsx"'},
    )
