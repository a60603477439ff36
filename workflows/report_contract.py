"""The names and payloads of the monthly report (月报) shared by the API, the worker and the
schedule that starts it on the 1st of each month."""

from __future__ import annotations

from pydantic import AwareDatetime

from domain.base import Frozen

MONTHLY_REPORT_WORKFLOW = "MonthlyReportWorkflow"
MONTHLY_REPORT_SCHEDULE = "monthly-report"
REPORT_PLACES_ACTIVITY = "monthly_report_places"
MAKE_MONTHLY_REPORT_ACTIVITY = "make_monthly_report"


class MonthlyReportRun(Frozen):
    """A run of the month's reports: ``month`` (2026-03; default: the month before the run),
    ``as_of`` (the cut-off; default: when the run starts), ``within`` (a place's subtree;
    default: every county and town of the registry)."""

    month: str | None = None
    as_of: AwareDatetime | None = None
    within: str | None = None
    requested_by: str = "定时任务"


class ReportPlacesRequest(Frozen):
    within: str | None = None


class ReportPlaces(Frozen):
    codes: tuple[str, ...]


class MonthlyReportJob(Frozen):
    jurisdiction: str
    month: str
    as_of: AwareDatetime
    requested_by: str


class MonthlyReportMade(Frozen):
    report_id: str
    jurisdiction: str
    month: str
    new: bool  # False: the same report (same place, month and cut-off) was kept already
    figures_sha256: str
    xlsx_sha256: str
    pdf_sha256: str


class MonthlyReportResult(Frozen):
    month: str
    as_of: AwareDatetime
    reports: tuple[MonthlyReportMade, ...]
