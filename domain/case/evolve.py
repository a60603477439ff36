"""evolve: fold one event into the case. Total: it never raises and never reads a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from domain.case import events as e
from domain.case.agenda_rules import apply_agenda
from domain.case.alerts import Alert, AlertStatus
from domain.case.attaching import attached
from domain.case.clocks import OPEN_STATUSES, Clock, ClockStatus, Pause
from domain.case.details import CourtDecisionDetails
from domain.case.documents import issued_changes
from domain.case.leader_fold import leader_changes
from domain.case.stages import Stage
from domain.case.state import (
    RECENT_COMMANDS_KEPT,
    Agreement,
    Answer,
    Assignment,
    CaseState,
    Closure,
    Decline,
    Failure,
    Finalization,
    FollowUp,
    HandOff,
    JudicialConfirmation,
    LeaderAssignment,
    LiftSuggestion,
    MediationRound,
    MediationSession,
    PendingTransfer,
    PerformanceItem,
    PlanRevision,
    Repeat,
    ReportBack,
    Stamp,
    Withdrawal,
)
from domain.organisation.organisations import OrgRef
from domain.values import CourtDecision


def evolve(state: CaseState | None, event: e.Event) -> CaseState | None:
    """The case after ``event``; an event that does not fit (e.g. too early) is ignored."""
    body = event.body
    stamp = Stamp(at=event.at, by=event.actor)
    if isinstance(body, e.CaseRegistered):
        if state is not None:
            return state
        intake = body.model_dump(exclude={"type", "package_leader"})
        routed = body.routing.chosen if body.routing is not None else None
        received_by = body.package_leader
        return CaseState(
            **intake,
            package_leaders=()
            if received_by is None
            else (LeaderAssignment(**received_by.model_dump(), recorded=stamp),),
            holder=routed,
            handoffs=()
            if routed is None
            else (HandOff(kind=body.type, organisation=routed, recorded=stamp),),
            stage=Stage.REGISTERED,
            seq=event.seq,
            registered=stamp,
            updated_at=event.at,
            recent_command_ids=(event.command_id,),
        )
    if state is None or event.seq <= state.seq:
        return state
    changes = (
        _apply(state, body, stamp)
        or _apply_handoff(state, body, stamp)
        or _apply_timekeeping(state, body, stamp)
        or attached(state, body, seq=event.seq, at=event.at)
        or issued_changes(state, body, event.at, event.actor)
        or apply_agenda(state, body, at=stamp.at, by=stamp.by)
    ) | leader_changes(state, body, stamp)
    recent = state.recent_command_ids
    if not recent or recent[-1] != event.command_id:
        recent = (*recent, event.command_id)[-RECENT_COMMANDS_KEPT:]
    return state.model_copy(
        update={
            **changes,
            "seq": event.seq,
            "updated_at": event.at,
            "recent_command_ids": recent,
            "milestones": {**state.milestones, body.type: event.at},
        }
    )


def fold(events: list[e.Event], state: CaseState | None = None) -> CaseState | None:
    """Fold events in order onto ``state`` (the read model and the audit replay use this)."""
    for event in events:
        state = evolve(state, event)
    return state


def _apply(state: CaseState, body: e.EventBody, stamp: Stamp) -> dict[str, object]:  # noqa: C901
    match body:
        case e.CaseAccepted():
            return {"stage": Stage.ACCEPTED, "accepted": stamp, "accepted_on": body.accepted_on}
        case e.CaseDeclined():
            decline = Decline(reason=body.reason, referral=body.referral, recorded=stamp)
            return {"stage": Stage.DECLINED, "decline": decline}
        case e.PlanRevised():
            plan = PlanRevision(**_data(body), recorded=stamp)
            return {"plans": (*state.plans, plan)}
        case e.PackageLeaderAssigned():
            leader = LeaderAssignment(**_data(body, "replaces"), recorded=stamp)
            return {"package_leaders": (*state.package_leaders, leader)}
        case e.MediationStarted():
            round_ = MediationRound(
                round=body.round,
                mediation_type=body.mediation_type,
                mediators=body.mediators,
                mediator_ids=body.mediator_ids,
                started=stamp,
                started_on=body.started_on,
            )
            return {"stage": Stage.MEDIATING, "mediation_rounds": (*state.mediation_rounds, round_)}
        case e.SessionRecorded():
            if not state.mediation_rounds:
                return {}
            latest = state.mediation_rounds[-1]
            session = MediationSession(**_data(body), recorded=stamp)
            latest = latest.model_copy(update={"sessions": (*latest.sessions, session)})
            return {
                "mediation_rounds": (*state.mediation_rounds[:-1], latest),
                "sessions_with_holder": state.sessions_with_holder + 1,
            }
        case e.AgreementRecorded():
            items = tuple(
                PerformanceItem(item_no=no, description=item.description, due_on=item.due_on)
                for no, item in enumerate(body.items, start=1)
            )
            agreement = Agreement(
                agreement_no=body.agreement_no,
                terms=body.terms,
                form=body.form.value,
                signed_on=body.signed_on,
                items=items,
                recorded=stamp,
            )
            return {"stage": Stage.AGREEMENT_REACHED, "agreements": (*state.agreements, agreement)}
        case e.MediationFailed():
            failure = Failure(reason=body.reason, referral=body.referral, recorded=stamp)
            return {
                "stage": Stage.MEDIATION_FAILED,
                "failure": failure,
                "failures_with_holder": state.failures_with_holder + 1,
            }
        case e.JudicialConfirmationApplied():
            application = JudicialConfirmation(**_data(body), applied=stamp)
            return {
                "stage": Stage.CONFIRMATION_PENDING,
                "judicial_confirmations": (*state.judicial_confirmations, application),
            }
        case e.CourtDecisionRecorded():
            confirmed = body.decision is CourtDecision.CONFIRMED
            stage = Stage.FOLLOWING_UP if confirmed else Stage.CONFIRMATION_REJECTED
            if not state.judicial_confirmations:
                return {"stage": stage}
            decision = CourtDecisionDetails(**_data(body))
            application = state.judicial_confirmations[-1].model_copy(
                update={"decision": decision, "decision_recorded": stamp}
            )
            return {
                "stage": stage,
                "judicial_confirmations": (*state.judicial_confirmations[:-1], application),
            }
        case e.FollowUpRecorded():
            visit = FollowUp(**_data(body), recorded=stamp)
            changes: dict[str, object] = {
                "stage": Stage.FOLLOWING_UP,
                "follow_ups": (*state.follow_ups, visit),
            }
            if state.agreement is not None and body.performance:
                statuses = {p.item_no: p.status for p in body.performance}
                items = tuple(
                    item.model_copy(update={"status": statuses.get(item.item_no, item.status)})
                    for item in state.agreement.items
                )
                agreement = state.agreement.model_copy(update={"items": items})
                changes["agreements"] = (*state.agreements[:-1], agreement)
            return changes
        case e.CaseClosed():
            closure = Closure(outcome=body.outcome, remark=body.remark, recorded=stamp)
            return {"stage": Stage.CLOSED, "closure": closure}
        case e.CaseWithdrawn():
            return {
                "stage": Stage.WITHDRAWN,
                "withdrawal": Withdrawal(reason=body.reason, recorded=stamp),
            }
        case e.CourtAcceptanceRecorded():
            if not state.judicial_confirmations:
                return {}
            accepted = state.judicial_confirmations[-1].model_copy(
                update={"accepted_on": body.accepted_on}
            )
            return {"judicial_confirmations": (*state.judicial_confirmations[:-1], accepted)}
        case e.PetitionReplied():
            answer = Answer(
                level=1,
                answer=body.answer,
                answered_on=body.answered_on,
                served_on=body.served_on,
                recorded=stamp,
            )
            return {"stage": Stage.REPLIED, "answers": (*state.answers, answer)}
        case e.ReviewRequested() | e.SecondReviewRequested():
            level = 2 if isinstance(body, e.ReviewRequested) else 3
            request = Answer(
                level=level,
                requested_on=body.requested_on,
                request_reason=body.reason,
                recorded=stamp,
            )
            stage = Stage.REVIEW_REQUESTED if level == 2 else Stage.SECOND_REVIEW_REQUESTED
            return {"stage": stage, "answers": (*state.answers, request)}
        case e.ReviewAnswered() | e.SecondReviewAnswered():
            if not state.answers:
                return {}
            answered = state.answers[-1].model_copy(
                update={
                    "answer": body.answer,
                    "answered_on": body.answered_on,
                    "served_on": body.served_on,
                }
            )
            filled: dict[str, object] = {"answers": (*state.answers[:-1], answered)}
            if isinstance(body, e.ReviewAnswered):
                filled["stage"] = Stage.REVIEWED
            return filled
        case e.PetitionFinalized():
            return {
                "stage": Stage.FINAL,
                "finalized": Finalization(reason=body.reason, recorded=stamp),
            }
        case e.RepeatRecorded():
            repeat = Repeat(
                received_on=body.received_on,
                channel=body.channel.value,
                summary=body.summary,
                recorded=stamp,
            )
            return {"repeats": (*state.repeats, repeat)}
        case e.DivertedToMediation():
            return {"diverted_to": body.dispute_case_id}
        case _:
            return {}


# A lifted case is handled afresh above: an open or failed mediation round ends there.
_HANDLED_AFRESH = frozenset({Stage.MEDIATING, Stage.MEDIATION_FAILED})


def _apply_handoff(state: CaseState, body: e.EventBody, stamp: Stamp) -> dict[str, object]:
    """转办 / 签收 / 退回 / 交办 / 反馈 / 上提 / 联合调处: the change, and its line in the log."""
    changes = _handoff_changes(state, body, stamp)
    entry = _handoff_entry(state, body, stamp)
    if entry is not None:
        changes["handoffs"] = (*state.handoffs, entry)
    return changes


def _handoff_changes(state: CaseState, body: e.EventBody, stamp: Stamp) -> dict[str, object]:
    match body:
        case e.CaseTransferred():
            pending = PendingTransfer(
                to_organisation=body.to_organisation,
                from_organisation=body.from_organisation,
                reason=body.reason,
                sent=stamp,
            )
            return {"pending_transfer": pending}
        case e.TransferTaken():
            return {**_new_holder(state, body.organisation), "pending_transfer": None}
        case e.TransferReturned() | e.TransferRecalled():
            return {"pending_transfer": None}
        case e.CaseAssigned():
            assignment = Assignment(
                assignment_no=body.assignment_no,
                department=body.department,
                deadline=body.deadline,
                instructions=body.instructions,
                assigned=stamp,
            )
            return {"assignments": (*state.assignments, assignment)}
        case e.ReportBackRecorded():
            report = ReportBack(result=body.result, reported_on=body.reported_on, recorded=stamp)
            return {
                "assignments": tuple(
                    a.model_copy(update={"report": report})
                    if a.assignment_no == body.assignment_no
                    else a
                    for a in state.assignments
                )
            }
        case e.CaseLifted():
            changes = _new_holder(state, body.to_organisation)
            if state.stage in _HANDLED_AFRESH:
                changes["stage"] = Stage.ACCEPTED
            return changes
        case e.LiftSuggested():
            suggestion = LiftSuggestion(rule_id=body.rule_id, reason=body.reason, suggested=stamp)
            return {"lift_suggestion": suggestion}
        case e.CoHandlerAdded() | e.CoHandlerRemoved():
            others = tuple(o for o in state.co_handlers if o.org_id != body.organisation.org_id)
            added = isinstance(body, e.CoHandlerAdded)
            return {"co_handlers": (*others, body.organisation) if added else others}
        case _:
            return {}


def _handoff_entry(state: CaseState, body: e.EventBody, stamp: Stamp) -> HandOff | None:
    """The hand-off log's line for ``body``: who the case went to, from whom, and why."""
    sent = state.pending_transfer
    match body:
        case e.CaseTransferred() | e.CaseLifted():
            parts = (body.to_organisation, body.from_organisation, body.reason)
        case e.TransferTaken():
            parts = (body.organisation, sent.from_organisation if sent else None, body.note)
        case e.TransferReturned():
            parts = (body.organisation, None, body.reason)
        case e.TransferRecalled():
            parts = (body.organisation, sent.from_organisation if sent else None, body.reason)
        case e.CaseAssigned():
            parts = (body.department, None, body.instructions)
        case e.ReportBackRecorded():
            found = state.assignment(body.assignment_no)
            if found is None:
                return None
            parts = (found.department, None, body.result)
        case e.CoHandlerAdded() | e.CoHandlerRemoved():
            parts = (body.organisation, None, body.note)
        case _:
            return None
    organisation, from_organisation, reason = parts
    return HandOff(
        kind=body.type,
        organisation=organisation,
        from_organisation=from_organisation,
        reason=reason,
        recorded=stamp,
    )


def _new_holder(state: CaseState, organisation: OrgRef) -> dict[str, object]:
    """The organisation now holding the case; the one before becomes a former holder."""
    before = state.holder_id
    former = state.former_holders
    if before is not None and before != organisation.org_id and before not in former:
        former = (*former, before)
    return {
        "holder": organisation,
        "former_holders": former,
        "lift_suggestion": None,
        "sessions_with_holder": 0,
        "failures_with_holder": 0,
    }


def _apply_timekeeping(  # noqa: C901
    state: CaseState, body: e.EventBody, stamp: Stamp
) -> dict[str, object]:
    at = stamp.at
    match body:
        case e.PolicySnapshotted():
            return {"policy": body.policy}
        case e.PolicyAmended():
            if state.policy is None:
                return {}
            return {"policy": state.policy.amended(body.version, body.rules, body.lift_rules)}
        case e.ClockStarted():
            return {"clocks": (*state.clocks, body.clock)}
        case e.ClockPaused():
            pause = Pause(
                reason=body.reason, note=body.note, started_at=at, paused_on=body.paused_on
            )
            return _clock(
                state,
                body.clock_id,
                lambda c: {"status": ClockStatus.PAUSED, "pauses": (*c.pauses, pause)},
            )
        case e.ClockResumed():
            schedule, resumed_on = body.schedule, body.resumed_on
            return _clock(
                state,
                body.clock_id,
                lambda c: {
                    "status": ClockStatus.RUNNING,
                    "schedule": schedule,
                    "pauses": _close_last_pause(c.pauses, at, resumed_on),
                },
            )
        case e.ClockExtended():
            extension, schedule = body.extension, body.schedule
            return _clock(
                state,
                body.clock_id,
                lambda c: {"extensions": (*c.extensions, extension), "schedule": schedule},
            )
        case e.ClockStopped() | e.ClockExpired():
            status = body.status
            return _clock(state, body.clock_id, lambda c: {"status": status, "ended_at": at})
        case e.ClockWarned():
            return _clock(state, body.clock_id, lambda c: {"warned_at": at})
        case e.BreachWithdrawn():
            status = body.status
            ended = at if status not in OPEN_STATUSES else None
            return _clock(state, body.clock_id, lambda c: {"status": status, "ended_at": ended})
        case e.FinalizationWithdrawn():
            return {"stage": body.stage, "finalized": None}
        case e.MediationFailureWithdrawn():
            reopened = set(body.reopened)
            running = {"status": ClockStatus.RUNNING, "ended_at": None}
            return {
                "stage": Stage.MEDIATING,
                "failure": None,
                "failures_with_holder": max(0, state.failures_with_holder - 1),
                "clocks": tuple(
                    c.model_copy(update=running) if c.clock_id in reopened else c
                    for c in state.clocks
                ),
            }
        case e.ClocksRescheduled():
            schedules = dict(body.schedules)
            clocks = tuple(
                c.model_copy(update={"schedule": schedules[c.clock_id]})
                if c.clock_id in schedules
                else c
                for c in state.clocks
            )
            policy = (
                state.policy.model_copy(update={"calendar": body.calendar})
                if state.policy
                else None
            )
            return {"clocks": clocks, "policy": policy}
        case e.AlertRaised():
            return {"alerts": (*state.alerts, body.alert)}
        case e.AlertNotified():
            notification, next_at = body.notification, body.next_step_at
            if notification is None:
                return _alert(state, body.alert_id, lambda a: {"next_step_at": None})
            return _alert(
                state,
                body.alert_id,
                lambda a: {
                    "next_step_at": next_at,
                    "notifications": (*a.notifications, notification),
                    "level": notification.level,
                    "recipient": notification.recipient,
                },
            )
        case e.AlertAcknowledged():
            return _alert(
                state,
                body.alert_id,
                lambda a: {
                    "status": AlertStatus.ACKNOWLEDGED,
                    "next_step_at": None,
                    "acknowledged_at": at,
                    "acknowledged_by": stamp.by,
                    "acknowledged_note": body.note,
                },
            )
        case e.AlertClosed():
            reason = body.reason
            return _alert(
                state,
                body.alert_id,
                lambda a: {
                    "status": AlertStatus.CLOSED,
                    "next_step_at": None,
                    "closed_reason": reason,
                },
            )
        case _:
            return {}


def _close_last_pause(
    pauses: tuple[Pause, ...], at: datetime, resumed_on: date | None
) -> tuple[Pause, ...]:
    if not pauses:
        return pauses
    closed = pauses[-1].model_copy(update={"ended_at": at, "resumed_on": resumed_on})
    return (*pauses[:-1], closed)


def _clock(
    state: CaseState, clock_id: str, change: Callable[[Clock], dict[str, object]]
) -> dict[str, object]:
    clocks = tuple(
        c.model_copy(update=change(c)) if c.clock_id == clock_id else c for c in state.clocks
    )
    return {"clocks": clocks}


def _alert(
    state: CaseState, alert_id: str, change: Callable[[Alert], dict[str, object]]
) -> dict[str, object]:
    alerts = tuple(
        a.model_copy(update=change(a)) if a.alert_id == alert_id else a for a in state.alerts
    )
    return {"alerts": alerts}


def _data(body: e.EventBody, *extra_excluded: str) -> dict[str, object]:
    return dict(body.model_dump(exclude={"type", *extra_excluded}))
