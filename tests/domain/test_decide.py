"""The pure domain: what each command records, and what it refuses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.case import commands as c
from domain.case.case_numbers import format_case_number, parse_case_number
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import evolve, fold
from domain.case.stages import Stage
from domain.case.state import CaseState
from domain.errors import ForbiddenTransition, InvalidCommand, UnknownCase
from domain.values import CaseKind, CloseOutcome, PerformanceStatus
from tests.samples import LIFECYCLE, T0, TODAY, command, register


def _apply(
    state: CaseState | None, cmd: c.Command, n: int, actor: str = "王芳"
) -> tuple[CaseState, list[Event]]:
    envelope = c.CommandEnvelope(command_id=f"cmd-{n}", actor=actor, command=cmd)
    events = decide(state, envelope, now=T0 + timedelta(minutes=n))
    for event in events:
        state = evolve(state, event)
    assert state is not None
    return state, events


def _run(*actions: str) -> tuple[CaseState, list[Event]]:
    state, recorded = _apply(None, register(), 0)
    for n, action in enumerate(actions, start=1):
        state, events = _apply(state, command(action), n)
        recorded += events
    return state, recorded


def test_full_lifecycle_folds_to_a_closed_resolved_case() -> None:
    state, events = _run(*LIFECYCLE)

    assert state.stage is Stage.CLOSED
    assert state.closure is not None
    assert state.closure.outcome is CloseOutcome.RESOLVED
    assert [e.seq for e in events] == list(range(1, len(LIFECYCLE) + 2))
    assert state.session_count == 2
    assert [s.session_no for s in state.mediation_rounds[0].sessions] == [1, 2]
    assert state.agreement is not None
    assert state.agreement.items[0].status is PerformanceStatus.PERFORMED
    assert state.judicial_confirmation is not None
    assert state.judicial_confirmation.decision is not None
    assert fold(events) == state


def test_every_event_records_actor_time_and_command() -> None:
    state, events = _run("accept")
    accepted = events[-1]
    assert accepted.actor == "王芳"
    assert accepted.at == T0 + timedelta(minutes=1)
    assert accepted.command_id == "cmd-1"
    assert state.accepted is not None
    assert state.accepted.by == "王芳"


def test_plan_revisions_and_leader_changes_keep_history() -> None:
    state, _ = _run("accept", "plan")
    state, _ = _apply(state, command("plan", responsible_person="赵强"), 3)
    state, _ = _apply(state, command("assign_package_leader"), 4)
    state, events = _apply(state, command("assign_package_leader", leader_name="孙立"), 5)

    assert [p.revision for p in state.plans] == [1, 2]
    assert state.plan is not None
    assert state.plan.responsible_person == "赵强"
    assert [leader.leader_name for leader in state.package_leaders] == ["陈建国", "孙立"]
    assert events[0].body.replaces == "陈建国"  # type: ignore[union-attr]


def test_forbidden_transition_names_the_stage_in_chinese_and_english() -> None:
    state, _ = _run()
    with pytest.raises(ForbiddenTransition) as raised:
        _apply(state, command("close"), 1)
    assert "已登记" in raised.value.message_zh
    assert "registered" in raised.value.message_en


def test_close_waits_until_every_agreement_item_is_performed() -> None:
    state, _ = _run("accept", "start_mediation", "record_agreement")
    with pytest.raises(ForbiddenTransition):
        _apply(state, command("close"), 9)
    partial = command("record_follow_up", performance=[{"item_no": 1, "status": "partial"}])
    state, _ = _apply(state, partial, 10)
    with pytest.raises(ForbiddenTransition):
        _apply(state, command("close"), 11)
    state, _ = _apply(state, command("record_follow_up"), 12)
    state, _ = _apply(state, command("close"), 13)
    assert state.stage is Stage.CLOSED


def test_failed_and_declined_cases_close_with_their_outcome() -> None:
    failed, _ = _run("accept", "start_mediation", "record_mediation_failure", "close")
    declined, _ = _run("decline", "close")
    assert failed.closure is not None
    assert failed.closure.outcome is CloseOutcome.MEDIATION_FAILED
    assert declined.closure is not None
    assert declined.closure.outcome is CloseOutcome.DECLINED


def test_rejected_confirmation_goes_back_to_a_new_mediation_round() -> None:
    state, _ = _run(
        "accept",
        "start_mediation",
        "record_agreement",
        "apply_judicial_confirmation",
        "record_court_acceptance",
    )
    rejected = command("record_court_decision", decision="rejected", reason="内容不明确")
    state, _ = _apply(state, rejected, 6)
    assert state.stage is Stage.CONFIRMATION_REJECTED
    state, _ = _apply(state, command("start_mediation"), 7)
    assert state.stage is Stage.MEDIATING
    assert [r.round for r in state.mediation_rounds] == [1, 2]


def test_a_retried_command_records_nothing() -> None:
    state, _ = _run("accept")
    envelope = c.CommandEnvelope(command_id="cmd-1", actor="王芳", command=command("accept"))
    assert decide(state, envelope, now=T0 + timedelta(hours=1)) == []


def test_commands_before_registration_are_unknown_case() -> None:
    envelope = c.CommandEnvelope(command_id="x", actor="王芳", command=command("accept"))
    with pytest.raises(UnknownCase):
        decide(None, envelope, now=T0)


def test_registering_twice_is_forbidden() -> None:
    state, _ = _run()
    envelope = c.CommandEnvelope(command_id="again", actor="王芳", command=register())
    with pytest.raises(ForbiddenTransition):
        decide(state, envelope, now=T0)


@pytest.mark.parametrize(
    ("action", "overrides", "field"),
    [
        ("record_session", {"held_on": TODAY + timedelta(days=1)}, "held_on"),
        ("plan", {"deadline": TODAY - timedelta(days=1)}, "deadline"),
    ],
)
def test_dates_that_make_no_sense_are_invalid(
    action: str, overrides: dict[str, date], field: str
) -> None:
    state, _ = _run("accept", "start_mediation")
    with pytest.raises(InvalidCommand) as raised:
        _apply(state, command(action, **overrides), 9)
    assert raised.value.field == field


def test_agreement_items_cannot_fall_due_before_signing() -> None:
    state, _ = _run("accept", "start_mediation")
    early = command(
        "record_agreement",
        items=[{"description": "付款", "due_on": (TODAY - timedelta(days=1)).isoformat()}],
    )
    with pytest.raises(InvalidCommand) as raised:
        _apply(state, early, 9)
    assert raised.value.field == "items.0.due_on"


def test_follow_up_must_name_items_of_the_agreement() -> None:
    state, _ = _run("accept", "start_mediation", "record_agreement")
    with pytest.raises(InvalidCommand) as raised:
        _apply(
            state,
            command("record_follow_up", performance=[{"item_no": 7, "status": "performed"}]),
            9,
        )
    assert raised.value.field == "performance.0.item_no"


def test_case_number_must_fit_the_kind() -> None:
    envelope = c.CommandEnvelope(
        command_id="x", actor="王芳", command=register(case_id="XF-2026-000001")
    )
    with pytest.raises(InvalidCommand) as raised:
        decide(None, envelope, now=T0)
    assert raised.value.field == "case_id"


def test_case_numbers_round_trip() -> None:
    number = format_case_number(CaseKind.DISPUTE, 2026, 123)
    assert number == "JF-2026-000123"
    assert parse_case_number(number) == (CaseKind.DISPUTE, 2026, 123)
    with pytest.raises(ValueError, match="not a case number"):
        parse_case_number("JF-26-1")


def test_evolve_ignores_events_that_do_not_fit() -> None:
    state, events = _run("accept")
    assert evolve(None, events[1]) is None  # nothing before registration
    assert evolve(state, events[1]) == state  # an event already folded
    assert evolve(state, events[0]) == state  # a second registration


def test_a_court_decision_needs_the_court_acceptance_recorded_first() -> None:
    """司法确认中: 记录法院裁定 before 记录法院受理 is refused (the court's 15-day clock runs
    from its acceptance) and records nothing; after the acceptance it is recorded. A history
    recorded before the rule replays with it switched off."""
    state, _ = _run("accept", "start_mediation", "record_agreement", "apply_judicial_confirmation")
    decision = c.CommandEnvelope(
        command_id="decision-1", actor="王芳", command=command("record_court_decision")
    )
    with pytest.raises(ForbiddenTransition) as refused:
        decide(state, decision, now=T0 + timedelta(hours=1))
    assert "请先记录法院受理" in refused.value.message_zh
    replayed = decide(state, decision, now=T0 + timedelta(hours=1), court_acceptance_first=False)
    assert [event.type for event in replayed] == ["court_decision_recorded"]

    accepted, _ = _apply(state, command("record_court_acceptance"), 10)
    decided = decide(accepted, decision, now=T0 + timedelta(hours=1))
    assert [event.type for event in decided] == ["court_decision_recorded"]
