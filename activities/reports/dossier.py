"""Building the case dossier (案件卷宗) from a case and its events: the typed ``Dossier``.

``build_dossier`` copies the case into the document with Chinese labels beside every code; the
timeline's summaries come from ``domain.case.summaries``. Pure (no I/O, no clock: ``generated_at``
is an argument); the PDF is printed from the result by ``activities.reports.pdf``.

Personal data: parties are copied from ``state`` exactly as given (the caller masks them before
calling; nothing here masks or unmasks). The timeline is written from the events, so its
summaries are built only from labels, dates, staff names, courts and numbers: they never repeat
a party's identity or the free text of an event, which the sections take from ``state``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from activities.reports import dossier_model as doc
from activities.reports.dossier_model import Dossier, china_iso
from domain.case import events as e
from domain.case.alerts import Alert
from domain.case.clocks import Clock
from domain.case.labels import (
    AGREEMENT_FORM_LABELS,
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    ANSWER_LEVEL_LABELS,
    CASE_KIND_LABELS,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CLOCK_STATUS_LABELS,
    COURT_DECISION_LABELS,
    EVENT_LABELS,
    MEDIATION_TYPE_LABELS,
    OUTCOME_LABELS,
    PARTY_TYPE_LABELS,
    PAUSE_REASON_LABELS,
    PERFORMANCE_LABELS,
    PERIOD_UNIT_LABELS,
    REFERRAL_LABELS,
    RISK_FLAG_LABELS,
    RISK_LABELS,
    ROLE_LABELS,
    SATISFACTION_LABELS,
    STAGE_LABELS,
    chain_label,
)
from domain.case.state import (
    Agreement,
    CaseState,
    FollowUp,
    JudicialConfirmation,
    MediationRound,
    Stamp,
)
from domain.case.summaries import due_text, recipient_label, summarize
from domain.deadlines.clock_rules import ClockRule, DueSource
from domain.deadlines.counting import FactDate, fact_name
from domain.organisation.organisations import ORG_LEVEL_LABELS, ORG_TYPE_LABELS, OrgRef
from domain.values import AgreementForm, CaseKind, Channel, Party, china_date


def build_dossier(
    state: CaseState,
    events: Sequence[e.Event],
    verification: Mapping[str, Any],
    *,
    generated_at: datetime,
    generated_by: str,
    purpose: str | None,
) -> Dossier:
    """The dossier of one case; ``.model_dump(mode="json")`` is the JSON document.

    ``verification`` is the audit chain check as the caller ran it, copied as given.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    return Dossier(
        generated_at=generated_at,
        generated_by=generated_by,
        purpose=purpose,
        case=_case(state),
        parties=doc.Parties(
            applicants=[_party(p) for p in state.applicants],
            respondents=[_party(p) for p in state.respondents],
        ),
        decline=(
            doc.Decline(
                reason=state.decline.reason,
                referral=state.decline.referral,
                recorded=_stamp(state.decline.recorded),
            )
            if state.decline
            else None
        ),
        plans=[
            doc.Plan(
                revision=plan.revision,
                responsible_unit=plan.responsible_unit,
                responsible_person=plan.responsible_person,
                measures=list(plan.measures),
                deadline=plan.deadline,
                note=plan.note,
                recorded=_stamp(plan.recorded),
            )
            for plan in state.plans
        ],
        package_leaders=[
            doc.PackageLeader(
                leader_name=leader.leader_name,
                leader_title=leader.leader_title,
                reason=leader.reason,
                current=n == len(state.package_leaders),
                recorded=_stamp(leader.recorded),
            )
            for n, leader in enumerate(state.package_leaders, start=1)
        ],
        mediation_rounds=[_round(r) for r in state.mediation_rounds],
        mediation_failure=(
            doc.MediationFailure(
                reason=state.failure.reason,
                referral=state.failure.referral,
                referral_label=REFERRAL_LABELS[state.failure.referral],
                recorded=_stamp(state.failure.recorded),
            )
            if state.failure
            else None
        ),
        agreements=[_agreement(a) for a in state.agreements],
        judicial_confirmations=[_confirmation(j) for j in state.judicial_confirmations],
        follow_ups=[_follow_up(visit) for visit in state.follow_ups],
        petition=_petition(state),
        withdrawal=(
            doc.Withdrawal(
                reason=state.withdrawal.reason, recorded=_stamp(state.withdrawal.recorded)
            )
            if state.withdrawal
            else None
        ),
        closure=(
            doc.Closure(
                outcome=state.closure.outcome,
                outcome_label=OUTCOME_LABELS[state.closure.outcome],
                remark=state.closure.remark,
                recorded=_stamp(state.closure.recorded),
            )
            if state.closure
            else None
        ),
        handoffs=_handoffs(state),
        policy=_policy(state),
        clocks=[_clock(state, clock) for clock in state.clocks],
        alerts=[_alert(state, alert) for alert in state.alerts],
        timeline=_timeline(state, events),
        verification=doc.Verification.model_validate(_plain(verification)),
    )


def _stamp(stamp: Stamp) -> doc.Stamp:
    return doc.Stamp(at=stamp.at, by=stamp.by)


def _plain(value: Any) -> Any:
    """A JSON-ready copy of the verification result (mappings and sequences copied)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return china_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _case(state: CaseState) -> doc.CaseSummary:
    j = state.jurisdiction
    place = "".join(name for name in (j.county_name, j.town_name, j.village_name) if name)
    raised = [flag for flag, up in state.flags.model_dump().items() if up]
    return doc.CaseSummary(
        case_id=state.case_id,
        kind=state.kind,
        kind_label=CASE_KIND_LABELS[state.kind],
        title=state.title,
        description=state.description,
        category=state.category,
        category_label=CATEGORY_LABELS[state.category],
        channel=state.channel,
        channel_label=CHANNEL_LABELS[state.channel],
        jurisdiction=doc.Jurisdiction(
            county_code=j.county_code,
            town_code=j.town_code,
            village_code=j.village_code,
            county_name=j.county_name,
            town_name=j.town_name,
            village_name=j.village_name,
            code=j.code,
            label=place or j.code,
        ),
        risk_level=state.risk_level,
        risk_label=RISK_LABELS[state.risk_level],
        risk_flags=raised,
        risk_flag_labels=[RISK_FLAG_LABELS.get(flag, flag) for flag in raised],
        stage=state.stage,
        stage_label=STAGE_LABELS[state.stage],
        received_on=state.received_on,
        registered=_stamp(state.registered),
        accepted=_stamp(state.accepted) if state.accepted else None,
        updated_at=state.updated_at,
        seq=state.seq,
        diverted_to=state.diverted_to,
    )


def _party(party: Party) -> doc.Party:
    return doc.Party(
        name=party.name,
        party_type=party.party_type,
        id_number=party.id_number,
        phone=party.phone,
        address=party.address,
        watched=party.watched,
        party_type_label=PARTY_TYPE_LABELS[party.party_type],
    )


def _round(round_: MediationRound) -> doc.MediationRound:
    return doc.MediationRound(
        round=round_.round,
        mediation_type=round_.mediation_type,
        mediation_type_label=MEDIATION_TYPE_LABELS[round_.mediation_type],
        mediators=list(round_.mediators),
        started=_stamp(round_.started),
        sessions=[
            doc.Session(
                session_no=s.session_no,
                held_on=s.held_on,
                mediators=list(s.mediators),
                attendees=list(s.attendees),
                summary=s.summary,
                counselling=s.counselling,
                recorded=_stamp(s.recorded),
            )
            for s in round_.sessions
        ],
    )


def _agreement(agreement: Agreement) -> doc.Agreement:
    return doc.Agreement(
        agreement_no=agreement.agreement_no,
        terms=agreement.terms,
        form=agreement.form,
        form_label=_form_label(agreement.form),
        signed_on=agreement.signed_on,
        all_performed=agreement.all_performed,
        items=[
            doc.AgreementItem(
                item_no=item.item_no,
                description=item.description,
                due_on=item.due_on,
                status=item.status,
                status_label=PERFORMANCE_LABELS[item.status],
            )
            for item in agreement.items
        ],
        recorded=_stamp(agreement.recorded),
    )


def _form_label(form: str) -> str:
    try:
        return AGREEMENT_FORM_LABELS[AgreementForm(form)]
    except ValueError:
        return form


def _confirmation(application: JudicialConfirmation) -> doc.JudicialConfirmation:
    decision = application.decision
    recorded = application.decision_recorded
    return doc.JudicialConfirmation(
        court=application.court,
        applied_on=application.applied_on,
        applied=_stamp(application.applied),
        accepted_on=application.accepted_on,
        decision=(
            doc.Ruling(
                decision=decision.decision,
                decision_label=COURT_DECISION_LABELS[decision.decision],
                decided_on=decision.decided_on,
                ruling_number=decision.ruling_number,
                reason=decision.reason,
                recorded=_stamp(recorded) if recorded else None,
            )
            if decision is not None
            else None
        ),
    )


def _follow_up(visit: FollowUp) -> doc.FollowUp:
    return doc.FollowUp(
        visit_no=visit.visit_no,
        visited_on=visit.visited_on,
        satisfaction=visit.satisfaction,
        satisfaction_label=SATISFACTION_LABELS[visit.satisfaction],
        performance=[
            doc.ItemPerformance(
                item_no=p.item_no, status=p.status, status_label=PERFORMANCE_LABELS[p.status]
            )
            for p in visit.performance
        ],
        notes=visit.notes,
        recorded=_stamp(visit.recorded),
    )


def _petition(state: CaseState) -> doc.Petition | None:
    if state.kind is not CaseKind.PETITION and not (
        state.answers or state.repeats or state.finalized or state.diverted_to
    ):
        return None
    return doc.Petition(
        answers=[
            doc.Answer(
                level=answer.level,
                level_label=ANSWER_LEVEL_LABELS.get(answer.level, str(answer.level)),
                requested_on=answer.requested_on,
                request_reason=answer.request_reason,
                answer=answer.answer,
                answered_on=answer.answered_on,
                recorded=_stamp(answer.recorded),
            )
            for answer in state.answers
        ],
        finalized=(
            doc.Finalization(
                reason=state.finalized.reason, recorded=_stamp(state.finalized.recorded)
            )
            if state.finalized
            else None
        ),
        repeats=[
            doc.Repeat(
                received_on=repeat.received_on,
                channel=repeat.channel,
                channel_label=_channel_label(repeat.channel),
                summary=repeat.summary,
                recorded=_stamp(repeat.recorded),
            )
            for repeat in state.repeats
        ],
        diverted_to=state.diverted_to,
    )


def _channel_label(channel: str) -> str:
    try:
        return CHANNEL_LABELS[Channel(channel)]
    except ValueError:
        return channel


def _org(org: OrgRef) -> doc.Organisation:
    return doc.Organisation(
        org_id=org.org_id,
        name=org.name,
        level_label=ORG_LEVEL_LABELS[org.level],
        type_label=ORG_TYPE_LABELS[org.type],
    )


def _handoffs(state: CaseState) -> doc.Handoffs | None:
    if state.holder is None and not state.handoffs:
        return None
    pending = state.pending_transfer
    return doc.Handoffs(
        holder=_org(state.holder) if state.holder else None,
        incoming=_org(pending.to_organisation) if pending else None,
        former_holders=list(state.former_holders),
        co_handlers=[_org(o) for o in state.co_handlers],
        assignments=[
            doc.Assignment(
                assignment_no=a.assignment_no,
                department=_org(a.department),
                deadline=a.deadline,
                instructions=a.instructions,
                assigned=_stamp(a.assigned),
                result=a.report.result if a.report else None,
                reported_on=a.report.reported_on if a.report else None,
                reported=_stamp(a.report.recorded) if a.report else None,
            )
            for a in state.assignments
        ],
        lift_suggestion=state.lift_suggestion.reason if state.lift_suggestion else None,
        log=[
            doc.HandOff(
                kind=h.kind,
                kind_label="分流" if h.kind == "case_registered" else EVENT_LABELS[h.kind],
                organisation=_org(h.organisation),
                from_organisation=_org(h.from_organisation) if h.from_organisation else None,
                reason=h.reason,
                recorded=_stamp(h.recorded),
            )
            for h in state.handoffs
        ],
    )


def _policy(state: CaseState) -> doc.Policy | None:
    policy = state.policy
    if policy is None:
        return None
    return doc.Policy(
        version=policy.version,
        calendar_version=policy.calendar.version,
        calendar_years=list(policy.calendar.years),
        chain=doc.EscalationChain(
            chain_id=policy.chain.chain_id,
            name=chain_label(policy.chain),
            levels=[
                doc.EscalationLevel(
                    level=level.level,
                    role=level.role,
                    role_label=ROLE_LABELS[level.role],
                    wait_hours=level.wait_hours,
                    renotify=level.renotify,
                )
                for level in policy.chain.levels
            ],
        ),
        immediate_report_levels=list(policy.immediate_report_levels),
        rules=[
            doc.PolicyRule(
                rule_id=rule.rule_id,
                name=rule.name,
                period_label=_period_label(rule),
                source=rule.source,
                confidence=rule.confidence,
            )
            for rule in policy.rules
        ],
    )


def _period_label(rule: ClockRule) -> str:
    if rule.due_source is DueSource.PLAN_DEADLINE:
        return "按一案一策化解时限"
    if rule.due_source is DueSource.ITEM_DUE:
        return "按协议约定履行期限"
    if rule.due_source is DueSource.ASSIGNMENT_DEADLINE:
        return "按交办单位确定的反馈期限"
    return f"{rule.length}{PERIOD_UNIT_LABELS[rule.unit]}"


def _clock(state: CaseState, clock: Clock) -> doc.Clock:
    rule = state.policy.rule(clock.rule_id) if state.policy else None
    unit = PERIOD_UNIT_LABELS[clock.unit]
    due = clock.schedule.due
    return doc.Clock(
        clock_id=clock.clock_id,
        rule_id=clock.rule_id,
        name=clock.name,
        subject=clock.subject,
        period_label=_period_label(rule) if rule else f"{clock.length}{unit}",
        source=rule.source if rule else None,
        status=clock.status,
        status_label=CLOCK_STATUS_LABELS[clock.status],
        started_at=clock.started_at,
        start=_fact(clock.start),
        cap_start=_fact(clock.cap_start),
        due_at=due.due_at,
        due_display=due_text(due),
        last_day=due.last_day,
        provisional=due.provisional,
        due_steps=list(due.explanation),
        warn_at=clock.schedule.warn_at,
        warned_at=clock.warned_at,
        ended_at=clock.ended_at,
        pauses=[
            doc.Pause(
                reason=pause.reason,
                reason_label=PAUSE_REASON_LABELS.get(pause.reason, pause.reason),
                note=pause.note,
                started_at=pause.started_at,
                ended_at=pause.ended_at,
                paused_on=pause.paused_on,
                resumed_on=pause.resumed_on,
            )
            for pause in clock.pauses
        ],
        extensions=[
            doc.Extension(
                length=ext.length,
                unit_label=unit,
                approver=ext.approver,
                reason=ext.reason,
                granted_at=ext.granted_at,
                new_end=ext.new_end,
            )
            for ext in clock.extensions
        ],
    )


def _fact(fact: FactDate | None) -> doc.FactDate | None:
    if fact is None:
        return None
    recorded = fact.recorded_at
    return doc.FactDate(
        fact=fact.fact,
        label=fact_name(fact.fact)[0],
        on=fact.on,
        recorded_at=recorded,
        late_days=max(0, (china_date(recorded) - fact.on).days) if recorded else 0,
    )


def _alert(state: CaseState, alert: Alert) -> doc.Alert:
    return doc.Alert(
        alert_id=alert.alert_id,
        kind=alert.kind,
        kind_label=ALERT_KIND_LABELS[alert.kind],
        title=alert.title,
        clock_id=alert.clock_id,
        raised_at=alert.raised_at,
        level=alert.level,
        recipient=alert.recipient,
        recipient_label=recipient_label(state, alert.recipient),
        status=alert.status,
        status_label=ALERT_STATUS_LABELS[alert.status],
        notifications=len(alert.notifications),
        next_step_at=alert.next_step_at,
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
        closed_reason=alert.closed_reason,
    )


def _timeline(state: CaseState, events: Sequence[e.Event]) -> list[doc.TimelineEntry]:
    """One line per event, written from labels, dates and staff names only."""
    return [
        doc.TimelineEntry(
            seq=event.seq,
            at=event.at,
            type=event.body.type,
            label=EVENT_LABELS.get(event.body.type, event.body.type),
            actor=event.actor,
            summary=summary,
        )
        for event, summary in zip(events, summarize(state, events), strict=True)
    ]
