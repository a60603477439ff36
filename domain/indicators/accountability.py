"""问责 (accountability) per period: overdue clocks and breaches per organisation, how long each
recipient took to acknowledge (签收) an alert, and 批示 still without 落实反馈.

``accountability_items`` lists what one case contributes (a pure function of the case, stored
beside the read model like its indicator facts); the summaries fold those items for a period.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

from domain.base import Frozen
from domain.case.clocks import ClockStatus
from domain.case.leader_records import InstructionSource
from domain.case.state import CaseState
from domain.case.summaries import recipient_label
from domain.indicators.definitions import Period
from domain.people.privacy import scrub_text
from domain.values import china_date


class ItemKind(StrEnum):
    BREACH = "breach"  # a clock of the case ran out (逾期)
    ALERT = "alert"  # an alert raised to someone (督办提醒), acknowledged or not
    INSTRUCTION = "instruction"  # a leader's 批示, answered (落实反馈) or not


class AccountabilityItem(Frozen):
    case_id: str
    item_key: str  # unique within the case
    kind: ItemKind
    jurisdiction_code: str
    org_id: str | None = None  # the organisation that had to answer
    who: str = ""  # the alert's recipient (or who acknowledged it); the instructing leader
    label: str = ""  # the clock's name, the alert's title, the instruction (masked)
    on: date  # the day that places it in a period: the last day, the raise, the instruction
    started_at: datetime | None = None
    ended_at: datetime | None = None  # acknowledged / answered
    due_on: date | None = None


def accountability_items(state: CaseState) -> list[AccountabilityItem]:
    place = state.jurisdiction.code
    items: list[AccountabilityItem] = []
    for clock in state.clocks:
        if clock.status is not ClockStatus.BREACHED:
            continue
        last = clock.schedule.due.last_day or china_date(clock.due_at)
        items.append(
            AccountabilityItem(
                case_id=state.case_id,
                item_key=f"breach:{clock.clock_id}",
                kind=ItemKind.BREACH,
                jurisdiction_code=place,
                org_id=clock.organisation.org_id if clock.organisation else state.holder_id,
                label=clock.name[:200],
                on=last,
                due_on=last,
            )
        )
    for alert in state.alerts:
        items.append(
            AccountabilityItem(
                case_id=state.case_id,
                item_key=f"alert:{alert.alert_id}"[:80],
                kind=ItemKind.ALERT,
                jurisdiction_code=place,
                org_id=state.holder_id,
                who=(alert.acknowledged_by or recipient_label(state, alert.recipient))[:200],
                label=scrub_text(alert.title)[:200],
                on=china_date(alert.raised_at),
                started_at=alert.raised_at,
                ended_at=alert.acknowledged_at,
            )
        )
    for instruction in state.instructions:
        if instruction.source is not InstructionSource.INSTRUCTION:
            continue
        items.append(
            AccountabilityItem(
                case_id=state.case_id,
                item_key=f"instruction:{instruction.instruction_no}",
                kind=ItemKind.INSTRUCTION,
                jurisdiction_code=place,
                org_id=state.holder_id,
                who=instruction.leader[:200],
                label=scrub_text(instruction.text)[:200],
                on=china_date(instruction.at),
                started_at=instruction.at,
                ended_at=instruction.answer.at if instruction.answer else None,
                due_on=instruction.deadline,
            )
        )
    return items


class BreachLine(Frozen):
    org_id: str | None
    breaches: int
    cases: tuple[str, ...]


class AckLine(Frozen):
    who: str
    alerts: int
    acknowledged: int
    median_hours: float | None
    max_hours: float | None
    open: int


class OpenInstruction(Frozen):
    case_id: str
    leader: str
    text: str
    issued_on: date
    due_on: date | None
    days_open: int


class Accountability(Frozen):
    breaches: tuple[BreachLine, ...]
    acknowledgement: tuple[AckLine, ...]
    unanswered: tuple[OpenInstruction, ...]


def _in(period: Period, day: date) -> bool:
    return period.start <= day <= period.end


def accountability(
    items: Iterable[AccountabilityItem], period: Period, *, as_of: datetime
) -> Accountability:
    """The period's breaches per organisation, acknowledgement latency per recipient (alerts
    raised in the period; acknowledged by ``as_of``), and 批示 of the period unanswered at
    ``as_of``."""
    breaches: dict[str | None, list[str]] = {}
    latency: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    unanswered: list[OpenInstruction] = []
    for item in items:
        if not _in(period, item.on) or item.on > as_of.date():
            continue
        if item.kind is ItemKind.BREACH:
            breaches.setdefault(item.org_id, []).append(item.case_id)
        elif item.kind is ItemKind.ALERT and item.started_at is not None:
            seen = counts.setdefault(item.who, [0, 0])
            seen[0] += 1
            if item.ended_at is not None and item.ended_at <= as_of:
                seen[1] += 1
                taken = (item.ended_at - item.started_at).total_seconds() / 3600
                latency.setdefault(item.who, []).append(taken)
        elif item.kind is ItemKind.INSTRUCTION:
            if item.ended_at is None or item.ended_at > as_of:
                unanswered.append(
                    OpenInstruction(
                        case_id=item.case_id,
                        leader=item.who,
                        text=item.label,
                        issued_on=item.on,
                        due_on=item.due_on,
                        days_open=(as_of.date() - item.on).days,
                    )
                )
    breach_lines = sorted(
        (
            BreachLine(org_id=org, breaches=len(cases), cases=tuple(sorted(cases)))
            for org, cases in breaches.items()
        ),
        key=lambda line: (-line.breaches, line.org_id or ""),
    )
    ack_lines = []
    for who, (raised, acknowledged) in sorted(counts.items()):
        hours = latency.get(who, [])
        ack_lines.append(
            AckLine(
                who=who,
                alerts=raised,
                acknowledged=acknowledged,
                median_hours=round(statistics.median(hours), 1) if hours else None,
                max_hours=round(max(hours), 1) if hours else None,
                open=raised - acknowledged,
            )
        )
    return Accountability(
        breaches=tuple(breach_lines),
        acknowledgement=tuple(ack_lines),
        unanswered=tuple(sorted(unanswered, key=lambda i: (i.issued_on, i.case_id))),
    )
