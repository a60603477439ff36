"""Cases at known moments for the worklist tests: commands, timers and hand-offs folded in order."""

from __future__ import annotations

from datetime import datetime, timedelta

from activities.policy.book import PolicyBook
from domain.case import commands as c
from domain.case import events as e
from domain.case.decide import advance, decide, snapshot_policy
from domain.case.evolve import evolve, fold
from domain.case.policy import CasePolicy, case_policy
from domain.case.state import CaseState
from domain.deadlines.clock_rules import ClockRule
from tests.domain.official_calendar import OFFICIAL
from tests.samples import T0, command, register

BOOK = PolicyBook.load()

# 签收时限 as the design describes it (the shipped rule may differ): 2 days from the transfer.
TAKE = ClockRule.model_validate(
    {
        "rule_id": "TAKE",
        "name": "签收时限",
        "source": "测试",
        "confidence": "D",
        "kinds": ["dispute", "petition"],
        "start_on": ["case_transferred"],
        "stop_on": ["transfer_taken", "transfer_returned"],
        "length": 2,
        "unit": "calendar_days",
        "warn_before_hours": 24,
        "counting": "2026.1",
    }
)


def _policy(state: CaseState) -> CasePolicy:
    policy = case_policy(
        BOOK.base,
        OFFICIAL,
        kind=state.kind,
        category=state.category,
        channel=state.channel,
        risk=state.risk_level,
    )
    rules = tuple(rule for rule in policy.rules if rule.rule_id != "TAKE")
    return policy.model_copy(update={"rules": (*rules, TAKE)})


class CaseAt:
    """A case built step by step: ``do`` a command at a time, ``wait`` until a time (timers fire),
    ``record`` an event body as the system (a lift suggestion)."""

    def __init__(self, case_id: str, *, center: str, at: datetime = T0, **intake: object) -> None:
        self.now = at
        registration = register(case_id=case_id, **intake)
        registration = registration.model_copy(update={"center_id": center})
        self.state: CaseState | None = None
        self.events: list[e.Event] = []
        self._apply(decide(None, self._envelope(registration), now=at))
        assert self.state is not None
        snapshot = snapshot_policy(
            self.state, _policy(self.state), actor="系统", command_id="p", now=at
        )
        self._apply(snapshot)

    def _envelope(self, cmd: c.Command) -> c.CommandEnvelope:
        seq = self.state.seq if self.state is not None else 0
        return c.CommandEnvelope(command_id=f"cmd-{seq}", actor="王芳", command=cmd)

    def _apply(self, events: list[e.Event]) -> None:
        self.events += events
        self.state = fold(events, self.state)

    @property
    def case(self) -> CaseState:
        assert self.state is not None
        return self.state

    def do(self, action: str, *, after: timedelta = timedelta(hours=1), **body: object) -> CaseAt:
        self.wait(self.now + after)
        cmd = command(action, today=(self.now + timedelta(hours=8)).date(), **body)
        self._apply(decide(self.case, self._envelope(cmd), now=self.now))
        return self

    def wait(self, until: datetime) -> CaseAt:
        self._apply(advance(self.case, now=until))
        self.now = until
        return self

    def record(self, body: e.EventBody) -> CaseAt:
        event = e.Event(
            case_id=self.case.case_id,
            seq=self.case.seq + 1,
            at=self.now,
            actor="系统",
            command_id=f"sys-{self.case.seq}",
            body=body,
        )
        self.events.append(event)
        self.state = evolve(self.case, event)
        return self
