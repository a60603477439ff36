"""The timekeeping commands (中止计时, 恢复计时, 延期, 签收): the event each records, or a refusal.

A pause and a resumption carry their legal dates (the day the appraisal was commissioned, the day
its opinion arrived); an extension is either a length approved by the rule's approver, counted
from the end of the original period, or — where the rule lets the parties agree one (E4, 条例
第38条) — the agreed new last day. Every date is checked: not in the future, not before what it
follows (422 naming the field; nothing is recorded).
"""

from __future__ import annotations

from datetime import date, datetime

from domain.case import commands as c
from domain.case import events as e
from domain.case.alerts import AlertStatus
from domain.case.clocks import Clock, ClockStatus, GrantedExtension, held, reschedule
from domain.case.facts import not_before, not_future
from domain.case.labels import pause_reason_label
from domain.case.state import CaseState
from domain.deadlines.clock_rules import ClockRule, ExtensionKind
from domain.errors import ForbiddenTransition, InvalidCommand
from domain.values import china_date

TIMEKEEPING = (c.PauseClock, c.ResumeClock, c.ExtendClock, c.AcknowledgeAlert)


def clock_start_on(clock: Clock) -> date:
    """The day the clock counts from: its legal start (2026.2), else the day it was started."""
    return clock.start.on if clock.start is not None else china_date(clock.started_at)


def _clock_of(state: CaseState, clock_id: str) -> tuple[Clock, ClockRule]:
    clock = state.clock(clock_id)
    rule = state.policy.rule(clock.rule_id) if clock and state.policy else None
    if clock is None or rule is None:
        raise InvalidCommand(
            f"案件没有时限 {clock_id}", f"the case has no clock {clock_id}", field="clock_id"
        )
    return clock, rule


def timekeeping_body(state: CaseState, command: c.Command, now: datetime) -> e.EventBody:
    today = china_date(now)
    match command:
        case c.PauseClock():
            return _pause(state, command, today)
        case c.ResumeClock():
            return _resume(state, command, now)
        case c.ExtendClock():
            return _extend(state, command, now)
        case c.AcknowledgeAlert():
            alert = state.alert(command.alert_id)
            if alert is None:
                raise InvalidCommand(
                    f"案件没有督办提醒 {command.alert_id}",
                    f"the case has no alert {command.alert_id}",
                    field="alert_id",
                )
            if alert.status is not AlertStatus.OPEN:
                raise ForbiddenTransition(
                    f"督办提醒 {alert.alert_id} 已{'签收' if alert.acknowledged_by else '解除'}",
                    f"alert {alert.alert_id} is already {alert.status.value}",
                )
            return e.AlertAcknowledged(alert_id=alert.alert_id, note=command.note)
    raise AssertionError(f"not a timekeeping command: {command.type}")


def _pause(state: CaseState, command: c.PauseClock, today: date) -> e.ClockPaused:
    clock, rule = _clock_of(state, command.clock_id)
    _within_period(state, clock, command.paused_on, "paused_on", "中止计时日期", today)
    if clock.status is not ClockStatus.RUNNING and not _reopens(state, clock, command.paused_on):
        _undated_after_breach(state, clock, "paused_on", "中止计时日期", "中止计时")
        raise ForbiddenTransition(
            f"时限 {clock.clock_id} 不在计时中", f"clock {clock.clock_id} is not running"
        )
    if command.reason not in rule.pausable_for:
        allowed_reasons = "、".join(pause_reason_label(r) for r in rule.pausable_for) or "无"
        raise InvalidCommand(
            f"{rule.name}不因{pause_reason_label(command.reason)}中止计时"
            f"（可中止事由：{allowed_reasons}）",
            f"{rule.rule_id} does not pause for '{command.reason}'",
            field="reason",
        )
    if command.paused_on is not None:
        not_future(command.paused_on, today, "paused_on")
        not_before(
            command.paused_on, clock_start_on(clock), "paused_on", "计时起算之日", "the start"
        )
        resumed = clock.pauses[-1].span().resumed_on if clock.pauses else None
        if resumed is not None:
            not_before(command.paused_on, resumed, "paused_on", "上次恢复计时之日", "resumption")
    return e.ClockPaused(
        clock_id=clock.clock_id,
        reason=command.reason,
        note=command.note,
        paused_on=command.paused_on,
    )


def _resume(state: CaseState, command: c.ResumeClock, now: datetime) -> e.ClockResumed:
    clock, rule = _clock_of(state, command.clock_id)
    if clock.status is not ClockStatus.PAUSED:
        raise ForbiddenTransition(
            f"时限 {clock.clock_id} 未中止计时", f"clock {clock.clock_id} is not paused"
        )
    pause = clock.pauses[-1]
    if command.resumed_on is not None:
        not_future(command.resumed_on, china_date(now), "resumed_on")
        not_before(
            command.resumed_on, pause.span().paused_on, "resumed_on", "中止计时之日", "the pause"
        )
    closed = pause.model_copy(update={"ended_at": now, "resumed_on": command.resumed_on})
    resumed = clock.model_copy(update={"pauses": (*clock.pauses[:-1], closed)})
    assert state.policy is not None
    return e.ClockResumed(
        clock_id=clock.clock_id,
        schedule=held(
            reschedule(resumed, rule, state.policy.calendar), now, state.policy.late_entry_grace
        ),
        resumed_on=command.resumed_on,
    )


def _extend(state: CaseState, command: c.ExtendClock, now: datetime) -> e.ClockExtended:
    clock, rule = _clock_of(state, command.clock_id)
    today = china_date(now)
    if command.approved_on is not None:
        not_future(command.approved_on, today, "approved_on")
        not_before(
            command.approved_on, clock_start_on(clock), "approved_on", "计时起算之日", "the start"
        )
    _within_period(state, clock, command.approved_on, "approved_on", "批准延期日期", today)
    if not clock.is_open and not _reopens(state, clock, command.approved_on):
        _undated_after_breach(state, clock, "approved_on", "批准延期日期", "延期")
        raise ForbiddenTransition(
            f"时限 {clock.clock_id} 已结束，不能延期",
            f"clock {clock.clock_id} has ended and cannot be extended",
        )
    allowed = rule.extension
    if allowed is None:
        raise InvalidCommand(
            f"{rule.name}不得延期", f"{rule.rule_id} allows no extension", field="clock_id"
        )
    if len(clock.extensions) >= allowed.max_count:
        raise ForbiddenTransition(
            f"{rule.name}已延期{len(clock.extensions)}次，不能再延期",
            f"{rule.rule_id} was already extended {len(clock.extensions)} time(s)",
        )
    if allowed.kind is ExtensionKind.AGREED_END_DATE:
        _agreed(clock, rule, command)
    else:
        if command.new_end is not None:
            raise InvalidCommand(
                f"{rule.name}按批准的期间延长，不能约定新的最后一日",
                f"{rule.rule_id} is extended by an approved length, not an agreed new end",
                field="new_end",
            )
        if command.length is None:
            raise InvalidCommand(
                "请填写延长的期间", "give the length of the extension", field="length"
            )
        max_length = allowed.max_length
        if max_length is not None and command.length > max_length:
            raise InvalidCommand(
                f"延期不得超过{max_length}日",
                f"an extension of {rule.rule_id} is at most {max_length} days",
                field="length",
            )
    extension = GrantedExtension(
        length=command.length,
        new_end=command.new_end,
        approver=command.approver,
        reason=command.reason,
        granted_at=now,
        approved_on=command.approved_on,
    )
    extended = clock.model_copy(update={"extensions": (*clock.extensions, extension)})
    assert state.policy is not None
    try:
        schedule = held(
            reschedule(extended, rule, state.policy.calendar), now, state.policy.late_entry_grace
        )
    except ValueError as error:  # the counting refuses an end it cannot reach
        raise InvalidCommand(
            "延期后的期限无法计算",
            f"the extended period cannot be counted: {error}",
            field="new_end",
        ) from None
    return e.ClockExtended(clock_id=clock.clock_id, extension=extension, schedule=schedule)


def _agreed(clock: Clock, rule: ClockRule, command: c.ExtendClock) -> None:
    """An agreed extension names its new last day, later than the current one."""
    if command.length is not None:
        raise InvalidCommand(
            f"{rule.name}由各方约定延长，请填写约定的最后一日，不填延长期间",
            f"{rule.rule_id} is extended by agreement: give the agreed new_end, not a length",
            field="length",
        )
    if command.new_end is None:
        raise InvalidCommand(
            "请填写约定延长后的最后一日",
            "give the agreed new last day (new_end)",
            field="new_end",
        )
    current = clock.schedule.due.last_day
    if current is not None and command.new_end <= current:
        raise InvalidCommand(
            f"约定的最后一日须晚于现期限的最后一日（{current.isoformat()}）",
            f"the agreed new end must be after the current last day ({current.isoformat()})",
            field="new_end",
        )


def _facts_decide(state: CaseState) -> bool:
    return state.policy is not None and state.policy.facts_decide


def _reopens(state: CaseState, clock: Clock, day: date | None) -> bool:
    """A pause or extension dated ``day`` within the period of a clock already recorded as
    breached (2026.4: the facts decide): accepted, and the breach is withdrawn."""
    return (
        _facts_decide(state)
        and clock.status is ClockStatus.BREACHED
        and day is not None
        and clock.in_time(day)
    )


def _within_period(
    state: CaseState, clock: Clock, day: date | None, field: str, label: str, today: date
) -> None:
    """A pause or extension is dated within the running period (by its last day): one dated
    after it, or entered undated after it ran, is refused naming the field (2026.4)."""
    last_day = clock.schedule.due.last_day
    if not _facts_decide(state) or last_day is None:
        return
    if clock.status is not ClockStatus.RUNNING and (
        clock.status is not ClockStatus.BREACHED or day is None
    ):
        return  # an undated command on a breached clock: _undated_after_breach says what to do
    if clock.in_time(day or today):
        return
    given = day or today
    what = "中止计时" if field == "paused_on" else "延期"
    raise InvalidCommand(
        f"{label} {given.isoformat()} 晚于{clock.name}的最后一日"
        f"（{last_day.isoformat()}），期限届满后不能{what}",
        f"{field} {given.isoformat()} is after the last day of {clock.rule_id} "
        f"({last_day.isoformat()}): the period had run",
        field=field,
    )


def _undated_after_breach(
    state: CaseState, clock: Clock, field: str, label: str, what: str
) -> None:
    """A pause or extension of a breached clock without its date: granted while the period ran,
    it is accepted with that date (2026.4); refused naming the field to fill in."""
    if clock.status is ClockStatus.BREACHED and _facts_decide(state):
        raise InvalidCommand(
            f"时限 {clock.clock_id} 已逾期；{what}若在期限内作出，请填写{label}",
            f"clock {clock.clock_id} has breached; a {field.split('_')[0]} within the period "
            f"needs its date ({field})",
            field=field,
        )
