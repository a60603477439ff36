"""Indicator definitions as data (``activities/policy/data/indicators.json``), and periods."""

from __future__ import annotations

import calendar
import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from domain.base import Frozen
from domain.errors import InvalidCommand
from domain.indicators.facts import Fact
from domain.values import CaseKind


class Direction(StrEnum):
    RISING = "rising"  # 升: higher is better
    FALLING = "falling"  # 降: lower is better


class Comparison(StrEnum):
    AT_LEAST = "at_least"  # ≥ value
    AT_MOST = "at_most"  # ≤ value
    BELOW_LAST_YEAR = "below_last_year"  # fewer than the same period a year before (同比下降)


class Target(Frozen):
    comparison: Comparison
    value: Annotated[float, Field(ge=0, le=1)] | None = None  # a rate, for at_least / at_most
    source: str  # where the number comes from (a local plan, or a project default)

    @model_validator(mode="after")
    def _value_for_rates(self) -> Self:
        if (self.comparison is Comparison.BELOW_LAST_YEAR) != (self.value is None):
            raise ValueError("a rate target needs a value; a year-on-year target takes none")
        return self


class Count(Frozen):
    """Cases of ``kind`` whose ``fact`` is dated in the period and that also have every fact of
    ``with_facts`` dated on or before the as-of day."""

    kind: CaseKind | None = None
    fact: Fact
    with_facts: tuple[Fact, ...] = ()


class IndicatorDefinition(Frozen):
    indicator_id: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    name: str  # 中文名
    name_en: str
    unit: Annotated[str, Field(pattern=r"^(rate|count)$")]
    direction: Direction
    denominator: Count | None = None  # rates only
    numerator: Count
    target: Target
    definition: str  # in Chinese: numerator and denominator in words
    definition_en: str
    source: str  # DEADLINES F where no official formula exists, and says so
    confidence: Annotated[str, Field(pattern=r"^[VSD]$")]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.unit == "rate") != (self.denominator is not None):
            raise ValueError(f"{self.indicator_id}: a rate has a denominator, a count none")
        if self.denominator is not None:
            wider = (self.denominator.fact, *self.denominator.with_facts)
            narrower = (self.numerator.fact, *self.numerator.with_facts)
            if self.numerator.kind != self.denominator.kind or not set(wider) <= set(narrower):
                raise ValueError(
                    f"{self.indicator_id}: the numerator must count a subset of the denominator"
                )
            if self.numerator.fact != self.denominator.fact:
                raise ValueError(f"{self.indicator_id}: numerator and denominator share a fact")
        if (self.target.comparison is Comparison.BELOW_LAST_YEAR) != (self.unit == "count"):
            raise ValueError(f"{self.indicator_id}: counts fall year on year, rates meet a value")
        return self


class IndicatorSet(Frozen):
    version: str
    indicators: Annotated[tuple[IndicatorDefinition, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [i.indicator_id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError("indicator ids must be unique")
        return self

    def get(self, indicator_id: str) -> IndicatorDefinition | None:
        return next((i for i in self.indicators if i.indicator_id == indicator_id), None)


class Period(Frozen):
    """统计期间: a month (2026-03), a quarter (2026-Q1), a year (2026) or days (a..b)."""

    start: date
    end: date
    label: str

    def year_before(self) -> Period:
        def back(day: date) -> date:
            last = calendar.monthrange(day.year - 1, day.month)[1]
            return day.replace(year=day.year - 1, day=min(day.day, last))

        return Period(start=back(self.start), end=back(self.end), label=f"{self.label}（上年同期）")

    def months(self) -> list[Period]:
        """The calendar months the period touches (the trend's points)."""
        out: list[Period] = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) <= self.end:
            out.append(month_period(year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(
        start=date(year, month, 1), end=date(year, month, last), label=f"{year}年{month}月"
    )


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAYS = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> Period:
    """``2026-03``, ``2026-Q1``, ``2026`` or ``2026-03-01..2026-03-15``; refused otherwise."""
    text = text.strip()
    try:
        if match := _MONTH.match(text):
            return month_period(int(match[1]), int(match[2]))
        if match := _QUARTER.match(text):
            year, quarter = int(match[1]), int(match[2])
            first, last = month_period(year, 3 * quarter - 2), month_period(year, 3 * quarter)
            return Period(start=first.start, end=last.end, label=f"{year}年第{quarter}季度")
        if match := _YEAR.match(text):
            year = int(match[1])
            return Period(start=date(year, 1, 1), end=date(year, 12, 31), label=f"{year}年")
        if match := _DAYS.match(text):
            start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            if start <= end and (end - start).days <= 3660:
                return Period(start=start, end=end, label=f"{start}至{end}")
    except ValueError:
        pass
    raise InvalidCommand(
        "统计期间格式不正确（如2026-03、2026-Q1、2026或2026-03-01..2026-03-15）",
        "period must be a month, quarter, year or a range of days",
        field="period",
    )
