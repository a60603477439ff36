"""decide: the events a command records on a case, or a DomainError that records nothing."""

from __future__ import annotations

from datetime import date, datetime

from domain.case import commands as c
from domain.case import corrections, timekeeping
from domain.case import events as e
from domain.case.agenda_rules import agenda_body, held_body
from domain.case.attaching import attachment_body
from domain.case.case_numbers import PREFIXES, is_case_number
from domain.case.clock_commands import TIMEKEEPING, timekeeping_body
from domain.case.clocks import Schedule, reschedule
from domain.case.documents import issue_bodies
from domain.case.evolve import evolve, fold
from domain.case.facts import check_dates, receipt_on
from domain.case.facts import not_before as _not_before
from domain.case.facts import not_future as _not_future
from domain.case.handoffs import handoff_body
from domain.case.leader_acts import leader_bodies
from domain.case.lifting import lift_suggestions
from domain.case.policy import CasePolicy
from domain.case.reach import CaseReach
from domain.case.refusals import already_registered, stage_forbids
from domain.case.stages import Action, Stage
from domain.case.state import CaseState
from domain.deadlines.calendar import HolidayCalendar
from domain.errors import ForbiddenTransition, InvalidCommand, NotYourTurn, UnknownCase
from domain.values import Channel, CloseOutcome, china_date

_CLOSE_OUTCOMES: dict[Stage, CloseOutcome] = {
    Stage.FINAL: CloseOutcome.FINALIZED,
    Stage.AGREEMENT_REACHED: CloseOutcome.RESOLVED,
    Stage.FOLLOWING_UP: CloseOutcome.RESOLVED,
    Stage.MEDIATION_FAILED: CloseOutcome.MEDIATION_FAILED,
    Stage.DECLINED: CloseOutcome.DECLINED,
}


def decide(
    state: CaseState | None,
    envelope: c.CommandEnvelope,
    *,
    now: datetime,
    court_acceptance_first: bool = True,
) -> list[e.Event]:
    """The events ``envelope`` records on ``state`` at ``now``; [] for a command already applied.

    Raises ForbiddenTransition when the stage forbids the command, InvalidCommand when its
    content contradicts the case, UnknownCase for a command to a case never registered.
    ``court_acceptance_first=False`` only replays a history recorded before a court's decision
    needed its acceptance recorded first (司法确认: 法院受理 before 法院裁定).
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
    _check_turn(state, envelope)
    # 2026.4: a mediation failed, or a petition finalised, by a clock a late fact answers.
    reopening = corrections.reopen(state, command)
    corrections.check_window(state, command)
    refusal = stage_forbids(state, Action(command.type)) if reopening is None else None
    if refusal is not None:
        raise refusal
    check_dates(state, command, china_date(now))
    if court_acceptance_first and isinstance(command, c.RecordCourtDecision):
        _court_accepted(state)
    bodies: list[e.EventBody]
    if reopening is not None:
        reopened = record(
            state, [reopening], actor=envelope.actor, command_id=envelope.command_id, now=now
        )
        after = fold(reopened, state) or state
        if isinstance(command, _PETITION):
            bodies = _petition_bodies(after, command, china_date(now))
        else:
            bodies = [_body(after, command, china_date(now))]
        return reopened + record(
            after, bodies, actor=envelope.actor, command_id=envelope.command_id, now=now
        )
    if isinstance(command, c.ATTACHING):
        bodies = [attachment_body(state, command, actor=envelope.actor)]
    elif isinstance(command, c.IssueDocument):
        bodies = list(
            issue_bodies(
                state,
                command.kind,
                command.subject,
                command.number,
                signatures=command.signatures,
            )
        )
    elif isinstance(command, TIMEKEEPING):
        bodies = [timekeeping_body(state, command, now)]
    elif isinstance(command, c.HANDOFFS):
        bodies = [handoff_body(state, command, china_date(now))]
    elif isinstance(command, _PETITION):
        bodies = _petition_bodies(state, command, china_date(now))
    elif isinstance(command, c.LEADER_ACTS):
        bodies = leader_bodies(state, envelope, now, china_date(now))
    elif isinstance(command, c.AGENDA):
        bodies = [agenda_body(state, command, now)]
    else:
        held = held_body(state, command) if isinstance(command, c.RecordSession) else None
        bodies = [_body(state, command, china_date(now)), *([held] if held else [])]
    return record(state, bodies, actor=envelope.actor, command_id=envelope.command_id, now=now)


def _court_accepted(state: CaseState) -> None:
    """A court decides an application it has accepted: its 15-day clock (法释〔2016〕14号)
    runs from the acceptance, so the acceptance is recorded before the decision."""
    application = state.judicial_confirmation
    if application is not None and application.accepted_on is None:
        raise ForbiddenTransition(
            "法院尚未受理司法确认申请：请先记录法院受理，再记录法院裁定",
            "record the court's acceptance of the application before its decision",
        )


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
    received_on = receipt_on(state)
    last = state.answers[-1] if state.answers else None
    match command:
        case c.Reply():
            _not_future(command.answered_on, today, "answered_on")
            _not_before(command.answered_on, received_on, "answered_on", "收到申请之日", "receipt")
            return [e.PetitionReplied(**_fields(command))]
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
                return [e.ReviewAnswered(**_fields(command))]
            return [
                e.SecondReviewAnswered(**_fields(command)),
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


def _check_turn(state: CaseState, envelope: c.CommandEnvelope) -> None:
    """The organisation acting is the one that sends this command on the case now: the API
    checks it against the stored case, the case checks it again against itself, so a command
    racing a 签收 or 上提 (or read from a store behind the case) is refused, not applied."""
    acting = envelope.acting_organisation
    if acting is None:
        return
    command = envelope.command
    assignment_no = command.assignment_no if isinstance(command, c.ReportBack) else None
    turn = CaseReach.of(state).acting_organisation(command.type, assignment_no)
    if turn != acting:
        raise NotYourTurn(
            "本案现由其他单位办理，您所在单位不能进行此项操作",
            "another organisation acts on this case now",
        )


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
        for suggestion in lift_suggestions(current, body):
            append(suggestion)
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


def needs_handoff_rules(state: CaseState | None, command: c.Command) -> bool:
    """A hand-off command on a case whose policy snapshot predates the hand-off rules (2026.3):
    the workflow fetches them and records ``amend_policy`` before the command's own events."""
    return (
        isinstance(command, c.HANDOFFS)
        and state is not None
        and state.policy is not None
        and not state.policy.knows_handoffs
    )


def amend_policy(state: CaseState, current: CasePolicy, *, now: datetime) -> list[e.Event]:
    """补充适用: give a case registered under an older policy the hand-off rules of ``current``
    (the policy in force now, selected for the case), as the system's own event (so the hand-off
    command that asked for it is still to be applied). Recorded even when there is nothing to
    add, so the case asks once."""
    if state.policy is None or state.policy.knows_handoffs:
        return []
    rules, lift_rules = state.policy.missing_handoff_rules(current)
    body = e.PolicyAmended(version=current.version, rules=rules, lift_rules=lift_rules)
    return record(
        state,
        [body],
        actor=timekeeping.SYSTEM_ACTOR,
        command_id=f"policy:{current.version}",
        now=now,
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
    state: CaseState,
    calendar: HolidayCalendar,
    *,
    now: datetime,
    years_added: tuple[int, ...] = (),
) -> list[e.Event]:
    """Newly published holiday data: compute provisional due times again, as one event.

    Only a change of the published data counts: the statutory holidays computed for unpublished
    years are the same data whenever they are computed. A calendar extended with ``years_added``
    (years a fact of the case falls in) is recorded whatever it holds."""
    if state.policy is None:
        return []
    if not years_added and state.policy.calendar.publishes_the_same(calendar):
        return []
    with_calendar = state.policy.model_copy(update={"calendar": calendar})
    schedules: list[tuple[str, Schedule]] = []
    for clock in state.clocks:
        rule = with_calendar.rule(clock.rule_id)
        if clock.is_open and clock.schedule.due.provisional and rule is not None:
            schedules.append((clock.clock_id, reschedule(clock, rule, calendar)))
    body = e.ClocksRescheduled(
        calendar=calendar, schedules=tuple(schedules), years_added=years_added
    )
    added = "".join(f"+{year}" for year in years_added)
    return record(
        state,
        [body],
        actor=timekeeping.SYSTEM_ACTOR,
        command_id=f"calendar:{calendar.version}{added}",
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
    _reception_fits(command)
    data = command.model_dump(exclude={"type"})
    return e.CaseRegistered.model_validate(data)


def _reception_fits(command: c.Register) -> None:
    """领导接访: a case on that channel comes from a reception log with its leader as 包案领导;
    a log and a leader name no other channel."""
    from_reception = command.channel is Channel.LEADER_RECEPTION
    if from_reception and (command.reception_id is None or command.package_leader is None):
        raise InvalidCommand(
            "来源为领导接访的案件须从接访记录登记",
            "a case from a leader's reception is registered from its reception log",
            field="channel",
        )
    if not from_reception and (command.reception_id is not None):
        raise InvalidCommand(
            "从接访记录登记的案件来源须为领导接访",
            "a case registered from a reception log comes in on the leader_reception channel",
            field="channel",
        )


def _fields(command: c.Command) -> dict[str, object]:
    return dict(command.model_dump(exclude={"type"}))


def _body(state: CaseState, command: c.Command, today: date) -> e.EventBody:  # noqa: C901
    # Facts of the case cannot come before the application was received (which may be earlier
    # than its registration, when the office records it late).
    received_on = receipt_on(state)
    match command:
        case c.Accept():
            return e.CaseAccepted(**_fields(command))
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
            _not_before(command.held_on, received_on, "held_on", "收到申请之日", "receipt")
            recorded = command.model_dump(exclude={"type", "schedule_no"})
            return e.SessionRecorded(**recorded, session_no=state.session_count + 1)
        case c.RecordAgreement():
            _not_future(command.signed_on, today, "signed_on")
            _not_before(command.signed_on, received_on, "signed_on", "收到申请之日", "receipt")
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
