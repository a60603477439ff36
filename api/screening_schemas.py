"""Request and response models of 排查 duties, 专项排查 and the Schedules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.text import Remark, ShortText

CaseNumber = Annotated[str, StringConstraints(pattern=r"^(JF|XF)-\d{4}-\d{6,}$")]


class ScreeningReportBody(BaseModel):
    """排查报告: the cases registered for the disputes found, or ``zero: true`` (零报告)."""

    model_config = ConfigDict(extra="forbid")

    zero: bool = False
    case_ids: list[CaseNumber] = Field(default_factory=list, max_length=200)
    note: Remark = ""


class SweepBody(BaseModel):
    """专项排查: an area (county, town or village code) within the leader's, a theme, a period."""

    model_config = ConfigDict(extra="forbid")

    area: Annotated[str, StringConstraints(pattern=r"^(\d{6}|\d{9}|\d{12})$")]
    theme: ShortText
    starts_on: date
    ends_on: date


class SweepLaunched(BaseModel):
    sweep_id: str
    period_key: str
    duties: int


class DutyOut(BaseModel):
    duty_id: str
    source: str
    theme: str
    period_key: str
    starts_on: date
    ends_on: date
    due_at: datetime
    org_id: str
    org_name: str
    level: str
    jurisdiction_code: str
    status: str
    status_label: str
    escalation_level: int
    escalated_to: str
    zero_report: bool | None
    note: str
    filed_by: str | None
    filed_at: datetime | None
    case_ids: list[str] = []


class DutyList(BaseModel):
    items: list[DutyOut]


class SchedulePause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Remark = ""


class ScheduleOut(BaseModel):
    schedule_id: str
    label: str
    paused: bool
    note: str
    next_runs: list[datetime]


class ScheduleList(BaseModel):
    items: list[ScheduleOut]
