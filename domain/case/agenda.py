"""调解会排期 (session schedule): a mediation session booked ahead, then held, postponed or
cancelled; the details a command carries, the events it records and the booking as it stands.

A booked session names its time and place (调解时间、地点), its mediators (from the roster,
调解员名册) and the parties asked to attend; the mediators are told at once (a notice in their
inbox), the parties' notices are recorded as notices to send, with their contact masked. Its
time is in the future when it is booked or moved (改期); a session held is recorded as today
(记录调解会, never in the future) and linked to its booking.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.text import LongText, OptionalText, ShortText
from domain.values import CHINA_TZ

ScheduleNo = Annotated[int, Field(ge=1, le=10_000)]
MediatorNames = Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=50)]


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"  # 待召开
    HELD = "held"  # 已召开
    CANCELLED = "cancelled"  # 已取消


SESSION_STATUS_LABELS: dict[SessionStatus, str] = {
    SessionStatus.SCHEDULED: "待召开",
    SessionStatus.HELD: "已召开",
    SessionStatus.CANCELLED: "已取消",
}
# A session still booked when its case ended (销号, 撤回) will not be held.
NOT_HELD = "not_held"
NOT_HELD_LABEL = "未召开（案件已结束）"


def shown_status(status: SessionStatus | str, *, case_ended: bool) -> tuple[str, str]:
    """A booked session's status as people read it, and its key: one still booked on a case
    that has ended is 未召开, never 待召开."""
    status = SessionStatus(status)
    if case_ended and status is SessionStatus.SCHEDULED:
        return NOT_HELD, NOT_HELD_LABEL
    return status.value, SESSION_STATUS_LABELS[status]


# Chinese labels of the fields the refusals name (the API adds the field id beside them).
FIELD_LABELS: dict[str, str] = {
    "starts_at": "调解会时间",
    "place": "地点",
    "mediators": "调解员",
    "mediator_ids": "调解员（名册）",
    "parties": "参加当事人",
    "schedule_no": "排期的调解会",
    "reason": "原因",
}


class ScheduleDetails(Frozen):
    """调解会排期: when and where, who mediates, which parties are asked to attend."""

    starts_at: Annotated[
        AwareDatetime,
        Field(description="调解会开始时间（须晚于现在）/ when the session begins (in the future)"),
    ]
    place: ShortText
    mediators: MediatorNames
    # The roster entries the mediators were chosen from (调解员名册), in the same order.
    mediator_ids: Annotated[tuple[ShortText, ...], Field(max_length=50)] = ()
    # The parties asked to attend, by their names in the case (申请人、被申请人).
    parties: Annotated[tuple[ShortText, ...], Field(max_length=200)] = ()
    note: OptionalText = ""


class PostponeDetails(Frozen):
    """改期: a booked session moves to a new time (and place), with the reason."""

    schedule_no: ScheduleNo
    starts_at: AwareDatetime
    place: OptionalText = ""  # blank: the same place
    reason: LongText


class CancelDetails(Frozen):
    """取消: a booked session will not be held, with the reason."""

    schedule_no: ScheduleNo
    reason: LongText


class PartyNotice(Frozen):
    """A party's notice to send (待通知): who, in which role, and the contact masked."""

    name: str
    role: str  # 申请人 / 被申请人
    contact: str = ""  # masked phone (138****5678), blank when the case has none


class SessionScheduled(ScheduleDetails):
    type: Literal["session_scheduled"] = "session_scheduled"
    schedule_no: int
    party_notices: tuple[PartyNotice, ...] = ()


class SessionPostponed(Frozen):
    type: Literal["session_postponed"] = "session_postponed"
    schedule_no: int
    starts_at: AwareDatetime
    previous_starts_at: AwareDatetime
    place: str
    reason: str


class SessionCancelled(Frozen):
    type: Literal["session_cancelled"] = "session_cancelled"
    schedule_no: int
    reason: str


class ScheduledSessionHeld(Frozen):
    """The booked session was held: recorded as the case's session ``session_no``."""

    type: Literal["scheduled_session_held"] = "scheduled_session_held"
    schedule_no: int
    session_no: int


class Postponement(Frozen):
    previous_starts_at: AwareDatetime
    reason: str
    at: AwareDatetime
    by: str


class ScheduledSession(Frozen):
    """One booked session as it stands."""

    schedule_no: int
    starts_at: AwareDatetime
    place: str
    mediators: tuple[str, ...]
    mediator_ids: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    party_notices: tuple[PartyNotice, ...] = ()
    note: str = ""
    status: SessionStatus = SessionStatus.SCHEDULED
    scheduled_at: AwareDatetime
    scheduled_by: str
    postponements: tuple[Postponement, ...] = ()
    cancel_reason: str = ""
    session_no: int | None = None  # the recorded session (记录调解会) once held


def session_time(at: datetime) -> str:
    """``2026-12-14 09:30`` in China time."""
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def agenda_summary(body: object) -> str | None:
    """The timeline sentence of a session schedule event (None for any other event); names
    staff, places and times only, never a party (their notices are counted)."""
    match body:
        case SessionScheduled():
            parties = f"，通知当事人{len(body.party_notices)}人" if body.party_notices else ""
            return (
                f"安排第{body.schedule_no}次调解会：{session_time(body.starts_at)}，"
                f"{body.place}，调解员：{'、'.join(body.mediators)}{parties}"
            )
        case SessionPostponed():
            return (
                f"第{body.schedule_no}次排期的调解会改期：{session_time(body.previous_starts_at)}"
                f" 改为 {session_time(body.starts_at)}，{body.place}"
            )
        case SessionCancelled():
            return f"第{body.schedule_no}次排期的调解会取消"
        case ScheduledSessionHeld():
            return f"第{body.schedule_no}次排期的调解会已召开（第{body.session_no}次调解会）"
    return None
