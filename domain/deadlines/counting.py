"""The inputs of a count (期间计算, policy version 2026.2): the legal facts a period depends on.

A period starts from a legal fact on its date (``FactDate``: receipt, service, signing, the
court's acceptance), however late the office records it (补录; the recording time is kept beside
it). Pauses (``PauseSpan``) exclude the days from the pause date to the day before counting
resumes; extensions (``ExtensionGrant``) add a length from the original end or name an agreed
new end date; a cap (``CapSpec``) is counted from its own start. ``domain.deadlines.reckoning``
counts them; the names here let its explanation say what each fact was, in Chinese and English.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, model_validator

from domain.base import Frozen
from domain.deadlines.periods import PeriodUnit
from domain.values import china_date

ONE_DAY = timedelta(days=1)

# The legal fact each starting event records (zh, en): what the period counts from.
FACT_NAMES: dict[str, tuple[str, str]] = {
    "case_registered": ("收到申请（来信来访登记）", "receipt of the application"),
    "case_accepted": ("受理", "acceptance"),
    "plan_revised": ("制定一案一策", "the case plan"),
    "mediation_started": ("开始调解", "the start of mediation"),
    "agreement_recorded": ("调解协议生效（各方签字）", "the agreement taking effect (signed)"),
    "judicial_confirmation_applied": (
        "申请司法确认",
        "the application for judicial confirmation",
    ),
    "court_acceptance_recorded": ("人民法院受理（立案）", "the court's acceptance"),
    "petition_replied": ("书面答复送达信访人", "service of the written reply"),
    "review_requested": ("收到复查申请", "receipt of the review request"),
    "review_answered": ("复查意见送达", "service of the review answer"),
    "second_review_requested": ("收到复核申请", "receipt of the second-review request"),
    "second_review_answered": ("复核意见送达", "service of the second-review answer"),
    "case_transferred": ("转办", "the transfer"),
    "case_assigned": ("交办", "the assignment"),
    "instruction_issued": ("领导批示", "the leader's instruction"),
    "case_listed": ("挂牌督办", "the listing"),
}

UNIT_NAMES: dict[PeriodUnit, tuple[str, str]] = {
    PeriodUnit.CALENDAR_DAYS: ("日", "calendar days"),
    PeriodUnit.WORKING_DAYS: ("个工作日", "working days"),
    PeriodUnit.HOURS: ("小时", "hours"),
    PeriodUnit.MONTHS: ("个月", "months"),
}

PAUSE_REASONS: dict[str, tuple[str, str]] = {
    "appraisal": ("鉴定", "appraisal"),
    "hearing": ("听证", "hearing"),
}


def fact_name(fact: str) -> tuple[str, str]:
    return FACT_NAMES.get(fact, (fact, fact.replace("_", " ")))


class FactDate(Frozen):
    """A legal fact: its date (China date), the stated moment for hour periods, when recorded."""

    fact: str  # the event type that records it, e.g. "agreement_recorded"
    on: date
    at: AwareDatetime | None = None
    recorded_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _moment_on_its_day(self) -> Self:
        if self.at is not None and china_date(self.at) != self.on:
            raise ValueError(f"the moment {self.at} is not on {self.on} in China time")
        return self


class PauseSpan(Frozen):
    """中止计时 from ``paused_on`` (not counted) until counting resumes on ``resumed_on``."""

    reason: str
    note: str = ""
    paused_on: date
    resumed_on: date | None = None  # None: still paused

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.resumed_on is not None and self.resumed_on < self.paused_on:
            raise ValueError(f"a pause cannot resume ({self.resumed_on}) before it began")
        return self

    def excludes(self, day: date) -> bool:
        return self.resumed_on is not None and self.paused_on <= day < self.resumed_on


class ExtensionGrant(Frozen):
    """延期: ``length`` more (in ``unit``) from the original end, or an agreed ``new_end``."""

    approver: str
    reason: str = ""
    length: Annotated[int, Field(ge=1)] | None = None
    unit: PeriodUnit = PeriodUnit.CALENDAR_DAYS
    new_end: date | None = None
    approved_on: date | None = None  # 批准之日, when the command stated it

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if (self.length is None) == (self.new_end is None):
            raise ValueError("an extension has either a length or an agreed new end date")
        return self


class CapSpec(Frozen):
    """A hard outer limit counted from its own start (C5: 30 days from the court's acceptance)."""

    rule_id: str
    length: Annotated[int, Field(ge=1)]
    unit: PeriodUnit
    start: FactDate


class PeriodSpec(Frozen):
    """Everything one period's end depends on."""

    length: Annotated[int, Field(ge=0)]
    unit: PeriodUnit
    start: FactDate
    pauses: tuple[PauseSpan, ...] = ()
    extensions: tuple[ExtensionGrant, ...] = ()
    cap: CapSpec | None = None

    @model_validator(mode="after")
    def _hours_take_moments(self) -> Self:
        if self.unit is PeriodUnit.HOURS:
            if self.start.at is None:
                raise ValueError("a period in hours starts at a stated moment (start.at)")
            if self.pauses:
                raise ValueError("no rule pauses a period in hours")
            if any(
                x.new_end is not None or x.unit is not PeriodUnit.HOURS for x in self.extensions
            ):
                raise ValueError("a period in hours is extended by hours")
        return self


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later, or that month's last day (民法典 Art.202)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def start_of(fact: str, at: datetime, on: date | None = None) -> FactDate:
    """A fact recorded at ``at``: its legal date ``on`` when the command gave one, else the
    China date of the recording itself (the moment is kept for hour periods)."""
    day = on if on is not None else china_date(at)
    return FactDate(
        fact=fact,
        on=day,
        at=at if china_date(at) == day else None,
        recorded_at=at,
    )
