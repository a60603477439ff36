"""我的在办 by id: who works a case, as the keys the read model indexes (case_people)."""

from __future__ import annotations

from domain.case import commands as c
from domain.case.list_columns import person_keys, principal_keys
from domain.case.state import CaseState
from tests.domain.test_session_schedule import _apply
from tests.samples import command, register


def _case(*steps: c.Command) -> CaseState:
    state, _ = _apply(None, register(), 0)
    for n, step in enumerate(steps, start=1):
        state, _ = _apply(state, step, n)
    return state


def test_people_chosen_by_id_are_keys_and_names_typed_by_hand_are_not() -> None:
    state = _case(
        command("accept"),
        command("plan", responsible_person="王芳", responsible_person_id="wangfang"),
        command("start_mediation", mediators=["王芳", "赵强"], mediator_ids=["xw-m-1", "xw-m-2"]),
        command("assign_package_leader", leader_id="chenjianguo"),
    )
    assert person_keys(state) == (
        "user:wangfang",
        "roster:xw-m-1",
        "roster:xw-m-2",
        "user:chenjianguo",
    )
    by_hand = _case(command("accept"), command("plan"), command("start_mediation"))
    assert person_keys(by_hand) == ()


def test_a_user_is_found_by_their_account_and_their_roster_entry() -> None:
    assert principal_keys("wangfang", "xw-m-1") == ("user:wangfang", "roster:xw-m-1")
    assert principal_keys("zhoujun", None) == ("user:zhoujun",)
