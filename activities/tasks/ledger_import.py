"""台账导入 activities: one batch of a ledger's rows registered through intake, and the tally.

A row is registered as intake registers a case: its number reserved under the row's key (the
file's hash and the row), then the case opened by update-with-start with ``intake:`` + key as
the command id, so a batch that runs again (a worker killed half-way) reaches the same case and
records nothing twice. The case belongs to the importer's organisation, or to the 责任单位 the
row names when that organisation lies within the importer's area. Dates are the paper's:
登记日期 is the day received, 受理日期 (when given) the day accepted.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import RawValue, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.files.store import FileStore
from activities.reports.ledger_book import LedgerSheet, read_ledger
from activities.runtime.settings import Settings
from activities.store import ledger_store, repositories
from activities.store import registry as registry_store
from activities.store.case_numbers import reserve_case_number
from activities.store.ledger_store import REGISTERED, REJECTED, RowOutcome
from domain.case import commands as c
from domain.case.details import IntakeDetails
from domain.case.ledger import LedgerIntake, LedgerRefusal, paper_steps, read_row
from domain.case.stages import TERMINAL_STAGES
from domain.errors import ERROR_TYPES
from domain.organisation.organisations import OrgRef, Routing
from domain.organisation.registry import enclosing_codes
from domain.values import CaseKind, Jurisdiction, china_date
from workflows.contract import (
    APPLY_UPDATE,
    LEDGER_BATCH_ACTIVITY,
    LEDGER_FINISH_ACTIVITY,
    WORKFLOW_TYPE,
    LedgerBatch,
    LedgerBatchResult,
    LedgerImportInput,
    LedgerImportResult,
    ledger_row_key,
    new_case_input,
)

log = structlog.get_logger(__name__)

# Rows registered at once within a batch (each waits on its case's first workflow task).
CONCURRENT_ROWS = 16
HEARTBEAT_EVERY_SECONDS = 5  # well inside the workflow's heartbeat timeout (20 s)


async def _heartbeat() -> None:
    """Beat while rows wait on their cases: a batch whose rows are slow is not taken for dead
    (a dead worker stops beating, and the batch runs again elsewhere)."""
    while True:
        activity.heartbeat()
        await asyncio.sleep(HEARTBEAT_EVERY_SECONDS)


class _Units:
    """The organisations a batch may give cases to, by name, with their places."""

    def __init__(self, own: OrgRef | None, by_name: dict[str, OrgRef], places: dict[str, str]):
        self.own = own
        self.by_name = by_name
        self.places = places  # org_id → its jurisdiction code


class LedgerImports:
    """The import's activities; the sessionmaker, client, file store and settings are injected."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: Client,
        files: FileStore,
        settings: Settings,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._client = client
        self._files = files
        self._settings = settings
        self._sheets: dict[str, LedgerSheet] = {}
        self._places: dict[str, Jurisdiction] = {}  # 属地 by code, within one batch

    async def _sheet(self, sha256: str) -> LedgerSheet:
        sheet = self._sheets.get(sha256)
        if sheet is None:
            data = await asyncio.to_thread(lambda: b"".join(self._files.chunks(sha256)))
            sheet = await asyncio.to_thread(read_ledger, data)
            self._sheets = {sha256: sheet}  # one file at a time is enough to keep
        return sheet

    async def _units(self, batch: LedgerBatch) -> _Units:
        async with self._sessionmaker() as session:
            within = await registry_store.list_organisations(
                within=batch.jurisdiction, active=True, session=session
            )
            own = await registry_store.get_organisation(batch.center_id, session=session)
        by_name = {org.name: org.ref for org in within}
        places = {org.org_id: org.jurisdiction_code for org in [*within, *([own] if own else [])]}
        return _Units(own.ref if own is not None else None, by_name, places)

    async def _place(self, code: str) -> Jurisdiction:
        place = self._places.get(code)
        if place is None:
            async with self._sessionmaker() as session:
                names = await registry_store.jurisdiction_names(
                    [code, *enclosing_codes(code)], session=session
                )
            place = self._places[code] = Jurisdiction.at(code, names)
        return place

    @activity.defn(name=LEDGER_BATCH_ACTIVITY)
    async def import_ledger_batch(self, batch: LedgerBatch) -> LedgerBatchResult:
        sheet = await self._sheet(batch.file_sha256)
        lines = {
            index: sheet.lines[index - 1][0] for index in range(batch.first_row, batch.last_row + 1)
        }
        async with self._sessionmaker() as session:
            done = await ledger_store.done_rows(
                batch.import_id, min(lines.values()), max(lines.values()), session=session
            )
        units = await self._units(batch)
        self._places = {}  # read afresh for each batch
        today = china_date(datetime.now(UTC))
        gate = asyncio.Semaphore(CONCURRENT_ROWS)
        counts = {REGISTERED: 0, REJECTED: 0}

        async def one(index: int, line: int) -> None:
            async with gate:
                outcome = await self._row(batch, sheet, index, line, units, today)
                async with self._sessionmaker.begin() as session:
                    await ledger_store.record_rows(batch.import_id, [outcome], session=session)
                counts[outcome.outcome] += 1
                activity.heartbeat(line)

        beating = asyncio.create_task(_heartbeat())
        try:
            # A row that fails (Temporal or the store away) cancels the others: the batch is tried
            # again as a whole, and the rows done are skipped.
            async with asyncio.TaskGroup() as rows:
                for index, line in lines.items():
                    if line not in done:
                        rows.create_task(one(index, line))
        finally:
            beating.cancel()
        return LedgerBatchResult(
            registered=counts[REGISTERED], rejected=counts[REJECTED], skipped=len(done)
        )

    async def _row(
        self,
        batch: LedgerBatch,
        sheet: LedgerSheet,
        index: int,
        line: int,
        units: _Units,
        today: date,
    ) -> RowOutcome:
        cells = sheet.cells(index)
        try:
            entry = read_row(line, cells, today=today)
            named = cells.get("案件编号", "").strip()
            if named:
                async with self._sessionmaker() as session:
                    if await ledger_store.existing_cases([named], session=session):
                        raise LedgerRefusal(f"案件编号{named[:32]}已在系统中，无需导入")
            org = units.own
            if entry.unit_name is not None and (
                units.own is None or entry.unit_name != units.own.name
            ):
                org = units.by_name.get(entry.unit_name)
                if org is None:
                    raise LedgerRefusal(
                        f"责任单位“{entry.unit_name[:30]}”不在单位名录中或不在您的辖区内"
                    )
            code = units.places.get(org.org_id, batch.jurisdiction) if org else batch.jurisdiction
            place = await self._place(code)
            details = IntakeDetails(
                title=entry.title,
                description=entry.description,
                category=entry.category,
                channel=entry.channel,
                jurisdiction=place,
                applicants=entry.applicants,
                respondents=entry.respondents,
                received_on=entry.received_on,
            )
        except LedgerRefusal as refusal:
            return RowOutcome(line, REJECTED, reason=str(refusal))
        except ValidationError as error:
            where = "、".join(str(e["loc"][0]) for e in error.errors()[:3] if e["loc"])
            return RowOutcome(line, REJECTED, reason=f"内容不符合登记要求（{where}）")
        case_id, note = await self._register(batch, entry, details, org)
        return RowOutcome(line, REGISTERED, case_id=case_id, reason=note)

    async def _register(
        self, batch: LedgerBatch, entry: LedgerIntake, details: IntakeDetails, org: OrgRef | None
    ) -> tuple[str, str | None]:
        key = ledger_row_key(batch.file_sha256, entry.row_no)
        now = datetime.now(UTC)
        case_id, retried = await reserve_case_number(
            self._sessionmaker, kind=CaseKind.DISPUTE, year=china_date(now).year, key=key
        )
        if retried:
            async with self._sessionmaker() as session:
                stored = await repositories.get_case(case_id, session=session)
            if stored is not None and stored.stage in TERMINAL_STAGES:
                return case_id, None  # it ran to its end: its workflow may be gone
        register = c.Register(
            **dict(details),
            case_id=case_id,
            center_id=batch.center_id,
            routing=Routing(chosen=org) if org is not None else None,
            reporter_id=batch.user_id,
        )
        envelope = c.CommandEnvelope(
            command_id=f"intake:{key}", actor=batch.actor, command=register
        )
        start: WithStartWorkflowOperation[object, object] = WithStartWorkflowOperation(
            WORKFLOW_TYPE,
            new_case_input(),
            id=case_id,
            task_queue=self._settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        rpc_timeout = timedelta(seconds=self._settings.command_timeout_seconds)
        try:
            await self._client.execute_update_with_start_workflow(
                APPLY_UPDATE,
                envelope,
                start_workflow_operation=start,
                id=envelope.command_id,
                result_type=RawValue,
                rpc_timeout=rpc_timeout,
            )
        except WorkflowAlreadyStartedError:
            log.info("ledger_case_already_ended", case_id=case_id)
            return case_id, None
        handle = self._client.get_workflow_handle(case_id)
        for step, command in paper_steps(entry):
            sent = c.CommandEnvelope(command_id=f"{step}:{key}", actor=batch.actor, command=command)
            try:
                await handle.execute_update(
                    APPLY_UPDATE,
                    sent,
                    id=sent.command_id,
                    result_type=RawValue,
                    rpc_timeout=rpc_timeout,
                )
            except WorkflowUpdateFailedError as error:
                cause = error.cause
                if isinstance(cause, ApplicationError) and cause.type == "forbidden_transition":
                    continue  # done by an earlier attempt (or the case moved on since)
                if isinstance(cause, ApplicationError) and cause.type in ERROR_TYPES:
                    # The case refused what the paper says: it stays registered, and the row
                    # says why its later facts are not recorded.
                    details = cause.details[0] if cause.details else {}
                    message = details.get("message_zh") if isinstance(details, dict) else None
                    return case_id, f"已登记，台账所记办理情况未录入：{message or cause.message}"
                raise
        return case_id, None

    @activity.defn(name=LEDGER_FINISH_ACTIVITY)
    async def finish_ledger_import(self, request: LedgerImportInput) -> LedgerImportResult:
        async with self._sessionmaker.begin() as session:
            await ledger_store.finish_import(request.import_id, datetime.now(UTC), session=session)
            entry = await ledger_store.get_import(request.import_id, session=session)
        assert entry is not None
        log.info(
            "ledger_import_finished",
            import_id=request.import_id,
            registered=entry.registered,
            rejected=entry.rejected,
        )
        return LedgerImportResult(
            import_id=request.import_id, registered=entry.registered, rejected=entry.rejected
        )
