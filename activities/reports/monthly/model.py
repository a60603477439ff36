"""The monthly report as data: what both the workbook and the PDF print, built from the store."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict

from domain.indicators.compute import Figure
from domain.indicators.definitions import IndicatorDefinition


class ReportFigure(BaseModel):
    model_config = ConfigDict(frozen=True)

    indicator_id: str
    name: str
    shown: str  # 75.0% / 3件 / —
    target: str
    status: str  # 达标 / 未达标 / 无数据
    numerator: int
    denominator: int | None
    last_year: int | None
    definition: str


class ReportCase(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str
    title: str  # masked as lists are
    category: str
    stage: str
    holder: str
    registered_on: date | None
    concluded_on: date | None


class ReportBreach(BaseModel):
    organisation: str
    breaches: int
    cases: str


class ReportAck(BaseModel):
    who: str
    alerts: int
    acknowledged: int
    median_hours: float | None
    max_hours: float | None
    open: int


class ReportInstruction(BaseModel):
    case_id: str
    leader: str
    text: str
    issued_on: date
    due_on: date | None
    days_open: int


class ScreeningLine(BaseModel):
    """One unit's 排查 duties of the month: due, filed by the cut-off, zero reports, missed."""

    organisation: str
    due: int
    filed: int
    zero_reports: int
    missed: int


class MonthlyReport(BaseModel):
    report_id: str
    jurisdiction: str
    scope_name: str
    month: str  # 2026-03
    period_label: str
    start: date
    end: date
    as_of: datetime  # the cut-off: facts dated after its day do not count
    indicator_version: str
    figures: list[ReportFigure]
    cases: list[ReportCase]
    breaches: list[ReportBreach]
    acknowledgement: list[ReportAck]
    unanswered: list[ReportInstruction]
    screening: list[ScreeningLine] | None = None  # None: from before screening duties

    @property
    def title(self) -> str:
        return f"{self.scope_name}矛盾纠纷排查化解工作月报（{self.period_label}）"

    def figures_digest(self) -> str:
        """SHA-256 of the figures as canonical JSON: the same inputs give the same digest."""
        body = json.dumps(
            [f.model_dump(mode="json") for f in self.figures], ensure_ascii=False, sort_keys=True
        )
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def report_figure(definition: IndicatorDefinition, figure: Figure) -> ReportFigure:
    if figure.unit == "count":
        shown = f"{figure.numerator}件"
    else:
        shown = "—" if figure.value is None else f"{figure.value * 100:.1f}%"
    status = "无数据" if figure.met is None else ("达标" if figure.met else "未达标")
    return ReportFigure(
        indicator_id=figure.indicator_id,
        name=figure.name,
        shown=shown,
        target=figure.target_text,
        status=status,
        numerator=figure.numerator,
        denominator=figure.denominator,
        last_year=figure.last_year,
        definition=definition.definition,
    )


def report_id(jurisdiction: str, month: str, as_of: datetime) -> str:
    """The same scope, month and cut-off name the same report (a rerun keeps it once)."""
    return f"{jurisdiction}-{month}-{as_of.astimezone(UTC).strftime('%Y%m%d%H%M%S')}"
