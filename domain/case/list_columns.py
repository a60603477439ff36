"""案件列表的列: what a list line shows of a case beside its stage, computed at projection.

- ``next_deadline``: the nearest running clock (计时中) — its due time, its name and whose it is
  (the organisation a clock names, 签收 by the awaited one or 反馈 by an assigned department;
  otherwise the case's holder, 承办单位). None when no clock runs.
- ``case_persons``: who works the case at its holder (承办人/责任人, the current round's
  mediators, 包案领导): "mine" matches them.
- ``parties_label``: the parties as a list shows them, ``张伟 等3人`` (names only: phones and
  ID numbers never enter the label).
"""

from __future__ import annotations

from datetime import datetime

from domain.base import Frozen
from domain.case.clocks import ClockStatus
from domain.case.state import CaseState
from domain.organisation.organisations import OrgRef

# Rule ids of the hand-off clocks (签收时限, 交办反馈时限) in the policy data.
TAKE_RULE = "TAKE"
REPORT_BACK_RULE = "A4"


class NextDeadline(Frozen):
    """The nearest open clock of a case: when it falls due and who must act."""

    due_at: datetime
    clock_name: str
    org_id: str | None
    org_name: str | None


def next_deadline(state: CaseState) -> NextDeadline | None:
    """The earliest due time among running clocks (ties: the first started), and its owner."""
    running = [clock for clock in state.clocks if clock.status is ClockStatus.RUNNING]
    if not running:
        return None
    clock = min(running, key=lambda c: (c.due_at, c.started_at, c.clock_id))
    owner = clock.organisation or _answered_by(state, clock.rule_id, clock.clock_id)
    return NextDeadline(
        due_at=clock.due_at,
        clock_name=clock.name,
        org_id=owner.org_id if owner is not None else state.center_id,
        org_name=owner.name if owner is not None else None,
    )


def _answered_by(state: CaseState, rule_id: str, clock_id: str) -> OrgRef | None:
    """签收 is the awaited organisation's, 反馈 the assigned department's, the rest the holder's."""
    if rule_id == TAKE_RULE and state.pending_transfer is not None:
        return state.pending_transfer.to_organisation
    if rule_id == REPORT_BACK_RULE:
        for assignment in state.open_assignments:
            if clock_id.endswith(f"-{assignment.assignment_no}"):
                return assignment.department
    return state.holder


def case_persons(state: CaseState) -> tuple[str, ...]:
    """承办人 (the plan's responsible person), the current round's mediators, the 包案领导."""
    names: list[str] = []
    if state.plan is not None:
        names.append(state.plan.responsible_person)
    if state.mediation is not None:
        names.extend(state.mediation.mediators)
    if state.package_leader is not None:
        names.append(state.package_leader.leader_name)
    return tuple(dict.fromkeys(name for name in names if name))


# 我的在办 matches a person by id: a user (责任人, 包案领导 chosen from the users) or a roster
# entry (调解员名册, which a user account may be linked to).
USER_KEY = "user:"
ROSTER_KEY = "roster:"


def person_keys(state: CaseState) -> tuple[str, ...]:
    """The ids of who works the case (``case_persons`` by id): ``user:wangfang`` for a 责任人 or
    包案领导 chosen from the users, ``roster:xw-m-01`` for a mediator chosen from the roster.
    People named by hand have no id and are left out."""
    keys: list[str] = []
    if state.plan is not None and state.plan.responsible_person_id:
        keys.append(USER_KEY + state.plan.responsible_person_id)
    if state.mediation is not None:
        keys.extend(ROSTER_KEY + mediator for mediator in state.mediation.mediator_ids)
    if state.package_leader is not None and state.package_leader.leader_id:
        keys.append(USER_KEY + state.package_leader.leader_id)
    return tuple(dict.fromkeys(keys))


def principal_keys(user_id: str, mediator_id: str | None) -> tuple[str, ...]:
    """The keys a user is found by: their account, and the roster entry it is linked to."""
    return (USER_KEY + user_id, *((ROSTER_KEY + mediator_id,) if mediator_id else ()))


def parties_label(state: CaseState) -> str:
    """``张伟 等3人``: the first applicant's name and how many parties the case has in all."""
    parties = (*state.applicants, *state.respondents)
    if not parties:
        return ""
    first = parties[0].name
    return first if len(parties) == 1 else f"{first} 等{len(parties)}人"
