"""Alerts (预警/逾期/直报) and how they escalate level by level (督办) until acknowledged (签收)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime

from domain.base import Frozen
from domain.case.policy import EscalationChain, EscalationLevel, Role


class AlertKind(StrEnum):
    WARNING = "warning"  # 预警
    BREACH = "breach"  # 逾期
    MAJOR_REPORT = "major_report"  # 重大矛盾纠纷直报
    COLLECTIVE_REPORT = "collective_report"  # 群体性矛盾纠纷报告 (风险研判)
    SKIP_LEVEL_REPORT = "skip_level_report"  # 越级上访风险报告 (风险研判)


class AlertStatus(StrEnum):
    OPEN = "open"  # 待签收
    ACKNOWLEDGED = "acknowledged"  # 已签收
    CLOSED = "closed"  # 已解除 (the clock was met, or the case ended)


class Notification(Frozen):
    """One notification of one recipient; delivery attempts are recorded by the notifier."""

    level: int
    recipient: str
    attempt: int  # 1 = first notice at this level, 2.. = re-notifications
    at: AwareDatetime


class Alert(Frozen):
    alert_id: str
    kind: AlertKind
    clock_id: str | None
    title: str
    raised_at: AwareDatetime
    level: int
    recipient: str
    status: AlertStatus = AlertStatus.OPEN
    notifications: tuple[Notification, ...] = ()
    next_step_at: AwareDatetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: AwareDatetime | None = None
    acknowledged_note: str = ""
    closed_reason: str | None = None
    chain_id: str | None = None  # a named chain (直报, 批示落实); None: the case's chain


class Recipients(Frozen):
    """Who holds each role for one case (from its plan, package leader and jurisdiction).

    ``organisation`` is set for a clock another organisation must answer (签收 by the one a
    transfer awaits, 反馈 by an assigned department): its first level goes to that organisation
    (``org:…``), the next to the case's package leader or else that organisation's head."""

    responsible_person: str | None
    responsible_unit: str | None
    package_leader: str | None
    town_code: str | None
    county_code: str
    organisation: str | None = None
    instructing_leader: str | None = None  # the leader whose instruction a clock watches
    listing_leader: str | None = None  # 挂牌领导 of the listing a clock watches
    above_lister: str | None = None  # the recipient one level above that leader


def recipient_for(role: Role, who: Recipients) -> str:
    """A stable recipient id: ``instructor:…`` (批示领导), ``person:…``,
    ``org:…``, ``leader:…``, ``org-head:…``,
    ``unit-head:…``, ``town-leader:…``, ``county-leader:…``."""
    if role is Role.INSTRUCTING_LEADER and who.instructing_leader:
        return f"instructor:{who.instructing_leader}"
    if role is Role.LISTING_LEADER and who.listing_leader:
        return f"lister:{who.listing_leader}"
    if role is Role.ABOVE_LISTER and who.above_lister:
        return who.above_lister
    if role is Role.RESPONSIBLE_PERSON and who.organisation:
        return f"org:{who.organisation}"
    if role is Role.RESPONSIBLE_PERSON and who.responsible_person:
        return f"person:{who.responsible_person}"
    if role in (Role.RESPONSIBLE_PERSON, Role.UNIT_HEAD_OR_LEADER):
        if who.package_leader:
            return f"leader:{who.package_leader}"
        if who.organisation:
            return f"org-head:{who.organisation}"
        if who.responsible_unit:
            return f"unit-head:{who.responsible_unit}"
    if role in (Role.RESPONSIBLE_PERSON, Role.UNIT_HEAD_OR_LEADER, Role.TOWN_LEADER) and (
        who.town_code
    ):
        return f"town-leader:{who.town_code}"
    return f"county-leader:{who.county_code}"


def level_of(chain: EscalationChain, level: int) -> EscalationLevel:
    return next(step for step in chain.levels if step.level == level)


def first_notice(
    chain: EscalationChain, who: Recipients, now: datetime
) -> tuple[int, str, datetime | None]:
    """Level, recipient and next step time of a newly raised alert."""
    first = chain.levels[0]
    return first.level, recipient_for(first.role, who), now + timedelta(hours=first.wait_hours)


def next_step(
    alert: Alert, chain: EscalationChain, who: Recipients, now: datetime
) -> Notification | None:
    """The notification due at ``now`` for an open alert: re-notify, or the next level up."""
    current = level_of(chain, alert.level)
    sent_here = sum(1 for n in alert.notifications if n.level == alert.level)
    if sent_here <= current.renotify:
        return Notification(
            level=alert.level, recipient=alert.recipient, attempt=sent_here + 1, at=now
        )
    higher = [step for step in chain.levels if step.level > alert.level]
    if not higher:
        return None
    step = higher[0]
    return Notification(
        level=step.level, recipient=recipient_for(step.role, who), attempt=1, at=now
    )


def wait_after(
    notification: Notification, chain: EscalationChain, planned: datetime
) -> datetime | None:
    """When to act again after ``notification`` (counted from when it was planned, so a late
    timer does not push the whole chain back); None once the top level has nothing left."""
    step = level_of(chain, notification.level)
    top = chain.levels[-1]
    if step.level == top.level and notification.attempt > step.renotify:
        return None
    return planned + timedelta(hours=step.wait_hours)
