"""Names and payloads of the recurring work: 排查 duties, 专项排查 and the holiday-data push.

Shared by the API, the worker's activities and the workflows (no workflow code here).
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from domain.base import Frozen
from domain.case.policy import EscalationChain
from domain.screening.duties import Duty, DutyStatus, ScreeningReport, Sweep

SCREENING_PERIOD_WORKFLOW = "ScreeningPeriodWorkflow"
SCREENING_DUTY_WORKFLOW = "ScreeningDutyWorkflow"
CALENDAR_PUSH_WORKFLOW = "CalendarPushWorkflow"
FILE_REPORT_UPDATE = "file_report"
DUTY_STATUS_QUERY = "status"

OPEN_DUTIES_ACTIVITY = "open_screening_duties"
RECORD_DUTY_ACTIVITY = "record_screening_duty"
PUSH_CALENDAR_PAGE_ACTIVITY = "push_calendar_page"

# The Schedules this deployment keeps (created idempotently when a worker starts).
CALENDAR_PUSH_SCHEDULE = "calendar-push"


def screening_schedule_id(rule_id: str) -> str:
    return f"screening-{rule_id}"


def sweep_workflow_id(sweep_id: str) -> str:
    return f"sweep-{sweep_id}"


class PeriodInput(Frozen):
    """What a period opens: a cadence rule's period holding ``day`` (None: today, China time, as
    a Schedule starts it), or a leader's sweep."""

    rule_id: str | None = None
    day: date | None = None
    sweep: Sweep | None = None


class OpenDuties(Frozen):
    rule_id: str | None
    day: date
    sweep: Sweep | None = None


class OpenedDuties(Frozen):
    period_key: str
    duty_ids: tuple[str, ...]


class DutyRecord(Frozen):
    """A duty's new status for the store: escalated to ``level``/``recipient``, or filed."""

    duty_id: str
    status: DutyStatus
    at: AwareDatetime
    level: int = 0
    recipient: str = ""
    report: ScreeningReport | None = None


class DutyOutcome(Frozen):
    duty_id: str
    status: DutyStatus
    level: int = 0


class DutyInput(Frozen):
    """A duty and the escalation chain snapshotted when its period opened."""

    duty: Duty
    chain: EscalationChain


class CalendarPushInput(Frozen):
    """A push resumes after ``after`` (a case number; continue-as-new hands it over)."""

    after: str = ""
    pushed: int = 0
    unanswered: int = 0
    case_ids: tuple[str, ...] = ()


class CalendarPage(Frozen):
    after: str
    limit: int = 200


class CalendarPageResult(Frozen):
    pushed: tuple[str, ...]
    unanswered: int
    last: str | None  # the page's last case number; None: no case after ``after``


class CalendarPushResult(Frozen):
    pushed: int
    unanswered: int
    case_ids: tuple[str, ...]  # the first of them (a long list is cut at SHOWN_CASES)


SHOWN_CASES = 500
