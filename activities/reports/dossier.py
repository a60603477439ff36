"""Building the case dossier (案件卷宗) from a case and its events: the typed ``Dossier``.

``build_dossier`` copies the case into the document with Chinese labels beside every code; the
timeline's summaries come from ``domain.case.summaries``; the sections of the case itself (its
parties, mediation, the petition, hand-offs) are copied by ``activities.reports.sections``. Pure
(no I/O, no clock: ``generated_at`` is an argument); the PDF is printed from the result by
``activities.reports.pdf``.

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
from activities.reports.dossier_model import Dossier
from activities.reports.sections import case, handoffs, leaders, mediation, petition
from activities.reports.sections.attachments import attachments
from activities.reports.sections.parts import china_iso
from domain.case import events as e
from domain.case.alerts import Alert
from domain.case.clocks import Clock
from domain.case.labels import (
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    CLOCK_STATUS_LABELS,
    EVENT_LABELS,
    PAUSE_REASON_LABELS,
    PERIOD_UNIT_LABELS,
    ROLE_LABELS,
    chain_label,
)
from domain.case.state import CaseState
from domain.case.summaries import due_text, recipient_label, summarize
from domain.deadlines.clock_rules import ClockRule, DueSource
from domain.deadlines.counting import FactDate, fact_name
from domain.registers.accountability import AccountabilityRecord
from domain.values import china_date


def build_dossier(
    state: CaseState,
    events: Sequence[e.Event],
    verification: Mapping[str, Any],
    *,
    generated_at: datetime,
    generated_by: str,
    purpose: str | None,
    accountability: Sequence[AccountabilityRecord] = (),
) -> Dossier:
    """The dossier of one case; ``.model_dump(mode="json")`` is the JSON document.

    ``verification`` is the audit chain check as the caller ran it, copied as given;
    ``accountability`` the 约谈/通报 about the case the reader may see.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    return Dossier(
        generated_at=generated_at,
        generated_by=generated_by,
        purpose=purpose,
        case=case.summary(state),
        parties=case.parties(state),
        decline=case.decline(state),
        plans=case.plans(state),
        package_leaders=case.package_leaders(state),
        mediation_rounds=mediation.rounds(state),
        mediation_failure=mediation.failure(state),
        agreements=mediation.agreements(state),
        judicial_confirmations=mediation.confirmations(state),
        follow_ups=mediation.follow_ups(state),
        petition=petition.petition(state),
        withdrawal=case.withdrawal(state),
        closure=case.closure(state),
        handoffs=handoffs.handoffs(state),
        attachments=attachments(state),
        risk_assessments=leaders.risk_assessments(state),
        instructions=leaders.instructions(state),
        accountability=leaders.accountability(accountability),
        policy=_policy(state),
        clocks=[_clock(state, clock) for clock in state.clocks],
        alerts=[_alert(state, alert) for alert in state.alerts],
        timeline=_timeline(state, events),
        verification=doc.Verification.model_validate(_plain(verification)),
    )


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
