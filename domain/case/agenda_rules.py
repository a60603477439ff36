"""调解会排期 rules: what booking, moving, cancelling and holding a session record, and how the
booking changes (the ``decide`` and ``evolve`` of the session schedule)."""

from __future__ import annotations

from datetime import datetime

from domain.case import commands as c
from domain.case.agenda import (
    FIELD_LABELS,
    PartyNotice,
    Postponement,
    ScheduledSession,
    ScheduledSessionHeld,
    SessionCancelled,
    SessionPostponed,
    SessionScheduled,
    SessionStatus,
)
from domain.case.state import CaseState
from domain.errors import ForbiddenTransition, InvalidCommand
from domain.parties import Party
from domain.people.privacy import mask_phone

AgendaBody = SessionScheduled | SessionPostponed | SessionCancelled | ScheduledSessionHeld


def _invalid(field: str, zh: str, en: str) -> InvalidCommand:
    return InvalidCommand(f"{FIELD_LABELS.get(field.split('.')[0], field)}：{zh}", en, field=field)


def _in_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise _invalid(
            "starts_at",
            "须晚于现在（已召开的调解会请用“记录调解会”）",
            "starts_at must be in the future (record a session held with record_session)",
        )


def _party_notices(state: CaseState, names: tuple[str, ...]) -> tuple[PartyNotice, ...]:
    """Each named party's notice to send, contact masked; a name not of the case is refused."""
    roles: list[tuple[str, Party]] = [("申请人", p) for p in state.applicants]
    roles += [("被申请人", p) for p in state.respondents]
    roles += [("第三人", p) for p in state.third_parties]
    notices: list[PartyNotice] = []
    for index, name in enumerate(names):
        found = next(((role, p) for role, p in roles if p.name == name), None)
        if found is None:
            raise _invalid(
                f"parties.{index}",
                f"第{index + 1}位不是本案当事人",
                f"parties.{index} is not a party of the case",
            )
        role, party = found
        contact = mask_phone(party.phone) if party.phone else ""
        notices.append(PartyNotice(name=party.name, role=role, contact=contact))
    return tuple(notices)


def _booked(state: CaseState, schedule_no: int, doing_zh: str, doing_en: str) -> ScheduledSession:
    """The booked session ``schedule_no`` while it is still to be held."""
    session = state.scheduled_session(schedule_no)
    if session is None:
        raise _invalid(
            "schedule_no",
            f"本案没有第{schedule_no}次排期的调解会",
            f"the case has no scheduled session {schedule_no}",
        )
    if session.status is not SessionStatus.SCHEDULED:
        done = "已召开" if session.status is SessionStatus.HELD else "已取消"
        raise ForbiddenTransition(
            f"第{schedule_no}次排期的调解会{done}，不能{doing_zh}",
            f"scheduled session {schedule_no} is {session.status.value}; it cannot be {doing_en}",
        )
    return session


def agenda_body(state: CaseState, command: c.Command, now: datetime) -> AgendaBody:
    """安排 / 改期 / 取消: the event the command records, or a refusal naming the field."""
    match command:
        case c.ScheduleSession():
            _in_future(command.starts_at, now)
            if command.mediator_ids and len(command.mediator_ids) != len(command.mediators):
                raise _invalid(
                    "mediator_ids",
                    "名册编号与调解员人数不一致",
                    "mediator_ids must match mediators one to one",
                )
            return SessionScheduled(
                **command.model_dump(exclude={"type"}),
                schedule_no=len(state.scheduled_sessions) + 1,
                party_notices=_party_notices(state, command.parties),
            )
        case c.PostponeSession():
            session = _booked(state, command.schedule_no, "改期", "postponed")
            _in_future(command.starts_at, now)
            if command.starts_at == session.starts_at and not command.place:
                raise _invalid(
                    "starts_at", "与原定时间相同", "starts_at is the time already booked"
                )
            return SessionPostponed(
                schedule_no=command.schedule_no,
                starts_at=command.starts_at,
                previous_starts_at=session.starts_at,
                place=command.place or session.place,
                reason=command.reason,
            )
        case c.CancelSession():
            _booked(state, command.schedule_no, "取消", "cancelled")
            return SessionCancelled(schedule_no=command.schedule_no, reason=command.reason)
    raise AssertionError(f"not a session schedule command: {command.type}")


def held_body(state: CaseState, command: c.RecordSession) -> ScheduledSessionHeld | None:
    """A session recorded as the booked one it names: the link (checked before anything is
    recorded); None for a session recorded without a booking."""
    if command.schedule_no is None:
        return None
    _booked(state, command.schedule_no, "记录为已召开", "recorded as held")
    return ScheduledSessionHeld(schedule_no=command.schedule_no, session_no=state.session_count + 1)


def _changed(state: CaseState, schedule_no: int, **update: object) -> dict[str, object]:
    sessions = tuple(
        s.model_copy(update=update) if s.schedule_no == schedule_no else s
        for s in state.scheduled_sessions
    )
    return {"scheduled_sessions": sessions}


def apply_agenda(state: CaseState, body: object, *, at: datetime, by: str) -> dict[str, object]:
    """The change a session schedule event makes ({} for any other event)."""
    match body:
        case SessionScheduled():
            booked = ScheduledSession(
                **body.model_dump(exclude={"type"}),
                scheduled_at=at,
                scheduled_by=by,
            )
            return {"scheduled_sessions": (*state.scheduled_sessions, booked)}
        case SessionPostponed():
            session = state.scheduled_session(body.schedule_no)
            if session is None:
                return {}
            moved = Postponement(
                previous_starts_at=body.previous_starts_at, reason=body.reason, at=at, by=by
            )
            return _changed(
                state,
                body.schedule_no,
                starts_at=body.starts_at,
                place=body.place,
                postponements=(*session.postponements, moved),
            )
        case SessionCancelled():
            return _changed(
                state, body.schedule_no, status=SessionStatus.CANCELLED, cancel_reason=body.reason
            )
        case ScheduledSessionHeld():
            return _changed(
                state, body.schedule_no, status=SessionStatus.HELD, session_no=body.session_no
            )
    return {}
