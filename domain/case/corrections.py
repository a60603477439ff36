"""The facts decide, not the order of typing (policy 2026.4, ``CasePolicy.facts_decide``).

A clock is met, breached or lapsed by the legal dates of the facts. When an office enters a case
late (补录), one fact after another, a clock may be judged breached before the fact that answers it
could be typed. So:

* a warning or breach already past when its clock was recorded waits for the policy's grace
  (``clocks.held``) before it is acted on: an old file entered in one go raises no alert that the
  facts typed next answer; a breach that falls due in real time is acted on at once;
* a fact dated within the period that answers a clock already recorded as breached or lapsed
  withdraws that breach (``BreachWithdrawn``, with the fact's seq and legal date): its alerts are
  closed as withdrawn, their escalation stops and everyone they reached is told (the workflow);
* a fact that answers a clock still running but is dated after the period's last day is a true
  breach, recorded as such (or a lapse, for a request window);
* a pause or an extension dated within the period reopens a breached clock the same way;
* a petition finalised because its request window seemed to have run (A7/A8) is open again when
  a request dated within the window is entered (``FinalizationWithdrawn``).
"""

from __future__ import annotations

from datetime import date, datetime

from domain.case import commands as c
from domain.case import events as e
from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import Clock, ClockStatus
from domain.case.facts import stated_date
from domain.case.labels import EVENT_LABELS
from domain.case.stages import Stage
from domain.case.state import CaseState
from domain.deadlines.clock_rules import ClockRule, ExpiryAction
from domain.errors import InvalidCommand
from domain.values import china_date

SYSTEM_ACTOR = "系统"  # who records what the clocks cause

# Answers state two dates: the handling ends on the day the written answer was made.
_ANSWERED_ON = frozenset({"petition_replied", "review_answered", "second_review_answered"})
# The windows whose lapse finalises a petition, the request that answers each, and the stage
# the case stood in while the window ran.
_REQUEST_WINDOWS: dict[str, tuple[str, Stage]] = {
    "request_review": ("review_requested", Stage.REPLIED),
    "request_second_review": ("second_review_requested", Stage.REVIEWED),
}


def answered_on(trigger: e.EventBody, now: datetime) -> date:
    """The legal date of the fact ``trigger`` records (the recording day when it states none)."""
    if trigger.type in _ANSWERED_ON:
        day = getattr(trigger, "answered_on", None)
        if isinstance(day, date):
            return day
    return stated_date(trigger) or china_date(now)


def withdraw(
    state: CaseState, clock: Clock, trigger: e.EventBody, status: ClockStatus, day: date
) -> list[e.EventBody]:
    """Withdraw the breach or lapse of ``clock``: ``trigger`` (just folded, seq ``state.seq``)
    dated ``day`` answers it within its period; the clock is now ``status``."""
    label = EVENT_LABELS.get(trigger.type, trigger.type)
    bodies: list[e.EventBody] = [
        e.BreachWithdrawn(
            clock_id=clock.clock_id,
            withdrawn=ClockStatus.LAPSED
            if clock.status is ClockStatus.LAPSED
            else ClockStatus.BREACHED,
            status=status,
            answered_by=trigger.type,
            answered_seq=state.seq,
            answered_on=day,
            last_day=clock.schedule.due.last_day,
        )
    ]
    reason = f"逾期撤销：{label}（{day.isoformat()}）在{clock.name}内"
    for alert in state.alerts:
        if alert.clock_id != clock.clock_id or alert.status is AlertStatus.CLOSED:
            continue
        breach = alert.kind is AlertKind.BREACH
        bodies.append(
            e.AlertClosed(
                alert_id=alert.alert_id,
                reason=reason if breach else f"{label}，预警解除",
                withdrawn=breach,
            )
        )
    return bodies


def answers(
    state: CaseState, clock: Clock, rule: ClockRule, trigger: e.EventBody, now: datetime
) -> list[e.EventBody] | None:
    """What ``trigger`` (a fact in ``rule.stop_on``) does to ``clock`` when the facts decide:
    None to stop it as met in the usual way, else the events it causes instead."""
    day = answered_on(trigger, now)
    if clock.status in (ClockStatus.BREACHED, ClockStatus.LAPSED):
        if clock.in_time(day):
            return withdraw(state, clock, trigger, ClockStatus.MET, day)
        return []  # a true breach stays a breach
    if clock.status is ClockStatus.RUNNING and not clock.in_time(day):
        # Answered after the last day, entered while the breach waited for its grace.
        if rule.expiry in (ExpiryAction.CLOSE_WINDOW, ExpiryAction.FINALIZE):
            return [e.ClockExpired(clock_id=clock.clock_id, status=ClockStatus.LAPSED)]
        return [e.ClockExpired(clock_id=clock.clock_id, status=ClockStatus.BREACHED)]
    return None


def reopened(
    state: CaseState, clock: Clock, trigger: e.EventBody, now: datetime
) -> list[e.EventBody]:
    """A pause or an extension dated within the period, entered after the clock's breach was
    recorded (``trigger`` already folded): the breach is withdrawn when the clock runs again."""
    if isinstance(trigger, e.ClockPaused) and clock.status is ClockStatus.PAUSED:
        if clock.ended_at is None:
            return []
        day = trigger.paused_on or china_date(now)
        return [
            *_failure_withdrawn(state, clock, trigger, day),
            *withdraw(state, clock, trigger, ClockStatus.PAUSED, day),
        ]
    if isinstance(trigger, e.ClockExtended) and clock.status is ClockStatus.BREACHED:
        if clock.due_at <= now:
            return []  # extended, but that period has run too: the breach stands
        day = trigger.extension.approved_on or china_date(now)
        return [
            *_failure_withdrawn(state, clock, trigger, day),
            *withdraw(state, clock, trigger, ClockStatus.RUNNING, day),
        ]
    return []


def failed_by(state: CaseState) -> Clock | None:
    """The clock whose breach failed the mediation automatically (E4/E5 届满视为调解不成), when
    the case stands failed by it (None: failed by people, or not failed)."""
    failure, policy = state.failure, state.policy
    if state.stage is not Stage.MEDIATION_FAILED or failure is None or policy is None:
        return None
    if not policy.facts_decide or failure.recorded.by != SYSTEM_ACTOR:
        return None
    for clock in state.clocks:
        rule = policy.rule(clock.rule_id)
        if (
            rule is not None
            and rule.expiry is ExpiryAction.FAIL_MEDIATION
            # breached, or just paused by a pause dated within it (``reopened``)
            and clock.status in (ClockStatus.BREACHED, ClockStatus.PAUSED)
            and clock.ended_at == failure.recorded.at
        ):
            return clock
    return None


def _failure_withdrawn(
    state: CaseState, clock: Clock, trigger: e.EventBody, day: date
) -> list[e.EventBody]:
    failed = failed_by(state)
    if failed is None or failed.clock_id != clock.clock_id:
        return []
    label = EVENT_LABELS.get(trigger.type, trigger.type)
    return [
        e.MediationFailureWithdrawn(
            clock_id=clock.clock_id,
            reason=f"{label}（{day.isoformat()}）在{clock.name}内",
            reopened=_stopped_by_failure(state, clock),
        )
    ]


def _stopped_by_failure(state: CaseState, failed: Clock) -> tuple[str, ...]:
    """The other clocks the automatic failure stopped (一案一策 plan…): they run again."""
    failure = state.failure
    if failure is None:
        return ()
    return tuple(
        clock.clock_id
        for clock in state.clocks
        if clock.clock_id != failed.clock_id
        and clock.status is ClockStatus.MET
        and clock.ended_at == failure.recorded.at
    )


def finalized_by(state: CaseState, command: c.Command) -> Clock | None:
    """The request window whose lapse finalised the petition, when ``command`` is the request
    that window waited for (None: the command does not reopen anything)."""
    window = _REQUEST_WINDOWS.get(command.type)
    policy = state.policy
    if (
        window is None
        or policy is None
        or not policy.facts_decide
        or state.stage is not Stage.FINAL
    ):
        return None
    fact, _ = window
    for clock in reversed(state.clocks):
        rule = policy.rule(clock.rule_id)
        if (
            rule is not None
            and rule.expiry is ExpiryAction.FINALIZE
            and fact in rule.stop_on
            and clock.status is ClockStatus.LAPSED
        ):
            return clock
    return None


def reopen(state: CaseState, command: c.Command) -> e.EventBody | None:
    """The correction ``command`` makes before its own events, when a clock's false breach moved
    the case on: an agreement signed within E4 after the mediation failed by it, a request made
    within the window after the petition was finalised by it (None: nothing to correct)."""
    if isinstance(command, c.RecordAgreement):
        clock = failed_by(state)
        if clock is None or not clock.in_time(command.signed_on):
            return None
        return e.MediationFailureWithdrawn(
            clock_id=clock.clock_id,
            reason=f"调解协议（{command.signed_on.isoformat()}）在{clock.name}内签订",
            reopened=_stopped_by_failure(state, clock),
        )
    if isinstance(command, (c.RequestReview, c.RequestSecondReview)):
        return _reopen_petition(state, command)
    return None


def _reopen_petition(
    state: CaseState, command: c.RequestReview | c.RequestSecondReview
) -> e.FinalizationWithdrawn | None:
    """终结撤销 for a request dated within the window that finalised the petition; a request
    dated after it is refused naming the field. None: the case was not finalised by a window."""
    clock = finalized_by(state, command)
    if clock is None:
        return None
    last_day = clock.schedule.due.last_day
    if not clock.in_time(command.requested_on):
        raise InvalidCommand(
            f"申请日期晚于{clock.name}的最后一日（{last_day}），信访事项已终结",
            f"requested_on is after the last day of {clock.rule_id} ({last_day}): "
            "the petition is final",
            field="requested_on",
        )
    _, stage = _REQUEST_WINDOWS[command.type]
    return e.FinalizationWithdrawn(
        clock_id=clock.clock_id, stage=stage, requested_on=command.requested_on
    )


def check_window(state: CaseState, command: c.Command) -> None:
    """A request entered while its window's lapse waits for the grace, dated after the window's
    last day: refused naming the field (the window has run; the petition becomes final)."""
    window = _REQUEST_WINDOWS.get(command.type)
    policy = state.policy
    if window is None or policy is None or not policy.facts_decide:
        return
    assert isinstance(command, (c.RequestReview, c.RequestSecondReview))
    fact, _ = window
    for clock in state.clocks:
        rule = policy.rule(clock.rule_id)
        if rule is None or fact not in rule.stop_on or clock.status is not ClockStatus.RUNNING:
            continue
        if not clock.in_time(command.requested_on):
            last_day = clock.schedule.due.last_day
            raise InvalidCommand(
                f"申请日期晚于{clock.name}的最后一日（{last_day}）",
                f"requested_on is after the last day of {clock.rule_id} ({last_day})",
                field="requested_on",
            )
