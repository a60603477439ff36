"""月报 for leaders and auditors: ask for a month's reports of their place (work across places:
the MonthlyReportWorkflow runs it), list the reports kept, download one as .xlsx or PDF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.files.store import FileStore
from activities.reports.monthly.workbook import XLSX
from activities.store import monthly_reports
from api.errors import ApiError, database_errors, forbidden, invalid_input, unavailable
from domain.indicators.definitions import parse_period
from domain.people.access import Principal, Role
from workflows.report_contract import MONTHLY_REPORT_WORKFLOW, MonthlyReportRun


class ReportLine(BaseModel):
    report_id: str
    jurisdiction: str
    scope_name: str
    month: str
    as_of: datetime
    made_at: datetime
    requested_by: str
    figures: list[dict[str, object]]


class ReportRequested(BaseModel):
    workflow_id: str
    month: str
    within: str
    as_of: datetime | None


def _place(principal: Principal) -> str:
    if principal.role not in (Role.LEADER, Role.AUDITOR) or not principal.jurisdiction:
        raise forbidden("只有领导和审计人员可以查看月报", "leaders and auditors only")
    return principal.jurisdiction


async def request_reports(
    principal: Principal, *, month: str, as_of: datetime | None, task_queue: str, temporal: Client
) -> ReportRequested:
    """Start the month's reports for the caller's place (the same month and cut-off: once)."""
    within = _place(principal)
    parse_period(month)
    if len(month) != 7:
        raise invalid_input("月报的期间须为某月（如2026-03）", "a month", field="month")
    stamp = as_of.isoformat() if as_of else "now"
    workflow_id = f"monthly-report:{within}:{month}:{stamp}"
    try:
        await temporal.start_workflow(
            MONTHLY_REPORT_WORKFLOW,
            MonthlyReportRun(month=month, as_of=as_of, within=within, requested_by=principal.actor),
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        pass  # the same request running now: it is the answer
    except RPCError as error:
        raise unavailable("工作流引擎", "workflow engine") from error
    return ReportRequested(workflow_id=workflow_id, month=month, within=within, as_of=as_of)


async def list_reports(
    principal: Principal,
    *,
    month: str | None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[ReportLine]:
    within = _place(principal)
    with database_errors():
        async with sessionmaker() as session:
            rows = await monthly_reports.list_reports(session=session, within=within, month=month)
    return [
        ReportLine(
            report_id=row.report_id,
            jurisdiction=row.jurisdiction_code,
            scope_name=row.scope_name,
            month=row.month,
            as_of=row.as_of,
            made_at=row.made_at,
            requested_by=row.requested_by,
            figures=row.figures,
        )
        for row in rows
    ]


class ReportFile(BaseModel):
    name: str
    media_type: str
    sha256: str


async def report_file(
    principal: Principal,
    report_id: str,
    kind: Literal["xlsx", "pdf"],
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> ReportFile:
    within = _place(principal)
    with database_errors():
        async with sessionmaker() as session:
            row = await monthly_reports.get_report(report_id, session=session)
    if row is None or not row.jurisdiction_code.startswith(within):
        raise ApiError(404, "not_found", "月报不存在", "no such report")
    name = f"{row.scope_name}月报{row.month}.{kind}"
    if kind == "xlsx":
        return ReportFile(name=name, media_type=XLSX, sha256=row.xlsx_sha256)
    return ReportFile(name=name, media_type="application/pdf", sha256=row.pdf_sha256)


def file_chunks(files: FileStore, sha256: str) -> Iterator[bytes]:
    return files.chunks(sha256)
