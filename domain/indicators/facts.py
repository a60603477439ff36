"""The recorded facts a case contributes to the indicators, each with its legal date.

One pure function of the case (``case_facts``) feeds both ways of counting: the projection
writes its result beside the read model (``indicator_facts``) and the auditor's recount folds the
case's events and calls it again, so the two cannot disagree unless the store does.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from domain.base import Frozen
from domain.case.clocks import ClockStatus
from domain.case.matters import matter_key
from domain.case.state import CaseState
from domain.values import CHINA_TZ, CaseKind, Category, Satisfaction, china_date


class Fact(StrEnum):
    """A recorded fact, dated by its legal date (the day it happened, not the day it was typed)."""

    REGISTERED = "registered"  # 登记: the application received (received_on)
    ACCEPTED = "accepted"  # 受理
    MEDIATION_ENDED = "mediation_ended"  # 调解终结: agreement signed or 调解不成, the first
    AGREEMENT_REACHED = "agreement_reached"  # 达成调解协议 (the first agreement's signing)
    MEDIATION_FAILED = "mediation_failed"  # 调解不成
    CONCLUDED = "concluded"  # 办结: agreement, 调解不成, 不予受理, 撤回; a petition's 处理意见
    CONCLUDED_ON_TIME = "concluded_on_time"  # 办结 with no clock breached before it
    AGREEMENT_DUE = "agreement_due"  # the agreement's last performance item falls due
    AGREEMENT_PERFORMED = "agreement_performed"  # every item recorded 已履行 at a 回访
    RATED = "rated"  # 回访 with the parties' satisfaction (the latest visit)
    SATISFIED = "satisfied"  # that visit: 满意 or 基本满意
    SKIP_LEVEL = "skip_level"  # 越级上访 flagged (at intake or a 风险研判)
    CIVIL_TO_CRIMINAL = "civil_to_criminal"  # 民转刑 flagged (at intake or a 风险研判)
    # Derived across cases when counting, never stored: a petition on the same matter (same
    # first applicant, category and county) registered after the dispute's mediation ended.
    PETITIONED_LATER = "petitioned_later"


STORED_FACTS: tuple[Fact, ...] = tuple(f for f in Fact if f is not Fact.PETITIONED_LATER)


class CaseFacts(Frozen):
    """What one case contributes: where it belongs and the dates of its facts."""

    case_id: str
    kind: CaseKind
    category: Category
    jurisdiction_code: str
    org_id: str | None = None  # the organisation handling it (承办单位)
    party_key: str | None = None  # the same-matter key (``domain.case.matters.matter_key``)
    dates: dict[Fact, date] = {}

    def on(self, fact: Fact) -> date | None:
        return self.dates.get(fact)


def party_key(state: CaseState, *, key: bytes) -> str | None:
    """The same-matter key of the store (first applicant, category, county), for disputes too:
    the dispute's key equals the key of a petition its applicant files on the same matter."""
    return matter_key(state.model_copy(update={"kind": CaseKind.PETITION}), key=key)


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=CHINA_TZ)


def _performed_on(state: CaseState) -> date | None:
    """The 回访 at which every item of the first agreement stood 已履行."""
    agreement = state.agreements[0] if state.agreements else None
    if agreement is None or not agreement.items:
        return None
    status = dict.fromkeys((item.item_no for item in agreement.items), "pending")
    for visit in state.follow_ups:
        for performance in visit.performance:
            if performance.item_no in status:
                status[performance.item_no] = performance.status.value
        if all(value == "performed" for value in status.values()):
            return visit.visited_on
    return None


def _flagged_on(state: CaseState, flag: str, registered: date) -> date | None:
    """When the case first carried ``flag``: at intake, else at the 风险研判 that raised it."""
    intake_flags = (
        state.risk_assessments[0].previous_flags if state.risk_assessments else state.flags
    )
    if getattr(intake_flags, flag):
        return registered
    for assessment in state.risk_assessments:
        if getattr(assessment.flags, flag) and not getattr(assessment.previous_flags, flag):
            return china_date(assessment.at)
    return None


def case_facts(state: CaseState, *, key: bytes) -> CaseFacts:  # noqa: C901 (one line per fact)
    """The facts of ``state`` with their legal dates; ``key`` keys its same-matter hash."""
    dates: dict[Fact, date] = {}
    registered = state.received_on or china_date(state.registered.at)
    dates[Fact.REGISTERED] = registered
    if state.accepted is not None:
        dates[Fact.ACCEPTED] = state.accepted_on or china_date(state.accepted.at)
    first = state.agreements[0] if state.agreements else None
    if first is not None:
        dates[Fact.AGREEMENT_REACHED] = first.signed_on
        if first.items:
            dates[Fact.AGREEMENT_DUE] = max(item.due_on for item in first.items)
    if state.failure is not None:
        dates[Fact.MEDIATION_FAILED] = china_date(state.failure.recorded.at)
    ended = [dates[f] for f in (Fact.AGREEMENT_REACHED, Fact.MEDIATION_FAILED) if f in dates]
    if ended and state.kind is CaseKind.DISPUTE:
        dates[Fact.MEDIATION_ENDED] = min(ended)
    concluded = list(ended)
    if state.decline is not None:
        concluded.append(china_date(state.decline.recorded.at))
    if state.withdrawal is not None:
        concluded.append(china_date(state.withdrawal.recorded.at))
    replies = [a.answered_on for a in state.answers if a.level == 1 and a.answered_on]
    concluded += replies
    if concluded:
        day = min(concluded)
        dates[Fact.CONCLUDED] = day
        late = any(
            clock.status is ClockStatus.BREACHED and clock.due_at < _end_of_day(day)
            for clock in state.clocks
        )
        if not late:
            dates[Fact.CONCLUDED_ON_TIME] = day
    performed = _performed_on(state)
    if performed is not None:
        dates[Fact.AGREEMENT_PERFORMED] = performed
    if state.follow_ups:
        last = state.follow_ups[-1]
        dates[Fact.RATED] = last.visited_on
        if last.satisfaction is not Satisfaction.DISSATISFIED:
            dates[Fact.SATISFIED] = last.visited_on
    for fact, flag in (
        (Fact.SKIP_LEVEL, "skip_level"),
        (Fact.CIVIL_TO_CRIMINAL, "civil_to_criminal_risk"),
    ):
        flagged = _flagged_on(state, flag, registered)
        if flagged is not None:
            dates[fact] = flagged
    return CaseFacts(
        case_id=state.case_id,
        kind=state.kind,
        category=state.category,
        jurisdiction_code=state.jurisdiction.code,
        org_id=state.holder_id,
        party_key=party_key(state, key=key),
        dates=dates,
    )
