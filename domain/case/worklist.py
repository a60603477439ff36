"""Worklists (待办): what each organisation must do on a case now, and who the case's parties are.

Pure functions of the case as it stands (``CaseState``), run by the projection after every fold
and stored beside the case (``work_items``, ``case_organisations``, ``case_parties``):

- ``work_items``: 待受理 (a new intake, for the holder), 待签收 (a transfer, for the organisation it
  awaits; due when the TAKE clock runs out), 待反馈 (an open 交办, for the department; due at the
  A4 clock, else the assigner's deadline), 时限预警 / 已逾期 (a clock warned or breached, for the
  holder), 待回访 (an agreement item or the follow-up visit coming due, for the holder) and 建议上提
  (a lift the policy suggested, for the holder). 积案 (open longer than the policy's threshold)
  depends on today, so it is asked of the cases table, not stored.
- ``organisation_relations``: every organisation the case is related to, and how (reach).
- ``party_keys``: a keyed hash (HMAC-SHA-256 with the deployment's party key) of each party's
  normalised ID number, else of name and phone; the clear values are never stored beside the key,
  and without the key nobody can try every ID number against it.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import datetime
from enum import StrEnum

from domain.base import Frozen
from domain.case.clocks import Clock, ClockStatus
from domain.case.leader_records import INSTRUCTION_SOURCE_LABELS
from domain.case.list_columns import REPORT_BACK_RULE, TAKE_RULE, case_persons
from domain.case.stages import TERMINAL_STAGES, Stage
from domain.case.state import CaseState
from domain.deadlines.clock_rules import DueSource
from domain.deadlines.periods import end_of_china_day
from domain.parties import Party, Representative
from domain.values import PerformanceStatus

# The first follow-up visit (回访); item clocks are recognised by their due source.
FOLLOW_UP_RULE = "FU"
# 积案: open longer than this many days, when the policy book names no threshold.
DEFAULT_BACKLOG_DAYS = 90


class WorkKind(StrEnum):
    """A group of the worklist; values are stored in ``work_items.kind``."""

    NEW_INTAKE = "new_intake"  # 待受理
    INCOMING_TRANSFER = "incoming_transfer"  # 待签收
    REPORT_BACK_DUE = "report_back_due"  # 待反馈
    CLOCK_WARNING = "clock_warning"  # 时限预警
    CLOCK_OVERDUE = "clock_overdue"  # 已逾期
    FOLLOW_UP_DUE = "follow_up_due"  # 待回访
    LIFT_SUGGESTED = "lift_suggested"  # 建议上提
    BACKLOG = "backlog"  # 积案 (asked of the cases table: it depends on today)
    INSTRUCTION_DUE = "instruction_due"  # 待落实批示 (领导批示, 签收意见)
    INSTRUCTION_ANSWERED = "instruction_answered"  # 批示已反馈 (for the leaders' instruction list)
    # 待记录调解会: a booked session whose day has passed unrecorded (asked of the agenda,
    # ``session_agenda``: it depends on today), for the holder and the mediators it names.
    SESSION_UNRECORDED = "session_unrecorded"


WORK_KIND_LABELS: dict[WorkKind, str] = {
    WorkKind.NEW_INTAKE: "待受理",
    WorkKind.INCOMING_TRANSFER: "待签收",
    WorkKind.REPORT_BACK_DUE: "待反馈",
    WorkKind.CLOCK_WARNING: "时限预警",
    WorkKind.CLOCK_OVERDUE: "已逾期",
    WorkKind.FOLLOW_UP_DUE: "待回访",
    WorkKind.LIFT_SUGGESTED: "建议上提",
    WorkKind.BACKLOG: "积案",
    WorkKind.INSTRUCTION_DUE: "待落实批示",
    WorkKind.INSTRUCTION_ANSWERED: "批示已反馈",
    WorkKind.SESSION_UNRECORDED: "待记录调解会",
}

# Kept beside the case for the leaders' list of instructions, never shown as work to do.
NOT_WORK = frozenset({WorkKind.INSTRUCTION_ANSWERED})

# The groups asked of other tables than ``work_items`` (they depend on today).
DATED_KINDS = frozenset({WorkKind.BACKLOG, WorkKind.SESSION_UNRECORDED})

# What a leader's worklist shows within the jurisdiction subtree (督办).
LEADER_KINDS = frozenset({WorkKind.CLOCK_WARNING, WorkKind.CLOCK_OVERDUE, WorkKind.LIFT_SUGGESTED})


class Relation(StrEnum):
    """How an organisation is related to a case (``case_organisations.relation``)."""

    HOLDER = "holder"  # 承办
    INCOMING = "incoming"  # 待签收
    REGISTRAR = "registrar"  # 登记
    FORMER = "former"  # 曾承办
    CO_HANDLER = "co_handler"  # 联合调处
    ASSIGNEE = "assignee"  # 交办部门


class WorkItem(Frozen):
    """One thing an organisation must do on a case."""

    item_key: str  # unique within the case: the kind and what it is about
    kind: WorkKind
    org_id: str
    due_at: datetime | None  # None: nothing falls due (ordered after every due item)
    since: datetime  # when it began to need doing
    summary: str  # what is due, in Chinese (a clock's name, the transfer's reason…)
    assignment_no: int | None = None
    clock_id: str | None = None
    persons: tuple[str, ...] = ()  # the people it names (承办人, 调解员, 包案领导)


def organisation_relations(state: CaseState) -> frozenset[tuple[str, Relation]]:
    """Every (organisation, relation) of the case; their organisations are
    ``state.related_organisations``."""
    pairs: set[tuple[str, Relation]] = set()
    if state.holder_id is not None:
        pairs.add((state.holder_id, Relation.HOLDER))
    if state.incoming_id is not None:
        pairs.add((state.incoming_id, Relation.INCOMING))
    if state.center_id is not None:
        pairs.add((state.center_id, Relation.REGISTRAR))
    pairs |= {(org_id, Relation.FORMER) for org_id in state.former_holders}
    pairs |= {(org.org_id, Relation.CO_HANDLER) for org in state.co_handlers}
    pairs |= {(a.department.org_id, Relation.ASSIGNEE) for a in state.assignments}
    return frozenset(pairs)


def _resolved_after_breach(state: CaseState, clock: Clock) -> bool:
    """A breached clock stays overdue until what it watched was done (its rule's stop event, or
    the watched agreement item performed)."""
    policy = state.policy
    rule = policy.rule(clock.rule_id) if policy is not None else None
    ended = clock.ended_at
    if rule is not None and rule.due_source is DueSource.ASSIGNMENT_DEADLINE:
        # 交办: only the report on THAT assignment answers it (another report-back does not).
        return any(
            a.report is not None and clock.clock_id.endswith(f"-{a.assignment_no}")
            for a in state.assignments
        )
    if rule is not None and rule.due_source is DueSource.INSTRUCTION_DEADLINE:
        # 批示: only the answer to THAT instruction answers it.
        return any(
            i.answer is not None and clock.clock_id == f"{rule.rule_id}-{i.instruction_no}"
            for i in state.instructions
        )
    if rule is not None and ended is not None:
        for event_type in rule.stop_on:
            done = state.milestones.get(event_type)
            if done is not None and done >= ended:
                return True
    agreement = state.agreement
    if agreement is not None and clock.fixed_day is not None:
        for item in agreement.items:
            if clock.clock_id.endswith(f"-{agreement.agreement_no}-{item.item_no}"):
                return item.status is PerformanceStatus.PERFORMED
    return False


def _is_follow_up(state: CaseState, clock: Clock) -> bool:
    if clock.rule_id == FOLLOW_UP_RULE:
        return True
    rule = state.policy.rule(clock.rule_id) if state.policy is not None else None
    return rule is not None and rule.due_source is DueSource.ITEM_DUE


def _clock_item(state: CaseState, clock: Clock, holder: str, persons: tuple[str, ...]) -> WorkItem:
    subject = f"：{clock.subject}" if clock.subject else ""
    common = {
        "item_key": f"clock:{clock.clock_id}",
        "org_id": holder,
        "due_at": clock.due_at,
        "clock_id": clock.clock_id,
        "persons": persons,
    }
    if clock.status is ClockStatus.BREACHED:
        since = clock.ended_at or clock.due_at
        return WorkItem(
            **common,
            kind=WorkKind.CLOCK_OVERDUE,
            since=since,
            summary=f"{clock.name}已逾期{_leader_notes(state, clock)}",
        )
    if clock.warned_at is not None:
        return WorkItem(
            **common,
            kind=WorkKind.CLOCK_WARNING,
            since=clock.warned_at,
            summary=f"{clock.name}即将到期{subject}",
        )
    return WorkItem(
        **common,
        kind=WorkKind.FOLLOW_UP_DUE,
        since=clock.started_at,
        summary=f"{clock.name}{subject}",
    )


def _leader_notes(state: CaseState, clock: Clock) -> str:
    """签收意见 a leader wrote acknowledging this clock's alerts, for the unit that handles it."""
    notes = [
        f"；{(a.acknowledged_by or '领导').split(' (')[0]}签收意见：{a.acknowledged_note}"
        for a in state.alerts
        if a.clock_id == clock.clock_id and a.acknowledged_note
    ]
    return "".join(notes)


def _clock_items(state: CaseState, holder: str, persons: tuple[str, ...]) -> list[WorkItem]:
    """One item per clock that needs the holder: breached and not yet done (已逾期), warned
    (时限预警), or a follow-up or agreement item running (待回访)."""
    items = []
    for clock in state.clocks:
        if clock.status is ClockStatus.BREACHED:
            if not _resolved_after_breach(state, clock):
                items.append(_clock_item(state, clock, holder, persons))
        elif clock.status is ClockStatus.RUNNING and (
            clock.warned_at is not None or _is_follow_up(state, clock)
        ):
            items.append(_clock_item(state, clock, holder, persons))
    return items


def _latest_due(state: CaseState, rule_id: str, suffix: str = "") -> datetime | None:
    """The due time of the latest clock of ``rule_id`` whose id ends in ``suffix``, running or
    run out: an awaited transfer or an unanswered assignment keeps its due time once overdue
    (it is then the most urgent item, not the last)."""
    found = [
        clock
        for clock in state.clocks
        if clock.rule_id == rule_id and clock.clock_id.endswith(suffix)
    ]
    return found[-1].due_at if found else None


def _acceptance_due(state: CaseState) -> datetime | None:
    """The earliest open clock that acceptance (or a decline) stops: 受理期限."""
    policy = state.policy
    dues = [
        clock.due_at
        for clock in state.clocks
        if clock.is_open
        and policy is not None
        and (rule := policy.rule(clock.rule_id)) is not None
        and ("case_accepted" in rule.stop_on or "case_declined" in rule.stop_on)
    ]
    return min(dues, default=None)


def work_items(state: CaseState) -> tuple[WorkItem, ...]:
    """What the case needs of each organisation now (nothing once it is withdrawn or closed)."""
    if state.stage in TERMINAL_STAGES:
        return ()
    items: list[WorkItem] = []
    holder = state.holder_id
    persons = case_persons(state)
    if holder is not None and state.stage is Stage.REGISTERED:
        items.append(
            WorkItem(
                item_key="intake",
                kind=WorkKind.NEW_INTAKE,
                org_id=holder,
                due_at=_acceptance_due(state),
                since=state.registered.at,
                summary="新登记案件待受理",
                persons=persons,
            )
        )
    pending = state.pending_transfer
    if pending is not None:
        sender = pending.from_organisation.name if pending.from_organisation else "登记单位"
        items.append(
            WorkItem(
                item_key="transfer",
                kind=WorkKind.INCOMING_TRANSFER,
                org_id=pending.to_organisation.org_id,
                due_at=_latest_due(state, TAKE_RULE),
                since=pending.sent.at,
                summary=f"{sender}转来，待签收：{pending.reason}",
            )
        )
    if holder is not None:
        items += instruction_items(state, holder, persons)
    for assignment in state.open_assignments:
        no = assignment.assignment_no
        due = _latest_due(state, REPORT_BACK_RULE, f"-{no}")
        items.append(
            WorkItem(
                item_key=f"assignment:{no}",
                kind=WorkKind.REPORT_BACK_DUE,
                org_id=assignment.department.org_id,
                due_at=due or end_of_china_day(assignment.deadline),
                since=assignment.assigned.at,
                summary=f"第{no}次交办待反馈：{assignment.instructions}",
                assignment_no=no,
            )
        )
    if holder is not None:
        items.extend(_clock_items(state, holder, persons))
        if state.lift_suggestion is not None:
            items.append(
                WorkItem(
                    item_key="lift",
                    kind=WorkKind.LIFT_SUGGESTED,
                    org_id=holder,
                    due_at=None,
                    since=state.lift_suggestion.suggested.at,
                    summary=f"建议上提：{state.lift_suggestion.reason}",
                    persons=persons,
                )
            )
    return tuple(items)


def _normalised(text: str) -> str:
    """Full-width forms folded (NFKC), spaces removed, letters upper-cased."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def party_material(
    *, id_number: str | None = None, name: str | None = None, phone: str | None = None
) -> str | None:
    """What identifies a person across cases: their normalised ID number if known, else name and
    phone together; None when neither is given (a name alone says too little)."""
    if id_number and _normalised(id_number):
        return "id:" + _normalised(id_number)
    if name and phone and _normalised(name):
        digits = "".join(ch for ch in _normalised(phone) if ch.isdigit())
        return "np:" + _normalised(name) + "|" + digits if digits else None
    return None


def keyed_digest(key: bytes, purpose: str, material: str) -> str:
    """HMAC-SHA-256 of ``material`` under ``key``, separated by ``purpose`` (a party's key never
    equals a matter's for the same text)."""
    return hmac.new(key, f"{purpose}\x00{material}".encode(), hashlib.sha256).hexdigest()


def party_key(
    *,
    key: bytes,
    id_number: str | None = None,
    name: str | None = None,
    phone: str | None = None,
) -> str | None:
    """The key that finds a person's other cases (``party_material`` under the party key)."""
    material = party_material(id_number=id_number, name=name, phone=phone)
    return None if material is None else keyed_digest(key, "party", material)


def party_people(state: CaseState) -> tuple[Party | Representative, ...]:
    """Every applicant, respondent and 第三人, and the 代表人 a group chose (they are the group's
    members). Agents (代理人) are left out: a lawyer acting in many cases does not make them the
    same party's cases."""
    parties = (*state.applicants, *state.respondents, *state.third_parties)
    return (*parties, *(person for party in parties for person in party.representatives))


def party_keys(state: CaseState, *, key: bytes) -> frozenset[str]:
    """The keys of every party person (``party_people``) that has an ID number or a phone."""
    keys = (
        party_key(key=key, id_number=person.id_number, name=person.name, phone=person.phone)
        for person in party_people(state)
    )
    return frozenset(k for k in keys if k is not None)


def instruction_items(state: CaseState, holder: str, persons: tuple[str, ...]) -> list[WorkItem]:
    """待落实批示: each instruction (or 签收意见) not yet answered, due at its clock (else at the
    end of its deadline); 批示已反馈 once answered. The summary names no free text."""
    items = []
    rules = {
        rule.rule_id
        for rule in (state.policy.rules if state.policy else ())
        if rule.due_source is DueSource.INSTRUCTION_DEADLINE
    }
    for instruction in state.instructions:
        no = instruction.instruction_no
        what = f"{INSTRUCTION_SOURCE_LABELS[instruction.source]}第{no}号（{instruction.leader}）"
        due = next(
            (
                clock.due_at
                for clock in state.clocks
                if clock.rule_id in rules and clock.clock_id == f"{clock.rule_id}-{no}"
            ),
            end_of_china_day(instruction.deadline) if instruction.deadline else None,
        )
        answer = instruction.answer
        items.append(
            WorkItem(
                item_key=f"instruction:{no}",
                kind=WorkKind.INSTRUCTION_DUE if answer is None else WorkKind.INSTRUCTION_ANSWERED,
                org_id=holder,
                due_at=due if answer is None else None,
                since=instruction.at if answer is None else answer.at,
                summary=f"{what}待落实" if answer is None else f"{what}已反馈落实情况",
                persons=persons,
            )
        )
    return items
