"""Property tests: random command sequences against the transition table."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.case import commands as c
from domain.case.agenda import SessionStatus
from domain.case.clocks import ClockStatus
from domain.case.decide import decide
from domain.case.evolve import fold
from domain.case.stages import TERMINAL_STAGES, Action, allowed
from domain.case.state import CaseState
from domain.errors import DomainError, ForbiddenTransition
from domain.values import china_date
from tests.domain.handoff_cases import TOWN, Case, org
from tests.samples import REJECTED_DECISION, T0, command, register, step_command

STEPS = [action.value for action in Action] + [
    "record_court_decision:rejected",
    "record_follow_up:partial",
]


_BOOKING = (Action.POSTPONE_SESSION, Action.CANCEL_SESSION)


def _booked(state: CaseState) -> bool:
    """The sample's session 1 is booked and still to be held (改期 and 取消 act on it)."""
    session = state.scheduled_session(1)
    return session is not None and session.status is SessionStatus.SCHEDULED


def _command(step: str) -> c.Command:
    if step == "record_follow_up:partial":
        return command("record_follow_up", performance=[{"item_no": 1, "status": "partial"}])
    return step_command(step)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(STEPS), max_size=40))
def test_random_commands_obey_the_transition_table(steps: list[str]) -> None:
    registered = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0
    )
    state = fold(registered)
    assert state is not None
    recorded = list(registered)

    for n, step in enumerate(steps, start=1):
        cmd = _command(step)
        action = Action(cmd.type)
        envelope = c.CommandEnvelope(command_id=f"c{n}", actor="王芳", command=cmd)
        before: CaseState = state
        try:
            events = decide(state, envelope, now=T0 + timedelta(minutes=n))
        except ForbiddenTransition:
            items_open = state.agreement is not None and not state.agreement.all_performed
            pending = state.pending_transfer is not None
            reported = (a := state.assignment(1)) is not None and a.report is not None
            assert (
                not allowed(action, state.stage)
                or (action is Action.CLOSE and items_open)
                or (action in (Action.TRANSFER, Action.LIFT) and pending)
                or (action in (Action.TAKE, Action.RETURN) and not pending)
                or (action is Action.REPORT_BACK and reported)
                or (action in _BOOKING and not _booked(state))
            )
            assert state == before
            continue
        except DomainError:
            assert state == before
            continue
        assert allowed(action, state.stage)
        assert state.stage not in TERMINAL_STAGES
        assert [event.seq for event in events] == [state.seq + 1]
        recorded += events
        folded = fold(events, state)
        assert folded is not None
        state = folded

    assert fold(recorded) == state
    assert [event.seq for event in recorded] == list(range(1, len(recorded) + 1))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(STEPS), min_size=1, max_size=20))
def test_replaying_the_same_command_ids_changes_nothing(steps: list[str]) -> None:
    state = fold(
        decide(None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0)
    )
    assert state is not None
    envelopes = [
        c.CommandEnvelope(command_id=f"c{n}", actor="王芳", command=_command(step))
        for n, step in enumerate(steps)
    ]
    for envelope in envelopes:
        try:
            folded = fold(decide(state, envelope, now=T0), state)
        except DomainError:
            continue
        assert folded is not None
        state = folded
    for envelope in envelopes:
        if state.has_applied(envelope.command_id):
            assert decide(state, envelope, now=T0 + timedelta(days=1)) == []


# Hand-offs drawn more often than other steps, so cases see several of them.
HANDOFF_HEAVY = STEPS + ["transfer", "take", "return", "assign", "report_back"] * 5


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(HANDOFF_HEAVY), st.integers(0, 80)), min_size=5, max_size=30)
)
def test_hand_off_clocks_and_suggestions_follow_the_hand_offs(
    steps: list[tuple[str, int]],
) -> None:
    """With the shipped policy, random commands hours apart (timers firing in between): an open
    签收 clock belongs to the transfer awaiting, each assignment has its own 反馈 clock, open
    while it is unanswered and the case runs, and a lift suggestion needs a holder."""
    case = Case()
    for step, hours in steps:
        case.advance_to(case.now + timedelta(hours=hours))
        today = china_date(case.now)
        if step == "record_court_decision:rejected":
            cmd = command("record_court_decision", today, **REJECTED_DECISION)
        elif step == "record_follow_up:partial":
            cmd = command(
                "record_follow_up", today, performance=[{"item_no": 1, "status": "partial"}]
            )
        elif step == "lift":
            cmd = command("lift", today, to_organisation=org(TOWN))
        elif step == "report_back":
            answered = 1 + hours % max(1, len(case.state.assignments))
            cmd = command("report_back", today, assignment_no=answered)
        else:
            cmd = command(step, today)
        try:
            case.apply(cmd)
        except DomainError:
            continue
    state = case.state
    assert [event.seq for event in case.events] == list(range(1, len(case.events) + 1))
    open_take = [clock for clock in state.clocks if clock.rule_id == "TAKE" and clock.is_open]
    assert len(open_take) <= 1
    for clock in open_take:
        assert state.pending_transfer is not None
        assert clock.organisation == state.pending_transfer.to_organisation
    for assignment in state.assignments:
        clock = state.clock(f"A4-{assignment.assignment_no}")
        assert clock is not None
        assert clock.organisation == assignment.department
        if clock.is_open:
            assert assignment.open
            assert not state.is_terminal
        if clock.status is ClockStatus.MET:
            assert not assignment.open  # met only by its own report-back
    if state.lift_suggestion is not None:
        assert state.holder is not None
