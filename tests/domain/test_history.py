"""state_as_of: the case as it stood at a past moment, folded from its events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.history import state_as_of
from domain.case.stages import Stage
from tests.samples import T0, command, register


def _history() -> list[Event]:
    events = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0
    )
    for n, action in enumerate(("accept", "plan", "start_mediation"), start=1):
        envelope = c.CommandEnvelope(command_id=f"c{n}", actor="王芳", command=command(action))
        events += decide(fold(events), envelope, now=T0 + timedelta(hours=n))
    return events


def test_before_registration_there_is_no_case() -> None:
    assert state_as_of(_history(), T0 - timedelta(microseconds=1)) is None
    assert state_as_of([], T0) is None


def test_state_at_several_instants() -> None:
    events = _history()
    registered = state_as_of(events, T0)
    assert registered is not None
    assert registered.stage is Stage.REGISTERED
    assert registered.seq == max(event.seq for event in events if event.at <= T0)

    just_before_accept = state_as_of(events, T0 + timedelta(hours=1) - timedelta(microseconds=1))
    assert just_before_accept == registered

    accepted = state_as_of(events, T0 + timedelta(hours=1))
    assert accepted is not None
    assert accepted.stage is Stage.ACCEPTED
    assert accepted.plan is None

    planned = state_as_of(events, T0 + timedelta(hours=2, minutes=30))
    assert planned is not None
    assert planned.stage is Stage.ACCEPTED
    assert planned.plan is not None

    assert state_as_of(events, T0 + timedelta(days=365)) == fold(events)


def test_instant_in_any_timezone_means_the_same_moment() -> None:
    events = _history()
    china = timezone(timedelta(hours=8))
    assert state_as_of(events, (T0 + timedelta(hours=1)).astimezone(china)) == state_as_of(
        events, T0 + timedelta(hours=1)
    )


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        state_as_of(_history(), datetime(2026, 3, 2, 9, 30))
