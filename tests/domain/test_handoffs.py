"""Hand-offs between organisations (转办 签收 退回 交办 反馈 上提 联合调处): what each refuses
(409 for what the case's state forbids, 422 for content that contradicts it) and records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case.stages import Stage
from domain.errors import ForbiddenTransition, InvalidCommand
from tests.domain.handoff_cases import (
    COUNTY,
    HOUSING,
    HRSS,
    LABOUR_ROOM,
    POLICE,
    TOWN,
    VILLAGE,
    Case,
    org,
    types,
)

# --- 转办 / 签收 / 退回 ---


def test_a_transfer_shows_as_incoming_until_taken_then_the_receiver_holds_the_case() -> None:
    case = Case()
    assert case.state.holder_id == VILLAGE.org_id
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    state = case.state
    assert state.incoming_id == LABOUR_ROOM.org_id
    assert state.holder_id == VILLAGE.org_id  # the sender holds it until it is taken
    assert LABOUR_ROOM.org_id in state.related_organisations

    case.do("take")
    state = case.state
    assert state.holder_id == LABOUR_ROOM.org_id
    assert state.incoming_id is None
    assert state.former_holders == (VILLAGE.org_id,)
    assert [h.kind for h in state.handoffs] == [
        "case_registered",
        "case_transferred",
        "transfer_taken",
    ]


def test_a_returned_transfer_leaves_the_case_with_the_sender() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(TOWN))
    case.do("return")
    state = case.state
    assert state.holder_id == VILLAGE.org_id
    assert state.pending_transfer is None
    assert state.former_holders == ()
    assert TOWN.org_id not in state.related_organisations


def test_a_second_transfer_while_one_awaits_is_refused_with_409() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(TOWN))
    error = case.refusal("transfer", to_organisation=org(LABOUR_ROOM))
    assert isinstance(error, ForbiddenTransition)
    assert "梅园新村街道矛盾纠纷调解中心" in error.message_zh
    assert "待其签收或退回" in error.message_zh


def test_a_transfer_to_the_holder_itself_is_invalid_422_on_to_organisation() -> None:
    error = Case().refusal("transfer", to_organisation=org(VILLAGE))
    assert isinstance(error, InvalidCommand)
    assert error.field == "to_organisation"


def test_an_old_case_is_held_by_its_registering_center() -> None:
    case = Case(holder=None, center_id="xw-center")
    assert case.state.holder is None
    assert case.state.holder_id == "xw-center"
    error = case.refusal("transfer", to_organisation={**org(TOWN), "org_id": "xw-center"})
    assert isinstance(error, InvalidCommand)
    case.do("transfer", to_organisation=org(TOWN))
    case.do("take")
    assert case.state.holder_id == TOWN.org_id
    assert case.state.former_holders == ("xw-center",)


@pytest.mark.parametrize("action", ["take", "return"])
def test_take_or_return_without_a_transfer_is_refused_with_409(action: str) -> None:
    error = Case().refusal(action)
    assert isinstance(error, ForbiddenTransition)
    assert error.message_zh == "本案没有待签收的转办"


def test_an_ended_case_is_not_transferred() -> None:
    case = Case()
    case.do("withdraw")
    assert isinstance(case.refusal("transfer"), ForbiddenTransition)


# --- 交办 / 反馈 ---


def test_assignments_are_numbered_and_each_is_reported_back_once() -> None:
    case = Case()
    case.do("assign", department=org(HRSS))
    case.do("assign", department=org(HOUSING))
    assert [a.assignment_no for a in case.state.assignments] == [1, 2]
    case.do("report_back", assignment_no=2)
    state = case.state
    assert [a.assignment_no for a in state.open_assignments] == [1]
    assert {HRSS.org_id, HOUSING.org_id} <= state.related_organisations

    again = case.refusal("report_back", assignment_no=2)
    assert isinstance(again, ForbiddenTransition)
    assert "第 2 次交办已反馈" in again.message_zh


def test_a_report_back_for_an_assignment_that_does_not_exist_is_422() -> None:
    case = Case()
    case.do("assign")
    error = case.refusal("report_back", assignment_no=3)
    assert isinstance(error, InvalidCommand)
    assert error.field == "assignment_no"


def test_an_assignment_deadline_in_the_past_is_422_on_deadline() -> None:
    case = Case()
    error = case.refusal("assign", deadline="2026-03-01")
    assert isinstance(error, InvalidCommand)
    assert error.field == "deadline"


@pytest.mark.parametrize("reported_on", ["2026-03-01", "2026-03-20"])
def test_a_report_back_dated_before_the_assignment_or_in_the_future_is_422(
    reported_on: str,
) -> None:
    case = Case()  # 2 Mar 2026
    case.do("assign")
    error = case.refusal("report_back", reported_on=reported_on)
    assert isinstance(error, InvalidCommand)
    assert error.field == "reported_on"


# --- 上提 ---


def test_a_lift_moves_the_case_up_and_a_failed_round_is_handled_afresh() -> None:
    case = Case()
    case.do("accept")
    case.do("start_mediation")
    case.do("record_mediation_failure")
    assert case.state.stage is Stage.MEDIATION_FAILED
    case.do("lift", to_organisation=org(TOWN))
    state = case.state
    assert state.holder_id == TOWN.org_id
    assert state.stage is Stage.ACCEPTED
    assert state.former_holders == (VILLAGE.org_id,)
    assert state.failures_with_holder == 0


def test_a_lift_to_the_holder_is_422_and_while_a_transfer_awaits_409() -> None:
    case = Case()
    to_self = case.refusal("lift", to_organisation=org(VILLAGE))
    assert isinstance(to_self, InvalidCommand)
    assert to_self.field == "to_organisation"
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    pending = case.refusal("lift", to_organisation=org(TOWN))
    assert isinstance(pending, ForbiddenTransition)


# --- 联合调处 ---


def test_co_handlers_join_and_leave() -> None:
    case = Case()
    case.do("add_co_handler", organisation=org(POLICE))
    assert case.state.co_handlers == (POLICE,)
    assert POLICE.org_id in case.state.related_organisations
    twice = case.refusal("add_co_handler", organisation=org(POLICE))
    assert isinstance(twice, InvalidCommand)
    assert twice.field == "organisation"
    holder = case.refusal("add_co_handler", organisation=org(VILLAGE))
    assert isinstance(holder, InvalidCommand)
    assert holder.field == "organisation"

    case.do("remove_co_handler", organisation=org(POLICE))
    assert case.state.co_handlers == ()
    absent = case.refusal("remove_co_handler", organisation=org(COUNTY))
    assert isinstance(absent, InvalidCommand)
    assert absent.field == "organisation"
    assert "不是联合调处单位" in absent.message_zh


def test_every_hand_off_is_one_event_of_the_case_and_its_clock_events() -> None:
    case = Case()
    recorded = case.do("transfer", to_organisation=org(TOWN))
    assert types(recorded) == ["case_transferred", "clock_started"]
    recorded = case.do("take", after=timedelta(hours=2))
    assert types(recorded) == ["transfer_taken", "clock_stopped"]
    assert types(case.do("add_co_handler")) == ["co_handler_added"]


# --- whose turn: the case itself checks the acting organisation ---


def test_the_case_refuses_a_command_from_an_organisation_whose_turn_it_is_not() -> None:
    """The API checks the stored case; the case checks itself again, so a command that raced a
    签收 (the sender still thinking it holds the case) is refused, with nothing recorded."""
    from domain.case import commands as c
    from domain.case.decide import decide
    from domain.errors import NotYourTurn

    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    case.do("take")

    def from_org(org_id: str | None, action: str, **body: object) -> c.CommandEnvelope:
        return c.CommandEnvelope(
            command_id=f"turn-{org_id}-{action}",
            actor="王芳",
            command=case.command(action, **body),
            acting_organisation=org_id,
        )

    seq = case.state.seq
    with pytest.raises(NotYourTurn) as refused:
        decide(case.state, from_org(VILLAGE.org_id, "accept"), now=case.now)
    assert refused.value.code == "forbidden"
    assert "其他单位" in refused.value.message_zh
    assert case.state.seq == seq
    # The holder's turn; and envelopes without an organisation (sent before hand-offs, or by a
    # leader acknowledging an alert) are not asked.
    assert decide(case.state, from_org(LABOUR_ROOM.org_id, "accept"), now=case.now)
    assert decide(case.state, from_org(None, "accept"), now=case.now)
    # 签收 belongs to the organisation a transfer awaits, a report-back to the department.
    case.do("transfer", to_organisation=org(TOWN))
    with pytest.raises(NotYourTurn):
        decide(case.state, from_org(LABOUR_ROOM.org_id, "take"), now=case.now)
    assert decide(case.state, from_org(TOWN.org_id, "take"), now=case.now)
    case.do("return")
    case.do("assign", department=org(HRSS))
    with pytest.raises(NotYourTurn):
        decide(case.state, from_org(LABOUR_ROOM.org_id, "report_back"), now=case.now)
    assert decide(case.state, from_org(HRSS.org_id, "report_back"), now=case.now)


# --- 撤回转办 ---


def test_the_sender_recalls_a_transfer_awaiting_taking_and_still_holds_the_case() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    recorded = case.do("recall", reason="转办单位选错，撤回")
    assert types(recorded)[0] == "transfer_recalled"
    state = case.state
    assert state.holder_id == VILLAGE.org_id
    assert state.pending_transfer is None
    assert state.incoming_id is None
    assert LABOUR_ROOM.org_id not in state.related_organisations
    last = state.handoffs[-1]
    assert last.kind == "transfer_recalled"
    assert last.organisation == LABOUR_ROOM
    assert last.from_organisation == VILLAGE
    assert last.reason == "转办单位选错，撤回"
    # The case may be transferred again, elsewhere.
    case.do("transfer", to_organisation=org(TOWN))
    assert case.state.incoming_id == TOWN.org_id


def test_a_recall_without_a_transfer_awaiting_is_refused_with_409() -> None:
    error = Case().refusal("recall")
    assert isinstance(error, ForbiddenTransition)
    assert error.message_zh == "本案没有待签收的转办，无可撤回"


@pytest.mark.parametrize("answer", ["take", "return"])
def test_a_transfer_taken_or_returned_can_no_longer_be_recalled(answer: str) -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    case.do(answer)
    assert isinstance(case.refusal("recall"), ForbiddenTransition)


def test_a_recall_of_an_ended_case_is_refused() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    case.do("withdraw")
    assert isinstance(case.refusal("recall"), ForbiddenTransition)


def test_the_receiver_may_not_recall_a_transfer_sent_to_it() -> None:
    from domain.case.reach import CaseReach

    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    reach = CaseReach.of(case.state)
    assert reach.acting_organisation("recall") == VILLAGE.org_id
    assert reach.acting_organisation("take") == LABOUR_ROOM.org_id
