"""The monthly report's activities: which places report, and one place's report made, printed
(.xlsx and PDF), kept in the file store and recorded — idempotent on (place, month, cut-off)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.files.store import FileStore
from activities.reports.monthly.build import build_monthly_report
from activities.reports.monthly.model import MonthlyReport
from activities.reports.monthly.printed import render_monthly_pdf
from activities.reports.monthly.workbook import render_workbook
from activities.store import monthly_reports
from activities.store import registry as registry_store
from domain.indicators.definitions import IndicatorSet
from domain.organisation.registry import JurisdictionLevel
from workflows.report_contract import (
    MAKE_MONTHLY_REPORT_ACTIVITY,
    REPORT_PLACES_ACTIVITY,
    MonthlyReportJob,
    MonthlyReportMade,
    ReportPlaces,
    ReportPlacesRequest,
)

REPORTING_LEVELS = (JurisdictionLevel.COUNTY, JurisdictionLevel.TOWN)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def printed(report: MonthlyReport, font_path: Path | None) -> tuple[bytes, bytes]:
    return render_workbook(report), render_monthly_pdf(report, font_path=font_path)


class MonthlyReports:
    """The store, the file store, the indicator definitions and the PDF font are injected."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        files: FileStore,
        indicators: IndicatorSet,
        font_path: Path | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._files = files
        self._indicators = indicators
        self._font_path = font_path

    @activity.defn(name=REPORT_PLACES_ACTIVITY)
    async def report_places(self, request: ReportPlacesRequest) -> ReportPlaces:
        """Every county and town of the registry (within ``request.within``)."""
        async with self._sessionmaker() as session:
            nodes = await registry_store.list_jurisdictions(session=session, under=request.within)
        codes = tuple(n.code for n in nodes if n.level in REPORTING_LEVELS)
        if not codes and request.within:
            codes = (request.within,)
        return ReportPlaces(codes=codes)

    @activity.defn(name=MAKE_MONTHLY_REPORT_ACTIVITY)
    async def make_monthly_report(self, job: MonthlyReportJob) -> MonthlyReportMade:
        async with self._sessionmaker() as session:
            report = await build_monthly_report(
                self._indicators,
                jurisdiction=job.jurisdiction,
                month=job.month,
                as_of=job.as_of,
                session=session,
            )
        xlsx, pdf = await asyncio.to_thread(printed, report, self._font_path)
        xlsx_sha, pdf_sha = _sha(xlsx), _sha(pdf)
        for data, sha in ((xlsx, xlsx_sha), (pdf, pdf_sha)):
            if not await self._files.exists(sha):
                await self._files.put_bytes(data, sha)
        digest = report.figures_digest()
        async with self._sessionmaker.begin() as session:
            new = await monthly_reports.record_report(
                monthly_reports.report_values(
                    report_id=report.report_id,
                    jurisdiction=job.jurisdiction,
                    scope_name=report.scope_name,
                    month=job.month,
                    as_of=job.as_of,
                    made_at=datetime.now(UTC),
                    requested_by=job.requested_by,
                    xlsx_sha256=xlsx_sha,
                    pdf_sha256=pdf_sha,
                    figures_sha256=digest,
                    figures=[f.model_dump(mode="json") for f in report.figures],
                ),
                session=session,
            )
        return MonthlyReportMade(
            report_id=report.report_id,
            jurisdiction=job.jurisdiction,
            month=job.month,
            new=new,
            figures_sha256=digest,
            xlsx_sha256=xlsx_sha,
            pdf_sha256=pdf_sha,
        )
