"""调解会排期: a session booked ahead, moved, cancelled or held; what each refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case import commands as c
from domain.case.agenda import SessionStatus, shown_status
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import evolve, fold
from domain.case.state import CaseState
from domain.case.summaries import event_summaries
from domain.errors import ForbiddenTransition, InvalidCommand
from tests.samples import T0, TODAY, command, register


def _apply(state: CaseState | None, cmd: c.Command, n: int) -> tuple[CaseState, list[Event]]:
    envelope = c.CommandEnvelope(command_id=f"cmd-{n}", actor="王芳", command=cmd)
    events = decide(state, envelope, now=T0 + timedelta(minutes=n))
    for event in events:
        state = evolve(state, event)
    assert state is not None
    return state, events


def _mediating() -> tuple[CaseState, list[Event]]:
    state, events = _apply(None, register(), 0)
    for n, action in enumerate(("accept", "start_mediation"), start=1):
        state, more = _apply(state, command(action), n)
        events += more
    return state, events


def _booked() -> tuple[CaseState, list[Event]]:
    state, events = _mediating()
    state, more = _apply(state, command("schedule_session"), 10)
    return state, events + more


def test_a_session_booked_for_next_week_is_on_the_case_with_its_notices() -> None:
    state, events = _booked()
    booked = state.scheduled_session(1)
    assert booked is not None
    assert booked.status is SessionStatus.SCHEDULED
    assert booked.starts_at.date() == TODAY + timedelta(days=7)
    assert booked.mediators == ("王芳", "赵强")
    # The parties' notices are to be sent; their phones are kept masked only.
    assert [(n.name, n.role, n.contact) for n in booked.party_notices] == [
        ("张伟", "申请人", "138****5678"),
        ("李娜", "被申请人", "139****4321"),
    ]
    assert "13812345678" not in events[-1].model_dump_json()
    assert fold(events) == state
    summary = event_summaries(events)[events[-1].seq]
    assert summary.startswith("安排第1次调解会：2026-03-09 09:30，长江路社区调解室")
    assert "张伟" not in summary


def test_booking_is_allowed_before_mediation_starts_and_refused_once_agreed() -> None:
    state, _ = _apply(None, register(), 0)
    state, _ = _apply(state, command("accept"), 1)
    state, events = _apply(state, command("schedule_session"), 2)
    assert events[-1].body.type == "session_scheduled"
    state, _ = _apply(state, command("start_mediation"), 3)
    state, _ = _apply(state, command("record_agreement"), 4)
    with pytest.raises(ForbiddenTransition) as refused:
        _apply(state, command("schedule_session"), 5)
    assert "不能安排调解会" in refused.value.message_zh


def test_a_session_time_in_the_past_is_refused_naming_the_field() -> None:
    state, _ = _mediating()
    past = (T0 - timedelta(hours=1)).isoformat()
    with pytest.raises(InvalidCommand) as refused:
        _apply(state, command("schedule_session", starts_at=past), 10)
    assert refused.value.field == "starts_at"
    assert refused.value.message_zh.startswith("调解会时间：须晚于现在")
    assert state.scheduled_sessions == ()


def test_a_party_not_of_the_case_is_refused_naming_which() -> None:
    state, _ = _mediating()
    with pytest.raises(InvalidCommand) as refused:
        _apply(state, command("schedule_session", parties=["张伟", "王五"]), 10)
    assert refused.value.field == "parties.1"
    assert refused.value.message_zh == "参加当事人：第2位不是本案当事人"


def test_roster_ids_must_match_the_mediators() -> None:
    state, _ = _mediating()
    with pytest.raises(InvalidCommand) as refused:
        _apply(state, command("schedule_session", mediator_ids=["m-1"]), 10)
    assert refused.value.field == "mediator_ids"


def test_a_postponed_session_keeps_its_old_time_and_the_reason() -> None:
    state, _ = _booked()
    before = state.scheduled_session(1)
    assert before is not None
    state, events = _apply(state, command("postpone_session"), 11)
    moved = state.scheduled_session(1)
    assert moved is not None
    assert moved.status is SessionStatus.SCHEDULED
    assert moved.starts_at.date() == TODAY + timedelta(days=8)
    assert moved.place == before.place  # blank place: the same room
    assert [(p.previous_starts_at, p.reason) for p in moved.postponements] == [
        (before.starts_at, "被申请人出差，申请改期")
    ]
    assert "改为 2026-03-10 14:00" in event_summaries([*_booked()[1], *events])[events[-1].seq]


def test_postponing_to_the_past_or_an_unknown_session_is_422() -> None:
    state, _ = _booked()
    with pytest.raises(InvalidCommand) as past:
        _apply(state, command("postpone_session", starts_at=T0.isoformat()), 11)
    assert past.value.field == "starts_at"
    with pytest.raises(InvalidCommand) as unknown:
        _apply(state, command("postpone_session", schedule_no=2), 11)
    assert unknown.value.field == "schedule_no"
    assert unknown.value.message_zh == "排期的调解会：本案没有第2次排期的调解会"


def test_a_cancelled_session_cannot_be_moved_cancelled_again_or_held() -> None:
    state, _ = _booked()
    state, _ = _apply(state, command("cancel_session"), 11)
    cancelled = state.scheduled_session(1)
    assert cancelled is not None
    assert cancelled.status is SessionStatus.CANCELLED
    assert cancelled.cancel_reason == "双方已自行和解"
    for n, cmd in enumerate(
        (
            command("postpone_session"),
            command("cancel_session"),
            command("record_session", schedule_no=1),
        ),
        start=12,
    ):
        with pytest.raises(ForbiddenTransition) as refused:
            _apply(state, cmd, n)
        assert "第1次排期的调解会已取消" in refused.value.message_zh


def test_holding_a_booked_session_records_it_today_and_links_the_two() -> None:
    state, _ = _booked()
    state, events = _apply(state, command("record_session", schedule_no=1), 11)
    assert [e.body.type for e in events][:2] == ["session_recorded", "scheduled_session_held"]
    held = state.scheduled_session(1)
    assert held is not None
    assert held.status is SessionStatus.HELD
    assert held.session_no == 1 == state.session_count
    with pytest.raises(ForbiddenTransition):
        _apply(state, command("record_session", schedule_no=1), 12)


def test_a_held_session_still_may_not_be_dated_in_the_future() -> None:
    state, _ = _booked()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidCommand) as refused:
        _apply(state, command("record_session", schedule_no=1, held_on=tomorrow), 11)
    assert refused.value.field == "held_on"
    booked = state.scheduled_session(1)
    assert booked is not None
    assert booked.status is SessionStatus.SCHEDULED


def test_a_session_recorded_without_booking_still_works() -> None:
    state, _ = _mediating()
    state, events = _apply(state, command("record_session"), 10)
    assert [e.body.type for e in events] == ["session_recorded"]
    assert state.session_count == 1
    assert state.scheduled_sessions == ()


def test_a_session_still_booked_when_the_case_ends_reads_as_not_held() -> None:
    state, _ = _booked()
    state, _ = _apply(state, command("withdraw"), 11)
    assert state.is_terminal
    booked = state.scheduled_session(1)
    assert booked is not None
    assert shown_status(booked.status, case_ended=state.is_terminal) == (
        "not_held",
        "未召开（案件已结束）",
    )
    # Held and cancelled sessions keep their words; a booking on an open case is 待召开.
    assert shown_status(SessionStatus.HELD, case_ended=True)[1] == "已召开"
    assert shown_status(SessionStatus.CANCELLED, case_ended=True)[1] == "已取消"
    assert shown_status(SessionStatus.SCHEDULED, case_ended=False)[1] == "待召开"


def test_the_timeline_counts_attendees_only_when_they_were_recorded() -> None:
    state, history = _mediating()
    state, events = _apply(state, command("record_session"), 10)
    history += events
    assert "参加2人" in event_summaries(history)[events[0].seq]
    _, events = _apply(state, command("record_session", attendees=[]), 11)
    summary = event_summaries([*history, *events])[events[0].seq]
    assert summary.startswith("第2次调解会")
    assert "参加" not in summary
