"""Timekeeping: which events start and stop which clocks, and what is due when a timer fires.

All pure: the workflow calls ``advance`` when its timer fires and ``effects`` after each
command; the resulting events carry every computed due time.
"""

from __future__ import annotations

from datetime import datetime

from domain.case import corrections
from domain.case import events as e
from domain.case.alerts import (
    Alert,
    AlertKind,
    AlertStatus,
    Notification,
    Recipients,
    first_notice,
    next_step,
    wait_after,
)
from domain.case.clocks import Clock, ClockStatus, held, start_clock
from domain.case.facts import fact_date
from domain.case.labels import EVENT_LABELS
from domain.case.listing import listing_clock, listing_recipients
from domain.case.policy import CasePolicy
from domain.case.stages import Stage
from domain.case.state import CaseState
from domain.deadlines.clock_rules import ClockOwner, ClockRule, DueSource, ExpiryAction
from domain.deadlines.why import china_time
from domain.organisation.organisations import OrgRef
from domain.values import PerformanceStatus, ReferralRoute

SYSTEM_ACTOR = corrections.SYSTEM_ACTOR

# Events that end the case's clocks and alerts.
_ENDING = frozenset({"case_withdrawn", "case_closed", "case_declined", "petition_finalized"})


def recipients_of(state: CaseState, clock: Clock | None = None) -> Recipients:
    """Who answers for the case at each level; for a clock another organisation must answer
    (签收, 交办反馈), that organisation first."""
    plan = state.plan
    leader = state.package_leader
    return Recipients(
        responsible_person=plan.responsible_person if plan else None,
        responsible_unit=plan.responsible_unit if plan else None,
        package_leader=leader.leader_name if leader else None,
        town_code=state.jurisdiction.town_code,
        county_code=state.jurisdiction.county_code,
        organisation=clock.organisation.org_id if clock and clock.organisation else None,
        instructing_leader=_instructing_leader(state, clock),
        **listing_recipients(state, clock),
    )


def instruction_clock_id(rule_id: str, instruction_no: int) -> str:
    """One clock per instruction with a deadline: ``I1-1``, ``I1-2``…"""
    return f"{rule_id}-{instruction_no}"


def _instruction_rule(state: CaseState, clock: Clock | None) -> ClockRule | None:
    rule = state.policy.rule(clock.rule_id) if clock and state.policy else None
    return rule if rule and rule.due_source is DueSource.INSTRUCTION_DEADLINE else None


def _instructing_leader(state: CaseState, clock: Clock | None) -> str | None:
    """The leader whose instruction ``clock`` watches (批示落实时限), else None."""
    rule = _instruction_rule(state, clock)
    if rule is None or clock is None:
        return None
    for instruction in state.instructions:
        if instruction_clock_id(rule.rule_id, instruction.instruction_no) == clock.clock_id:
            return instruction.leader
    return None


def _recipients_for_alert(state: CaseState, clock_id: str | None) -> Recipients:
    return recipients_of(state, state.clock(clock_id) if clock_id is not None else None)


def _alert_id(state: CaseState, offset: int = 0) -> str:
    return f"{state.case_id}-A{len(state.alerts) + 1 + offset}"


def _raise(
    state: CaseState,
    kind: AlertKind,
    clock_id: str | None,
    title: str,
    now: datetime,
    offset: int = 0,
    chain_id: str | None = None,
) -> e.AlertRaised:
    assert state.policy is not None
    who = _recipients_for_alert(state, clock_id)
    clock = state.clock(clock_id) if clock_id is not None else None
    rule = state.policy.rule(clock.rule_id) if clock is not None else None
    if chain_id is None and rule is not None:
        chain_id = rule.chain  # a clock whose rule names its chain (批示落实)
    level, recipient, next_at = first_notice(state.policy.chain_of(chain_id), who, now)
    return e.AlertRaised(
        alert=Alert(
            alert_id=_alert_id(state, offset),
            kind=kind,
            clock_id=clock_id,
            title=title,
            raised_at=now,
            level=level,
            recipient=recipient,
            notifications=(Notification(level=level, recipient=recipient, attempt=1, at=now),),
            next_step_at=next_at,
            chain_id=chain_id,
        )
    )


def raise_alert(
    state: CaseState,
    kind: AlertKind,
    title: str,
    now: datetime,
    *,
    offset: int = 0,
    chain_id: str | None = None,
) -> e.AlertRaised:
    """An alert not tied to a clock (直报, 风险研判), on the named chain or the case's own."""
    return _raise(state, kind, None, title, now, offset=offset, chain_id=chain_id)


def snapshot(state: CaseState, policy: CasePolicy, now: datetime) -> list[e.EventBody]:
    """At intake: keep the policy in force, start clocks that run from registration, report
    a major dispute upward at once (重大矛盾纠纷直报)."""
    bodies: list[e.EventBody] = [e.PolicySnapshotted(policy=policy)]
    with_policy = state.model_copy(update={"policy": policy})
    bodies += _starts(with_policy, "case_registered", now)
    if state.risk_level in policy.immediate_report_levels or state.flags.civil_to_criminal_risk:
        title = f"【重大矛盾纠纷直报】{state.case_id} {state.title}"
        bodies.append(_raise(with_policy, AlertKind.MAJOR_REPORT, None, title, now))
    return bodies


def _clock_id(state: CaseState, base: str) -> str:
    taken = {clock.clock_id for clock in state.clocks}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _starts(state: CaseState, event_type: str, now: datetime) -> list[e.EventBody]:
    """The clocks ``event_type`` (just folded into ``state``) starts.

    A 2026.2 rule counts from the legal fact (``counted_from``, else the starting event itself)
    on the date the command stated, and its cap from the cap's own fact; a 2026.1 rule counts
    from the recording instant ``now`` (and its cap from the cap event's recording).
    """
    policy = state.policy
    if policy is None:
        return []
    bodies: list[e.EventBody] = []
    for rule in policy.rules:
        if event_type not in rule.start_on or not _mediation_matches(state, rule):
            continue
        cap_from = state.milestones.get(rule.cap.from_event) if rule.cap else None
        cap_start = fact_date(state, rule.cap.from_event) if rule.cap else None
        # E4, E5, D3 start once the mediation's type is known and count from the acceptance.
        start = fact_date(state, rule.counted_from) if rule.counted_from else None
        start = start or fact_date(state, event_type)
        if rule.due_source is DueSource.PLAN_DEADLINE:
            plan = state.plan
            if plan is None:
                continue
            clock = start_clock(
                rule,
                clock_id=f"{rule.rule_id}-{plan.revision}",
                now=now,
                calendar=policy.calendar,
                fixed_day=plan.deadline,
                subject=plan.responsible_unit,
                start=start,
            )
            bodies.append(e.ClockStarted(clock=clock))
        elif rule.due_source is DueSource.ITEM_DUE:
            agreement = state.agreement
            if agreement is None:
                continue
            for item in agreement.items:
                clock = start_clock(
                    rule,
                    clock_id=f"{rule.rule_id}-{agreement.agreement_no}-{item.item_no}",
                    now=now,
                    calendar=policy.calendar,
                    fixed_day=item.due_on,
                    subject=item.description,
                    start=start,
                )
                bodies.append(e.ClockStarted(clock=clock))
        elif rule.due_source is DueSource.ASSIGNMENT_DEADLINE:
            assignment = state.assignments[-1] if state.assignments else None
            clock_id = (
                assignment_clock_id(rule.rule_id, assignment.assignment_no) if assignment else ""
            )
            if assignment is None or not assignment.open or state.clock(clock_id) is not None:
                continue
            clock = start_clock(
                rule,
                clock_id=clock_id,
                now=now,
                calendar=policy.calendar,
                fixed_day=assignment.deadline,
                subject=f"第{assignment.assignment_no}次交办：{assignment.department.name}",
                start=start,
                organisation=_owner(state, rule),
            )
            bodies.append(e.ClockStarted(clock=clock))
        elif rule.due_source is DueSource.INSTRUCTION_DEADLINE:
            instruction = state.instructions[-1] if state.instructions else None
            if instruction is None or instruction.deadline is None or not instruction.open:
                continue
            clock_id = instruction_clock_id(rule.rule_id, instruction.instruction_no)
            if state.clock(clock_id) is not None:
                continue
            clock = start_clock(
                rule,
                clock_id=clock_id,
                now=now,
                calendar=policy.calendar,
                fixed_day=instruction.deadline,
                subject=f"第{instruction.instruction_no}号领导批示",
                start=start,
            )
            bodies.append(e.ClockStarted(clock=clock))
        elif rule.due_source is DueSource.LISTING_DEADLINE:
            if listed := listing_clock(state, rule, now, policy.calendar, start):
                bodies.append(e.ClockStarted(clock=listed))
        else:
            owner = _owner(state, rule)
            clock = start_clock(
                rule,
                clock_id=_clock_id(state, rule.rule_id),
                now=now,
                calendar=policy.calendar,
                cap_from=cap_from,
                start=start,
                cap_start=cap_start,
                subject=f"转办{owner.name}" if rule.owner is ClockOwner.INCOMING and owner else "",
                organisation=owner,
            )
            bodies.append(e.ClockStarted(clock=clock))
    return [_held(b, policy, now) for b in bodies]


def _held(body: e.EventBody, policy: CasePolicy, now: datetime) -> e.EventBody:
    """A clock started from a fact entered late waits for the grace before it warns or breaches."""
    if not isinstance(body, e.ClockStarted) or policy.late_entry_grace is None:
        return body
    clock = body.clock
    schedule = held(clock.schedule, now, policy.late_entry_grace)
    return e.ClockStarted(clock=clock.model_copy(update={"schedule": schedule}))


def assignment_clock_id(rule_id: str, assignment_no: int) -> str:
    """One clock per assignment: ``A4-1``, ``A4-2``… (a report-back stops its own only)."""
    return f"{rule_id}-{assignment_no}"


def _owner(state: CaseState, rule: ClockRule) -> OrgRef | None:
    """The organisation that must answer a clock of ``rule`` starting now (None: the case's own
    people): the one the transfer awaits (签收), the department just assigned (反馈)."""
    if rule.owner is ClockOwner.INCOMING and state.pending_transfer is not None:
        return state.pending_transfer.to_organisation
    if rule.owner is ClockOwner.DEPARTMENT and state.assignments:
        return state.assignments[-1].department
    return None


def _mediation_matches(state: CaseState, rule: ClockRule) -> bool:
    """A rule for some mediation types starts only once the case's mediation is of one (or, before
    mediation begins, once the case was registered for one: E5a)."""
    if not rule.mediation_types:
        return True
    mediation = state.mediation
    kind = mediation.mediation_type if mediation is not None else state.mediation_track
    return kind is not None and kind in rule.mediation_types


def effects(state: CaseState, trigger: e.EventBody, now: datetime) -> list[e.EventBody]:
    """Clock and alert events that follow from ``trigger`` (already folded into ``state``)."""
    if state.policy is None:
        return []
    bodies: list[e.EventBody] = []
    stopped: set[str] = set()
    if trigger.type in _ENDING:
        for clock in state.clocks:
            if clock.is_open:
                bodies.append(e.ClockStopped(clock_id=clock.clock_id, status=ClockStatus.CANCELLED))
                stopped.add(clock.clock_id)
    facts_decide = state.policy.facts_decide and trigger.type not in _ENDING
    late_breaches: list[Clock] = []
    for clock in state.clocks:
        if clock.clock_id in stopped:
            continue
        rule = state.policy.rule(clock.rule_id)
        if isinstance(trigger, e.TransferRecalled) and _awaits(clock, rule, trigger.organisation):
            # 撤回转办: nothing awaits the receiver any more, whatever the policy's stop_on says
            # (a case keeps the policy of its intake, written before recalls existed).
            if clock.is_open:
                bodies.append(e.ClockStopped(clock_id=clock.clock_id, status=ClockStatus.CANCELLED))
            stopped.add(clock.clock_id)  # its open warning or breach closes with it
            continue
        met = rule is not None and trigger.type in rule.stop_on
        if isinstance(trigger, e.InstructionAnswered) and rule is not None:
            # A 落实反馈 answers its own instruction only.
            met = met and clock.clock_id == instruction_clock_id(
                rule.rule_id, trigger.instruction_no
            )
        if isinstance(trigger, e.ReportBackRecorded) and rule is not None:
            if rule.due_source is DueSource.ASSIGNMENT_DEADLINE:
                # A report-back answers its own assignment only.
                met = met and clock.clock_id == assignment_clock_id(
                    rule.rule_id, trigger.assignment_no
                )
        if facts_decide and rule is not None:
            # The facts decide (2026.4): a late fact within the period withdraws a breach, one
            # after it is a true breach; a pause or extension within it reopens the clock.
            corrected = corrections.answers(state, clock, rule, trigger, now) if met else None
            if corrected is None and clock.clock_id == getattr(trigger, "clock_id", None):
                corrected = corrections.reopened(state, clock, trigger, now) or None
            if corrected is not None:
                bodies += corrected
                expired = [b for b in corrected if isinstance(b, e.ClockExpired)]
                if expired:
                    stopped.add(clock.clock_id)  # its warnings close; a breach is raised below
                    # E4/E5 raise no alert on expiry (they fail the mediation, or not at all
                    # once an agreement exists); every other breach is told as it is recorded.
                    if (
                        expired[0].status is ClockStatus.BREACHED
                        and rule.expiry is not ExpiryAction.FAIL_MEDIATION
                    ):
                        late_breaches.append(clock)
                continue
        if not clock.is_open:
            continue
        if isinstance(trigger, e.PlanRevised) and clock.rule_id == _plan_rule(state):
            # A revised plan replaces the deadline: the old plan clock ends, a new one starts.
            bodies.append(e.ClockStopped(clock_id=clock.clock_id, status=ClockStatus.CANCELLED))
            stopped.add(clock.clock_id)
            continue
        if isinstance(trigger, e.FollowUpRecorded) and clock.fixed_day is not None:
            met = met or _item_performed(state, clock.clock_id)
        if met:
            bodies.append(e.ClockStopped(clock_id=clock.clock_id, status=ClockStatus.MET))
            stopped.add(clock.clock_id)
    answered = _answered_clock(state, trigger)
    for alert in state.alerts:
        if alert.status is AlertStatus.OPEN and (
            trigger.type in _ENDING
            or (alert.clock_id is not None and alert.clock_id in stopped)
            or (answered is not None and alert.clock_id == answered)
        ):
            reason = f"{EVENT_LABELS.get(trigger.type, trigger.type)}，预警解除"
            bodies.append(e.AlertClosed(alert_id=alert.alert_id, reason=reason))
    for n, clock in enumerate(late_breaches):
        title = _breach_title(state, clock)
        bodies.append(_raise(state, AlertKind.BREACH, clock.clock_id, title, now, offset=n))
    if trigger.type not in _ENDING:
        bodies += _starts(state, trigger.type, now)
    return bodies


def _answered_clock(state: CaseState, trigger: e.EventBody) -> str | None:
    """The clock of the instruction ``trigger`` answers (落实反馈): its alerts close even once
    it has run out, since what it watched is done. 摘牌 likewise closes its listing's."""
    if isinstance(trigger, e.CaseDelisted):
        found = next((x for x in state.listings if x.listing_no == trigger.listing_no), None)
        return found.clock_id if found else None
    if not isinstance(trigger, e.InstructionAnswered) or state.policy is None:
        return None
    for rule in state.policy.rules:
        if rule.due_source is DueSource.INSTRUCTION_DEADLINE:
            return instruction_clock_id(rule.rule_id, trigger.instruction_no)
    return None


def _awaits(clock: Clock, rule: ClockRule | None, receiver: OrgRef) -> bool:
    """A 签收时限 of ``receiver``: the clock the organisation a transfer awaits must answer."""
    return (
        rule is not None
        and rule.owner is ClockOwner.INCOMING
        and clock.organisation is not None
        and clock.organisation.org_id == receiver.org_id
    )


def _plan_rule(state: CaseState) -> str | None:
    assert state.policy is not None
    return next(
        (r.rule_id for r in state.policy.rules if r.due_source is DueSource.PLAN_DEADLINE), None
    )


def _item_performed(state: CaseState, clock_id: str) -> bool:
    agreement = state.agreement
    if agreement is None:
        return False
    for item in agreement.items:
        if clock_id.endswith(f"-{agreement.agreement_no}-{item.item_no}"):
            return item.status is PerformanceStatus.PERFORMED
    return False


def next_wakeup(state: CaseState) -> datetime | None:
    """The earliest warning, due time or escalation step still ahead (None: nothing to wait for)."""
    if state.is_terminal:
        return None
    times = [t for clock in state.clocks if (t := clock.next_wakeup()) is not None]
    times += [
        alert.next_step_at
        for alert in state.alerts
        if alert.status is AlertStatus.OPEN and alert.next_step_at is not None
    ]
    return min(times, default=None)


def advance_step(state: CaseState, now: datetime) -> list[e.EventBody]:
    """The first thing due at ``now`` (a warning, a breach, an escalation step), or []."""
    policy = state.policy
    if policy is None or state.is_terminal:
        return []
    for clock in state.clocks:
        if clock.status is not ClockStatus.RUNNING:
            continue
        rule = policy.rule(clock.rule_id)
        if clock.schedule.effective(clock.due_at) <= now:
            expiry = rule.expiry if rule else ExpiryAction.ESCALATE
            if expiry is ExpiryAction.CLOSE_WINDOW:
                return [e.ClockExpired(clock_id=clock.clock_id, status=ClockStatus.LAPSED)]
            if expiry is ExpiryAction.FINALIZE:
                return [
                    e.ClockExpired(clock_id=clock.clock_id, status=ClockStatus.LAPSED),
                    e.PetitionFinalized(
                        reason=f"{clock.name}届满未提出申请，原意见即为最终意见"
                        f"（{rule.source if rule else ''}）"
                    ),
                ]
            bodies: list[e.EventBody] = [
                e.ClockExpired(clock_id=clock.clock_id, status=ClockStatus.BREACHED)
            ]
            if expiry is ExpiryAction.FAIL_MEDIATION and state.stage is Stage.MEDIATING:
                bodies.append(
                    e.MediationFailed(
                        reason=f"{clock.name}届满未达成协议（{rule.source if rule else ''}）",
                        referral=ReferralRoute.LITIGATION,
                    )
                )
                return bodies
            title = _breach_title(state, clock)
            for alert in state.alerts:
                if alert.status is AlertStatus.OPEN and alert.clock_id == clock.clock_id:
                    bodies.append(
                        e.AlertClosed(alert_id=alert.alert_id, reason="已逾期，转为逾期督办")
                    )
            bodies.append(_raise(state, AlertKind.BREACH, clock.clock_id, title, now))
            return bodies
        warn_at = clock.schedule.warn_at
        if (
            clock.warned_at is None
            and warn_at is not None
            and clock.schedule.effective(warn_at) <= now
        ):
            title = _warning_title(state, clock, rule)
            return [
                e.ClockWarned(clock_id=clock.clock_id),
                _raise(state, AlertKind.WARNING, clock.clock_id, title, now),
            ]
    for alert in state.alerts:
        if alert.status is not AlertStatus.OPEN or alert.next_step_at is None:
            continue
        if alert.next_step_at <= now:
            who = _recipients_for_alert(state, alert.clock_id)
            chain = policy.chain_of(alert.chain_id)
            notification = next_step(alert, chain, who, now)
            if notification is None:
                return [
                    e.AlertNotified(alert_id=alert.alert_id, notification=None, next_step_at=None)
                ]
            return [
                e.AlertNotified(
                    alert_id=alert.alert_id,
                    notification=notification,
                    next_step_at=wait_after(notification, chain, alert.next_step_at),
                )
            ]
    return []


def _warning_title(state: CaseState, clock: Clock, rule: ClockRule | None) -> str:
    org = clock.organisation
    if org is not None and rule is not None and rule.owner is ClockOwner.INCOMING:
        return (
            f"【转办待签收预警】{state.case_id} 已转办{org.name}，"
            f"请于 {china_time(clock.due_at)} 前签收或退回"
        )
    if org is not None and rule is not None and rule.owner is ClockOwner.DEPARTMENT:
        return (
            f"【交办反馈预警】{state.case_id} {clock.subject}，"
            f"请于 {china_time(clock.due_at)} 前反馈办理结果"
        )
    return f"【预警】{state.case_id} {clock.name}将于 {clock.due_at.isoformat()} 到期"


def _breach_title(state: CaseState, clock: Clock) -> str:
    org = clock.organisation
    rule = state.policy.rule(clock.rule_id) if state.policy else None
    if org is not None and rule is not None and rule.owner is ClockOwner.INCOMING:
        return f"【转办逾期未签收】{state.case_id} {org.name}未在{clock.name}内签收或退回"
    if org is not None and rule is not None and rule.owner is ClockOwner.DEPARTMENT:
        return f"【交办逾期未反馈】{state.case_id} {clock.subject}，逾期未反馈办理结果"
    return f"【逾期】{state.case_id} {clock.name}已超期"
