"""The legal facts (法律事实) of a case and their dates: what a period counts from.

A period starts from a legal fact — the application received, the case accepted, the agreement
signed, the written reply served — on the day it happened, however late the office records it
(补录, docs/domain.md "How a period is counted"). Each command that records such a fact carries its
date; where the command leaves it out (the law allows it where the fact happens at the desk), the
fact's date is the day it was recorded, in China time. The event keeps the recording time
(``Event.at``) beside the legal date, and the case keeps both:

* ``fact_date`` finds the date of the latest occurrence of a fact in the case as it stands, with
  its recording time, as the ``FactDate`` a clock starts from;
* ``stated_date`` reads the legal date an event states (for the timeline's "补录" note);
* ``check_dates`` refuses a date in the future or before the fact it follows (422 naming the
  field; nothing is recorded).
"""

from __future__ import annotations

from datetime import date, datetime

from domain.case import commands as c
from domain.case import events as e
from domain.case.labels import field_label
from domain.case.state import Answer, CaseState
from domain.deadlines.clock_rules import Counting
from domain.deadlines.counting import FactDate, fact_name, start_of
from domain.errors import InvalidCommand
from domain.values import china_date

# The field of each event that states the date of its legal fact.
LEGAL_DATE_FIELDS: dict[str, str] = {
    "case_registered": "received_on",
    "case_accepted": "accepted_on",
    "mediation_started": "started_on",
    "session_recorded": "held_on",
    "agreement_recorded": "signed_on",
    "mediation_failed": "failed_on",
    "judicial_confirmation_applied": "applied_on",
    "court_acceptance_recorded": "accepted_on",
    "court_decision_recorded": "decided_on",
    "follow_up_recorded": "visited_on",
    "petition_replied": "served_on",
    "review_requested": "requested_on",
    "review_answered": "served_on",
    "second_review_requested": "requested_on",
    "second_review_answered": "served_on",
    "repeat_recorded": "received_on",
    "clock_paused": "paused_on",
    "clock_resumed": "resumed_on",
}

_ANSWER_LEVELS = {
    "petition_replied": 1,
    "review_requested": 2,
    "review_answered": 2,
    "second_review_requested": 3,
    "second_review_answered": 3,
}


def stated_date(body: e.EventBody) -> date | None:
    """The legal date ``body`` states for its fact, if the command gave one."""
    field = LEGAL_DATE_FIELDS.get(body.type)
    value = getattr(body, field, None) if field else None
    return value if isinstance(value, date) else None


def late_days(event: e.Event) -> int:
    """How many days after its legal date the event was recorded (0: on the day, or no date)."""
    stated = stated_date(event.body)
    return max(0, (china_date(event.at) - stated).days) if stated is not None else 0


def counts_legal_facts(state: CaseState) -> bool:
    """Whether the case's snapshot counts from the legal facts (policy 2026.2 and later).

    A case opened under 2026.1 keeps the checks it was opened with: its recorded commands must
    replay to the same events, so checks that compare dates it never stated apply only here.
    Rules added after intake (the hand-off rules, ``PolicyAmended``) count as their own rule
    says but do not change the case's counting.
    """
    policy = state.policy
    if policy is None:
        return False
    added = {rule_id for amendment in policy.amendments for rule_id in amendment.rule_ids}
    return any(
        rule.counting is not Counting.RECORDED_2026_1
        for rule in policy.rules
        if rule.rule_id not in added
    )


def _answer(state: CaseState, level: int) -> Answer | None:
    return next((a for a in reversed(state.answers) if a.level == level), None)


def _stated_in_state(state: CaseState, fact: str) -> date | None:  # noqa: C901
    """The legal date the case holds for the latest ``fact`` (None: its recording day)."""
    level = _ANSWER_LEVELS.get(fact)
    if level is not None:
        answer = _answer(state, level)
        if answer is None:
            return None
        return answer.requested_on if fact.endswith("_requested") else answer.served_on
    match fact:
        case "case_registered":
            return state.received_on
        case "case_accepted":
            return state.accepted_on
        case "mediation_started":
            return state.mediation.started_on if state.mediation else None
        case "agreement_recorded":
            return state.agreement.signed_on if state.agreement else None
        case "judicial_confirmation_applied":
            application = state.judicial_confirmation
            return application.applied_on if application else None
        case "court_acceptance_recorded":
            application = state.judicial_confirmation
            return application.accepted_on if application else None
    return None


def recorded_at(state: CaseState, fact: str) -> datetime | None:
    """When the latest ``fact`` was recorded (None: it has not happened)."""
    if fact == "case_registered":
        return state.registered.at
    return state.milestones.get(fact)


def fact_date(state: CaseState, fact: str) -> FactDate | None:
    """The latest ``fact`` as a period's start: its legal date and when it was recorded."""
    at = recorded_at(state, fact)
    if at is None:
        return None
    return start_of(fact, at, on=_stated_in_state(state, fact))


def fact_on(state: CaseState, fact: str) -> date | None:
    """The legal date of the latest ``fact`` (its recording day when none was stated)."""
    found = fact_date(state, fact)
    return found.on if found is not None else None


def receipt_on(state: CaseState) -> date:
    """收到申请之日: the stated day of receipt, else the day of registration."""
    return state.received_on or china_date(state.registered.at)


def not_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise InvalidCommand(
            f"{field_label(field)}不能晚于今天（{today.isoformat()}）",
            f"{field} cannot be later than today ({today.isoformat()})",
            field=field,
        )


def not_before(day: date, earliest: date, field: str, what_zh: str, what_en: str) -> None:
    if day < earliest:
        raise InvalidCommand(
            f"{field_label(field)}不能早于{what_zh}（{earliest.isoformat()}）",
            f"{field} cannot be earlier than {what_en} ({earliest.isoformat()})",
            field=field,
        )


def _not_before_fact(state: CaseState, day: date, field: str, fact: str) -> None:
    earliest = fact_on(state, fact)
    if earliest is not None:
        zh, en = fact_name(fact)
        not_before(day, earliest, field, f"{zh}之日", en)


def check_dates(state: CaseState, command: c.Command, today: date) -> None:
    """The legal dates ``command`` states: none in the future, none before the fact it follows.

    Raises InvalidCommand naming the field. Dates checked elsewhere in ``decide`` (a session's
    day, an agreement's items) are not repeated here.
    """
    legal = counts_legal_facts(state)
    match command:
        case c.Accept(accepted_on=day) if day is not None:
            not_future(day, today, "accepted_on")
            not_before(day, receipt_on(state), "accepted_on", "收到申请之日", "receipt")
        case c.StartMediation(started_on=day) if day is not None:
            not_future(day, today, "started_on")
            if state.accepted is not None:
                _not_before_fact(state, day, "started_on", "case_accepted")
            else:
                not_before(day, receipt_on(state), "started_on", "收到申请之日", "receipt")
        case c.Reply() | c.AnswerReview() | c.AnswerSecondReview() if command.served_on:
            not_future(command.served_on, today, "served_on")
            answered = command.answered_on
            not_before(command.served_on, answered, "served_on", "答复日期", "the answer")
        case c.RecordMediationFailure(failed_on=day) if day is not None:
            not_future(day, today, "failed_on")
            if state.mediation is not None:
                _not_before_fact(state, day, "failed_on", "mediation_started")
        case c.RecordAgreement() if legal and state.mediation is not None:
            _not_before_fact(state, command.signed_on, "signed_on", "mediation_started")
        case c.RecordCourtDecision() if legal and state.judicial_confirmation is not None:
            if state.judicial_confirmation.accepted_on is not None:
                fact = "court_acceptance_recorded"
                _not_before_fact(state, command.decided_on, "decided_on", fact)
        case c.RecordFollowUp() if legal and state.agreement is not None:
            _not_before_fact(state, command.visited_on, "visited_on", "agreement_recorded")
        case c.RequestReview() if legal:
            _not_before_fact(state, command.requested_on, "requested_on", "petition_replied")
        case c.RequestSecondReview() if legal:
            _not_before_fact(state, command.requested_on, "requested_on", "review_answered")
        case _:
            pass
