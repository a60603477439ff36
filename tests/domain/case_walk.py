"""A case walked command by command, mostly along what its stage allows (for property tests).

``Walk`` keeps one case (dispute or petition, with the shipped policy and the official 2026
calendar) and takes one step at a time: time moves on (the workflow's timer records what fell
due), then a command is chosen by ``pick`` — usually one that moves the case to another stage,
often any command the stage allows, sometimes any command at all — with a body that fits the
case (an open clock to pause, an open alert to acknowledge, an assignment to report on). Each
step checks what must hold whatever the command: a refusal records nothing and leaves the case
as it was; the stage table decides every refusal by stage; an accepted command is numbered
next and folds. ``pick`` is a hypothesis draw in the state machine and a seeded ``Random`` in
the coverage test, so both walk the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from domain.case import commands as c
from domain.case.decide import advance, decide, snapshot_policy
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.labels import ACTION_LABELS, STAGE_LABELS
from domain.case.stages import TERMINAL_STAGES, Action, allowed
from domain.case.state import CaseState
from domain.errors import DomainError, ForbiddenTransition
from domain.organisation.organisations import Routing
from domain.values import CaseKind, Category, Channel, china_date
from tests.domain.handoff_cases import TOWN, VILLAGE, current_policy, org
from tests.samples import (
    PATH_TO_STAGE,
    PETITION_INTAKE,
    PETITION_PATH_TO_STAGE,
    REJECTED_DECISION,
    T0,
    command,
    register,
)

Pick = Callable[[Sequence[Any]], Any]

# Commands whose success moves the case to another stage (or ends it).
MOVES = frozenset(
    {
        Action.ACCEPT,
        Action.DECLINE,
        Action.START_MEDIATION,
        Action.RECORD_AGREEMENT,
        Action.RECORD_MEDIATION_FAILURE,
        Action.APPLY_JUDICIAL_CONFIRMATION,
        Action.RECORD_COURT_ACCEPTANCE,
        Action.RECORD_COURT_DECISION,
        Action.RECORD_FOLLOW_UP,
        Action.CLOSE,
        Action.WITHDRAW,
        Action.REPLY,
        Action.REQUEST_REVIEW,
        Action.ANSWER_REVIEW,
        Action.REQUEST_SECOND_REVIEW,
        Action.ANSWER_SECOND_REVIEW,
    }
)
# Ways out that end a walk at once: taken less often than the other moves.
EXITS = frozenset({Action.WITHDRAW, Action.DECLINE})
INTAKES: tuple[dict[str, Any], ...] = (
    {},
    {"category": "medical"},
    {"category": "labour"},
    PETITION_INTAKE,
)
PAUSES = ("appraisal", "hearing")
WAITS = (timedelta(minutes=5), timedelta(hours=20), timedelta(days=9), timedelta(days=40))


FILE_ACTIONS = frozenset({Action.ADD_ATTACHMENT, Action.WITHDRAW_ATTACHMENT})


class Walk:
    def __init__(self, pick: Pick) -> None:
        self.pick = pick
        intake: dict[str, Any] = pick(INTAKES)
        kind = CaseKind(intake.get("kind", "dispute"))
        prefix = "XF" if kind is CaseKind.PETITION else "JF"
        self.now = T0
        self.events: list[Event] = []
        self._state: CaseState | None = None
        routing = Routing(chosen=VILLAGE)
        registration = register(case_id=f"{prefix}-2026-000001", routing=routing, **intake)
        self._record(decide(None, self._envelope(registration), now=self.now))
        policy = current_policy(
            kind,
            category=Category(intake.get("category", "neighbourhood")),
            channel=Channel(intake.get("channel", "walk_in")),
        )
        self._record(snapshot_policy(self.state, policy, actor="系统", command_id="p", now=T0))
        self.kind = kind
        self.stages = [self.state.stage]

    @property
    def state(self) -> CaseState:
        assert self._state is not None
        return self._state

    def _envelope(self, cmd: c.Command) -> c.CommandEnvelope:
        return c.CommandEnvelope(command_id=f"cmd-{len(self.events)}", actor="王芳", command=cmd)

    def _record(self, events: list[Event]) -> list[Event]:
        folded = fold(events, self._state)
        assert folded is not None
        self._state = folded
        self.events += events
        return events

    def _choose(self, state: CaseState) -> Action:
        allowed_now = [a for a in Action if allowed(a, state.stage, self.kind.value)]
        moves = [a for a in allowed_now if a in MOVES and a not in EXITS]
        exits = [a for a in allowed_now if a in EXITS]
        roll = self.pick(range(20))
        if moves and roll < 10:
            return self.pick(sorted(moves))  # onward: most steps
        if exits and roll == 10:
            return self.pick(sorted(exits))
        if allowed_now and roll < 18:
            return self.pick(sorted(allowed_now))
        return self.pick(list(Action))  # anything, allowed or not

    def _body(self, state: CaseState, action: Action) -> dict[str, Any]:
        match action:
            case Action.PAUSE_CLOCK | Action.RESUME_CLOCK | Action.EXTEND_CLOCK:
                ids = [clock.clock_id for clock in state.clocks] or ["B2"]
                body: dict[str, Any] = {"clock_id": self.pick(ids)}
                if action is Action.PAUSE_CLOCK:
                    body["reason"] = self.pick(PAUSES)
                return body
            case Action.ACKNOWLEDGE_ALERT:
                ids = [alert.alert_id for alert in state.alerts] or [f"{state.case_id}-A1"]
                return {"alert_id": self.pick(ids)}
            case Action.RECORD_COURT_DECISION:
                return dict(self.pick([{}, REJECTED_DECISION]))
            case Action.RECORD_FOLLOW_UP:
                status = self.pick(["performed", "partial"])
                return {"performance": [{"item_no": 1, "status": status}]}
            case Action.REPORT_BACK:
                return {"assignment_no": self.pick([1, 2])}
            case Action.LIFT:
                return {"to_organisation": org(TOWN)}
        return {}

    def step(self) -> tuple[Action, DomainError | None]:
        """Wait, then send one command; checks what holds for any command."""
        wait: timedelta = self.pick(WAITS)
        self.now += wait
        self._record(advance(self.state, now=self.now))
        state = self.state
        action = self._choose(state)
        cmd = command(action.value, china_date(self.now), **self._body(state, action))
        before = state.model_copy(deep=True)
        recorded = len(self.events)
        stage_allows = allowed(action, state.stage, self.kind.value)
        refusal: DomainError | None = None
        try:
            events = self._record(decide(state, self._envelope(cmd), now=self.now))
        except DomainError as error:
            refusal = error
        if refusal is not None:
            assert len(self.events) == recorded, "a refusal records nothing"
            assert self.state == before, "a refusal leaves the case as it was"
            stage_refusal = refusal.message_zh == stage_message(state, action)
            assert stage_refusal == (not stage_allows), refusal.message_zh
            if not stage_allows:
                assert isinstance(refusal, ForbiddenTransition)
            self.stages.append(self.state.stage)
            return action, refusal
        assert stage_allows, f"{action} accepted in {state.stage}"
        # Only files (证据材料) may still be added to or withdrawn from an ended case.
        assert state.stage not in TERMINAL_STAGES or action in FILE_ACTIONS, action
        assert [event.seq for event in events] == list(
            range(state.seq + 1, state.seq + 1 + len(events))
        )
        self.stages.append(self.state.stage)
        return action, None

    def check(self) -> None:
        """What holds between steps: an ended case has no open clock and no open alert; the
        stage is one of its kind's; the events are numbered without a gap."""
        state = self.state
        if state.is_terminal:
            assert not [clock.clock_id for clock in state.clocks if clock.is_open]
            assert not [a.alert_id for a in state.alerts if a.status.value == "open"]
        assert state.stage in STAGES_OF[self.kind]
        assert self.events[-1].seq == len(self.events) == state.seq

    def check_history(self) -> None:
        """The whole history folds, from nothing, to the case the walk holds."""
        assert [event.seq for event in self.events] == list(range(1, len(self.events) + 1))
        assert fold(self.events) == self.state


def stage_message(state: CaseState, action: Action) -> str:
    return f"案件当前阶段为「{STAGE_LABELS[state.stage]}」，不能{ACTION_LABELS[action]}"


# Every stage a case of each kind can be in (the sample paths reach each one).
STAGES_OF = {
    CaseKind.DISPUTE: frozenset(PATH_TO_STAGE),
    CaseKind.PETITION: frozenset(PETITION_PATH_TO_STAGE),
}
