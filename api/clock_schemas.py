"""The clock report of a case (时限说明): each rule, its clocks, how each due time was counted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from domain.case.facts import counts_legal_facts
from domain.case.labels import CLOCK_STATUS_LABELS
from domain.case.pause_status import PausedStatus, paused_status
from domain.case.state import CaseState
from domain.deadlines.clock_rules import Counting
from domain.deadlines.counting import FactDate, fact_name
from domain.deadlines.why import WhyStep, china_time
from domain.values import china_date


class FactView(BaseModel):
    """The legal fact a period counts from: its date, and when the office recorded it (补录)."""

    fact: str  # the event type that records it
    label: str  # 中文, e.g. 调解协议生效（各方签字）
    label_en: str
    on: date  # the legal date the period counts from
    recorded_at: datetime | None
    late_days: int  # days between the fact and its recording (China dates); 0: on the day
    note: str  # "补录：…" when recorded late, else ""


def fact_view(fact: FactDate | None) -> FactView | None:
    if fact is None:
        return None
    zh, en = fact_name(fact.fact)
    recorded = fact.recorded_at
    late = max(0, (china_date(recorded) - fact.on).days) if recorded is not None else 0
    note = (
        f"补录：{china_time(recorded)}（北京时间）录入，晚于事实 {late} 日 / "
        f"late entry: recorded {late} day{'s' if late != 1 else ''} after the fact"
        if recorded is not None and late
        else ""
    )
    return FactView(
        fact=fact.fact,
        label=zh,
        label_en=en,
        on=fact.on,
        recorded_at=recorded,
        late_days=late,
        note=note,
    )


class ClockView(BaseModel):
    clock_id: str
    subject: str
    status: str
    status_label: str
    started_at: datetime  # when the clock was started (the recording of its starting event)
    start: FactView | None  # the legal fact it counts from (policy 2026.2; None: started_at)
    cap_start: FactView | None  # the cap's own start (C5: the court's acceptance)
    due_at: datetime
    warn_at: datetime | None
    cap_at: datetime | None
    last_day: str | None
    provisional: bool
    why: list[str]  # how the due time was counted, step by step (zh / en), in China time
    why_steps: list[WhyStep]  # the same story as typed steps (policy 2026.2)
    pauses: list[dict[str, Any]]
    extensions: list[dict[str, Any]]
    # A clock paused now: since when, days used and left; its due_at no longer holds.
    paused: PausedStatus | None = None


class RuleView(BaseModel):
    """One rule of the case's policy snapshot: its source, and the clocks it runs."""

    rule_id: str
    name: str
    source: str
    confidence: str
    length: int
    unit: str
    expiry: str
    note: str
    state: str  # not_started, or the status of its latest clock
    clocks: list[ClockView]


class ClockReport(BaseModel):
    case_id: str
    policy_version: str | None
    counting: str | None  # the counting rules of the snapshot: 2026.1 (as recorded) or 2026.2
    calendar_version: str | None
    rules: list[RuleView]


def clock_report(state: CaseState) -> ClockReport:
    """Why each clock is due when it is: the rule, its source, the counting steps."""
    policy = state.policy
    rules: list[RuleView] = []
    for rule in policy.rules if policy else ():
        clocks = [
            ClockView(
                clock_id=clock.clock_id,
                subject=clock.subject,
                status=clock.status.value,
                status_label=CLOCK_STATUS_LABELS[clock.status],
                started_at=clock.started_at,
                start=fact_view(clock.start),
                cap_start=fact_view(clock.cap_start),
                due_at=clock.due_at,
                warn_at=clock.schedule.warn_at,
                cap_at=clock.schedule.cap_at,
                last_day=clock.schedule.due.last_day.isoformat()
                if clock.schedule.due.last_day
                else None,
                provisional=clock.schedule.due.provisional,
                why=list(clock.schedule.due.explanation),
                why_steps=list(clock.schedule.due.why),
                pauses=[p.model_dump(mode="json") for p in clock.pauses],
                extensions=[x.model_dump(mode="json") for x in clock.extensions],
                paused=paused_status(clock, policy.calendar) if policy else None,
            )
            for clock in state.clocks
            if clock.rule_id == rule.rule_id
        ]
        rules.append(
            RuleView(
                rule_id=rule.rule_id,
                name=rule.name,
                source=rule.source,
                confidence=rule.confidence.value,
                length=rule.length,
                unit=rule.unit.value,
                expiry=rule.expiry.value,
                note=rule.note,
                state=clocks[-1].status if clocks else "not_started",
                clocks=clocks,
            )
        )
    return ClockReport(
        case_id=state.case_id,
        policy_version=policy.version if policy else None,
        counting=_counting(state),
        calendar_version=policy.calendar.version if policy else None,
        rules=rules,
    )


def _counting(state: CaseState) -> str | None:
    if state.policy is None:
        return None
    counting = Counting.LEGAL_2026_2 if counts_legal_facts(state) else Counting.RECORDED_2026_1
    return counting.value
