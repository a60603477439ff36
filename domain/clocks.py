"""Clocks (时限) on a case: start, pause, resume, extend, stop; due times computed once, recorded.

Every due time is computed here from the case's policy snapshot and recorded in an event, so a
replay never recomputes it from a calendar that has changed since.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.calendar import HolidayCalendar
from domain.periods import Due, PeriodUnit, due_after, end_of_china_day
from domain.policy import ClockRule, DueSource
from domain.values import china_date


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


class GrantedExtension(Frozen):
    """延期: approved once, with approver and reason; an extended clock is not overdue."""

    length: Annotated[int, Field(ge=1)]
    approver: str
    reason: str
    granted_at: AwareDatetime


class Schedule(Frozen):
    """When a clock falls due and warns, and why."""

    due: Due
    warn_at: AwareDatetime | None
    cap_at: AwareDatetime | None = None


class Clock(Frozen):
    clock_id: str
    rule_id: str
    name: str
    subject: str = ""  # e.g. the performance item it watches
    started_at: AwareDatetime
    length: int
    unit: PeriodUnit
    fixed_day: date | None = None  # plan deadline / item due date, when the rule takes one
    cap_from: AwareDatetime | None = None
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
        if self.warned_at is None and self.schedule.warn_at is not None:
            return min(self.schedule.warn_at, self.due_at)
        return self.due_at


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
                f"期限由案件确定：{fixed_day.isoformat()} 24:00 / "
                f"due at the end of the day set for the case, {fixed_day.isoformat()}",
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
) -> Clock:
    return Clock(
        clock_id=clock_id,
        rule_id=rule.rule_id,
        name=rule.name,
        subject=subject,
        started_at=now,
        length=rule.length,
        unit=rule.unit,
        fixed_day=fixed_day,
        cap_from=cap_from,
        schedule=schedule(
            rule, started_at=now, calendar=calendar, fixed_day=fixed_day, cap_from=cap_from
        ),
    )


def reschedule(clock: Clock, rule: ClockRule, calendar: HolidayCalendar) -> Schedule:
    """The schedule after a pause ended or an extension was granted (or the calendar changed)."""
    return schedule(
        rule,
        started_at=clock.started_at,
        calendar=calendar,
        fixed_day=clock.fixed_day,
        cap_from=clock.cap_from,
        paused_days=clock.paused_days(),
        extension_days=sum(e.length for e in clock.extensions),
    )
