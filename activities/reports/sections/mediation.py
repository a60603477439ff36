"""Mediation in the dossier: 调解 rounds and sessions, 调解不成, 调解协议, 司法确认 and 回访."""

from __future__ import annotations

from datetime import date

from activities.reports.sections.parts import Part, Stamp, stamp
from domain.case.labels import (
    AGREEMENT_FORM_LABELS,
    COURT_DECISION_LABELS,
    MEDIATION_TYPE_LABELS,
    PERFORMANCE_LABELS,
    REFERRAL_LABELS,
    SATISFACTION_LABELS,
)
from domain.case.state import Agreement as CaseAgreement
from domain.case.state import CaseState
from domain.case.state import FollowUp as CaseFollowUp
from domain.case.state import JudicialConfirmation as CaseConfirmation
from domain.case.state import MediationRound as CaseRound
from domain.values import (
    AgreementForm,
    CourtDecision,
    MediationType,
    PerformanceStatus,
    ReferralRoute,
    Satisfaction,
)


class Session(Part):
    """调解会."""

    session_no: int
    held_on: date
    mediators: list[str]
    attendees: list[str]
    summary: str
    counselling: bool
    recorded: Stamp


class MediationRound(Part):
    """One round of mediation (调解) and its sessions."""

    round: int
    mediation_type: MediationType
    mediation_type_label: str
    mediators: list[str]
    started: Stamp
    sessions: list[Session]


class MediationFailure(Part):
    """调解不成, and the route the parties were told of."""

    reason: str
    referral: ReferralRoute
    referral_label: str
    recorded: Stamp


class AgreementItem(Part):
    """履行事项."""

    item_no: int
    description: str
    due_on: date
    status: PerformanceStatus
    status_label: str


class Agreement(Part):
    """调解协议; ``form`` is kept as recorded (a form unknown today keeps its own name)."""

    agreement_no: int
    terms: str
    form: str
    form_label: str
    signed_on: date
    all_performed: bool
    items: list[AgreementItem]
    recorded: Stamp


class Ruling(Part):
    """The court's ruling (裁定) on an application for judicial confirmation."""

    decision: CourtDecision
    decision_label: str
    decided_on: date
    ruling_number: str
    reason: str
    recorded: Stamp | None


class JudicialConfirmation(Part):
    """司法确认."""

    court: str
    applied_on: date
    applied: Stamp
    accepted_on: date | None
    decision: Ruling | None


class ItemPerformance(Part):
    item_no: int
    status: PerformanceStatus
    status_label: str


class FollowUp(Part):
    """回访."""

    visit_no: int
    visited_on: date
    satisfaction: Satisfaction
    satisfaction_label: str
    performance: list[ItemPerformance]
    notes: str
    recorded: Stamp


def rounds(state: CaseState) -> list[MediationRound]:
    return [_round(r) for r in state.mediation_rounds]


def failure(state: CaseState) -> MediationFailure | None:
    if state.failure is None:
        return None
    return MediationFailure(
        reason=state.failure.reason,
        referral=state.failure.referral,
        referral_label=REFERRAL_LABELS[state.failure.referral],
        recorded=stamp(state.failure.recorded),
    )


def agreements(state: CaseState) -> list[Agreement]:
    return [_agreement(a) for a in state.agreements]


def confirmations(state: CaseState) -> list[JudicialConfirmation]:
    return [_confirmation(j) for j in state.judicial_confirmations]


def follow_ups(state: CaseState) -> list[FollowUp]:
    return [_follow_up(visit) for visit in state.follow_ups]


def _round(round_: CaseRound) -> MediationRound:
    return MediationRound(
        round=round_.round,
        mediation_type=round_.mediation_type,
        mediation_type_label=MEDIATION_TYPE_LABELS[round_.mediation_type],
        mediators=list(round_.mediators),
        started=stamp(round_.started),
        sessions=[
            Session(
                session_no=s.session_no,
                held_on=s.held_on,
                mediators=list(s.mediators),
                attendees=list(s.attendees),
                summary=s.summary,
                counselling=s.counselling,
                recorded=stamp(s.recorded),
            )
            for s in round_.sessions
        ],
    )


def _agreement(agreement: CaseAgreement) -> Agreement:
    return Agreement(
        agreement_no=agreement.agreement_no,
        terms=agreement.terms,
        form=agreement.form,
        form_label=_form_label(agreement.form),
        signed_on=agreement.signed_on,
        all_performed=agreement.all_performed,
        items=[
            AgreementItem(
                item_no=item.item_no,
                description=item.description,
                due_on=item.due_on,
                status=item.status,
                status_label=PERFORMANCE_LABELS[item.status],
            )
            for item in agreement.items
        ],
        recorded=stamp(agreement.recorded),
    )


def _form_label(form: str) -> str:
    try:
        return AGREEMENT_FORM_LABELS[AgreementForm(form)]
    except ValueError:
        return form


def _confirmation(application: CaseConfirmation) -> JudicialConfirmation:
    decision = application.decision
    recorded = application.decision_recorded
    return JudicialConfirmation(
        court=application.court,
        applied_on=application.applied_on,
        applied=stamp(application.applied),
        accepted_on=application.accepted_on,
        decision=(
            Ruling(
                decision=decision.decision,
                decision_label=COURT_DECISION_LABELS[decision.decision],
                decided_on=decision.decided_on,
                ruling_number=decision.ruling_number,
                reason=decision.reason,
                recorded=stamp(recorded) if recorded else None,
            )
            if decision is not None
            else None
        ),
    )


def _follow_up(visit: CaseFollowUp) -> FollowUp:
    return FollowUp(
        visit_no=visit.visit_no,
        visited_on=visit.visited_on,
        satisfaction=visit.satisfaction,
        satisfaction_label=SATISFACTION_LABELS[visit.satisfaction],
        performance=[
            ItemPerformance(
                item_no=p.item_no, status=p.status, status_label=PERFORMANCE_LABELS[p.status]
            )
            for p in visit.performance
        ],
        notes=visit.notes,
        recorded=stamp(visit.recorded),
    )
