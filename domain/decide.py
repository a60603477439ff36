"""decide: the events a command records on a case, or a DomainError that records nothing."""

from __future__ import annotations

from datetime import date, datetime

from domain import commands as c
from domain import events as e
from domain import timekeeping
from domain.alerts import AlertStatus
from domain.calendar import HolidayCalendar
from domain.case_numbers import PREFIXES, is_case_number
from domain.clocks import Clock, ClockStatus, GrantedExtension, Schedule, reschedule
from domain.errors import ForbiddenTransition, InvalidCommand, UnknownCase
from domain.evolve import evolve, fold
from domain.policy import CasePolicy, ClockRule
from domain.refusals import already_registered, stage_forbids
from domain.stages import Action, Stage
from domain.state import CaseState
from domain.values import CloseOutcome, china_date

_CLOSE_OUTCOMES: dict[Stage, CloseOutcome] = {
    Stage.FINAL: CloseOutcome.FINALIZED,
    Stage.AGREEMENT_REACHED: CloseOutcome.RESOLVED,
    Stage.FOLLOWING_UP: CloseOutcome.RESOLVED,
    Stage.MEDIATION_FAILED: CloseOutcome.MEDIATION_FAILED,
    Stage.DECLINED: CloseOutcome.DECLINED,
}


def decide(state: CaseState | None, envelope: c.CommandEnvelope, *, now: datetime) -> list[e.Event]:
    """The events ``envelope`` records on ``state`` at ``now``; [] for a command already applied.

    Raises ForbiddenTransition when the stage forbids the command, InvalidCommand when its
    content contradicts the case, UnknownCase for a command to a case never registered.
    """
    command = envelope.command
    if state is None:
        if not isinstance(command, c.Register):
            raise UnknownCase("案件不存在", "case not found")
        body: e.EventBody = _register(command, now)
        return [_event(command.case_id, 1, body, envelope, now)]
    if state.has_applied(envelope.command_id):
        return []
    if isinstance(command, c.Register):
        raise already_registered(state)
    refusal = stage_forbids(state, Action(command.type))
    if refusal is not None:
        raise refusal
    bodies: list[e.EventBody]
    if isinstance(command, _TIMEKEEPING):
        bodies = [_timekeeping_body(state, command, now)]
    elif isinstance(command, _PETITION):
        bodies = _petition_bodies(state, command, china_date(now))
    else:
        bodies = [_body(state, command, china_date(now))]
    return record(state, bodies, actor=envelope.actor, command_id=envelope.command_id, now=now)


_PETITION = (
    c.Reply,
    c.RequestReview,
    c.AnswerReview,
    c.RequestSecondReview,
    c.AnswerSecondReview,
    c.DivertToMediation,
    c.RecordRepeat,
)


def _petition_bodies(state: CaseState, command: c.Command, today: date) -> list[e.EventBody]:
    """信访: answers at three levels, requests for review, diversion and repeats."""
    registered_on = china_date(state.registered.at)
    last = state.answers[-1] if state.answers else None
    match command:
        case c.Reply():
            _not_future(command.answered_on, today, "answered_on")
            _not_before(
                command.answered_on, registered_on, "answered_on", "登记日期", "registration"
            )
            return [e.PetitionReplied(answer=command.answer, answered_on=command.answered_on)]
        case c.RequestReview() | c.RequestSecondReview():
            _not_future(command.requested_on, today, "requested_on")
            if last is not None and last.answered_on is not None:
                _not_before(
                    command.requested_on, last.answered_on, "requested_on", "答复日期", "the answer"
                )
            if isinstance(command, c.RequestReview):
                return [e.ReviewRequested(requested_on=command.requested_on, reason=command.reason)]
            return [
                e.SecondReviewRequested(requested_on=command.requested_on, reason=command.reason)
            ]
        case c.AnswerReview() | c.AnswerSecondReview():
            _not_future(command.answered_on, today, "answered_on")
            if last is not None and last.requested_on is not None:
                _not_before(
                    command.answered_on, last.requested_on, "answered_on", "申请日期", "the request"
                )
            if isinstance(command, c.AnswerReview):
                return [e.ReviewAnswered(answer=command.answer, answered_on=command.answered_on)]
            return [
                e.SecondReviewAnswered(answer=command.answer, answered_on=command.answered_on),
                e.PetitionFinalized(reason="复核意见已作出，信访事项终结（条例第36条）"),
            ]
        case c.DivertToMediation():
            return [
                e.DivertedToMediation(dispute_case_id=command.dispute_case_id, note=command.note)
            ]
        case c.RecordRepeat():
            _not_future(command.received_on, today, "received_on")
            return [
                e.RepeatRecorded(
                    received_on=command.received_on,
                    channel=command.channel,
                    summary=command.summary,
                )
            ]
    raise AssertionError(f"not a petition command: {command.type}")


_TIMEKEEPING = (c.PauseClock, c.ResumeClock, c.ExtendClock, c.AcknowledgeAlert)


def record(
    state: CaseState,
    bodies: list[e.EventBody],
    *,
    actor: str,
    command_id: str,
    now: datetime,
) -> list[e.Event]:
    """Number ``bodies`` as the case's next events, each followed by the clock and alert events
    it causes (a stop, a start, an alert closed)."""
    events: list[e.Event] = []
    current = state

    def append(body: e.EventBody) -> None:
        nonlocal current
        event = e.Event(
            case_id=current.case_id,
            seq=current.seq + 1,
            at=now,
            actor=actor,
            command_id=command_id,
            body=body,
        )
        folded = evolve(current, event)
        assert folded is not None
        current = folded
        events.append(event)

    for body in bodies:
        append(body)
        for follow in timekeeping.effects(current, body, now):
            append(follow)
    return events


def snapshot_policy(
    state: CaseState, policy: CasePolicy, *, actor: str, command_id: str, now: datetime
) -> list[e.Event]:
    """Keep the policy in force at intake and start the clocks that run from registration."""
    if state.policy is not None:
        return []
    return record(
        state, timekeeping.snapshot(state, policy, now), actor=actor, command_id=command_id, now=now
    )


def advance(state: CaseState, *, now: datetime) -> list[e.Event]:
    """Everything due by ``now``: warnings, breaches, expiry actions, escalation steps."""
    events: list[e.Event] = []
    current = state
    for _ in range(1_000):  # each step changes the state; the bound only guards a policy bug
        bodies = timekeeping.advance_step(current, now)
        if not bodies:
            break
        recorded = record(
            current,
            bodies,
            actor=timekeeping.SYSTEM_ACTOR,
            command_id=f"timer:{now.isoformat()}",
            now=now,
        )
        events += recorded
        current = fold(recorded, current) or current
    return events


def reschedule_provisional(
    state: CaseState, calendar: HolidayCalendar, *, now: datetime
) -> list[e.Event]:
    """Newly published holiday data: compute provisional due times again, as one event."""
    if state.policy is None or state.policy.calendar == calendar:
        return []
    with_calendar = state.policy.model_copy(update={"calendar": calendar})
    schedules: list[tuple[str, Schedule]] = []
    for clock in state.clocks:
        rule = with_calendar.rule(clock.rule_id)
        if clock.is_open and clock.schedule.due.provisional and rule is not None:
            schedules.append((clock.clock_id, reschedule(clock, rule, calendar)))
    body = e.ClocksRescheduled(calendar=calendar, schedules=tuple(schedules))
    return record(
        state,
        [body],
        actor=timekeeping.SYSTEM_ACTOR,
        command_id=f"calendar:{calendar.version}",
        now=now,
    )


def _event(
    case_id: str, seq: int, body: e.EventBody, envelope: c.CommandEnvelope, now: datetime
) -> e.Event:
    return e.Event(
        case_id=case_id,
        seq=seq,
        at=now,
        actor=envelope.actor,
        command_id=envelope.command_id,
        body=body,
    )


def _clock_of(state: CaseState, clock_id: str) -> tuple[Clock, ClockRule]:
    clock = state.clock(clock_id)
    rule = state.policy.rule(clock.rule_id) if clock and state.policy else None
    if clock is None or rule is None:
        raise InvalidCommand(
            f"案件没有时限 {clock_id}", f"the case has no clock {clock_id}", field="clock_id"
        )
    return clock, rule


def _timekeeping_body(  # noqa: C901
    state: CaseState, command: c.Command, now: datetime
) -> e.EventBody:
    match command:
        case c.PauseClock():
            clock, rule = _clock_of(state, command.clock_id)
            if clock.status is not ClockStatus.RUNNING:
                raise ForbiddenTransition(
                    f"时限 {clock.clock_id} 不在计时中", f"clock {clock.clock_id} is not running"
                )
            if command.reason not in rule.pausable_for:
                allowed_reasons = "、".join(rule.pausable_for) or "无"
                raise InvalidCommand(
                    f"{rule.name}不因「{command.reason}」中止计时（可中止事由：{allowed_reasons}）",
                    f"{rule.rule_id} does not pause for '{command.reason}'",
                    field="reason",
                )
            return e.ClockPaused(clock_id=clock.clock_id, reason=command.reason, note=command.note)
        case c.ResumeClock():
            clock, rule = _clock_of(state, command.clock_id)
            if clock.status is not ClockStatus.PAUSED:
                raise ForbiddenTransition(
                    f"时限 {clock.clock_id} 未中止计时", f"clock {clock.clock_id} is not paused"
                )
            closed = clock.pauses[-1].model_copy(update={"ended_at": now})
            resumed = clock.model_copy(update={"pauses": (*clock.pauses[:-1], closed)})
            assert state.policy is not None
            return e.ClockResumed(
                clock_id=clock.clock_id, schedule=reschedule(resumed, rule, state.policy.calendar)
            )
        case c.ExtendClock():
            clock, rule = _clock_of(state, command.clock_id)
            if not clock.is_open:
                raise ForbiddenTransition(
                    f"时限 {clock.clock_id} 已结束，不能延期",
                    f"clock {clock.clock_id} has ended and cannot be extended",
                )
            if rule.extension is None:
                raise InvalidCommand(
                    f"{rule.name}不得延期", f"{rule.rule_id} allows no extension", field="clock_id"
                )
            if len(clock.extensions) >= rule.extension.max_count:
                raise ForbiddenTransition(
                    f"{rule.name}已延期{len(clock.extensions)}次，不能再延期",
                    f"{rule.rule_id} was already extended {len(clock.extensions)} time(s)",
                )
            max_length = rule.extension.max_length  # None: an agreed new end date (2026.2)
            if max_length is not None and command.length > max_length:
                raise InvalidCommand(
                    f"延期不得超过{max_length}日",
                    f"an extension of {rule.rule_id} is at most {max_length} days",
                    field="length",
                )
            extension = GrantedExtension(
                length=command.length,
                approver=command.approver,
                reason=command.reason,
                granted_at=now,
            )
            extended = clock.model_copy(update={"extensions": (*clock.extensions, extension)})
            assert state.policy is not None
            return e.ClockExtended(
                clock_id=clock.clock_id,
                extension=extension,
                schedule=reschedule(extended, rule, state.policy.calendar),
            )
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


def _register(command: c.Register, now: datetime) -> e.CaseRegistered:
    if not is_case_number(command.case_id) or not command.case_id.startswith(
        PREFIXES[command.kind] + "-"
    ):
        raise InvalidCommand(
            f"案件编号 {command.case_id} 与案件类型不符",
            f"case number {command.case_id} does not fit kind '{command.kind.value}'",
            field="case_id",
        )
    if command.received_on is not None:
        _not_future(command.received_on, china_date(now), "received_on")
    data = command.model_dump(exclude={"type"})
    return e.CaseRegistered.model_validate(data)


def _not_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise InvalidCommand(
            f"{field} 不能晚于今天（{today.isoformat()}）",
            f"{field} cannot be later than today ({today.isoformat()})",
            field=field,
        )


def _not_before(day: date, earliest: date, field: str, what_zh: str, what_en: str) -> None:
    if day < earliest:
        raise InvalidCommand(
            f"{field} 不能早于{what_zh}（{earliest.isoformat()}）",
            f"{field} cannot be earlier than {what_en} ({earliest.isoformat()})",
            field=field,
        )


def _fields(command: c.Command) -> dict[str, object]:
    return dict(command.model_dump(exclude={"type"}))


def _body(state: CaseState, command: c.Command, today: date) -> e.EventBody:  # noqa: C901
    registered_on = china_date(state.registered.at)
    match command:
        case c.Accept():
            return e.CaseAccepted(note=command.note)
        case c.Decline():
            return e.CaseDeclined(reason=command.reason, referral=command.referral)
        case c.Plan():
            _not_before(command.deadline, today, "deadline", "今天", "today")
            return e.PlanRevised(**_fields(command), revision=len(state.plans) + 1)
        case c.AssignPackageLeader():
            current = state.package_leader
            return e.PackageLeaderAssigned(
                **_fields(command), replaces=current.leader_name if current else None
            )
        case c.StartMediation():
            return e.MediationStarted(**_fields(command), round=len(state.mediation_rounds) + 1)
        case c.RecordSession():
            _not_future(command.held_on, today, "held_on")
            _not_before(command.held_on, registered_on, "held_on", "登记日期", "registration")
            return e.SessionRecorded(**_fields(command), session_no=state.session_count + 1)
        case c.RecordAgreement():
            _not_future(command.signed_on, today, "signed_on")
            _not_before(command.signed_on, registered_on, "signed_on", "登记日期", "registration")
            for index, item in enumerate(command.items):
                _not_before(
                    item.due_on, command.signed_on, f"items.{index}.due_on", "签订日期", "signing"
                )
            return e.AgreementRecorded(**_fields(command), agreement_no=len(state.agreements) + 1)
        case c.RecordMediationFailure():
            return e.MediationFailed(**_fields(command))
        case c.ApplyJudicialConfirmation():
            agreement = state.agreement
            _not_future(command.applied_on, today, "applied_on")
            if agreement is not None:
                _not_before(
                    command.applied_on, agreement.signed_on, "applied_on", "协议签订日期", "signing"
                )
            return e.JudicialConfirmationApplied(**_fields(command))
        case c.RecordCourtDecision():
            application = state.judicial_confirmation
            _not_future(command.decided_on, today, "decided_on")
            if application is not None:
                _not_before(
                    command.decided_on,
                    application.applied_on,
                    "decided_on",
                    "申请日期",
                    "the application",
                )
            return e.CourtDecisionRecorded(**_fields(command))
        case c.RecordFollowUp():
            _not_future(command.visited_on, today, "visited_on")
            known = {item.item_no for item in state.agreement.items} if state.agreement else set()
            for index, entry in enumerate(command.performance):
                if entry.item_no not in known:
                    raise InvalidCommand(
                        f"调解协议中没有第 {entry.item_no} 项履行事项",
                        f"the agreement has no performance item {entry.item_no}",
                        field=f"performance.{index}.item_no",
                    )
            return e.FollowUpRecorded(**_fields(command), visit_no=len(state.follow_ups) + 1)
        case c.Close():
            agreement = state.agreement
            if state.stage in (Stage.AGREEMENT_REACHED, Stage.FOLLOWING_UP) and (
                agreement is not None and not agreement.all_performed
            ):
                raise ForbiddenTransition(
                    "调解协议尚有未履行完毕的事项，不能销号",
                    "agreement items are not all performed; the case cannot be closed",
                )
            return e.CaseClosed(remark=command.remark, outcome=_CLOSE_OUTCOMES[state.stage])
        case c.Withdraw():
            return e.CaseWithdrawn(reason=command.reason)
        case c.RecordCourtAcceptance():
            application = state.judicial_confirmation
            _not_future(command.accepted_on, today, "accepted_on")
            if application is not None:
                _not_before(
                    command.accepted_on,
                    application.applied_on,
                    "accepted_on",
                    "申请日期",
                    "the application",
                )
            return e.CourtAcceptanceRecorded(accepted_on=command.accepted_on)
    # Registration and the timekeeping commands are decided before this point.
    raise AssertionError(f"not a case command: {command.type}")
