"""Reach follows the case: who reads it and which organisation sends each command, as it moves."""

from __future__ import annotations

from datetime import timedelta

from domain.case import commands as c
from domain.case.decide import decide
from domain.case.evolve import evolve
from domain.case.reach import CaseReach, may_act, may_read
from domain.case.state import CaseState
from domain.people.access import Principal, Role
from tests.samples import T0, command, register


def _apply(state: CaseState | None, cmd: c.Command, n: int) -> CaseState:
    envelope = c.CommandEnvelope(command_id=f"cmd-{n}", actor="王芳 (wangfang)", command=cmd)
    for event in decide(state, envelope, now=T0 + timedelta(minutes=n)):
        state = evolve(state, event)
    assert state is not None
    return state


def _states() -> dict[str, CaseState]:
    """The sample case registered by xw-center, at each of its hand-off moments."""
    states: dict[str, CaseState] = {}
    state = _apply(None, register(center_id="xw-center", reporter_id="wangfang"), 0)
    states["registered"] = state
    steps = ("accept", "transfer", "take", "assign", "add_co_handler", "report_back", "lift")
    for n, action in enumerate(steps, start=1):
        state = _apply(state, command(action), n)
        states[action] = state
    return states


def _staff(org: str) -> Principal:
    return Principal(
        user_id=f"staff-{org}",
        display_name="某",
        role=Role.MEDIATOR,
        jurisdiction="320102",
        center_id=org,
    )


def test_the_organisations_of_a_case_follow_its_hand_offs() -> None:
    reach = {moment: CaseReach.of(state) for moment, state in _states().items()}
    assert reach["registered"].holder_id == "xw-center"  # no routing: the registrar holds it
    assert reach["registered"].related == {"xw-center"}
    assert reach["transfer"].incoming_id == "xw-labour-room"
    assert reach["transfer"].holder_id == "xw-center"
    assert reach["take"].holder_id == "xw-labour-room"
    assert reach["take"].incoming_id is None
    assert reach["assign"].departments == {1: "xw-hrss"}
    assert reach["add_co_handler"].co_handlers == {"xw-police-room"}
    assert reach["lift"].holder_id == "xw-county-center"
    assert reach["lift"].related == {
        "xw-center",
        "xw-labour-room",
        "xw-hrss",
        "xw-police-room",
        "xw-county-center",
    }
    assert reach["lift"].reporter_id == "wangfang"


def test_who_sends_each_command_at_each_moment() -> None:
    reach = {moment: CaseReach.of(state) for moment, state in _states().items()}
    pending = reach["transfer"]
    assert pending.acting_organisation("take") == "xw-labour-room"
    assert pending.acting_organisation("return") == "xw-labour-room"
    assert pending.acting_organisation("accept") == "xw-center"
    # Nothing awaits taking: the holder is the one the case refuses.
    assert reach["take"].acting_organisation("take") == "xw-labour-room"
    assert reach["accept"].acting_organisation("take") == "xw-center"
    assigned = reach["assign"]
    assert assigned.acting_organisation("report_back", 1) == "xw-hrss"
    assert assigned.acting_organisation("report_back", 2) == "xw-labour-room"
    assert assigned.acting_organisation("plan") == "xw-labour-room"
    # A reported assignment stays its department's (the case refuses a second report).
    assert reach["report_back"].acting_organisation("report_back", 1) == "xw-hrss"


def test_roles_reach_cases_their_own_way() -> None:
    lifted = CaseReach.of(_states()["lift"])
    assert may_read(_staff("xw-labour-room"), lifted)  # held it before
    assert not may_act(_staff("xw-labour-room"), lifted, "plan")
    assert may_act(_staff("xw-county-center"), lifted, "plan")
    assert may_act(_staff("xw-hrss"), lifted, "report_back", 1)
    assert not may_act(_staff("xw-hrss"), lifted, "plan")
    assert may_read(_staff("xw-police-room"), lifted)  # co-handles
    assert not may_read(_staff("xw-petition"), lifted)
    leader = Principal(user_id="l", display_name="领导", role=Role.LEADER, jurisdiction="320102001")
    far_leader = Principal(
        user_id="f", display_name="领导", role=Role.LEADER, jurisdiction="320104"
    )
    assert may_read(leader, lifted)
    assert may_act(leader, lifted, "acknowledge_alert")
    assert not may_act(leader, lifted, "plan")
    assert not may_read(far_leader, lifted)
    assert not may_act(far_leader, lifted, "acknowledge_alert")
    admin = Principal(user_id="root", display_name="管理员", role=Role.SYSTEM_ADMIN)
    assert not may_read(admin, lifted)
    grid = Principal(
        user_id="wangfang",
        display_name="王芳",
        role=Role.GRID_WORKER,
        jurisdiction="320102001002",
        center_id="xw-center",
        grid_code="320102001002001",
    )
    assert may_read(grid, lifted)  # they reported it
    assert not may_read(grid.model_copy(update={"user_id": "someone"}), lifted)
    assert not may_act(grid, lifted, "plan")
