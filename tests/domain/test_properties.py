"""Property tests: random command sequences against the transition table."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.case import commands as c
from domain.case.clocks import ClockStatus
from domain.case.decide import decide
from domain.case.evolve import fold
from domain.case.stages import Action, Stage
from domain.errors import DomainError
from domain.values import CaseKind, china_date
from tests.domain.case_walk import STAGES_OF, Walk
from tests.domain.handoff_cases import TOWN, Case, org
from tests.samples import REJECTED_DECISION, T0, command, register, step_command

STEPS = [action.value for action in Action] + [
    "record_court_decision:rejected",
    "record_follow_up:partial",
]


def _command(step: str) -> c.Command:
    if step == "record_follow_up:partial":
        return command("record_follow_up", performance=[{"item_no": 1, "status": "partial"}])
    return step_command(step)


class CaseMachine(RuleBasedStateMachine):
    """One case per example, walked mostly along what its stage allows (``tests.domain.case_walk``
    checks each step: a refusal changes nothing, the stage table decides every refusal by stage,
    an accepted command is numbered next)."""

    def __init__(self) -> None:
        super().__init__()
        self.walk: Walk | None = None

    @initialize(data=st.data())
    def register(self, data: st.DataObject) -> None:
        self.walk = Walk(lambda options: data.draw(st.sampled_from(list(options))))
        event(f"{self.walk.kind.value}: registered")

    @rule()
    def act(self) -> None:
        assert self.walk is not None
        action, refusal = self.walk.step()
        event(f"{self.walk.kind.value}: {self.walk.state.stage.value}")
        if refusal is not None:
            event(f"refused: {type(refusal).__name__}")

    @invariant()
    def an_ended_case_holds_nothing_open(self) -> None:
        if self.walk is not None:
            self.walk.check()

    def teardown(self) -> None:
        if self.walk is not None:
            self.walk.check_history()


CaseMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_a_case_walked_along_its_stages_obeys_the_transition_table = CaseMachine.TestCase


def test_the_walk_reaches_every_stage_of_both_kinds() -> None:
    """The same walk, seeded: over 120 cases every stage of each kind is reached (a random
    choice among all commands reached none past 调解协议 in 300 sequences)."""
    rng = random.Random(20261206)
    reached: dict[CaseKind, set[Stage]] = {kind: set() for kind in CaseKind}
    for _ in range(120):
        walk = Walk(lambda options: rng.choice(list(options)))
        for _ in range(30):
            walk.step()
            walk.check()
            if walk.state.is_terminal:
                break
        walk.check_history()
        reached[walk.kind] |= set(walk.stages)
    for kind, stages in STAGES_OF.items():
        assert reached[kind] == set(stages), sorted(set(stages) - reached[kind])


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
