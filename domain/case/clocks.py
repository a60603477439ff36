"""Clocks (时限) on a case: start, pause, resume, extend, stop; due times computed once, recorded.

Every due time is computed here from the case's policy snapshot and recorded in an event, so a
replay never recomputes it from a calendar that has changed since.

A rule of counting 2026.1 (every snapshot recorded before 2026.2) is scheduled exactly as it
always was (``schedule``); a rule of counting 2026.2 by ``domain.deadlines.reckoning`` from the
legal facts the clock keeps (``start``, ``cap_start``, the pauses' and extensions' dates).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from domain.base import Frozen
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.clock_rules import ClockRule, Counting, DueSource
from domain.deadlines.counting import (
    CapSpec,
    ExtensionGrant,
    FactDate,
    PauseSpan,
    PeriodSpec,
    start_of,
)
from domain.deadlines.periods import Due, PeriodUnit, due_after, end_of_china_day
from domain.deadlines.reckoning import (
    FIXED_BY_ASSIGNER,
    FIXED_BY_CASE,
    FIXED_BY_LEADER,
    FIXED_BY_LISTER,
    reckon,
    reckon_fixed_day,
)
from domain.organisation.organisations import OrgRef
from domain.values import CHINA_TZ, china_date


class ClockStatus(StrEnum):
    RUNNING = "running"  # 计时中
    PAUSED = "paused"  # 中止计时
    MET = "met"  # 按期完成
    BREACHED = "breached"  # 逾期
    LAPSED = "lapsed"  # 申请期限届满 (a window closed; nothing is overdue)
    CANCELLED = "cancelled"  # 案件撤回等，不再计时


OPEN_STATUSES = frozenset({ClockStatus.RUNNING, ClockStatus.PAUSED})


class Pause(Frozen):
    """中止计时: e.g. appraisal 鉴定 or hearing 听证 time is not counted."""

    reason: str
    note: str = ""
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    # The legal dates when the command gives them (2026.2); else the China dates of the above.
    paused_on: date | None = None
    resumed_on: date | None = None

    def span(self) -> PauseSpan:
        """The days not counted: from the pause date until the day counting resumes."""
        resumed = self.resumed_on
        if resumed is None and self.ended_at is not None:
            resumed = china_date(self.ended_at)
        return PauseSpan(
            reason=self.reason,
            note=self.note,
            paused_on=self.paused_on or china_date(self.started_at),
            resumed_on=resumed,
        )


class GrantedExtension(Frozen):
    """延期: approved once, with approver and reason; an extended clock is not overdue.

    Either a ``length`` (in ``unit``, the rule's extension unit when absent) or, for an agreed
    extension (E4, 2026.2), the ``new_end`` date the parties agreed.
    """

    length: Annotated[int, Field(ge=1)] | None = None
    approver: str
    reason: str
    granted_at: AwareDatetime
    new_end: date | None = None
    unit: PeriodUnit | None = None
    approved_on: date | None = None  # 批准之日 when the command gave it (else the recording day)

    @model_validator(mode="after")
    def _one_way(self) -> GrantedExtension:
        if (self.length is None) == (self.new_end is None):
            raise ValueError("an extension has either a length or an agreed new end date")
        return self


class Schedule(Frozen):
    """When a clock falls due and warns, and why."""

    due: Due
    warn_at: AwareDatetime | None
    cap_at: AwareDatetime | None = None
    # 补录宽限 (policy ``late_entry_grace_minutes``): a warning or due time already past when
    # this schedule was recorded (``entered_at``) is acted on only at ``held_until``, so the
    # facts entered next (an old file typed in one go) can answer it first.
    entered_at: AwareDatetime | None = None
    held_until: AwareDatetime | None = None

    def effective(self, moment: datetime) -> datetime:
        """When a warning or due time ``moment`` is acted on: at once when it came in real time,
        after the grace when it was already past as the schedule was recorded."""
        if self.held_until is not None and self.entered_at is not None:
            if moment <= self.entered_at:
                return self.held_until
        return moment


def held(schedule: Schedule, now: datetime, grace: timedelta | None) -> Schedule:
    """``schedule`` recorded at ``now``: held for ``grace`` when its warning or due time has
    already passed (a fact entered late); unchanged when nothing is past or there is no grace."""
    if grace is None:
        return schedule
    first = min(t for t in (schedule.warn_at, schedule.due.due_at) if t is not None)
    if first > now:
        return schedule
    return schedule.model_copy(update={"entered_at": now, "held_until": now + grace})


class Clock(Frozen):
    clock_id: str
    rule_id: str
    name: str
    subject: str = ""  # e.g. the performance item it watches
    # The organisation that must answer it (签收 by the one a transfer awaits, 反馈 by an assigned
    # department), when not the case's own people: its alerts go there first.
    organisation: OrgRef | None = None
    started_at: AwareDatetime
    length: int
    unit: PeriodUnit
    fixed_day: date | None = None  # plan deadline / item due date, when the rule takes one
    cap_from: AwareDatetime | None = None
    # 2026.2: the legal fact the period counts from, and the cap's own start (C5: acceptance).
    start: FactDate | None = None
    cap_start: FactDate | None = None
    schedule: Schedule
    status: ClockStatus = ClockStatus.RUNNING
    warned_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[GrantedExtension, ...] = ()

    @property
    def due_at(self) -> datetime:
        return self.schedule.due.due_at

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def paused_days(self) -> int:
        """Whole days not counted: each closed pause counts its China-date span."""
        return sum(
            (china_date(p.ended_at) - china_date(p.started_at)).days
            for p in self.pauses
            if p.ended_at is not None
        )

    def next_wakeup(self) -> datetime | None:
        if self.status is not ClockStatus.RUNNING:
            return None
        effective = self.schedule.effective
        if self.warned_at is None and self.schedule.warn_at is not None:
            return min(effective(self.schedule.warn_at), effective(self.due_at))
        return effective(self.due_at)

    def in_time(self, day: date) -> bool:
        """Whether a fact dated ``day`` answers the clock within its period (by its last day)."""
        last_day = self.schedule.due.last_day
        if last_day is not None:
            return day <= last_day
        return datetime.combine(day, time.min, tzinfo=CHINA_TZ) < self.due_at


def schedule(
    rule: ClockRule,
    *,
    started_at: datetime,
    calendar: HolidayCalendar,
    fixed_day: date | None = None,
    cap_from: datetime | None = None,
    paused_days: int = 0,
    extension_days: int = 0,
) -> Schedule:
    """The due time of a clock from its rule, pauses and extension, capped where the law caps it."""
    shift = timedelta(days=paused_days)
    if rule.due_source is DueSource.RULE:
        due = due_after(started_at + shift, rule.length + extension_days, rule.unit, calendar)
    else:
        assert fixed_day is not None, f"{rule.rule_id} needs a fixed day"
        last_day = fixed_day + shift + timedelta(days=extension_days)
        due = Due(
            due_at=end_of_china_day(last_day),
            last_day=last_day,
            provisional=False,
            steps=(
                (
                    f"期限为交办单位确定的反馈期限：{fixed_day.isoformat()} 24:00 / due at the end "
                    f"of the report-back deadline the assigning office set, {fixed_day.isoformat()}"
                )
                if rule.due_source is DueSource.ASSIGNMENT_DEADLINE
                else (
                    f"期限由案件确定：{fixed_day.isoformat()} 24:00 / "
                    f"due at the end of the day set for the case, {fixed_day.isoformat()}"
                ),
                *(
                    (f"中止计时 {paused_days} 日顺延 / {paused_days} paused days added",)
                    if paused_days
                    else ()
                ),
            ),
        )
    cap_at = None
    if rule.cap is not None and cap_from is not None:
        cap = due_after(cap_from, rule.cap.length, rule.cap.unit, calendar)
        cap_at = cap.due_at
        if cap.due_at < due.due_at:
            due = Due(
                due_at=cap.due_at,
                last_day=cap.last_day,
                provisional=cap.provisional or due.provisional,
                steps=(
                    *due.steps,
                    f"受{rule.cap.rule_id}上限约束，最迟 {cap.due_at.isoformat()} / "
                    f"capped by {rule.cap.rule_id} at {cap.due_at.isoformat()}",
                ),
            )
    warn_at = due.due_at - timedelta(hours=rule.warn_before_hours)
    return Schedule(due=due, warn_at=warn_at if warn_at > started_at else None, cap_at=cap_at)


def start_clock(
    rule: ClockRule,
    *,
    clock_id: str,
    now: datetime,
    calendar: HolidayCalendar,
    fixed_day: date | None = None,
    cap_from: datetime | None = None,
    subject: str = "",
    start: FactDate | None = None,
    cap_start: FactDate | None = None,
    organisation: OrgRef | None = None,
) -> Clock:
    """A new clock. ``start`` and ``cap_start`` (2026.2 rules) are the legal facts it counts
    from; absent, the recording instant ``now`` (and ``cap_from``) stand for them."""
    common = {
        "clock_id": clock_id,
        "rule_id": rule.rule_id,
        "name": rule.name,
        "subject": subject,
        "organisation": organisation,
        "started_at": now,
        "length": rule.length,
        "unit": rule.unit,
        "fixed_day": fixed_day,
        "cap_from": cap_from,
    }
    if rule.counting is Counting.RECORDED_2026_1:
        return Clock(
            **common,
            schedule=schedule(
                rule, started_at=now, calendar=calendar, fixed_day=fixed_day, cap_from=cap_from
            ),
        )
    if start is None:
        start = start_of(rule.counted_from or rule.start_on[0], now)
    if cap_start is None and rule.cap is not None and cap_from is not None:
        cap_start = start_of(rule.cap.from_event, cap_from)
    return Clock(
        **common,
        start=start,
        cap_start=cap_start,
        schedule=_legal(rule, calendar, start=start, cap_start=cap_start, fixed_day=fixed_day),
    )


def reschedule(clock: Clock, rule: ClockRule, calendar: HolidayCalendar) -> Schedule:
    """The schedule after a pause ended or an extension was granted (or the calendar changed)."""
    if rule.counting is not Counting.RECORDED_2026_1:
        return legal_schedule(clock, rule, calendar)
    return schedule(
        rule,
        started_at=clock.started_at,
        calendar=calendar,
        fixed_day=clock.fixed_day,
        cap_from=clock.cap_from,
        paused_days=clock.paused_days(),
        extension_days=sum(e.length or 0 for e in clock.extensions),
    )


def legal_schedule(clock: Clock, rule: ClockRule, calendar: HolidayCalendar) -> Schedule:
    """The schedule of a 2026.2 clock, counted from the legal facts it keeps."""
    unit = _extension_unit(rule)
    return _legal(
        rule,
        calendar,
        start=clock.start or start_of(rule.counted_from or rule.start_on[0], clock.started_at),
        cap_start=clock.cap_start,
        fixed_day=clock.fixed_day,
        pauses=tuple(p.span() for p in clock.pauses),
        extensions=tuple(
            ExtensionGrant(
                approver=x.approver,
                reason=x.reason,
                length=x.length,
                new_end=x.new_end,
                unit=x.unit or unit,
                approved_on=x.approved_on,
            )
            for x in clock.extensions
        ),
    )


def _legal(
    rule: ClockRule,
    calendar: HolidayCalendar,
    *,
    start: FactDate,
    cap_start: FactDate | None,
    fixed_day: date | None,
    pauses: tuple[PauseSpan, ...] = (),
    extensions: tuple[ExtensionGrant, ...] = (),
) -> Schedule:
    cap_at = None
    if rule.due_source is not DueSource.RULE:
        assert fixed_day is not None, f"{rule.rule_id} needs a fixed day"
        set_by = {
            DueSource.ASSIGNMENT_DEADLINE: FIXED_BY_ASSIGNER,
            DueSource.INSTRUCTION_DEADLINE: FIXED_BY_LEADER,
            DueSource.LISTING_DEADLINE: FIXED_BY_LISTER,
        }.get(rule.due_source, FIXED_BY_CASE)
        due = reckon_fixed_day(
            fixed_day, start, calendar, pauses=pauses, extensions=extensions, set_by=set_by
        )
    else:
        cap = None
        if rule.cap is not None and cap_start is not None:
            cap = CapSpec(
                rule_id=rule.cap.rule_id,
                length=rule.cap.length,
                unit=rule.cap.unit,
                start=cap_start,
            )
            cap_at = reckon(PeriodSpec(length=cap.length, unit=cap.unit, start=cap.start), calendar)
        spec = PeriodSpec(
            length=rule.length,
            unit=rule.unit,
            start=start,
            pauses=pauses,
            extensions=extensions,
            cap=cap,
        )
        due = reckon(spec, calendar)
    warn_at = due.due_at - timedelta(hours=rule.warn_before_hours)
    # No warning when the whole period is shorter than the warning time; a fact recorded late
    # whose warning time has passed warns at once (the timer finds warn_at behind it).
    begins = start.at or datetime.combine(start.on, time.min, tzinfo=CHINA_TZ)
    return Schedule(
        due=due,
        warn_at=warn_at if warn_at > begins else None,
        cap_at=cap_at.due_at if cap_at is not None else None,
    )


def _extension_unit(rule: ClockRule) -> PeriodUnit:
    if rule.extension is not None and rule.extension.unit is not None:
        return rule.extension.unit
    return PeriodUnit.CALENDAR_DAYS if rule.unit is PeriodUnit.MONTHS else rule.unit
