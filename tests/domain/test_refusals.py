"""Refusals without a running case: the same errors decide gives (an ended case, a diversion)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case import commands as c
from domain.case.decide import decide
from domain.case.evolve import fold
from domain.case.refusals import answer_after_end, check_diversion
from domain.case.state import CaseState
from domain.errors import DomainError, ForbiddenTransition
from tests.samples import PETITION_INTAKE, T0, command, register


def _case(*actions: str, **intake: object) -> CaseState:
    envelopes = [c.CommandEnvelope(command_id="r", actor="登记员", command=register(**intake))]
    envelopes += [
        c.CommandEnvelope(command_id=f"c{n}", actor="王芳", command=command(action))
        for n, action in enumerate(actions)
    ]
    events: list = []
    for n, envelope in enumerate(envelopes):
        events += decide(fold(events), envelope, now=T0 + timedelta(minutes=n))
    state = fold(events)
    assert state is not None
    return state


def _refusal(state: CaseState, envelope: c.CommandEnvelope) -> DomainError:
    with pytest.raises(DomainError) as raised:
        decide(state, envelope, now=T0 + timedelta(days=1))
    return raised.value


def _same(left: DomainError, right: DomainError) -> bool:
    return (type(left), left.message_zh, left.message_en, left.field) == (
        type(right),
        right.message_zh,
        right.message_en,
        right.field,
    )


@pytest.mark.parametrize("ending", [("decline", "close"), ("withdraw",)])
@pytest.mark.parametrize("action", ["accept", "plan", "pause_clock", "close", "register"])
def test_an_ended_case_refuses_as_its_workflow_did(ending: tuple[str, ...], action: str) -> None:
    ended = _case(*ending)
    cmd = register() if action == "register" else command(action)
    envelope = c.CommandEnvelope(command_id="new", actor="王芳", command=cmd)
    with pytest.raises(ForbiddenTransition) as raised:
        answer_after_end(ended, envelope)
    assert _same(raised.value, _refusal(ended, envelope))


def test_a_retry_of_a_command_the_ended_case_applied_is_answered() -> None:
    ended = _case("decline", "close")
    retry = c.CommandEnvelope(command_id="c1", actor="王芳", command=command("close"))
    assert decide(ended, retry, now=T0 + timedelta(days=1)) == []
    answer_after_end(ended, retry)  # no refusal: the stored case answers


def test_a_diversion_is_checked_as_the_petition_decides() -> None:
    registered = _case(**PETITION_INTAKE, case_id="XF-2026-000001")
    divert = c.CommandEnvelope(
        command_id="divert:XF-2026-000001", actor="王芳", command=command("divert_to_mediation")
    )
    with pytest.raises(ForbiddenTransition) as raised:
        check_diversion(registered, divert.command_id)
    assert _same(raised.value, _refusal(registered, divert))

    accepted = _case("accept", **PETITION_INTAKE, case_id="XF-2026-000001")
    check_diversion(accepted, divert.command_id)
    diverted = fold(decide(accepted, divert, now=T0 + timedelta(hours=1)), accepted)
    assert diverted is not None
    check_diversion(diverted, divert.command_id)  # a retry of the same diversion goes ahead
    with pytest.raises(ForbiddenTransition):  # a dispute is never diverted
        check_diversion(_case("accept"), "divert:JF-2026-000001")
